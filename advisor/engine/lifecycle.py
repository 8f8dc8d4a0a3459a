"""The model-lifecycle guard (DESIGN §7): no roadmap may lead a client into a dead end.

Each price-book model may carry the date its provider stops new fine-tuning jobs
(`fine_tuning_closes`) and the date it shuts the model down (`shutdown`). An option that depends
on a date already past at `as_of` gets a blocker; one that falls within the horizon (up to
`as_of` + horizon_months) gets a risk. Self-hosted options run open weights, so only the hosted
embedding model they still use is checked. The guard never changes the verdict.
"""

from __future__ import annotations

import calendar
from datetime import date

from advisor.engine.findings import Blocker, Risk
from advisor.engine.pricebook import OPTIONS, PriceBook
from advisor.engine.profile import Profile

GUARD = "R-LIFECYCLE"


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def dependencies(option: str, profile: Profile) -> list[tuple[str, str]]:
    """(model, use) pairs an option depends on; use is serving, fine_tuning or embedding."""
    deps = []
    if profile.hosting == "hosted_api":
        deps.append((profile.model, "serving"))
        if option in ("fine_tuning", "hybrid"):
            deps.append((profile.model, "fine_tuning"))
    if option in ("rag", "hybrid"):
        deps.append((profile.embedding_model, "embedding"))
    return deps


def lifecycle_guard(
    profile: Profile, price_book: PriceBook, as_of: date
) -> tuple[list[Blocker], list[Risk]]:
    models = price_book.models
    used = (models[profile.model], models[profile.embedding_model])
    if all(m.fine_tunable or m.kind != "chat" for m in used) and not any(
        m.fine_tuning_closes or m.shutdown for m in used
    ):
        return [], []  # nothing announced for the models this profile uses
    horizon_end = add_months(as_of, profile.horizon_months)
    blockers: list[Blocker] = []
    soon: dict[tuple[str, str, date], list[str]] = {}
    for option in OPTIONS:
        for model_name, use in dependencies(option, profile):
            model = price_book.models[model_name]
            if use == "fine_tuning" and not model.fine_tunable:
                blockers.append(
                    Blocker(
                        option, f"{model_name} cannot be fine-tuned in {price_book.key}.", GUARD
                    )
                )
                continue
            event, when = (
                ("stops new fine-tuning jobs", model.fine_tuning_closes)
                if use == "fine_tuning"
                else ("shuts down", model.shutdown)
            )
            if when is None:
                continue
            if when <= as_of:
                past = "stopped new fine-tuning jobs" if use == "fine_tuning" else "was shut down"
                blockers.append(
                    Blocker(option, f"{model_name} {past} on {when.isoformat()}.", GUARD)
                )
            elif when <= horizon_end:
                soon.setdefault((model_name, event, when), []).append(option)
    risks = [
        Risk(
            id=f"lifecycle-{model_name}-{'fine-tuning' if 'fine-tuning' in event else 'shutdown'}",
            text=(
                f"{model_name} {event} on {when.isoformat()}, within the {profile.horizon_months}"
                f"-month horizon: plan a migration"
                + (
                    "; retraining runs after that date are not possible."
                    if "fine-tuning" in event
                    else "."
                )
            ),
            options=tuple(options),
            rule=GUARD,
        )
        for (model_name, event, when), options in soon.items()
    ]
    return blockers, risks
