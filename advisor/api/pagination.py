"""Page-number pagination that refuses what it cannot honour.

DRF's own quietly falls back to the default size for `page_size=abc` or `-5`; a client that
asked for something else should hear about it (400), as the schema promises.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _whole(raw: str, name: str, upper: int | None) -> int:
    text = raw.strip()
    digits = text.isascii() and text.isdigit() and len(text) <= 18
    value = int(text) if digits else None
    if value is None or value < 1 or (upper is not None and value > upper):
        bound = f"from 1 to {upper}" if upper else "of 1 or more"
        raise exceptions.ValidationError({name: [f"Must be a whole number {bound}."]})
    return value


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    invalid_page_message = "There is no such page."

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole(raw, self.page_size_query_param, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        return 1 if raw is None else _whole(raw, self.page_query_param, None)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the last answers 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {DEFAULT_PAGE_SIZE}, at most "
                f"{MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
