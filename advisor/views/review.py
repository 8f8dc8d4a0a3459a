"""The review workspace: the current recommendation of an engagement with its trace, costs,
roadmap and narrative; overrides; the what-if panel and scenarios; the workflow from draft to
delivery; revisions and their differences; exports; share links; the activity log."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from advisor.engine import OPTIONS, PROFILE_FIELDS, ProfileError
from advisor.forms import (
    OPTION_CHOICES,
    DeliverForm,
    NarrativeForm,
    OverrideForm,
    ReviewRequestForm,
    WhatIfForm,
)
from advisor.models import (
    AuditEvent,
    Override,
    Reassessment,
    Recommendation,
    RecommendationStatus,
    Revision,
    Scenario,
    ShareLink,
)
from advisor.selectors.library import evidence_for_engine
from advisor.selectors.review import (
    evidence_digest,
    review_basis,
    review_recommendation,
    whatif_recommendation,
)
from advisor.services.recommendations import (
    active_overrides,
    effective_with_overrides,
    narrative_update,
    override_add,
    override_withdraw,
    recommendation_approve,
    recommendation_content,
    recommendation_deliver,
    report_inputs,
    review_request,
    revision_diff,
    share_link_revoke,
)
from advisor.services.whatif import (
    WhatIfBasis,
    scenario_save,
    whatif_assess,
    whatif_basis,
)
from projects.forms import apply_errors
from projects.markdown import render_markdown
from projects.models import Engagement, Firm
from projects.models.firms import role_at_least
from projects.process_cache import ProcessCache
from projects.tenancy.views import firm_view

FIELD_LABELS = {spec.name: spec.label for spec in PROFILE_FIELDS}


def _engagement(request: HttpRequest, engagement_id: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.filter(firm=request.firm).select_related("client", "lead"),
        pk=engagement_id,
    )


def _recommendation(request: HttpRequest, recommendation_id: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.filter(firm=request.firm).select_related(
            "engagement__client", "profile_version", "price_book"
        ),
        pk=recommendation_id,
    )


def _whatif_recommendation(request: HttpRequest, recommendation_id: int) -> Recommendation:
    """The draft as a live recompute reads it on every request: whether the firm has it, and
    whether overrides stand on it. What it was made from comes from `whatif_basis`, which
    reads it once per process (advisor/services/whatif.py)."""
    recommendation = whatif_recommendation(firm=request.firm, pk=recommendation_id)
    if recommendation is None:
        raise Http404("No such recommendation.")
    return recommendation


def _review_url(request: HttpRequest, recommendation: Recommendation) -> HttpResponse:
    return redirect(
        "projects:review", firm_slug=request.firm.slug, engagement_id=recommendation.engagement_id
    )


def _revisions(request: HttpRequest, engagement: Engagement) -> list[dict[str, Any]]:
    revisions = list(
        Revision.objects.filter(firm=request.firm, engagement=engagement)
        .select_related("approved_by")
        .order_by("number")
    )
    history, previous = [], None
    for revision in revisions:
        history.append({"revision": revision, "diff": revision_diff(previous, revision.content)})
        previous = revision.content
    return list(reversed(history))


# Markdown to sanitised HTML is a pure function of the text: the narrative a page shows again
# and again is rendered once per process.
_narrative_html = lru_cache(maxsize=256)(render_markdown)

# The report's HTML on the review page: the verdict card, the sections from the trace to the
# assumptions, and the sources. Each is drawn from the report content alone, and cached under
# `_report_key`, a digest of everything the content is made from; so a change to the draft's
# overrides, its narrative, the evidence, the firm's branding or the client's name gives a new
# key, and stale HTML is never served. Since a key's HTML never changes, each process keeps the
# last few in memory in front of the shared cache.
REPORT_PARTS = ("verdict", "sections", "sources")
REPORT_TIMEOUT = 86400
_REPORTS: ProcessCache[str, dict[str, str]] = ProcessCache(32)


def reports_forget() -> None:
    """Drop this process's drawn reports (tests start from nothing, as they do with the cache)."""
    _REPORTS.clear()


def _report_key(
    firm: Firm, recommendation: Recommendation, overrides: list[Override], profile_version: int
) -> str:
    """A digest of every input of `recommendation_content`: `report_inputs`, the evidence, and
    the assessment, named by the draft's id and creation time (it never changes once the
    draft exists)."""
    evidence = getattr(recommendation, "evidence_digest", None)
    if evidence is None:  # no digest from the database (SQLite, or no rows): the entries
        evidence = [e.to_dict() for e in evidence_for_engine(firm=firm)]
    inputs = [
        recommendation.pk,
        recommendation.created_at.isoformat(),
        report_inputs(
            firm=firm,
            recommendation=recommendation,
            overrides=overrides,
            profile_version=profile_version,
        ),
        evidence,
    ]
    digest = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()
    return f"review-report:{digest}"


def _report_html(
    request: HttpRequest,
    recommendation: Recommendation,
    overrides: list[Override],
    profile_version: int,
) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The report's parts as HTML, and the content when it had to be drawn (else None)."""
    firm = request.firm
    key = _report_key(firm, recommendation, overrides, profile_version)
    parts = _REPORTS.get(key)
    if parts is not None:
        return parts, None
    content = None
    shared = cache.get(key)
    if shared is None:
        content = recommendation_content(
            firm=firm, recommendation=recommendation, overrides=overrides
        )
        shared = {
            part: render_to_string(f"advisor/review.html#report-{part}", {"c": content})
            for part in REPORT_PARTS
        }
        # The content read the evidence again: keep the HTML only if the library is still the
        # one the key was made from, so a key never holds HTML drawn from another library.
        digest = getattr(recommendation, "evidence_digest", None)
        if digest is not None and evidence_digest(firm=firm) != digest:
            return _safe(shared), content
        cache.set(key, shared, REPORT_TIMEOUT)
    parts = _safe(shared)
    _REPORTS.put(key, parts)
    return parts, content


def _safe(parts: dict[str, str]) -> dict[str, str]:
    # HTML our own templates drew, escaping what they show.
    return {part: mark_safe(html) for part, html in parts.items()}  # noqa: S308


def _context(request: HttpRequest, engagement: Engagement, **extra: Any) -> dict[str, Any]:
    recommendation = review_recommendation(firm=request.firm, engagement_id=engagement.pk)
    return _page_context(request, engagement, recommendation, **extra)


def _page_context(
    request: HttpRequest,
    engagement: Engagement,
    recommendation: Recommendation | None,
    **extra: Any,
) -> dict[str, Any]:
    """The review page's context. The side panels (revisions and share links, activity) and
    the reviewer picker are fragments of their own, which the page loads (below)."""
    context: dict[str, Any] = {"engagement": engagement, "recommendation": recommendation}
    if recommendation is None:
        return context
    recommendation.engagement = engagement  # already read, with its client
    firm = request.firm
    # Both fixed for the life of the draft, and kept per process: the what-if's price book,
    # and what the page shows of the assessment outside the report.
    book = whatif_basis(firm=firm, recommendation=recommendation).book
    basis = review_basis(firm=firm, recommendation=recommendation)
    overrides = (
        active_overrides(firm=firm, recommendation=recommendation)
        if recommendation.has_overrides
        else []
    )
    report, content = _report_html(request, recommendation, overrides, basis.profile_version_number)
    if content is not None:
        context["c"] = content
    # What the page shows of other rows is read only when there is something to show.
    draft = (
        recommendation.narrative_drafts.applied()
        if recommendation.shown_narrative_draft_id is not None
        else None
    )
    change = (
        Reassessment.objects.filter(firm=firm, pk=recommendation.shown_change_id)
        if recommendation.shown_change_id is not None
        else []
    )
    context.update(
        {
            "report": report,
            "overrides": overrides,
            "override_form": OverrideForm(),
            "narrative_form": NarrativeForm(initial={"narrative": recommendation.narrative}),
            "narrative_html": _narrative_html(recommendation.narrative),
            "narrative_draft": draft,
            "price_book_key": basis.price_book_key,
            "profile_version_number": basis.profile_version_number,
            "deliver_form": DeliverForm(),
            "whatif_form": WhatIfForm(initial=basis.whatif_initial, price_book=book),
            # The page shows how many there are; their results are on the comparison page.
            "scenario_count": recommendation.scenario_count,
            # The latest change is shown; its row holds all the notice says (no documents).
            "reassessments": list(change),
            "rules": basis.rules,
            "option_choices": OPTION_CHOICES,
            "field_labels": FIELD_LABELS,
            "is_open": recommendation.status
            in {RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW},
        }
    )
    if recommendation.founder_email:
        context["founder_email"] = recommendation.founder_email
        context["assumption_request_url"] = reverse(
            "projects:intake-reopen",
            kwargs={"firm_slug": firm.slug, "engagement_id": engagement.pk},
        )
    context.update(extra)
    return context


@firm_view()
def review(request: HttpRequest, engagement_id: int) -> HttpResponse:
    recommendation = review_recommendation(firm=request.firm, engagement_id=engagement_id)
    if recommendation is None:
        engagement = _engagement(request, engagement_id)  # 404 unless the firm's
    else:
        engagement = recommendation.engagement
    return render(
        request, "advisor/review.html", _page_context(request, engagement, recommendation)
    )


# --- The page's fragments: each loaded by the page over HTMX (a placeholder holds its place
# until then), and a page of its own for a plain request, so the page works without JavaScript.


def _panel(request: HttpRequest, name: str, title: str, context: dict[str, Any]) -> HttpResponse:
    if request.htmx:
        return render(request, f"advisor/review.html#{name}", context)
    return render(request, "advisor/review_panel.html", {**context, "panel": name, "title": title})


@require_GET
@firm_view()
def review_revisions(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The revisions panel: every approved revision with what it changed, and the share links."""
    engagement = _engagement(request, engagement_id)
    share_links = list(
        ShareLink.objects.filter(firm=request.firm, revision__engagement=engagement)
        .select_related("revision")
        .defer("revision__content")  # only its number is shown
        .order_by("-created_at")
    )
    context = {
        "engagement": engagement,
        "revisions": _revisions(request, engagement),
        "share_links": share_links,
    }
    return _panel(request, "revisions", "Revisions and share links", context)


@require_GET
@firm_view()
def review_activity(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The activity panel: the engagement's latest events. Without HTMX, the activity log of
    the engagement, which lists them all."""
    engagement = _engagement(request, engagement_id)
    if not request.htmx:
        url = reverse("projects:activity", kwargs={"firm_slug": request.firm.slug})
        return redirect(f"{url}?engagement={engagement.pk}")
    activity = list(
        AuditEvent.objects.filter(firm=request.firm, engagement=engagement)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:15]
    )
    return _panel(request, "activity", "Activity", {"engagement": engagement, "activity": activity})


@require_GET
@firm_view(read_role="consultant")
def review_request_form(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """The reviewer picker of the "Request review" menu, read when the menu opens: the
    firm's consultants are not read for every view of the page."""
    recommendation = get_object_or_404(
        Recommendation.objects.filter(firm=request.firm).select_related("engagement__client"),
        pk=recommendation_id,
    )
    context = {
        "recommendation": recommendation,
        "engagement": recommendation.engagement,
        "review_form": ReviewRequestForm(firm=request.firm, exclude=request.user),
    }
    return _panel(request, "review-request", "Request review", context)


def _render_with_errors(
    request: HttpRequest, recommendation: Recommendation, **forms: Any
) -> HttpResponse:
    context = _context(request, recommendation.engagement, **forms)
    return render(request, "advisor/review.html", context, status=400)


@require_POST
@firm_view()
def override_new(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            override_add(
                firm=request.firm, recommendation=recommendation, user=request.user,
                **form.cleaned_data,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Override recorded with its justification.")
            return _review_url(request, recommendation)
    return _render_with_errors(request, recommendation, override_form=form)


@require_POST
@firm_view()
def override_withdraw_view(
    request: HttpRequest, recommendation_id: int, override_id: int
) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    try:
        override_withdraw(
            firm=request.firm, recommendation=recommendation, override_id=override_id,
            user=request.user,
        )  # fmt: skip
    except Override.DoesNotExist:
        raise Http404("No such override.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Override withdrawn.")
    return _review_url(request, recommendation)


@require_POST
@firm_view()
def narrative_save(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    form = NarrativeForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("narrative", "")
    if request.POST.get("action") == "preview":
        return render(
            request,
            "advisor/review.html#narrative-preview",
            {"narrative_html": render_markdown(text)},
        )
    try:
        narrative_update(
            firm=request.firm, recommendation=recommendation, text=text, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Narrative saved.")
    return _review_url(request, recommendation)


@require_POST
@firm_view()
def review_request_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    form = ReviewRequestForm(request.POST, firm=request.firm, exclude=request.user)
    if form.is_valid():
        try:
            review_request(
                firm=request.firm, recommendation=recommendation,
                reviewer=form.cleaned_data["reviewer"], user=request.user,
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Review requested from {form.cleaned_data['reviewer'].display_name}."
            )
            return _review_url(request, recommendation)
    return _render_with_errors(request, recommendation, review_form=form)


@require_POST
@firm_view()
def approve(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    try:
        revision = recommendation_approve(
            firm=request.firm, recommendation=recommendation, user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Approved as revision {revision.number}. It is now frozen.")
    return _review_url(request, recommendation)


@require_POST
@firm_view()
def deliver(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    form = DeliverForm(request.POST)
    if form.is_valid():
        try:
            _, token = recommendation_deliver(
                firm=request.firm, recommendation=recommendation, user=request.user,
                email=form.cleaned_data.get("email") or "", days=form.cleaned_data["days"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            url = request.build_absolute_uri(f"/share/{token}/")
            # Shown once: only the hash is stored.
            messages.success(request, f"Delivered. Share link (shown once): {url}")
            return _review_url(request, recommendation)
    return _render_with_errors(request, recommendation, deliver_form=form)


@require_POST
@firm_view()
def share_link_revoke_view(request: HttpRequest, share_link_id: int) -> HttpResponse:
    try:
        link = share_link_revoke(firm=request.firm, link_id=share_link_id, user=request.user)
    except ShareLink.DoesNotExist:
        raise Http404("No such link.") from None
    messages.success(request, "Share link revoked: it no longer opens the report.")
    return redirect(
        "projects:review", firm_slug=request.firm.slug, engagement_id=link.revision.engagement_id
    )


@firm_view(write_role="viewer")
def whatif(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """Recompute live with changed inputs (HTMX); never touches the saved draft. Saving a named
    scenario is a write and needs a consultant."""
    recommendation = _whatif_recommendation(request, recommendation_id)
    basis = whatif_basis(firm=request.firm, recommendation=recommendation)
    form = WhatIfForm(request.POST or request.GET or None, price_book=basis.book)
    context: dict[str, Any] = {"recommendation": recommendation, "whatif_form": form}
    if form.is_bound and form.is_valid():
        changes = form.changes()
        name = form.cleaned_data.get("scenario_name", "").strip()
        if name and not role_at_least(request.membership.role, "consultant"):
            raise PermissionDenied("Viewers cannot save scenarios.")
        try:
            if name and request.method == "POST":
                scenario = scenario_save(
                    firm=request.firm, recommendation=recommendation, name=name,
                    changes=changes, user=request.user,
                )  # fmt: skip
                context["saved"] = scenario
                result = scenario.assessment
            else:
                result = whatif_assess(
                    firm=request.firm, recommendation=recommendation, changes=changes
                )
        except ProfileError as error:
            for field, errs in error.errors.items():
                for message in errs:
                    form.add_error(field if field in form.fields else None, message)
        else:
            context.update(_whatif_result(request.firm, recommendation, basis, result, changes))
    template = "advisor/review.html#whatif-result"
    if not request.htmx:
        # Without HTMX the whole page is drawn: read the draft in full for it.
        context["recommendation"] = _recommendation(request, recommendation_id)
        engagement = context["recommendation"].engagement
        return render(request, "advisor/review.html", {**_context(request, engagement), **context})
    return render(request, template, context)


def _whatif_result(
    firm: Firm,
    recommendation: Recommendation,
    basis: WhatIfBasis,
    result: dict[str, Any],
    changes: dict[str, Any],
) -> dict[str, Any]:
    # Most drafts have no overrides: their query runs only when the draft says it has some.
    overrides = (
        active_overrides(firm=firm, recommendation=recommendation)
        if recommendation.has_overrides
        else []
    )
    rows = []
    for option, cost in result["costs"]["options"].items():
        before = basis.totals[option]
        rows.append(
            {
                "option": option,
                "before": before,
                "after": cost["total_usd"],
                "delta": round(cost["total_usd"] - before, 2),
                "per_query": cost["cost_per_query_usd"],
                "latency": result["latency"][option],
            }
        )
    return {
        "result": result,
        "result_effective": effective_with_overrides(assessment=result, overrides=overrides),
        "base_verdict": basis.verdict,
        "changes": changes,
        "rows": rows,
    }


@firm_view()
def scenarios_compare(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    scenarios = list(Scenario.objects.filter(firm=request.firm, recommendation=recommendation))
    overrides = active_overrides(firm=request.firm, recommendation=recommendation)
    columns = [{"name": "Saved draft", "changes": {}, "assessment": recommendation.assessment}] + [
        {"name": s.name, "changes": s.changes, "assessment": s.assessment} for s in scenarios
    ]
    # The consultant's overrides stand on every scenario, as they would on the report.
    for column in columns:
        column["effective"] = effective_with_overrides(
            assessment=column["assessment"], overrides=overrides
        )
    return render(
        request,
        "advisor/scenarios.html",
        {
            "recommendation": recommendation,
            "engagement": recommendation.engagement,
            "columns": columns,
            "options": OPTIONS,
            "field_labels": FIELD_LABELS,
        },
    )
