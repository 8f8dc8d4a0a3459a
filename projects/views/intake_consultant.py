"""The consultant's side of the intake: the panel on the engagement page and its actions
(send a link, resend, revoke, reopen after a submission).

Every action is a POST that works as a plain form (redirect back to the engagement page) and,
with HTMX, swaps the panel in place. Viewers read only: `firm_view` answers 403 to their POSTs.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects.forms import apply_errors
from projects.forms_intake import IntakeLinkForm
from projects.models import Engagement, IntakeLink
from projects.selectors.intake import intake_panel_context
from projects.services.intake import (
    intake_link_create,
    intake_link_resend,
    intake_link_revoke,
    intake_reopen,
)
from projects.tenancy.views import firm_view


def _engagement(request: HttpRequest, engagement_id: int) -> Engagement:
    try:
        return Engagement.objects.select_related("client", "lead").get(
            firm=request.firm, pk=engagement_id
        )
    except Engagement.DoesNotExist:
        raise Http404("No such engagement.") from None


def _link(request: HttpRequest, engagement: Engagement, link_id: int) -> IntakeLink:
    try:
        return IntakeLink.objects.get(firm=request.firm, engagement=engagement, pk=link_id)
    except IntakeLink.DoesNotExist:
        raise Http404("No such intake link.") from None


def _panel(
    request: HttpRequest,
    engagement: Engagement,
    form: IntakeLinkForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "engagement": engagement,
        "intake_oob_messages": True,
        **intake_panel_context(firm=request.firm, engagement=engagement, form=form),
    }
    return render(request, "intake/_consultant_panel.html", context, status=status)


def _done(request: HttpRequest, engagement: Engagement) -> HttpResponse:
    if request.htmx:
        return _panel(request, engagement)
    return redirect(
        "projects:engagement-detail", firm_slug=request.firm.slug, engagement_id=engagement.pk
    )


def _invalid(
    request: HttpRequest, engagement: Engagement, form: IntakeLinkForm, action: str
) -> HttpResponse:
    if request.htmx:
        # 200 so htmx swaps the panel with the errors shown next to the field.
        return _panel(request, engagement, form)
    # Without JavaScript: a small page with the form, what was typed, and the error.
    context = {"engagement": engagement, "form": form, "action": action}
    return render(request, "intake/link_form.html", context, status=400)


@firm_view()
def intake_panel(request: HttpRequest, engagement_id: int) -> HttpResponse:
    """The panel alone, for HTMX refreshes; a plain visit goes to the engagement page."""
    engagement = _engagement(request, engagement_id)
    if request.htmx:
        return _panel(request, engagement)
    return redirect(
        "projects:engagement-detail", firm_slug=request.firm.slug, engagement_id=engagement.pk
    )


@require_POST
@firm_view()
def intake_link_send(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    form = IntakeLinkForm(request.POST)
    if form.is_valid():
        try:
            link, _ = intake_link_create(
                firm=request.firm,
                engagement=engagement,
                created_by=request.user,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Intake link sent to {link.sent_to}.")
            return _done(request, engagement)
    return _invalid(request, engagement, form, "send")


@require_POST
@firm_view()
def intake_link_resend_view(request: HttpRequest, engagement_id: int, link_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    link = _link(request, engagement, link_id)
    email = request.POST.get("email", "").strip()
    form = IntakeLinkForm({"email": email or link.sent_to})
    if form.is_valid():
        try:
            new, _ = intake_link_resend(
                firm=request.firm,
                link=link,
                created_by=request.user,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"A new link was sent to {new.sent_to}; the previous one no longer works."
            )
            return _done(request, engagement)
    return _invalid(request, engagement, form, "send")


@require_POST
@firm_view()
def intake_link_revoke_view(request: HttpRequest, engagement_id: int, link_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    link = intake_link_revoke(firm=request.firm, link=_link(request, engagement, link_id))
    if link.revoked_at:
        messages.success(request, "The intake link was revoked; it no longer opens.")
    else:
        messages.info(request, "That link was no longer open, so there was nothing to revoke.")
    return _done(request, engagement)


@require_POST
@firm_view()
def intake_reopen_view(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = _engagement(request, engagement_id)
    form = IntakeLinkForm(request.POST)
    if form.is_valid():
        try:
            link, _ = intake_reopen(
                firm=request.firm,
                engagement=engagement,
                created_by=request.user,
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Intake reopened: {link.sent_to} has a new link with the latest answers "
                "filled in.",
            )
            return _done(request, engagement)
    return _invalid(request, engagement, form, "reopen")
