"""Every threshold and tuning constant the engine decides with, in one place.

A change to any value here changes results, so it goes with a new ENGINE_VERSION: an assessment
names the engine version that produced it, and a stored result can be reproduced by that version.
The names mirror the rule table in DESIGN.md §5; the docs (docs/ENGINE.md) list them per rule.
"""

from decimal import Decimal

ENGINE_VERSION = "1.0.0"
SCHEMA_VERSION = 1

# --- Signals and verdict (§5) ---------------------------------------------------------------------
# A signal at or above this sends the verdict towards the architecture that answers it.
KNOWLEDGE_THRESHOLD = 2
BEHAVIOUR_THRESHOLD = 2
# R-MATURE lifts rag to hybrid from this much behaviour on (with knowledge at its threshold).
MATURE_BEHAVIOUR_MIN = 1
MATURE_STAGES = frozenset({"growth", "scale"})
EXPLORE_STAGES = frozenset({"idea", "prototype"})

# R-FRESH: points by how often the facts change; monthly scores more for a team without ML depth,
# because every retraining they cannot run is a stale answer.
FRESH_POINTS = {"weekly": 2, "daily": 2, "realtime": 2, "monthly": 1}
FRESH_MONTHLY_NO_MATURITY_POINTS = 2
PERUSER_POINTS = 2
CITE_STRICT_POINTS = 2  # citations required, or auditability regulated
CITE_INTERNAL_POINTS = 1  # auditability internal
# R-CORPUS: E-CONTEXT — under about 200k tokens a knowledge base can ride whole in the prompt.
CORPUS_IN_PROMPT_MAX_TOKENS = 200_000
CORPUS_LARGE_POINTS = 2
CORPUS_SMALL_POINTS = 1
FORMAT_STRICT_POINTS = 2
VOICE_POINTS = {"brand_voice": 1, "specialized_dialect": 2}
JARGON_POINTS = {"specialized": 1, "highly_specialized": 2}
LATENCY_POINTS = 2
# R-DATA: fewer curated examples than this cannot carry a fine-tune.
MIN_LABELLED_EXAMPLES = 100

# --- Latency (E-LATENCY) --------------------------------------------------------------------------
RAG_OVERHEAD_MS_LOW = 10
RAG_OVERHEAD_MS_HIGH = 500

# --- Confidence --------------------------------------------------------------------------------
# Margin = signal points that would have to change for a signal to cross its threshold; the
# smaller margin of the two decides the starting level.
CONFIDENCE_HIGH_MIN_MARGIN = 2
CONFIDENCE_LEVELS = ("low", "medium", "high")

# --- R-RETRAIN: retraining runs a month that would keep weights as fresh as the facts -------------
DAYS_PER_MONTH = Decimal("365.25") / 12
RETRAIN_RUNS_PER_MONTH: dict[str, Decimal | None] = {
    "static": Decimal(0),
    "yearly": Decimal(1) / 12,
    "quarterly": Decimal(1) / 3,
    "monthly": Decimal(1),
    "weekly": DAYS_PER_MONTH / 7,
    "daily": DAYS_PER_MONTH,
    "realtime": None,  # continuous: no training schedule keeps up
}

# --- Roadmap (§8) ---------------------------------------------------------------------------------
# Working days for stages that are not an option's build: (low, point, high).
DATASET_DAYS = (5, 10, 15)
RETUNE_DAYS = (3, 5, 10)
LAYER_DAYS = (3, 5, 10)

# --- Validation ---------------------------------------------------------------------------------
# Upper bounds the contract leaves open, set far above any real product so results stay finite
# JSON numbers (a float overflows near 1.8e308).
MAX_NAME_LENGTH = 200
MAX_USE_CASE_LENGTH = 10_000
MAX_QUERIES_PER_MONTH = 10**12
# Compound growth may not push any month past this volume (a cross-field check): it keeps every
# money figure far inside the 34 digits the cost model works in.
MAX_QUERIES_REACHED = 10**15
MAX_TOKENS_PER_QUERY = 10**7
MAX_CORPUS_TOKENS = 10**13
MAX_GROWTH_PCT = 1000
MAX_LATENCY_MS = 10**7
MAX_EXAMPLES = 10**9
MAX_MONEY_USD = 10**12
MAX_UPDATES_PER_MONTH = 100_000
MIN_HORIZON_MONTHS = 1
MAX_HORIZON_MONTHS = 60
