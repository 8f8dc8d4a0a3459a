"""Reads about intake links and drafts, for the consultant's intake panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from projects import wizard
from projects.forms_intake import IntakeLinkForm
from projects.models import Contact, Engagement, Firm, IntakeDraft, IntakeLink, ProfileVersion
from projects.services.intake import founder_state

STATE_LABELS = {
    "none": "Not sent",
    "sent": "Sent",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "expired": "Expired",
    "revoked": "Revoked",
}


@dataclass
class IntakePanel:
    """What the engagement page's intake panel shows."""

    state: str  # none | sent | in_progress | submitted | expired | revoked
    link: IntakeLink | None
    draft: IntakeDraft | None
    steps_done: int
    steps_total: int
    last_activity: datetime | None
    latest_version: ProfileVersion | None
    email: str
    form: IntakeLinkForm
    # The version the latest link's submission made (a consultant's may have followed it).
    submitted_version: ProfileVersion | None = None
    earlier_links: list[IntakeLink] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def progress_pct(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def is_open(self) -> bool:
        return self.state in {"sent", "in_progress"}

    @property
    def can_reopen(self) -> bool:
        """Reopening needs a version to start from, and no live link it would replace."""
        return self.latest_version is not None and not self.is_open


def intake_link_latest(*, firm: Firm, engagement: Engagement) -> IntakeLink | None:
    return (
        IntakeLink.objects.filter(firm=firm, engagement=engagement)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def intake_draft_open(*, firm: Firm, link: IntakeLink) -> IntakeDraft | None:
    return IntakeDraft.objects.filter(firm=firm, link=link, submitted_at__isnull=True).first()


def _primary_email(firm: Firm, engagement: Engagement) -> str:
    contact = (
        Contact.objects.filter(firm=firm, client_id=engagement.client_id)
        .order_by("-is_primary", "name")
        .first()
    )
    return contact.email if contact else ""


def intake_panel_context(
    *, firm: Firm, engagement: Engagement, form: IntakeLinkForm | None = None
) -> dict[str, Any]:
    """Context for templates/intake/_consultant_panel.html on the engagement page: one key,
    `intake`, so it merges into the page's context without clashing."""
    links = list(
        IntakeLink.objects.filter(firm=firm, engagement=engagement)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:6]
    )
    link = links[0] if links else None
    draft = intake_draft_open(firm=firm, link=link) if link else None
    latest_version = (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement).order_by("-number").first()
    )
    submitted_version = (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement, intake_link=link)
        .order_by("-number")
        .first()
        if link and link.submitted_at
        else None
    )
    done = len(wizard.steps_done(draft.answers, draft.unknown)) if draft else 0
    activity = [t for t in (draft.updated_at if draft else None, link and link.last_opened_at) if t]
    email = (link.sent_to if link else "") or _primary_email(firm, engagement)
    return {
        "intake": IntakePanel(
            state=founder_state(link) if link else "none",
            link=link,
            draft=draft,
            steps_done=done,
            steps_total=len(wizard.STEPS),
            last_activity=max(activity) if activity else None,
            latest_version=latest_version,
            submitted_version=submitted_version,
            email=email,
            form=form or IntakeLinkForm(initial={"email": email}),
            earlier_links=links[1:],
        )
    }
