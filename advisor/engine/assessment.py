"""The engine's result: `Assessment`, and its JSON form (DESIGN §4.2, in that key order).

`to_dict()` gives exactly the §4.2 keys in §4.2 order, then extra keys:
`confidence_basis`, `comparison`, `profile`, `currency`. Money is rounded to cents and emitted as
numbers (int when whole dollars), so `json.dumps(assessment.to_dict())` needs nothing special.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from advisor.engine.comparison import Comparison, compare_options
from advisor.engine.components import Component
from advisor.engine.costs import CostEstimate
from advisor.engine.findings import Blocker, Risk
from advisor.engine.latency import OptionLatency
from advisor.engine.profile import Profile
from advisor.engine.roadmap import Stage
from advisor.engine.rules import RuleOutcome


@dataclass(frozen=True)
class Assessment:
    schema_version: int
    engine_version: str
    price_book: str
    currency: str
    as_of: date
    verdict: str
    start_with: str
    confidence: str
    confidence_basis: Mapping[str, Any]
    knowledge: int
    behaviour: int
    rules: tuple[RuleOutcome, ...]
    blockers: tuple[Blocker, ...]
    risks: tuple[Risk, ...]
    components: tuple[Component, ...]
    costs: CostEstimate
    latency: Mapping[str, OptionLatency]
    roadmap: tuple[Stage, ...]
    profile: Profile

    @classmethod
    def _from_parts(cls, **parts: Any) -> Assessment:
        """Equal to `cls(**parts)` for a complete set of parts, without the generated
        `__init__`'s one frozen `object.__setattr__` per field (the engine's hot path)."""
        assessment = object.__new__(cls)
        assessment.__dict__.update(parts)
        return assessment

    @property
    def assumptions(self) -> list[dict[str, Any]]:
        """Inputs the result rests on that the client did not give (from the profile)."""
        return self.profile.assumptions()

    @property
    def comparison(self) -> Comparison:
        """The article's comparison of the options, this client's needs marked."""
        return compare_options(self.profile)

    def rule(self, rule_id: str) -> RuleOutcome:
        return next(outcome for outcome in self.rules if outcome.id == rule_id)

    def fired_rules(self) -> list[RuleOutcome]:
        return [outcome for outcome in self.rules if outcome.fired]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "engine_version": self.engine_version,
            "price_book": self.price_book,
            "as_of": self.as_of.isoformat(),
            "verdict": self.verdict,
            "start_with": self.start_with,
            "confidence": self.confidence,
            "signals": {"knowledge": self.knowledge, "behaviour": self.behaviour},
            "rules": [outcome.to_dict() for outcome in self.rules],
            "blockers": [blocker.to_dict() for blocker in self.blockers],
            "risks": [risk.to_dict() for risk in self.risks],
            "components": [component.to_dict() for component in self.components],
            "assumptions": self.assumptions,
            "costs": self.costs.to_dict(),
            "latency": {option: lat.to_dict() for option, lat in self.latency.items()},
            "roadmap": [stage.to_dict() for stage in self.roadmap],
            # Extra keys beyond §4.2.
            "confidence_basis": dict(self.confidence_basis),
            "comparison": self.comparison.to_dict(),
            "profile": self.profile.to_dict(),
            "currency": self.currency,
        }
