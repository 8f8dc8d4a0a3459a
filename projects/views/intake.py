"""The founder's pages: the intake link's landing page and the wizard behind it.

No account: the link's secret token is the key. GET never changes anything (mail scanners and
link previews open links first); starting is a POST that binds this browser's session to the
link's one draft. Every later page checks that binding — a session bound to link A cannot open
link B's draft — and runs in the link's firm's scope. Every endpoint is rate-limited per IP.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from advisor.engine import ProfileError, validate_profile
from advisor.services.price_books import price_book_for_firm
from projects import wizard
from projects.models import IntakeDraft, IntakeLink
from projects.services.intake import (
    OPEN_STATES,
    IntakeInvalid,
    IntakeUnavailable,
    founder_state,
    intake_draft_save,
    intake_link_get_by_token,
    intake_start,
    intake_submit,
)
from projects.tenancy.scope import firm_scope
from projects.tokenizer import MAX_CHARS, count_tokens

# The session remembers which drafts this browser may open: {str(link id): draft id}.
SESSION_GRANTS = "intake_grants"
# Per IP and per endpoint. The landing page is where tokens are tried, so it is the strictest;
# autosave fires while typing (at most every 0.8 s), so it has room for a fast typist.
LANDING_RATE = "30/m"
WIZARD_RATE = "60/m"
AUTOSAVE_RATE = "120/m"
MINUTES_PER_STEP = 3

FounderView = Callable[..., HttpResponse]


def _brand_context(link: IntakeLink) -> dict[str, Any]:
    engagement = link.engagement
    contact = engagement.lead or link.created_by
    return {
        "brand": link.firm,
        "link": link,
        "client": engagement.client,
        "contact": contact,
        "token": None,
    }


def _unknown_link(request: HttpRequest) -> HttpResponse:
    # No firm, no brand, nothing to say whose link it might have been.
    return render(request, "intake/unavailable.html", {"reason": "unknown"}, status=404)


def _unavailable(request: HttpRequest, link: IntakeLink, state: str) -> HttpResponse:
    context = {**_brand_context(link), "reason": state}
    if request.htmx:
        # A background save after the link closed: tell the page, do not swap a whole page in.
        response = render(request, "intake/_save_status.html", {"error": state}, status=410)
        return response
    # A submitted link is not an error: the founder is thanked and told how to change answers.
    return render(
        request, "intake/unavailable.html", context, status=200 if state == "submitted" else 410
    )


def _granted_draft(request: HttpRequest, link: IntakeLink) -> IntakeDraft | None:
    grants = request.session.get(SESSION_GRANTS) or {}
    draft_id = grants.get(str(link.pk))
    if not isinstance(draft_id, int):
        return None
    return IntakeDraft.objects.filter(
        firm=link.firm, pk=draft_id, link=link, submitted_at__isnull=True
    ).first()


def founder_view(view: FounderView) -> FounderView:
    """Resolve the token, refuse closed links, enter the firm's scope, and require this
    browser's binding to the link's draft; the view gets (request, link, draft, ...)."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        link = intake_link_get_by_token(token=token)
        if link is None:
            return _unknown_link(request)
        with firm_scope(link.firm):
            state = founder_state(link)
            if state not in OPEN_STATES:
                return _unavailable(request, link, state)
            draft = _granted_draft(request, link)
            if draft is None:
                landing = reverse("intake:landing", kwargs={"token": token})
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = landing
                    return response
                return redirect(landing)
            response = view(request, link, draft, token, *args, **kwargs)
            patch_vary_headers(response, ("HX-Request",))
            return response

    return wrapped


def _position_url(token: str, position: str) -> str:
    if position == wizard.REVIEW:
        return reverse("intake:review", kwargs={"token": token})
    if wizard.step_by_slug(position) is None:
        position = wizard.STEP_SLUGS[0]
    return reverse("intake:step", kwargs={"token": token, "step": position})


# --- Landing ------------------------------------------------------------------------------------


@ratelimit(key="ip", rate=LANDING_RATE, method=ratelimit.ALL, block=True)
def landing(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what this is and who asks; changes nothing. POST: start or continue — binds this
    browser (a new session key, then the grant) to the link's one draft."""
    link = intake_link_get_by_token(token=token)
    if link is None:
        return _unknown_link(request)
    with firm_scope(link.firm):
        state = founder_state(link)
        if state not in OPEN_STATES:
            return _unavailable(request, link, state)
        if request.method == "POST":
            try:
                draft = intake_start(firm=link.firm, link=link)
            except IntakeUnavailable as closed:
                return _unavailable(request, link, closed.state)
            # A new session key at the moment the session gains access: a key planted
            # beforehand (session fixation) is worth nothing.
            request.session.cycle_key()
            grants = dict(request.session.get(SESSION_GRANTS) or {})
            grants[str(link.pk)] = draft.pk
            request.session[SESSION_GRANTS] = grants
            return redirect(_position_url(token, draft.step or wizard.STEP_SLUGS[0]))
        draft = IntakeDraft.objects.filter(
            firm=link.firm, link=link, submitted_at__isnull=True
        ).first()
        done = wizard.steps_done(draft.answers, draft.unknown) if draft else []
        context = {
            **_brand_context(link),
            "token": token,
            "draft": draft,
            "has_answers": bool(draft and (draft.answers or draft.unknown)),
            "steps": wizard.STEPS,
            "steps_done": len(done),
            "minutes": MINUTES_PER_STEP * len(wizard.STEPS),
        }
        return render(request, "intake/landing.html", context)


# --- Wizard steps -------------------------------------------------------------------------------


def _progress(draft: IntakeDraft, current: str) -> list[dict[str, Any]]:
    done = set(wizard.steps_done(draft.answers, draft.unknown))
    return [
        {"step": s, "number": i, "done": s.slug in done, "current": s.slug == current}
        for i, s in enumerate(wizard.STEPS, start=1)
    ]


def _step_context(
    link: IntakeLink,
    draft: IntakeDraft,
    token: str,
    step: wizard.Step,
    *,
    answers: dict[str, str] | None = None,
    unknown: list[str] | None = None,
    errors: dict[str, list[str]] | None = None,
    samples: dict[str, str] | None = None,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    answers = draft.answers if answers is None else answers
    unknown = draft.unknown if unknown is None else unknown
    errors = errors or {}
    blocks = wizard.bind(step, answers, unknown, errors)
    bound = [b for block in blocks for b in (block.question, *block.children)]
    number = wizard.STEP_SLUGS.index(step.slug) + 1
    return {
        **_brand_context(link),
        "token": token,
        "step": step,
        "step_number": number,
        "step_total": len(wizard.STEPS),
        "progress": _progress(draft, step.slug),
        "blocks": blocks,
        "error_list": [(b, e) for b in bound for e in b.errors],
        "previous": wizard.step_before(step),
        "next_is_review": wizard.step_after(step) == wizard.REVIEW,
        "samples": samples or {},
        "counts": counts,
        "has_estimator": "input_tokens" in {q.key for q in step.questions},
        "max_sample_chars": MAX_CHARS,
    }


def _count(data: Any) -> tuple[dict[str, str], dict[str, int]]:
    """Count the pasted samples; what they fill in goes to the matching token questions."""
    samples = {name: str(data.get(name, "")) for name in wizard.SAMPLE_FIELDS}
    counts = {
        wizard.SAMPLE_FIELDS[name]: count_tokens(text)
        for name, text in samples.items()
        if text.strip()
    }
    return samples, counts


@ratelimit(key="ip", rate=WIZARD_RATE, method=ratelimit.ALL, block=True)
@founder_view
def step_view(
    request: HttpRequest, link: IntakeLink, draft: IntakeDraft, token: str, step: str
) -> HttpResponse:
    current = wizard.step_by_slug(step)
    if current is None:
        raise Http404("No such step.")
    if request.method != "POST":
        # Answers stored but invalid (typed, autosaved, then the tab closed) are flagged on
        # return; unanswered ones only when the review page sent the founder here to fix them
        # (?check=1) — otherwise they have not pressed Next yet.
        require = request.GET.get("check") == "1"
        errors = wizard.validate_step(current, draft.answers, draft.unknown, require=require)
        return render(
            request, "intake/step.html", _step_context(link, draft, token, current, errors=errors)
        )

    action = request.POST.get("action", "next")
    data: Any = request.POST
    if action == "count":
        samples, counts = _count(request.POST)
        data = request.POST.copy()
        for name, value in counts.items():
            data[name] = str(value)
            data.pop(name + wizard.UNKNOWN_SUFFIX, None)
        draft = intake_draft_save(firm=link.firm, draft=draft, step=current, data=data)
        context = _step_context(link, draft, token, current, samples=samples, counts=counts)
        if request.htmx:
            filled = [b for block in context["blocks"] for b in (block.question, *block.children)]
            context["filled"] = [b for b in filled if b.key in counts]
            return render(request, "intake/_estimator_response.html", context)
        return render(request, "intake/step.html", context)

    answers, unknown = wizard.collect(current, data, draft.answers, draft.unknown)
    goto = request.POST.get("goto", "")
    if action == "back":
        destination = wizard.step_before(current) or current.slug
    elif goto in (*wizard.STEP_SLUGS, wizard.REVIEW):
        destination = goto
    else:
        errors = wizard.validate_step(current, answers, unknown, require=True)
        if errors:
            draft = intake_draft_save(firm=link.firm, draft=draft, step=current, data=data)
            # Pasted samples are never stored, but an error page must not lose them either.
            samples = {name: str(data.get(name, "")) for name in wizard.SAMPLE_FIELDS}
            context = _step_context(link, draft, token, current, errors=errors, samples=samples)
            return render(request, "intake/step.html", context, status=400)
        destination = wizard.step_after(current)
    intake_draft_save(firm=link.firm, draft=draft, step=current, data=data, position=destination)
    return redirect(_position_url(token, destination))


@require_POST
@ratelimit(key="ip", rate=AUTOSAVE_RATE, method=ratelimit.ALL, block=True)
@founder_view
def autosave(
    request: HttpRequest, link: IntakeLink, draft: IntakeDraft, token: str, step: str
) -> HttpResponse:
    """Store what is typed, as typed: never refuses an answer (validation waits for Next)."""
    current = wizard.step_by_slug(step)
    if current is None:
        raise Http404("No such step.")
    intake_draft_save(firm=link.firm, draft=draft, step=current, data=request.POST)
    if not request.htmx:
        return redirect(_position_url(token, current.slug))
    return render(request, "intake/_save_status.html", {"saved": True})


# --- Review, submit, thanks ---------------------------------------------------------------------


def _review_errors(link: IntakeLink, draft: IntakeDraft) -> dict[str, list[str]]:
    errors = wizard.validate_all(draft.answers, draft.unknown)
    if errors:
        return errors
    # The engine has the last word; asking it now shows its objections before Submit.
    profile, _ = wizard.to_profile(draft.answers, draft.unknown)
    try:
        validate_profile(profile, price_book_for_firm(firm=link.firm))
    except ProfileError as error:
        return wizard.map_engine_errors(error.errors)
    return {}


def _review_context(
    link: IntakeLink, draft: IntakeDraft, token: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    sections = wizard.review(draft.answers, draft.unknown, errors)
    return {
        **_brand_context(link),
        "token": token,
        "sections": sections,
        "errors": errors,
        "general_errors": errors.get(wizard.ALL, []),
        "problem_steps": [s for s in sections if s.has_errors],
        "progress": _progress(draft, wizard.REVIEW),
        "step_total": len(wizard.STEPS),
        "unknown_count": sum(1 for s in sections for r in s.rows if r.state == "unknown"),
    }


@ratelimit(key="ip", rate=WIZARD_RATE, method=ratelimit.ALL, block=True)
@founder_view
def review(request: HttpRequest, link: IntakeLink, draft: IntakeDraft, token: str) -> HttpResponse:
    context = _review_context(link, draft, token, _review_errors(link, draft))
    return render(request, "intake/review.html", context)


@require_POST
@ratelimit(key="ip", rate=WIZARD_RATE, method=ratelimit.ALL, block=True)
@founder_view
def submit(request: HttpRequest, link: IntakeLink, draft: IntakeDraft, token: str) -> HttpResponse:
    try:
        intake_submit(firm=link.firm, link=link, draft=draft)
    except IntakeUnavailable as closed:
        return _unavailable(request, link, closed.state)
    except IntakeInvalid as invalid:
        context = _review_context(link, draft, token, invalid.errors)
        return render(request, "intake/review.html", context, status=400)
    return redirect("intake:thanks", token=token)


@ratelimit(key="ip", rate=WIZARD_RATE, method=ratelimit.ALL, block=True)
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = intake_link_get_by_token(token=token)
    if link is None:
        return _unknown_link(request)
    with firm_scope(link.firm):
        state = founder_state(link)
        if state != "submitted":
            if state in OPEN_STATES:
                return redirect("intake:landing", token=token)
            return _unavailable(request, link, state)
        return render(request, "intake/thanks.html", _brand_context(link))
