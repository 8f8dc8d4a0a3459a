"""From signals to a verdict, what to build first, and how sure the engine is (DESIGN §5).

Blockers, risks and the lifecycle guard never change the verdict: it names the architecture the
needs call for. Only R-EXPLORE and R-DATA stage it (`start_with`); blockers lower confidence.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.engine import thresholds as t

# What remains of an option when fine-tuning has to wait.
WITHOUT_FINE_TUNING = {
    "hybrid": "rag",
    "fine_tuning": "prompt_only",
    "rag": "rag",
    "prompt_only": "prompt_only",
}


def base_verdict(knowledge: int, behaviour: int) -> str:
    """The verdict from the two signals alone, before R-MATURE."""
    needs_knowledge = knowledge >= t.KNOWLEDGE_THRESHOLD
    needs_behaviour = behaviour >= t.BEHAVIOUR_THRESHOLD
    if needs_knowledge and needs_behaviour:
        return "hybrid"
    if needs_knowledge:
        return "rag"
    if needs_behaviour:
        return "fine_tuning"
    return "prompt_only"


def decide_verdict(knowledge: int, behaviour: int, *, mature_fired: bool) -> str:
    verdict = base_verdict(knowledge, behaviour)
    if mature_fired and verdict == "rag":
        return "hybrid"
    return verdict


def decide_start_with(verdict: str, *, explore_fired: bool, data_fired: bool) -> str:
    """The verdict with fine-tuning removed while R-EXPLORE or R-DATA holds."""
    if explore_fired or data_fired:
        return WITHOUT_FINE_TUNING[verdict]
    return verdict


def signal_margin(value: int, threshold: int) -> int:
    """Signal points that would have to change for `value` to land on the other side."""
    if value >= threshold:
        return value - threshold + 1
    return threshold - value


def decide_confidence(
    knowledge: int,
    behaviour: int,
    *,
    verdict_blocking_rules: Iterable[str] = (),
    budget_touches_verdict: bool = False,
) -> str:
    """high | medium | low.

    margin = min(signal_margin(knowledge, 2), signal_margin(behaviour, 2)) — the fewest signal
    points that would flip the base verdict. Start at high when margin >= 2, else medium. Then
    drop one level for each distinct rule (R-DATA, R-BUDGET, R-LIFECYCLE) with a blocker on the
    verdict option, and one more if a budget touches the verdict — its high-end estimate (monthly
    peak or one-off) exceeds a budget the client set — unless R-BUDGET is already counted.
    Never below low.
    """
    margin = min(
        signal_margin(knowledge, t.KNOWLEDGE_THRESHOLD),
        signal_margin(behaviour, t.BEHAVIOUR_THRESHOLD),
    )
    level = 2 if margin >= t.CONFIDENCE_HIGH_MIN_MARGIN else 1
    blocking = set(verdict_blocking_rules)
    level -= len(blocking)
    if budget_touches_verdict and "R-BUDGET" not in blocking:
        level -= 1
    return t.CONFIDENCE_LEVELS[max(level, 0)]
