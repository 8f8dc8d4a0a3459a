"""The firm's audit log: who did what and when, newest first, filterable by kind of event and
by engagement."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from advisor.models import AuditEvent
from projects.models import Engagement
from projects.tenancy.views import firm_view

KINDS = [
    ("", "Everything"),
    ("recommendation", "Drafts, approvals and deliveries"),
    ("override", "Overrides"),
    ("narrative", "Narrative edits"),
    ("review", "Review requests"),
    ("share_link", "Share links"),
    ("scenario", "Scenarios"),
    ("price_book", "Price books"),
    ("evidence", "Evidence"),
]


@firm_view()
def activity(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    events = AuditEvent.objects.filter(firm=request.firm).select_related("actor", "engagement")
    if kind in dict(KINDS) and kind:
        events = events.filter(verb__startswith=f"{kind}.")
    engagement = None
    engagement_id = request.GET.get("engagement", "")
    if engagement_id.isdigit():
        # Another firm's id finds nothing here, exactly like a missing one.
        engagement = get_object_or_404(Engagement, firm=request.firm, pk=int(engagement_id))
        events = events.filter(engagement=engagement)
    page = Paginator(events.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    query = f"&engagement={engagement.pk}" if engagement else ""
    return render(
        request,
        "advisor/activity.html",
        {"page": page, "kinds": KINDS, "kind": kind, "engagement": engagement, "query": query},
    )
