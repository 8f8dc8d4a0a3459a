"""The seed evidence library (DESIGN §7): the article's claims the rules cite, with sources.

Figures are carried as numbers so a grounding check can match numbers in narrative text against
the evidence a result cites. Firms keep their own library in the database; these are the seeds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from advisor.engine.numbers import json_number, to_decimal


@dataclass(frozen=True)
class Evidence:
    id: str
    title: str
    claim: str
    source: str
    date: str | None
    url: str | None
    figures: tuple[Decimal, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            id=str(data["id"]),
            title=str(data["title"]),
            claim=str(data["claim"]),
            source=str(data["source"]),
            date=None if data.get("date") is None else str(data["date"]),
            url=data.get("url") or None,
            figures=tuple(to_decimal(value) for value in data.get("figures", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "claim": self.claim,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "figures": [json_number(value) for value in self.figures],
        }


def load_evidence() -> list[Evidence]:
    """The seed evidence library, in §7 order."""
    return list(_load_evidence())


def evidence_ids() -> frozenset[str]:
    return frozenset(item.id for item in _load_evidence())


@lru_cache(maxsize=1)
def _load_evidence() -> tuple[Evidence, ...]:
    path = resources.files("advisor.engine") / "data" / "evidence.json"
    return tuple(Evidence.from_dict(item) for item in json.loads(path.read_text(encoding="utf-8")))
