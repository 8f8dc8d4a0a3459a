"""The firm's library: price-book versions and the evidence library (read-only here; they are
edited in the web app, where every change makes a new version)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import FirmApiView
from advisor.api.documents import ObjectField
from advisor.api.pagination import ApiPagination
from advisor.selectors.library import evidence_current, price_book_versions
from advisor.services.library import library_seed

PRICE_BOOK_ORDERING = ["slug", "-slug", "created_at", "-created_at"]
EVIDENCE_ORDERING = ["evidence_id", "-evidence_id", "date", "-date"]


class StrictBooleanField(serializers.BooleanField):
    """Only `true` or `false`: a query parameter that says `yes` or `0` is refused, not
    guessed at."""

    TRUE_VALUES = {"true", True}
    FALSE_VALUES = {"false", False}
    NULL_VALUES: set[Any] = set()
    # DRF reads a missing boolean in form-like data (query strings) as False; absent is absent.
    default_empty_html = empty


class PriceBookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    version = serializers.IntegerField()
    key = serializers.CharField(help_text="slug@version, as assessments name it.")
    name = serializers.CharField()
    is_active = serializers.BooleanField(
        help_text="The one version the firm's assessments (and the evaluator) use."
    )
    change_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    data = ObjectField(help_text="The whole book: models, prices with sources, cost defaults.")


class PriceBookFilterSerializer(serializers.Serializer):
    slug = serializers.SlugField(required=False, max_length=60)
    active = StrictBooleanField(
        required=False, help_text="true: only the active version; false: all the others."
    )
    ordering = serializers.ChoiceField(choices=PRICE_BOOK_ORDERING, required=False, default="slug")


class EvidenceSerializer(serializers.Serializer):
    id = serializers.CharField(source="evidence_id", help_text="E-ADOPT, E-LATENCY, …")
    version = serializers.IntegerField()
    title = serializers.CharField()
    claim = serializers.CharField()
    source = serializers.CharField()
    url = serializers.CharField()
    date = serializers.CharField(help_text="When the source was published (YYYY or YYYY-MM-DD).")
    figures = serializers.ListField(child=serializers.JSONField())
    retired = serializers.SerializerMethodField()
    retired_at = serializers.DateTimeField(allow_null=True)

    def get_retired(self, entry: Any) -> bool:
        return entry.retired_at is not None


class EvidenceFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, max_length=200, help_text="Matches the id, title, claim and source."
    )
    retired = StrictBooleanField(
        required=False, help_text="true: only retired entries; false: only those in use."
    )
    ordering = serializers.ChoiceField(
        choices=EVIDENCE_ORDERING, required=False, default="evidence_id"
    )


class PriceBookListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="price_books_list",
        parameters=[PriceBookFilterSerializer],
        responses=PriceBookSerializer(many=True),
    )
    def get(self, request: Request, firm: str) -> Response:
        """Every version of every price book of the firm (the one `is_active` is what
        assessments and the evaluator use), newest version first within a book."""
        filters = self.query(PriceBookFilterSerializer)
        # As the library page does: a firm that never opened it gets the shipped books.
        library_seed(firm=self.firm)
        versions = price_book_versions(firm=self.firm)
        if "slug" in filters:
            versions = [v for v in versions if v.slug == filters["slug"]]
        if "active" in filters:
            versions = [v for v in versions if v.is_active == filters["active"]]
        field = filters["ordering"].lstrip("-")
        versions.sort(key=lambda v: getattr(v, field), reverse=filters["ordering"][0] == "-")
        return self.paginated(versions, PriceBookSerializer)


class EvidenceListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="evidence_list",
        parameters=[EvidenceFilterSerializer],
        responses=EvidenceSerializer(many=True),
    )
    def get(self, request: Request, firm: str) -> Response:
        """The current version of every evidence entry the rules cite; retired entries are
        included unless `retired=false`."""
        filters = self.query(EvidenceFilterSerializer)
        library_seed(firm=self.firm)
        entries = evidence_current(firm=self.firm, search=filters.get("search", ""))
        if "retired" in filters:
            entries = [e for e in entries if (e.retired_at is not None) == filters["retired"]]
        field = filters["ordering"].lstrip("-")
        entries.sort(key=lambda e: getattr(e, field), reverse=filters["ordering"][0] == "-")
        return self.paginated(entries, EvidenceSerializer)
