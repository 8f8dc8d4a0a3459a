"""Working sessions: create and edit, the notes page that saves as the consultant types,
follow-ups, and the session's .ics calendar file."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects.forms import apply_errors
from projects.forms_engagements import FollowUpForm, NotesForm, SessionForm
from projects.markdown import render_markdown
from projects.models import Engagement, FollowUp, Session
from projects.services.sessions import (
    follow_up_add,
    follow_up_toggle,
    session_create,
    session_ics,
    session_save_notes,
    session_update,
)
from projects.tenancy.views import firm_view


def _session(request: HttpRequest, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.filter(firm=request.firm).select_related("engagement__client"),
        pk=session_id,
    )


def _session_url(request: HttpRequest, session: Session) -> HttpResponse:
    return redirect("projects:session-detail", firm_slug=request.firm.slug, session_id=session.pk)


@firm_view()
def session_new(request: HttpRequest, engagement_id: int) -> HttpResponse:
    engagement = get_object_or_404(
        Engagement.objects.filter(firm=request.firm).select_related("client"), pk=engagement_id
    )
    initial = {"duration_minutes": 60, "attendees": request.user.display_name}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_create(
                firm=request.firm,
                engagement=engagement,
                created_by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Session scheduled. Add it to your calendar from its page.")
            return _session_url(request, session)
    return render(request, "projects/sessions/form.html", {"form": form, "engagement": engagement})


def _detail_context(request: HttpRequest, session: Session, **extra: object) -> dict:
    return {
        "session": session,
        "engagement": session.engagement,
        "notes_form": NotesForm(initial={"notes": session.notes, "decisions": session.decisions}),
        "follow_up_form": FollowUpForm(),
        "follow_ups": FollowUp.objects.filter(firm=request.firm, session=session),
        "notes_html": render_markdown(session.notes),
        **extra,
    }


@firm_view()
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    return render(request, "projects/sessions/detail.html", _detail_context(request, session))


@firm_view()
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session_update(firm=request.firm, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Session saved.")
            return _session_url(request, session)
    return render(
        request,
        "projects/sessions/form.html",
        {"form": form, "engagement": session.engagement, "session": session},
    )


@require_POST
@firm_view()
def session_notes(request: HttpRequest, session_id: int) -> HttpResponse:
    """Autosave target (HTMX, while typing) and the plain form's submit without JavaScript."""
    session = _session(request, session_id)
    form = NotesForm(request.POST)
    form.is_valid()  # free text: always valid
    session = session_save_notes(
        firm=request.firm,
        session=session,
        notes=form.cleaned_data.get("notes", ""),
        decisions=form.cleaned_data.get("decisions") if "decisions" in request.POST else None,
    )
    if request.htmx:
        return render(
            request,
            "projects/sessions/detail.html#saved",
            {"session": session, "notes_html": render_markdown(session.notes), "oob": True},
        )
    messages.success(request, "Notes saved.")
    return _session_url(request, session)


@firm_view()
def session_ics_view(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    body = session_ics(session=session, host=request.get_host().split(":")[0], now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="forkcast-session-{session.pk}.ics"'
    return response


@require_POST
@firm_view()
def follow_up_new(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session(request, session_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            follow_up_add(firm=request.firm, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "projects/sessions/detail.html#follow-ups",
                    _detail_context(request, session),
                )
            messages.success(request, "Follow-up added.")
            return _session_url(request, session)
    template = "projects/sessions/detail.html" + ("#follow-ups" if request.htmx else "")
    return render(
        request,
        template,
        _detail_context(request, session, follow_up_form=form),
        status=200 if request.htmx else 400,
    )


@require_POST
@firm_view()
def follow_up_toggle_view(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    try:
        item = follow_up_toggle(firm=request.firm, follow_up_id=follow_up_id)
    except FollowUp.DoesNotExist:
        from django.http import Http404

        raise Http404("No such follow-up.") from None
    session = _session(request, item.session_id)
    if request.htmx:
        return render(
            request, "projects/sessions/detail.html#follow-ups", _detail_context(request, session)
        )
    return _session_url(request, session)
