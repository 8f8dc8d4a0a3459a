"""Engagement pages: the pipeline list, create and edit, the engagement page (profile versions
with diffs, intake link, sessions timeline), status changes, and the consultant's profile editor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from advisor.engine import ProfileError
from advisor.services.price_books import price_book_for_firm
from projects.forms import apply_errors
from projects.forms_engagements import EngagementForm, StatusForm
from projects.forms_profile import ProfileForm, consultant_fields_for
from projects.models import Client, Engagement, EngagementStatus, ProfileSource
from projects.selectors.engagements import (
    engagement_list,
    engagement_timeline,
    latest_profile_version,
    pipeline_counts,
    profile_versions_with_diffs,
)
from projects.selectors.intake import intake_panel_context
from projects.services.engagements import (
    engagement_create,
    engagement_set_status,
    engagement_update,
)
from projects.services.profiles import profile_version_create
from projects.tenancy.views import firm_view


def _engagement(request: HttpRequest, engagement_id: int) -> Engagement:
    return get_object_or_404(
        Engagement.objects.filter(firm=request.firm).select_related("client", "lead"),
        pk=engagement_id,
    )


def _detail_url(request: HttpRequest, engagement: Engagement) -> HttpResponse:
    return redirect(
        "projects:engagement-detail", firm_slug=request.firm.slug, engagement_id=engagement.pk
    )


@firm_view()
def engagements(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")
    pipeline = pipeline_counts(firm=request.firm)
    context = {
        "engagements": engagement_list(firm=request.firm, status=status, search=q),
        "pipeline": pipeline,
        "total": sum(n for _, _, n in pipeline),
        "status": status if status in EngagementStatus.values else "",
        "q": q,
    }
    if request.htmx and request.htmx.target == "engagement-results":
        return render(request, "projects/engagements/list.html#results", context)
    return render(request, "projects/engagements/list.html", context)


@firm_view()
def engagement_new(request: HttpRequest) -> HttpResponse:
    initial = {"lead": request.user.pk}
    client_id = request.GET.get("client", "")
    if client_id.isdigit() and Client.objects.filter(firm=request.firm, pk=client_id).exists():
        initial["client"] = int(client_id)
    form = EngagementForm(request.POST or None, firm=request.firm, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = engagement_create(firm=request.firm, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Engagement created. Send the founder an intake link next.")
            return _detail_url(request, engagement)
    has_clients = Client.objects.filter(firm=request.firm).exists()
    return render(
        request, "projects/engagements/form.html", {"form": form, "has_clients": has_clients}
    )


@firm_view()
def engagement_detail(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    from advisor.services.recommendations import attach_effective, current_recommendation

    recommendation = current_recommendation(firm=request.firm, engagement=engagement)
    if recommendation is not None:
        attach_effective(firm=request.firm, recommendations=[recommendation])
    context = {
        "engagement": engagement,
        "recommendation": recommendation,
        "versions": profile_versions_with_diffs(firm=request.firm, engagement=engagement),
        "status_form": StatusForm(initial={"status": engagement.status}),
        "statuses": EngagementStatus.choices,
        **engagement_timeline(firm=request.firm, engagement=engagement),
        **intake_panel_context(firm=request.firm, engagement=engagement),
    }
    return render(request, "projects/engagements/detail.html", context)


@firm_view()
def engagement_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    form = EngagementForm(request.POST or None, instance=engagement, firm=request.firm)
    if request.method == "POST" and form.is_valid():
        try:
            engagement_update(firm=request.firm, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Engagement saved.")
            return _detail_url(request, engagement)
    return render(
        request, "projects/engagements/form.html", {"form": form, "engagement": engagement}
    )


@require_POST
@firm_view()
def engagement_status(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        engagement_set_status(
            firm=request.firm, engagement=engagement, status=form.cleaned_data["status"]
        )
        messages.success(request, f"Status is now {engagement.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose a status.")
    return _detail_url(request, engagement)


@firm_view()
def profile_edit(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The consultant fills or edits the profile; saving makes a new version marked as theirs."""
    engagement = _engagement(request, engagement_id)
    latest = latest_profile_version(firm=request.firm, engagement=engagement)
    price_book = price_book_for_firm(firm=request.firm)
    form = ProfileForm(
        request.POST or None,
        price_book=price_book,
        profile=latest.profile if latest else {"name": engagement.title},
    )
    if request.method == "POST" and form.is_valid():
        profile = form.to_profile()
        consultant_fields = consultant_fields_for(
            previous=latest.profile if latest else None,
            previous_consultant=latest.consultant_fields if latest else [],
            new=profile,
        )
        if latest and profile == latest.profile:
            messages.info(request, "Nothing changed, so no new version was made.")
            return _detail_url(request, engagement)
        try:
            version = profile_version_create(
                firm=request.firm,
                engagement=engagement,
                data=profile,
                source=ProfileSource.CONSULTANT,
                submitted_by=request.user,
                consultant_fields=consultant_fields,
                unknown_fields=[
                    f for f in (latest.unknown_fields if latest else []) if f not in profile
                ],
                note=request.POST.get("note", "")[:300],
            )
        except ProfileError as error:
            form.apply_engine_errors(error.errors)
        else:
            messages.success(request, f"Saved as profile version {version.number}.")
            return _detail_url(request, engagement)
    return render(
        request,
        "projects/engagements/profile_form.html",
        {"engagement": engagement, "form": form, "latest": latest},
        status=400 if form.is_bound and form.errors else 200,
    )
