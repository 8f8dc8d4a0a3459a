"""Writing the audit log. Every service that changes something a client may see calls this."""

from __future__ import annotations

from typing import Any

from advisor.models import AuditEvent
from projects.models import Engagement, Firm, User


def audit_log(
    *,
    firm: Firm,
    verb: str,
    summary: str,
    actor: User | None = None,
    actor_label: str = "",
    engagement: Engagement | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        firm=firm,
        verb=verb,
        summary=summary[:300],
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label,
        engagement=engagement,
        data=data or {},
    )
