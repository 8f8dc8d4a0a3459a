"""The narrative panel of the review page: its drafting state (polled by HTMX while a draft is
queued or drafting), Regenerate, and a consultant's decision on each sentence the grounding
check flagged. Every view answers HTMX with the panel fragment and a plain request with a
redirect to the review page, so the panel works without JavaScript too."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from advisor.forms import NarrativeForm
from advisor.models import NarrativeDraft, Recommendation
from advisor.services.narratives import narrative_regenerate, narrative_sentence_accept
from projects.markdown import render_markdown
from projects.tenancy.views import firm_view

PANEL = "advisor/_narrative_state.html"


def _recommendation(request: HttpRequest, recommendation_id: int) -> Recommendation:
    return get_object_or_404(
        Recommendation.objects.filter(firm=request.firm).select_related("engagement"),
        pk=recommendation_id,
    )


def _review(request: HttpRequest, recommendation: Recommendation) -> HttpResponse:
    url = reverse(
        "projects:review",
        kwargs={"firm_slug": request.firm.slug, "engagement_id": recommendation.engagement_id},
    )
    return redirect(f"{url}#narrative")


def _panel(request: HttpRequest, recommendation: Recommendation, **extra: Any) -> HttpResponse:
    context = {
        "recommendation": recommendation,
        "narrative_form": NarrativeForm(initial={"narrative": recommendation.narrative}),
        "narrative_html": render_markdown(recommendation.narrative),
        "narrative_draft": recommendation.narrative_drafts.applied(),
        # The editor and the preview sit outside the polled panel (so a poll never eats
        # typing): a fragment brings them along out of band.
        "oob": True,
        **extra,
    }
    # firm_view adds Vary: HX-Request (this URL also answers plain requests).
    return render(request, PANEL, context)


@require_GET
@firm_view()
def narrative_state(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    if not request.htmx:
        return _review(request, recommendation)
    # Polling stops by itself: a finished panel carries no hx-trigger.
    return _panel(request, recommendation)


@require_POST
@firm_view()
def narrative_regenerate_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = _recommendation(request, recommendation_id)
    error = ""
    try:
        narrative_regenerate(
            firm=request.firm,
            recommendation=recommendation,
            user=request.user,
            replace_edits=request.POST.get("replace_edits") == "1",
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    recommendation.refresh_from_db()
    if request.htmx:
        return _panel(request, recommendation, panel_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "A new narrative draft is on its way.")
    return _review(request, recommendation)


@require_POST
@firm_view()
def narrative_sentence_accept_view(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """Accept (action=accept) or rewrite (action=edit, text) one flagged sentence, named by
    the draft and sentence ids in the form."""
    recommendation = _recommendation(request, recommendation_id)
    text = request.POST.get("text") if request.POST.get("action") == "edit" else None
    draft_id = request.POST.get("draft", "")
    if not draft_id.isdigit():
        raise Http404("No such draft.")
    error = ""
    try:
        narrative_sentence_accept(
            firm=request.firm,
            recommendation=recommendation,
            draft_id=int(draft_id),
            sentence_id=request.POST.get("sentence", ""),
            user=request.user,
            text=text,
        )
    except NarrativeDraft.DoesNotExist:
        raise Http404("No such sentence.") from None
    except ValidationError as exc:
        error = " ".join(exc.messages)
    recommendation.refresh_from_db()
    if request.htmx:
        return _panel(request, recommendation, panel_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "The sentence is in the narrative.")
    return _review(request, recommendation)
