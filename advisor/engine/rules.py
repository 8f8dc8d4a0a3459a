"""The decision rules of engine v1 (DESIGN §5): each one's condition, effect and rationale.

Every rule is evaluated for every profile and appears in the trace, fired or not, in §5 order, with
the inputs it read, a one-sentence rationale specific to those values, and the evidence it cites.
Thresholds come from thresholds.py; nothing numeric is decided here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps
from operator import attrgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from advisor.engine import thresholds as t
from advisor.engine.costs import CostEstimate
from advisor.engine.numbers import MILLION, cents, json_number
from advisor.engine.pricebook import PriceBook
from advisor.engine.profile import Profile
from advisor.engine.verdict import base_verdict

RULE_ORDER = (
    "R-FRESH",
    "R-PERUSER",
    "R-CITE",
    "R-CORPUS",
    "R-FORMAT",
    "R-VOICE",
    "R-JARGON",
    "R-LATENCY",
    "R-EXPLORE",
    "R-DATA",
    "R-MATURE",
    "R-HALLUC",
    "R-RETRAIN",
    "R-BUDGET",
)
RULE_TITLES = {
    "R-FRESH": "Knowledge freshness",
    "R-PERUSER": "Per-user knowledge",
    "R-CITE": "Citations and audit",
    "R-CORPUS": "Size of the private knowledge",
    "R-FORMAT": "Strict output format",
    "R-VOICE": "Voice or dialect",
    "R-JARGON": "Domain language",
    "R-LATENCY": "Latency budget",
    "R-EXPLORE": "Still exploring",
    "R-DATA": "Labelled data",
    "R-MATURE": "Past MVP and needing both",
    "R-HALLUC": "Low tolerance for wrong answers",
    "R-RETRAIN": "Cost of baking knowledge into weights",
    "R-BUDGET": "Budget",
}
RULE_EVIDENCE = {
    "R-FRESH": ("E-ADOPT", "E-VECTOR"),
    "R-PERUSER": ("E-ADOPT",),
    "R-CITE": ("E-REGLAB", "E-HALLUC-DROP"),
    "R-CORPUS": ("E-CONTEXT",),
    "R-FORMAT": ("E-AGRI", "E-PHASED"),
    "R-VOICE": ("E-AGRI", "E-LORA"),
    "R-JARGON": ("E-AGRI",),
    "R-LATENCY": ("E-LATENCY",),
    "R-EXPLORE": ("E-PHASED", "E-PROTO"),
    "R-DATA": ("E-PHASED", "E-LORA"),
    "R-MATURE": ("E-AGRI", "E-PHASED"),
    "R-HALLUC": ("E-REGLAB", "E-HALLUC-DROP"),
    "R-RETRAIN": ("E-PRICE-GPT4O", "E-LORA"),
    "R-BUDGET": ("E-PRICE-GPT4O", "E-VECTOR", "E-LORA"),
}


class RuleOutcome(NamedTuple):
    """One rule's verdict on one profile. `signal`/`points` say what it added, if anything.

    Immutable; a named tuple rather than a dataclass because every assessment makes fourteen.
    `inputs` and `figures` hold engine values (Decimal money already in cents); `to_dict`
    turns them into JSON numbers.
    """

    id: str
    title: str
    fired: bool
    effect: str
    inputs: Mapping[str, Any]
    rationale: str
    evidence: tuple[str, ...]
    signal: str | None = None
    points: int = 0
    figures: Mapping[str, Any] = MappingProxyType({})

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "fired": self.fired,
            "effect": self.effect,
            "inputs": _jsonable(self.inputs),
            "rationale": self.rationale,
            "evidence": list(self.evidence),
            # Extra keys (beyond §4.2): the signal points added, and figures the rule computed.
            "signal": self.signal,
            "points": self.points,
            "figures": _jsonable(self.figures),
        }


def _jsonable(value: Any) -> Any:
    # The exact types rules put in inputs and figures first: `isinstance` against the Mapping
    # ABC is slow, and most values are plain.
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if cls is MappingProxyType or cls is dict:
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return json_number(value)
    if isinstance(value, Mapping):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class RuleTrace:
    outcomes: tuple[RuleOutcome, ...]
    knowledge: int
    behaviour: int
    by_id: Mapping[str, RuleOutcome] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.by_id:
            object.__setattr__(self, "by_id", {outcome.id: outcome for outcome in self.outcomes})

    @classmethod
    def _from_parts(
        cls, outcomes: tuple[RuleOutcome, ...], knowledge: int, behaviour: int
    ) -> RuleTrace:
        """Equal to `cls(outcomes, knowledge, behaviour)` for outcomes in RULE_ORDER, one per
        rule, without the generated `__init__`'s frozen `object.__setattr__` per field."""
        trace = object.__new__(cls)
        trace.__dict__.update(
            outcomes=outcomes,
            knowledge=knowledge,
            behaviour=behaviour,
            by_id=dict(zip(RULE_ORDER, outcomes, strict=True)),
        )
        return trace

    def get(self, rule_id: str) -> RuleOutcome:
        return self.by_id[rule_id]

    def fired(self, rule_id: str) -> bool:
        return self.by_id[rule_id].fired


def _outcome(
    rule_id: str,
    *,
    fired: bool,
    effect: str,
    inputs: Mapping[str, Any],
    rationale: str,
    signal: str | None = None,
    points: int = 0,
    figures: Mapping[str, Any] | None = None,
) -> RuleOutcome:
    return _make_outcome(
        (
            rule_id,
            RULE_TITLES[rule_id],
            fired,
            effect,
            MappingProxyType(inputs),
            rationale,
            RULE_EVIDENCE[rule_id],
            signal if fired else None,
            points if fired else 0,
            figures or _NO_FIGURES,
        )
    )


_NO_FIGURES: Mapping[str, Any] = MappingProxyType({})
# The named tuple's generated `__new__` is a Python function taking the fields one by one;
# `_make` builds the same tuple from an iterable of all ten.
_make_outcome = RuleOutcome._make


def _memo_by(
    *fields: str,
) -> Callable[[Callable[[Profile], RuleOutcome]], Callable[[Profile], RuleOutcome]]:
    """Remember a rule's outcome by the few enum and bool fields it reads.

    Such a rule is a pure function of a handful of discrete values, and its outcome is
    immutable, so each combination is worked out once per process.
    """
    key_of = attrgetter(*fields)

    def wrap(rule: Callable[[Profile], RuleOutcome]) -> Callable[[Profile], RuleOutcome]:
        memo: dict[Any, RuleOutcome] = {}

        @wraps(rule)
        def remembered(p: Profile) -> RuleOutcome:
            key = key_of(p)
            outcome = memo.get(key)
            if outcome is None:
                outcome = memo[key] = rule(p)
            return outcome

        return remembered

    return wrap


def _signal_effect(signal: str, points: int) -> str:
    return f"{signal} +{points}" if points else "no effect"


def _usd(value: Decimal) -> str:
    return f"${cents(value):,.2f}"


# --- knowledge ------------------------------------------------------------------------------------


@_memo_by("knowledge_change", "team_ml_maturity")
def rule_fresh(p: Profile) -> RuleOutcome:
    change, maturity = p.knowledge_change, p.team_ml_maturity
    points = t.FRESH_POINTS.get(change, 0)
    if change == "monthly" and maturity == "none":
        points = t.FRESH_MONTHLY_NO_MATURITY_POINTS
    if points and change == "monthly" and maturity == "none":
        why = (
            "The facts change monthly and the team has no ML experience to retrain that often, "
            "so keeping them in an index that is updated in place is a strong need."
        )
    elif points and change == "monthly":
        why = (
            "The facts change monthly: a monthly retrain is possible, but updating an index is "
            "cheaper and never stale."
        )
    elif points:
        why = (
            f"The facts change {'continuously' if change == 'realtime' else change}: a trained "
            "model would be stale between runs, while a retrieval index is updated as the facts "
            "change — 51% of production deployments use RAG (E-ADOPT)."
        )
    else:
        how_often = "rarely or never" if change == "static" else change
        why = f"The facts change {how_often}, so freshness adds no knowledge need."
    return _outcome(
        "R-FRESH",
        fired=points > 0,
        effect=_signal_effect("knowledge", points),
        inputs={"knowledge_change": change, "team_ml_maturity": maturity},
        rationale=why,
        signal="knowledge",
        points=points,
    )


@_memo_by("knowledge_varies_by_user")
def rule_peruser(p: Profile) -> RuleOutcome:
    fired = p.knowledge_varies_by_user
    why = (
        "Answers depend on each user's own data, which no shared model can be trained on; "
        "retrieval fetches it per request, scoped to the user."
        if fired
        else "Answers do not depend on the user's own data."
    )
    return _outcome(
        "R-PERUSER",
        fired=fired,
        effect=_signal_effect("knowledge", t.PERUSER_POINTS if fired else 0),
        inputs={"knowledge_varies_by_user": fired},
        rationale=why,
        signal="knowledge",
        points=t.PERUSER_POINTS,
    )


@_memo_by("citations_required", "auditability")
def rule_cite(p: Profile) -> RuleOutcome:
    if p.citations_required:
        points = t.CITE_STRICT_POINTS
        why = (
            "Users must see the sources of an answer, and only retrieval can point to the "
            "passage an answer came from; weights cannot."
        )
    elif p.auditability == "regulated":
        points = t.CITE_STRICT_POINTS
        why = (
            "A regulator must be able to verify answers: retrieved sources leave an audit trail, "
            "knowledge baked into weights does not."
        )
    elif p.auditability == "internal":
        points = t.CITE_INTERNAL_POINTS
        why = "Your own team must be able to check answers, which retrieved sources make easier."
    else:
        points = 0
        why = "No one needs to see or verify where answers came from."
    return _outcome(
        "R-CITE",
        fired=points > 0,
        effect=_signal_effect("knowledge", points),
        inputs={"citations_required": p.citations_required, "auditability": p.auditability},
        rationale=why,
        signal="knowledge",
        points=points,
    )


def rule_corpus(p: Profile) -> RuleOutcome:
    size, limit = p.corpus_tokens, t.CORPUS_IN_PROMPT_MAX_TOKENS
    if size > limit:
        points = t.CORPUS_LARGE_POINTS
        why = (
            f"The private knowledge ({size:,} tokens) is over the {limit:,} tokens that can ride "
            "whole in a cached prompt (E-CONTEXT), so it has to be retrieved."
        )
    elif size > 0:
        points = t.CORPUS_SMALL_POINTS
        why = (
            f"The private knowledge ({size:,} tokens) is within the {limit:,} tokens that can "
            "ride whole in a cached prompt (E-CONTEXT): a light knowledge need."
        )
    else:
        points = 0
        why = "There is no private knowledge base for answers to draw on."
    return _outcome(
        "R-CORPUS",
        fired=points > 0,
        effect=_signal_effect("knowledge", points),
        inputs={"corpus_tokens": size},
        rationale=why,
        signal="knowledge",
        points=points,
        figures={"prompt_limit_tokens": limit},
    )


# --- behaviour ------------------------------------------------------------------------------------


@_memo_by("output_format")
def rule_format(p: Profile) -> RuleOutcome:
    fired = p.output_format == "strict_schema"
    why = (
        "Output must follow a strict schema another system parses: fine-tuning makes the format "
        "dependable, and structured outputs are the cheap first fix to try."
        if fired
        else f"The output format ({p.output_format.replace('_', ' ')}) is within what prompting "
        "handles."
    )
    return _outcome(
        "R-FORMAT",
        fired=fired,
        effect=_signal_effect("behaviour", t.FORMAT_STRICT_POINTS if fired else 0),
        inputs={"output_format": p.output_format},
        rationale=why,
        signal="behaviour",
        points=t.FORMAT_STRICT_POINTS,
    )


@_memo_by("style_requirement")
def rule_voice(p: Profile) -> RuleOutcome:
    style = p.style_requirement
    points = t.VOICE_POINTS.get(style, 0)
    if style == "specialized_dialect":
        why = (
            "A specialised dialect is behaviour a prompt struggles to hold across answers; "
            "fine-tuning teaches it."
        )
    elif style == "brand_voice":
        why = (
            "A brand voice can often be prompted; it adds to the case for fine-tuning but does "
            "not make it alone."
        )
    else:
        why = "No particular tone or dialect is required."
    return _outcome(
        "R-VOICE",
        fired=points > 0,
        effect=_signal_effect("behaviour", points),
        inputs={"style_requirement": style},
        rationale=why,
        signal="behaviour",
        points=points,
    )


@_memo_by("domain_jargon")
def rule_jargon(p: Profile) -> RuleOutcome:
    jargon = p.domain_jargon
    points = t.JARGON_POINTS.get(jargon, 0)
    if jargon == "highly_specialized":
        why = (
            "The domain's language is far from what a general model knows; fine-tuning on it "
            "raised accuracy from 75% to 81% in agriculture QA (E-AGRI)."
        )
    elif jargon == "specialized":
        why = "The domain's language is specialised: fine-tuning helps, prompting may suffice."
    else:
        why = "The domain's language is general; a base model already speaks it."
    return _outcome(
        "R-JARGON",
        fired=points > 0,
        effect=_signal_effect("behaviour", points),
        inputs={"domain_jargon": jargon},
        rationale=why,
        signal="behaviour",
        points=points,
    )


def rule_latency(p: Profile) -> RuleOutcome:
    budget, base = p.latency_p95_budget_ms, p.base_model_p95_ms
    overhead = t.RAG_OVERHEAD_MS_HIGH
    inputs = {"latency_p95_budget_ms": budget, "base_model_p95_ms": base}
    if budget is None:
        return _outcome(
            "R-LATENCY",
            fired=False,
            effect="no effect",
            inputs=inputs,
            rationale="No latency budget is set, so retrieval's overhead costs nothing here.",
        )
    headroom = budget - base
    fired = headroom < overhead
    if fired:
        why = (
            f"The p95 budget of {budget:,} ms leaves {headroom:,} ms beyond the base model's "
            f"{base:,} ms — less than retrieval's worst case of {overhead} ms (E-LATENCY), so the "
            "latency-sensitive path needs a model without retrieval."
        )
    else:
        why = (
            f"The p95 budget of {budget:,} ms leaves {headroom:,} ms beyond the base model's "
            f"{base:,} ms, room for retrieval's worst case of {overhead} ms (E-LATENCY)."
        )
    return _outcome(
        "R-LATENCY",
        fired=fired,
        effect=_signal_effect("behaviour", t.LATENCY_POINTS if fired else 0),
        inputs=inputs,
        rationale=why,
        signal="behaviour",
        points=t.LATENCY_POINTS,
        figures={"headroom_ms": headroom, "rag_overhead_ms_high": overhead},
    )


# --- staging, verdict and cost rules --------------------------------------------------------------


@_memo_by("stage", "query_distribution_known")
def rule_explore(p: Profile) -> RuleOutcome:
    early = p.stage in t.EXPLORE_STAGES
    unknown = not p.query_distribution_known
    fired = early or unknown
    reasons = []
    if early:
        reasons.append(f"the product is at the {p.stage} stage")
    if unknown:
        reasons.append("what users actually ask is not yet known")
    if fired:
        why = (
            f"{' and '.join(reasons).capitalize()}: ship RAG or prompt-only first and log "
            "failures before fine-tuning anything (E-PHASED; RAG prototypes in hours, E-PROTO)."
        )
    else:
        why = (
            f"At the {p.stage} stage with a known query distribution, nothing forces an "
            "exploration phase first."
        )
    return _outcome(
        "R-EXPLORE",
        fired=fired,
        effect="start without fine-tuning" if fired else "no effect",
        inputs={"stage": p.stage, "query_distribution_known": p.query_distribution_known},
        rationale=why,
    )


def rule_data(p: Profile) -> RuleOutcome:
    have, need = p.labelled_examples, t.MIN_LABELLED_EXAMPLES
    fired = have < need
    why = (
        f"Only {have:,} labelled examples — fewer than the {need} a fine-tune needs — so "
        "fine-tuning waits for a dataset curated from logged failures (E-PHASED)."
        if fired
        else f"{have:,} labelled examples meet the minimum of {need} for a first fine-tune."
    )
    return _outcome(
        "R-DATA",
        fired=fired,
        effect="blocks fine_tuning and hybrid now; adds a dataset stage" if fired else "no effect",
        inputs={"labelled_examples": have},
        rationale=why,
        figures={"minimum_examples": need},
    )


def rule_mature(p: Profile, knowledge: int, behaviour: int) -> RuleOutcome:
    """Remembered like the `_memo_by` rules: it reads only the stage and the two signals, of
    which there are few combinations (each signal is a sum of a few small points)."""
    key = (p.stage, knowledge, behaviour)
    outcome = _MATURE_MEMO.get(key)
    if outcome is None:
        outcome = _MATURE_MEMO[key] = _rule_mature(p, knowledge, behaviour)
    return outcome


_MATURE_MEMO: dict[tuple[str, int, int], RuleOutcome] = {}


def _rule_mature(p: Profile, knowledge: int, behaviour: int) -> RuleOutcome:
    mature = p.stage in t.MATURE_STAGES
    fired = mature and knowledge >= t.KNOWLEDGE_THRESHOLD and behaviour >= t.MATURE_BEHAVIOUR_MIN
    before = base_verdict(knowledge, behaviour)
    if fired and before == "rag":
        effect = "verdict rag → hybrid"
        why = (
            f"Past MVP ({p.stage}) with knowledge {knowledge} and behaviour {behaviour}, the "
            "product needs both: fine-tuning plus RAG reached 86% against 81% for fine-tuning "
            "alone (E-AGRI)."
        )
    elif fired:
        effect = "no effect (verdict already hybrid)"
        why = (
            f"Past MVP ({p.stage}) with knowledge {knowledge} and behaviour {behaviour}; the "
            "signals already call for hybrid."
        )
    else:
        effect = "no effect"
        missing = []
        if not mature:
            missing.append(f"the product is at the {p.stage} stage, not growth or scale")
        if knowledge < t.KNOWLEDGE_THRESHOLD:
            missing.append(f"knowledge is {knowledge} (below {t.KNOWLEDGE_THRESHOLD})")
        if behaviour < t.MATURE_BEHAVIOUR_MIN:
            missing.append(f"behaviour is {behaviour} (below {t.MATURE_BEHAVIOUR_MIN})")
        why = "No lift to hybrid: " + "; ".join(missing) + "."
    return _outcome(
        "R-MATURE",
        fired=fired,
        effect=effect,
        inputs={"stage": p.stage, "knowledge": knowledge, "behaviour": behaviour},
        rationale=why,
    )


@_memo_by("hallucination_tolerance")
def rule_halluc(p: Profile) -> RuleOutcome:
    fired = p.hallucination_tolerance == "low"
    why = (
        "Wrong answers do real harm and retrieval does not remove them — leading legal RAG tools "
        "still hallucinate on 17-33% of queries (E-REGLAB) — so retrieval quality checks, answer "
        "grounding checks and user-facing uncertainty are mandatory."
        if fired
        else f"Tolerance for wrong answers is {p.hallucination_tolerance}; standard evaluation "
        "suffices."
    )
    return _outcome(
        "R-HALLUC",
        fired=fired,
        effect="adds mandatory grounding components" if fired else "no effect",
        inputs={"hallucination_tolerance": p.hallucination_tolerance},
        rationale=why,
    )


def rule_retrain(
    p: Profile, knowledge: int, costs: CostEstimate, price_book: PriceBook
) -> RuleOutcome:
    if p.hosting == "hosted_api" and p.labelled_examples < t.MIN_LABELLED_EXAMPLES:
        # A run on fewer examples than a fine-tune needs would understate the cost.
        per_run = cents(
            t.MIN_LABELLED_EXAMPLES
            * p.tokens_per_example
            * price_book.defaults.epochs
            * price_book.models[p.model].price("training")
            / MILLION
        )
    else:
        per_run = costs.options["fine_tuning"].training_usd_per_run
    runs = t.RETRAIN_RUNS_PER_MONTH[p.knowledge_change]
    inputs = {
        "knowledge": knowledge,
        "knowledge_change": p.knowledge_change,
        "knowledge_varies_by_user": p.knowledge_varies_by_user,
    }
    fired = knowledge >= t.KNOWLEDGE_THRESHOLD
    runs_cents = None if runs is None else cents(runs)
    monthly = None if runs is None else cents(runs * per_run)
    figures: dict[str, Any] = {
        "training_usd_per_run": per_run,
        "retraining_runs_per_month": runs_cents,
        "retraining_usd_per_month": monthly,
        "feasible": runs is not None and not p.knowledge_varies_by_user,
    }
    if not fired:
        why = (
            f"Knowledge is {knowledge}, below {t.KNOWLEDGE_THRESHOLD}: no knowledge need to "
            "weigh against retraining."
        )
        return _outcome(
            "R-RETRAIN",
            fired=False,
            effect="no effect",
            inputs=inputs,
            rationale=why,
            figures=figures,
        )
    if runs is None:
        why = (
            "Facts that change continuously would need continuous retraining — not feasible; "
            "retrieval serves them as they change."
        )
    elif runs == 0:
        why = (
            "The facts do not change, so weights would not go stale — but the need comes from "
            "per-user data, citations or the corpus size, which weights cannot serve."
        )
    else:
        why = (
            f"Keeping weights as fresh as facts that change {p.knowledge_change} takes about "
            f"{runs_cents} retraining runs a month — {_usd(monthly)} a month at "
            f"{_usd(per_run)} a run (E-PRICE-GPT4O), plus evaluation each time; re-indexing "
            "does it for cents."
        )
    if p.knowledge_varies_by_user and runs is not None:
        why = why[:-1] + "; and per-user data would need a model per account."
    return _outcome(
        "R-RETRAIN",
        fired=True,
        effect="shows the retraining cost of knowledge in weights",
        inputs=inputs,
        rationale=why,
        figures=figures,
    )


def rule_budget(p: Profile, costs: CostEstimate) -> RuleOutcome:
    monthly, one_off = p.budget_monthly_usd, p.budget_one_off_usd
    inputs = {"budget_monthly_usd": monthly, "budget_one_off_usd": one_off}
    over: dict[str, list[str]] = {}
    figures: dict[str, Any] = {}
    for option, cost in costs.options.items():
        figures[option] = {
            "peak_monthly_usd": cost.peak_monthly_usd,
            "one_off_usd": cost.one_off_usd,
        }
        if monthly is not None and cost.peak_monthly_usd > monthly:
            over.setdefault(option, []).append(
                f"its highest month ({_usd(cost.peak_monthly_usd)}) exceeds the monthly budget "
                f"of {_usd(monthly)}"
            )
        if one_off is not None and cost.one_off_usd > one_off:
            over.setdefault(option, []).append(
                f"its one-off cost ({_usd(cost.one_off_usd)}) exceeds the one-off budget of "
                f"{_usd(one_off)}"
            )
    figures["over_budget"] = {option: reasons for option, reasons in over.items()}
    if monthly is None and one_off is None:
        why = "No budget is set."
    elif over:
        why = "Over budget: " + "; ".join(f"{o} — {', '.join(r)}" for o, r in over.items()) + "."
    else:
        why = "Every option fits the budget at its point estimate."
    return _outcome(
        "R-BUDGET",
        fired=bool(over),
        effect=("blocks " + ", ".join(over)) if over else "no effect",
        inputs=inputs,
        rationale=why,
        figures=figures,
    )


def evaluate_rules(profile: Profile, costs: CostEstimate, price_book: PriceBook) -> RuleTrace:
    """Run all fourteen rules in §5 order and sum the two signals."""
    signal_rules = [
        rule_fresh(profile),
        rule_peruser(profile),
        rule_cite(profile),
        rule_corpus(profile),
        rule_format(profile),
        rule_voice(profile),
        rule_jargon(profile),
        rule_latency(profile),
    ]
    knowledge = behaviour = 0
    for outcome in signal_rules:
        if outcome.signal == "knowledge":
            knowledge += outcome.points
        elif outcome.signal == "behaviour":
            behaviour += outcome.points
    outcomes = (
        *signal_rules,
        rule_explore(profile),
        rule_data(profile),
        rule_mature(profile, knowledge, behaviour),
        rule_halluc(profile),
        rule_retrain(profile, knowledge, costs, price_book),
        rule_budget(profile, costs),
    )
    return RuleTrace._from_parts(outcomes, knowledge, behaviour)
