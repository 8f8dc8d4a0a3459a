"""Narrative drafting: queue a draft, run it (the Celery task's body), ground-check it, apply
it to the recommendation, and let a consultant accept or rewrite what the check flagged.

The job runs in three steps so no database transaction stays open while the model thinks:
claim the draft (in the firm's scope), call the drafter (outside any transaction), then record
and apply the result (in the scope again, the recommendation locked). Idempotent: one draft per
recommendation and input hash, so a redelivered task finds its draft and does nothing twice.

What the recommendation's `narrative` holds is exactly what may be exported: an LLM draft's
supported sentences plus the flagged ones a consultant accepted or rewrote. Flagged sentences
wait on the draft, shown on the review page with the check's reasons.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advisor.grounding import (
    GROUNDING_VERSION,
    Facts,
    build_facts,
    check_sentence,
    check_text,
    summarise,
)
from advisor.llm.factory import drafter_from_settings
from advisor.llm.markdown import compose_markdown
from advisor.llm.port import SECTION_TITLES, DraftFailed, DraftRequest, DraftResult
from advisor.llm.prompt import PROMPT_VERSION
from advisor.llm.template_drafter import TemplateDrafter
from advisor.models import (
    NarrativeDraft,
    NarrativeDraftState,
    Recommendation,
    RecommendationStatus,
    SentenceStatus,
)
from advisor.models.recommendations import NarrativeState
from advisor.services.audit import audit_log
from projects.models import Firm, User
from projects.tenancy.scope import firm_scope

log = logging.getLogger(__name__)
BUSY = (NarrativeState.QUEUED, NarrativeState.DRAFTING)
WORKING = (RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW)


def stale_after() -> timedelta:
    """How long a claimed draft may take before another run may take it over: every attempt
    the client makes, its backoff, and a margin."""
    attempts = 1 + int(settings.OPENAI_MAX_RETRIES)
    margin = float(getattr(settings, "NARRATIVE_CLAIM_MARGIN_SECONDS", 60))
    return timedelta(seconds=attempts * float(settings.OPENAI_TIMEOUT_SECONDS) + margin)


# --- Inputs ------------------------------------------------------------------------------------


def _evidence(firm: Firm) -> list[dict[str, Any]]:
    from advisor.selectors.library import evidence_for_engine

    return [entry.to_dict() for entry in evidence_for_engine(firm=firm)]


def narrative_request(
    *, recommendation: Recommendation, evidence: list[dict[str, Any]]
) -> DraftRequest:
    profile = recommendation.profile_version.profile
    return DraftRequest(
        assessment=recommendation.assessment,
        product=str(profile.get("name") or ""),
        use_case=str(profile.get("use_case") or ""),
        evidence=tuple(evidence),
    )


def narrative_facts(*, recommendation: Recommendation, evidence: list[dict[str, Any]]) -> Facts:
    return build_facts(
        recommendation.assessment, evidence, price_book=recommendation.price_book.data
    )


def input_hash(request: DraftRequest, *, drafter: str, attempt: int) -> str:
    payload = {
        "prompt": PROMPT_VERSION,
        "grounding": GROUNDING_VERSION,
        "drafter": drafter,
        "attempt": attempt,
        "assessment": request.assessment,
        "product": request.product,
        "use_case": request.use_case,
        "evidence": list(request.evidence),
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


# --- Queueing ----------------------------------------------------------------------------------


def narrative_queue(*, firm: Firm, recommendation: Recommendation, attempt: int = 0) -> None:
    """Mark the narrative queued and queue the drafting job once the transaction commits (a
    rolled-back request queues nothing). The narrative keeps its current text meanwhile."""
    from advisor.tasks import draft_narrative

    recommendation.narrative_state = NarrativeState.QUEUED
    recommendation.narrative_note = ""
    recommendation.save(update_fields=["narrative_state", "narrative_note", "updated_at"])
    firm_id, recommendation_id = firm.pk, recommendation.pk
    transaction.on_commit(lambda: draft_narrative.delay(firm_id, recommendation_id, attempt))


def narrative_busy(*, firm: Firm, recommendation: Recommendation) -> bool:
    """Queued or drafting, and not stuck: a job that outlived every attempt and its margin
    (a lost worker) no longer blocks Regenerate."""
    if recommendation.narrative_state not in BUSY:
        return False
    newest = NarrativeDraft.objects.filter(firm=firm, recommendation=recommendation).newest()
    since = recommendation.updated_at
    if newest is not None and newest.state == NarrativeDraftState.DRAFTING and newest.claimed_at:
        since = newest.claimed_at
    return since is None or timezone.now() - since < stale_after()


@transaction.atomic
def narrative_regenerate(
    *, firm: Firm, recommendation: Recommendation, user: User, replace_edits: bool = False
) -> int:
    """Ask for a fresh draft; returns its attempt number. An edited narrative is replaced only
    when the consultant says so — and kept if the new draft fails."""
    recommendation = Recommendation.objects.select_for_update().get(firm=firm, pk=recommendation.pk)
    if recommendation.status == RecommendationStatus.SUPERSEDED:
        raise ValidationError("This recommendation was superseded; work on the current one.")
    if narrative_busy(firm=firm, recommendation=recommendation):
        raise ValidationError("A draft is already on its way.")
    if recommendation.narrative_edited and not replace_edits:
        raise ValidationError(
            "The narrative was edited by hand. Confirm that the new draft may replace it."
        )
    newest = NarrativeDraft.objects.filter(firm=firm, recommendation=recommendation).newest()
    attempt = (newest.attempt if newest else 0) + 1
    if recommendation.narrative_edited:
        # The next draft may replace the text; if it fails, the text is kept (see _apply).
        recommendation.narrative_edited = False
        recommendation.save(update_fields=["narrative_edited", "updated_at"])
    narrative_queue(firm=firm, recommendation=recommendation, attempt=attempt)
    audit_log(
        firm=firm,
        verb="narrative.regenerate",
        summary="Asked for a new narrative draft",
        actor=user,
        engagement=recommendation.engagement,
        data={"recommendation": recommendation.pk, "attempt": attempt},
    )
    return attempt


# --- The job -----------------------------------------------------------------------------------


def narrative_draft_run(*, firm: Firm, recommendation_id: int, attempt: int = 0) -> str:
    """Draft, check and apply one narrative; returns what happened (for logs and tests):
    missing | exists | busy | done | failed."""
    drafter = drafter_from_settings()
    with firm_scope(firm):
        recommendation = (
            Recommendation.objects.filter(firm=firm, pk=recommendation_id)
            .select_related("profile_version", "price_book")
            .first()
        )
        if recommendation is None:
            return "missing"
        evidence = _evidence(firm)
        request = narrative_request(recommendation=recommendation, evidence=evidence)
        facts = narrative_facts(recommendation=recommendation, evidence=evidence)
        digest = input_hash(request, drafter=drafter.identity, attempt=attempt)
        draft, _ = NarrativeDraft.objects.get_or_create(
            firm=firm,
            recommendation=recommendation,
            input_hash=digest,
            defaults={"attempt": attempt, "drafter": drafter.name},
        )
        draft = NarrativeDraft.objects.select_for_update().get(firm=firm, pk=draft.pk)
        if draft.state in {NarrativeDraftState.DONE, NarrativeDraftState.FAILED}:
            return "exists"
        now = timezone.now()
        if (
            draft.state == NarrativeDraftState.DRAFTING
            and draft.claimed_at
            and now - draft.claimed_at < stale_after()
        ):
            return "busy"
        draft.state, draft.claimed_at = NarrativeDraftState.DRAFTING, now
        draft.model = getattr(drafter, "model", "")
        draft.save(update_fields=["state", "claimed_at", "model"])
        if _is_latest(firm, recommendation, attempt):
            Recommendation.objects.filter(firm=firm, pk=recommendation.pk).update(
                narrative_state=NarrativeState.DRAFTING
            )

    # Outside any transaction: the call may take every attempt the client makes.
    failure: DraftFailed | None = None
    try:
        result = drafter.draft(request)
    except DraftFailed as exc:
        failure = exc
    except Exception as exc:  # a bug must not leave the narrative "drafting" for ever
        log.exception("Narrative drafter %s crashed", drafter.name)
        failure = DraftFailed("error", type(exc).__name__)
    if failure is not None:
        log.warning("LLM narrative draft failed (%s): %s", failure.code, failure.message)
        result = TemplateDrafter().draft(request)
    elif drafter.name == "template":
        failure = DraftFailed("not_configured")
    record = _ground(result, facts)

    with firm_scope(firm):
        recommendation = Recommendation.objects.select_for_update().get(
            firm=firm, pk=recommendation_id
        )
        draft = NarrativeDraft.objects.select_for_update().get(firm=firm, pk=draft.pk)
        llm_failed = failure is not None and failure.code != "not_configured"
        draft.state = NarrativeDraftState.FAILED if llm_failed else NarrativeDraftState.DONE
        draft.source = result.source
        draft.model = result.model or draft.model
        draft.sentences = record["sentences"]
        draft.text = record["text"]
        draft.grounding = record["grounding"]
        draft.error_code = failure.code if failure else ""
        draft.error = failure.message[:300] if failure else ""
        draft.usage = dict(result.usage)
        draft.finished_at = timezone.now()
        if _is_latest(firm, recommendation, attempt):
            _apply(firm, recommendation, draft, failure, attempt)
        draft.save()
        audit_log(
            firm=firm,
            verb="narrative.draft_failed" if llm_failed else "narrative.drafted",
            summary=_audit_summary(draft, failure),
            engagement=recommendation.engagement,
            data={
                "recommendation": recommendation.pk,
                "draft": draft.pk,
                "attempt": attempt,
                "reason": failure.code if failure else "",
                "applied": draft.applied_at is not None,
            },
        )
    return "failed" if llm_failed else "done"


def _is_latest(firm: Firm, recommendation: Recommendation, attempt: int) -> bool:
    return not NarrativeDraft.objects.filter(
        firm=firm, recommendation=recommendation, attempt__gt=attempt
    ).exists()


def _ground(result: DraftResult, facts: Facts) -> dict[str, Any]:
    """The check's verdict on a result: per sentence for an LLM draft (each within what it
    cites), advisory per figure for a template (its figures come from the assessment)."""
    if result.source != "llm":
        findings = check_text(result.markdown, facts)
        return {
            "sentences": [],
            "text": result.markdown,
            "grounding": {
                "version": GROUNDING_VERSION,
                "mode": "text",
                **summarise(findings),
                "findings": [f.to_dict() for f in findings if not f.supported],
            },
        }
    sentences = []
    all_findings = []
    for index, sentence in enumerate(result.sentences, 1):
        check = check_sentence(
            sentence.text, facts, fields=sentence.fields, evidence=sentence.evidence
        )
        all_findings.extend(check.findings)
        sentences.append(
            {
                "id": f"s{index}",
                "section": sentence.section,
                "section_title": SECTION_TITLES.get(sentence.section, sentence.section),
                "text": sentence.text,
                "fields": list(sentence.fields),
                "evidence": list(sentence.evidence),
                "status": SentenceStatus.SUPPORTED if check.supported else SentenceStatus.FLAGGED,
                "findings": [f.to_dict() for f in check.findings],
            }
        )
    everything = [{**s, "status": SentenceStatus.SUPPORTED} for s in sentences]
    return {
        "sentences": sentences,
        "text": compose_markdown(everything),
        "grounding": {
            "version": GROUNDING_VERSION,
            "mode": "sentences",
            **summarise(all_findings),
            "sentences": len(sentences),
            "flagged": sum(1 for s in sentences if s["status"] == SentenceStatus.FLAGGED),
        },
    }


def _apply(
    firm: Firm,
    recommendation: Recommendation,
    draft: NarrativeDraft,
    failure: DraftFailed | None,
    attempt: int,
) -> None:
    """Put the draft's text into the narrative — unless a consultant's text or a frozen
    approval stands in the way — and say on the page what happened."""
    llm_failed = failure is not None and failure.code != "not_configured"
    state = NarrativeState.FAILED if llm_failed else NarrativeState.DONE
    fields = ["narrative_state", "narrative_note", "updated_at"]
    note = _note(draft, failure)
    if recommendation.status == RecommendationStatus.SUPERSEDED:
        apply = False
    elif recommendation.narrative_edited:
        apply = False
        note = "A new draft finished, but your edited narrative is kept. " + note
    elif attempt == 0 and recommendation.status not in WORKING:
        # Approved before the automatic draft landed: the approved text stands.
        apply = False
        note = "A draft finished after approval; the approved narrative stands. " + note
    elif llm_failed and recommendation.narrative_source != "template":
        # A failed regeneration keeps what was there (an earlier LLM draft, or the text a
        # consultant allowed to be replaced) rather than dropping back to the template.
        apply = False
        if recommendation.narrative_source == "consultant":
            recommendation.narrative_edited = True
            fields.append("narrative_edited")
        note = _failure_note(failure) + " The previous narrative is kept."
    else:
        apply = True
    if apply:
        text = compose_markdown(draft.sentences) if draft.source == "llm" else draft.text
        recommendation.narrative = text
        recommendation.narrative_source = draft.source
        recommendation.narrative_edited = False
        fields += ["narrative", "narrative_source", "narrative_edited"]
        if recommendation.status in {RecommendationStatus.APPROVED, RecommendationStatus.DELIVERED}:
            recommendation.status = RecommendationStatus.DRAFT  # the frozen revision stays
            fields.append("status")
        draft.applied_at = timezone.now()
    recommendation.narrative_state = state
    recommendation.narrative_note = note[:300]
    recommendation.save(update_fields=list(dict.fromkeys(fields)))


def _failure_note(failure: DraftFailed | None) -> str:
    return f"The LLM draft failed: {failure.message}." if failure else ""


def _note(draft: NarrativeDraft, failure: DraftFailed | None) -> str:
    if failure is not None and failure.code == "not_configured":
        return "Template narrative: no language model is configured (OPENAI_API_KEY)."
    if failure is not None:
        return _failure_note(failure) + " Showing the template narrative."
    flagged = draft.grounding.get("flagged", 0)
    if flagged:
        return (
            f"Drafted by {draft.model_label}. {flagged} sentence{'s' if flagged != 1 else ''} "
            "failed the grounding check and stay out of the narrative and exports until you "
            "accept or edit them."
        )
    return (
        f"Drafted by {draft.model_label}; every figure and citation matched the assessment "
        "and the evidence library."
    )


def _audit_summary(draft: NarrativeDraft, failure: DraftFailed | None) -> str:
    if failure is not None and failure.code == "not_configured":
        return "Narrative drafted from templates (no language model configured)"
    if failure is not None:
        return f"LLM narrative draft failed ({failure.code}); template narrative used"
    flagged = draft.grounding.get("flagged", 0)
    return f"Narrative drafted by {draft.model_label}: {flagged} sentence(s) flagged"


# --- A consultant's decisions ------------------------------------------------------------------


@transaction.atomic
def narrative_sentence_accept(
    *,
    firm: Firm,
    recommendation: Recommendation,
    draft_id: int,
    sentence_id: str,
    user: User,
    text: str | None = None,
) -> NarrativeDraft:
    """Take a flagged sentence into the narrative: as written (accepted — the consultant
    vouches for it) or rewritten (edited — re-checked, the result kept for the record)."""
    recommendation = Recommendation.objects.select_for_update().get(firm=firm, pk=recommendation.pk)
    if recommendation.status == RecommendationStatus.SUPERSEDED:
        raise ValidationError("This recommendation was superseded; work on the current one.")
    draft = NarrativeDraft.objects.select_for_update().get(
        firm=firm, recommendation=recommendation, pk=draft_id
    )
    applied = NarrativeDraft.objects.filter(firm=firm, recommendation=recommendation).applied()
    if applied is None or applied.pk != draft.pk or recommendation.narrative_edited:
        raise ValidationError(
            "The narrative no longer comes from this draft; edit the narrative itself."
        )
    sentences = [dict(s) for s in draft.sentences]
    sentence = next((s for s in sentences if s.get("id") == sentence_id), None)
    if sentence is None:
        raise NarrativeDraft.DoesNotExist("No such sentence.")
    if sentence.get("status") == SentenceStatus.SUPPORTED:
        raise ValidationError("That sentence passed the check; it is already in the narrative.")
    new_text = " ".join((text or "").split())
    if text is not None and not new_text:
        raise ValidationError({"text": "Write the sentence, or accept it as it stands."})
    if len(new_text) > 600:
        raise ValidationError({"text": "Keep a sentence under 600 characters."})
    if new_text and new_text != sentence["text"]:
        evidence = _evidence(firm)
        facts = narrative_facts(recommendation=recommendation, evidence=evidence)
        # The consultant's words carry no citations: checked as free text, for the record
        # (and shown to them) — the sentence is theirs and goes in either way.
        findings = check_text(new_text, facts)
        sentence.setdefault("original", sentence["text"])
        sentence["text"] = new_text
        sentence["status"] = SentenceStatus.EDITED
        sentence["findings"] = [f.to_dict() for f in findings]
        verb, summary = "narrative.sentence_edited", f"Rewrote a flagged sentence: “{new_text}”"
    else:
        sentence["status"] = SentenceStatus.ACCEPTED
        verb, summary = (
            "narrative.sentence_accepted",
            f"Accepted a flagged sentence: “{sentence['text']}”",
        )
    sentence["by"] = user.display_name
    sentence["at"] = timezone.now().isoformat(timespec="seconds")
    draft.sentences = sentences
    draft.save(update_fields=["sentences"])
    recommendation.narrative = compose_markdown(sentences)
    if recommendation.status in {RecommendationStatus.APPROVED, RecommendationStatus.DELIVERED}:
        recommendation.status = RecommendationStatus.DRAFT
    remaining = sum(1 for s in sentences if s.get("status") == SentenceStatus.FLAGGED)
    recommendation.narrative_note = f"Drafted by {draft.model_label}. " + (
        f"{remaining} flagged sentence{'s' if remaining != 1 else ''} still waiting for you."
        if remaining
        else "Every flagged sentence has been decided."
    )
    recommendation.save(update_fields=["narrative", "narrative_note", "status", "updated_at"])
    audit_log(
        firm=firm,
        verb=verb,
        summary=summary,
        actor=user,
        engagement=recommendation.engagement,
        data={
            "draft": draft.pk,
            "sentence": sentence_id,
            "findings": [f for f in sentence.get("findings", []) if not f.get("supported")],
        },
    )
    return draft
