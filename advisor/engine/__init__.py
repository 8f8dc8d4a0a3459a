"""Forkcast's decision engine: profile in, explainable assessment out (DESIGN §4-§8).

Pure Python — no Django, DRF, Celery or openai import (an import-linter contract and a test keep
it so) — deterministic, and usable with no database: the default price book and evidence library
ship as JSON files in `data/`. See docs/ENGINE.md for the contract as built.
"""

from advisor.engine.assessment import Assessment
from advisor.engine.comparison import Comparison, compare_options
from advisor.engine.costs import CostEstimate, OptionCost, estimate_costs
from advisor.engine.evaluation import assess, evaluate
from advisor.engine.evidence import Evidence, load_evidence
from advisor.engine.markdown import render_markdown
from advisor.engine.pricebook import (
    OPTIONS,
    PriceBook,
    PriceBookError,
    UnknownPriceBook,
    available_price_books,
    load_price_book,
)
from advisor.engine.profile import (
    PROFILE_FIELDS,
    FieldSpec,
    Profile,
    ProfileError,
    validate_profile,
)
from advisor.engine.rules import RuleOutcome
from advisor.engine.thresholds import ENGINE_VERSION, SCHEMA_VERSION

__all__ = [
    "ENGINE_VERSION",
    "OPTIONS",
    "PROFILE_FIELDS",
    "SCHEMA_VERSION",
    "Assessment",
    "Comparison",
    "CostEstimate",
    "Evidence",
    "FieldSpec",
    "OptionCost",
    "PriceBook",
    "PriceBookError",
    "Profile",
    "ProfileError",
    "RuleOutcome",
    "UnknownPriceBook",
    "assess",
    "available_price_books",
    "compare_options",
    "estimate_costs",
    "evaluate",
    "load_evidence",
    "load_price_book",
    "render_markdown",
    "validate_profile",
]
