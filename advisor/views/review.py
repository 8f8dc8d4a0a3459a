"""The review workspace: the current recommendation of an engagement with its trace, costs,
roadmap and narrative; overrides; the what-if panel and scenarios; the workflow from draft to
delivery; revisions and their differences; exports; share links; the activity log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from advisor.engine import OPTIONS, PROFILE_FIELDS, PriceBook, ProfileError
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
from advisor.services.recommendations import (
    active_overrides,
    content_hash,
    current_recommendation,
    effective_with_overrides,
    has_overrides_in_force,
    narrative_update,
    override_add,
    override_withdraw,
    recommendation_approve,
    recommendation_content,
    recommendation_deliver,
    review_request,
    revision_diff,
    share_link_revoke,
)
from advisor.services.whatif import (
    WHATIF_FIELDS,
    WhatIfBasis,
    scenario_save,
    whatif_assess,
    whatif_basis,
)
from projects.forms import apply_errors
from projects.markdown import render_markdown
from projects.models import Contact, Engagement, Firm, IntakeLink
from projects.models.firms import role_at_least
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
    return get_object_or_404(
        Recommendation.objects.filter(firm=request.firm)
        .only("firm_id", "engagement_id", "status", "created_at")
        .annotate(has_overrides=has_overrides_in_force())
        .order_by(),
        pk=recommendation_id,
    )


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


def _whatif_initial(recommendation: Recommendation) -> dict[str, Any]:
    resolved = recommendation.assessment.get("profile", {})
    return {name: resolved.get(name) for name in WHATIF_FIELDS if resolved.get(name) is not None}


def _context(request: HttpRequest, engagement: Engagement, **extra: Any) -> dict[str, Any]:
    recommendation = current_recommendation(firm=request.firm, engagement=engagement)
    context: dict[str, Any] = {"engagement": engagement, "recommendation": recommendation}
    if recommendation is None:
        return context
    recommendation.engagement = engagement  # already read, with its client and lead
    book = PriceBook.from_dict(recommendation.price_book.data)
    overrides = active_overrides(firm=request.firm, recommendation=recommendation)
    content = recommendation_content(
        firm=request.firm, recommendation=recommendation, overrides=overrides
    )
    context.update(
        {
            "c": content,
            # The report sections are drawn from the content alone: cached under its digest.
            "report_key": content_hash(content),
            "overrides": overrides,
            "override_form": OverrideForm(),
            "narrative_form": NarrativeForm(initial={"narrative": recommendation.narrative}),
            "narrative_html": render_markdown(recommendation.narrative),
            "review_form": ReviewRequestForm(firm=request.firm, exclude=request.user),
            "deliver_form": DeliverForm(),
            "whatif_form": WhatIfForm(initial=_whatif_initial(recommendation), price_book=book),
            # The page shows how many there are; their results are on the comparison page.
            "scenarios": list(
                Scenario.objects.filter(firm=request.firm, recommendation=recommendation).only(
                    "pk", "firm_id", "name"
                )
            ),
            "revisions": _revisions(request, engagement),
            "share_links": list(
                ShareLink.objects.filter(firm=request.firm, revision__engagement=engagement)
                .select_related("revision")
                .defer("revision__content")  # only its number is shown
                .order_by("-created_at")
            ),
            # The latest change is shown; its row holds all the notice says (no documents).
            "reassessments": list(
                Reassessment.objects.filter(firm=request.firm, engagement=engagement).order_by(
                    "-created_at"
                )[:1]
            ),
            "activity": list(
                AuditEvent.objects.filter(firm=request.firm, engagement=engagement)
                .select_related("actor")
                .order_by("-created_at", "-pk")[:15]
            ),
            "rules": recommendation.assessment["rules"],
            "option_choices": OPTION_CHOICES,
            "field_labels": FIELD_LABELS,
            "is_open": recommendation.status
            in {RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW},
        }
    )
    founder_email = _founder_email(request, engagement)
    if founder_email:
        context["founder_email"] = founder_email
        context["assumption_request_url"] = reverse(
            "projects:intake-reopen",
            kwargs={"firm_slug": request.firm.slug, "engagement_id": engagement.pk},
        )
    context.update(extra)
    return context


def _founder_email(request: HttpRequest, engagement: Engagement) -> str:
    """Who answered the intake: the last link's address, else the client's primary contact."""
    link = (
        IntakeLink.objects.filter(firm=request.firm, engagement=engagement)
        .exclude(sent_to="")
        .order_by("-created_at")
        .first()
    )
    if link:
        return link.sent_to
    contact = Contact.objects.filter(firm=request.firm, client=engagement.client).first()
    return contact.email if contact else ""


@firm_view()
def review(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    return render(request, "advisor/review.html", _context(request, engagement))


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
