"""Recommendations: assessed on every profile version, reviewed with overrides, approved into
frozen revisions, delivered through share links, re-assessed when inputs change.

Every function takes the firm first and runs inside its scope (the caller's request or task).
Changes to an approved or delivered recommendation put it back to draft: the frozen revision
stays as it was, and the next approval makes a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, FloatField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from advisor.engine import OPTIONS, PriceBook, assess
from advisor.models import (
    Override,
    OverrideKind,
    Reassessment,
    Recommendation,
    RecommendationStatus,
    Revision,
    ShareLink,
)
from advisor.narrative import template_narrative
from advisor.report_content import OPTION_LABELS, effective_result, report_content
from advisor.services.audit import audit_log
from projects.models import Engagement, EngagementStatus, Firm, Membership, ProfileVersion, User
from projects.models.firms import role_at_least
from projects.tenancy.scope import dangerously_unscoped
from projects.tokens import new_token, token_hash

OPEN = (RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW, RecommendationStatus.APPROVED)
MIN_JUSTIFICATION = 15
SHARE_LINK_DAYS = 30


# --- Assessment ------------------------------------------------------------------------------


def _engine_book(price_book_version: Any) -> PriceBook:
    return PriceBook.from_dict(price_book_version.data)


def _assess_version(version: ProfileVersion, book: PriceBook, as_of: date) -> dict[str, Any]:
    return assess(
        version.profile, book, as_of=as_of, consultant_fields=version.consultant_fields
    ).to_dict()


def current_recommendation(*, firm: Firm, engagement: Engagement) -> Recommendation | None:
    """The engagement's working recommendation: the newest one not superseded."""
    return (
        Recommendation.objects.filter(firm=firm, engagement=engagement)
        .exclude(status=RecommendationStatus.SUPERSEDED)
        .select_related("profile_version", "price_book")
        .order_by("-created_at", "-pk")
        .first()
    )


def _cost_deltas(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, Any]:
    deltas = {}
    for option in OPTIONS:
        new = Decimal(str(after["costs"]["options"][option]["total_usd"]))
        old = Decimal(str(before["costs"]["options"][option]["total_usd"])) if before else None
        deltas[option] = {
            "before": float(old) if old is not None else None,
            "after": float(new),
            "delta": float(new - old) if old is not None else None,
        }
    return deltas


@transaction.atomic
def recommendation_assess(
    *,
    firm: Firm,
    profile_version: ProfileVersion,
    reason: str = "profile_version",
    user: User | None = None,
    as_of: date | None = None,
) -> Recommendation:
    """Assess a profile version on the firm's active price book and make it the engagement's
    working draft. The open recommendation it replaces is superseded; the consultant's
    overrides and edited narrative carry over; the change is recorded for review."""
    from advisor.services.price_books import active_price_book

    if profile_version.firm_id != firm.pk:
        raise ValueError("The profile version belongs to another firm.")
    engagement = Engagement.objects.select_for_update().get(
        firm=firm, pk=profile_version.engagement_id
    )
    book_version = active_price_book(firm=firm)
    as_of = as_of or timezone.localdate()
    assessment = _assess_version(profile_version, _engine_book(book_version), as_of)
    previous = current_recommendation(firm=firm, engagement=engagement)
    recommendation = Recommendation.objects.create(
        firm=firm,
        engagement=engagement,
        profile_version=profile_version,
        price_book=book_version,
        engine_version=assessment["engine_version"],
        as_of=as_of,
        assessment=assessment,
        narrative=template_narrative(assessment, product=profile_version.profile.get("name", "")),
        narrative_source="template",
        supersedes=previous if previous and previous.is_open else None,
        created_by=user,
    )
    if previous is not None:
        if previous.narrative_edited:
            recommendation.narrative = previous.narrative
            recommendation.narrative_source = previous.narrative_source
            recommendation.narrative_edited = True
            recommendation.save(update_fields=["narrative", "narrative_source", "narrative_edited"])
        carried = _carry_overrides(firm, previous, recommendation)
        if previous.is_open or previous.status == RecommendationStatus.APPROVED:
            previous.status = RecommendationStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
    else:
        carried = 0
    Reassessment.objects.create(
        firm=firm,
        engagement=engagement,
        previous=previous,
        current=recommendation,
        reason=reason,
        verdict_before=previous.assessment["verdict"] if previous else "",
        verdict_after=assessment["verdict"],
        cost_deltas=_cost_deltas(previous.assessment if previous else None, assessment),
    )
    if engagement.status in {EngagementStatus.INTAKE, EngagementStatus.ASSESSMENT}:
        engagement.status = EngagementStatus.REVIEW
        engagement.save(update_fields=["status", "updated_at"])
    audit_log(
        firm=firm,
        verb="recommendation.drafted",
        summary=(
            f"Draft from profile v{profile_version.number} on {book_version.key}: "
            f"{OPTION_LABELS[assessment['verdict']]}"
            + (
                f" ({carried} override{'s' if carried != 1 else ''} carried over)"
                if carried
                else ""
            )
        ),
        actor=user,
        engagement=engagement,
        data={"recommendation": recommendation.pk, "reason": reason},
    )
    if not recommendation.narrative_edited:
        # The template text above stays as the fallback while the drafting job runs; a
        # consultant's carried-over narrative is theirs, so nothing is drafted over it.
        from advisor.services.narratives import narrative_queue

        narrative_queue(firm=firm, recommendation=recommendation)
    return recommendation


def _carry_overrides(firm: Firm, previous: Recommendation, current: Recommendation) -> int:
    count = 0
    for override in Override.objects.filter(firm=firm, recommendation=previous, withdrawn_at=None):
        Override.objects.create(
            firm=firm,
            recommendation=current,
            kind=override.kind,
            rule_id=override.rule_id,
            value=override.value,
            original=_original_value(current.assessment, override.kind, override.rule_id),
            justification=override.justification,
            created_by=override.created_by,
        )
        count += 1
    return count


# --- Overrides, narrative and review ---------------------------------------------------------


def _original_value(assessment: Mapping[str, Any], kind: str, rule_id: str) -> str:
    if kind == OverrideKind.RULE:
        rule = next((r for r in assessment["rules"] if r["id"] == rule_id), None)
        return ("fired" if rule["fired"] else "not_fired") if rule else ""
    return assessment[kind]


def _editable(recommendation: Recommendation) -> None:
    if recommendation.status == RecommendationStatus.SUPERSEDED:
        raise ValidationError("This recommendation was superseded; work on the current one.")


def _back_to_draft(recommendation: Recommendation) -> None:
    """An edit after approval or delivery reopens the draft; the frozen revision stays."""
    if recommendation.status in {RecommendationStatus.APPROVED, RecommendationStatus.DELIVERED}:
        recommendation.status = RecommendationStatus.DRAFT


def attach_effective(*, firm: Firm, recommendations: list[Recommendation]) -> list[Recommendation]:
    """Set `.effective` (verdict and first stage after overrides) on each recommendation, with
    one query for all their overrides — lists show the verdict the consultant stands behind."""
    by_recommendation: dict[int, list[dict[str, str]]] = {r.pk: [] for r in recommendations}
    for override in Override.objects.filter(
        firm=firm, recommendation__in=list(by_recommendation), withdrawn_at=None
    ).order_by("created_at"):
        by_recommendation[override.recommendation_id].append(
            {"kind": override.kind, "rule_id": override.rule_id, "value": override.value}
        )
    for recommendation in recommendations:
        recommendation.effective = effective_result(
            recommendation.assessment, by_recommendation[recommendation.pk]
        )
    return recommendations


def active_overrides(*, firm: Firm, recommendation: Recommendation) -> list[Override]:
    return list(
        Override.objects.filter(firm=firm, recommendation=recommendation, withdrawn_at=None)
        .select_related("created_by")
        .order_by("created_at")
    )


def result_summary() -> dict[str, Any]:
    """Annotations that read a draft's verdict (`summary_verdict`) and its option totals
    (`summary_<option>`) in the database: all that comparing another result with it needs,
    without decoding the whole document (docs/PERFORMANCE.md)."""
    totals = {
        f"summary_{o}": Cast(KT(f"assessment__costs__options__{o}__total_usd"), FloatField())
        for o in OPTIONS
    }
    return {"summary_verdict": KT("assessment__verdict"), **totals}


def effective_with_overrides(
    *, assessment: Mapping[str, Any], overrides: Iterable[Override]
) -> dict[str, Any]:
    """`effective_result` of any assessment (the draft's, a what-if's, a scenario's) under the
    recommendation's overrides in force."""
    return effective_result(
        assessment, [{"kind": o.kind, "rule_id": o.rule_id, "value": o.value} for o in overrides]
    )


@transaction.atomic
def override_add(
    *,
    firm: Firm,
    recommendation: Recommendation,
    kind: str,
    value: str,
    justification: str,
    user: User,
    rule_id: str = "",
) -> Override:
    _editable(recommendation)
    errors: dict[str, str] = {}
    justification = justification.strip()
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = (
            f"Explain the override in at least {MIN_JUSTIFICATION} characters; it goes into "
            "every export."
        )
    if kind not in OverrideKind.values:
        errors["kind"] = "Choose what to override."
    elif kind == OverrideKind.RULE:
        if rule_id not in {r["id"] for r in recommendation.assessment["rules"]}:
            errors["rule_id"] = "Choose one of the assessment's rules."
        if value not in {"fired", "not_fired"}:
            errors["value"] = "A rule outcome is either fired or not fired."
    elif value not in OPTIONS:
        errors["value"] = "Choose prompt-only, RAG, fine-tuning or hybrid."
    if errors:
        raise ValidationError(errors)
    original = _original_value(recommendation.assessment, kind, rule_id)
    if value == original:
        raise ValidationError({"value": "That is what the engine already says."})
    # One active override per target: a new one replaces the previous.
    Override.objects.filter(
        firm=firm, recommendation=recommendation, kind=kind, rule_id=rule_id, withdrawn_at=None
    ).update(withdrawn_at=timezone.now())
    override = Override.objects.create(
        firm=firm,
        recommendation=recommendation,
        kind=kind,
        rule_id=rule_id if kind == OverrideKind.RULE else "",
        value=value,
        original=original,
        justification=justification,
        created_by=user,
    )
    _back_to_draft(recommendation)
    recommendation.save(update_fields=["status", "updated_at"])
    target = rule_id if kind == OverrideKind.RULE else OverrideKind(kind).label.lower()
    audit_log(
        firm=firm,
        verb="override.added",
        summary=f"Overrode {target}: {original} → {value}",
        actor=user,
        engagement=recommendation.engagement,
        data={"override": override.pk, "justification": justification},
    )
    return override


@transaction.atomic
def override_withdraw(
    *, firm: Firm, recommendation: Recommendation, override_id: int, user: User
) -> None:
    _editable(recommendation)
    override = Override.objects.get(
        firm=firm, recommendation=recommendation, pk=override_id, withdrawn_at=None
    )
    override.withdrawn_at = timezone.now()
    override.save(update_fields=["withdrawn_at"])
    _back_to_draft(recommendation)
    recommendation.save(update_fields=["status", "updated_at"])
    audit_log(
        firm=firm,
        verb="override.withdrawn",
        summary=f"Withdrew the override of {override.rule_id or override.kind}",
        actor=user,
        engagement=recommendation.engagement,
    )


def narrative_update(
    *, firm: Firm, recommendation: Recommendation, text: str, user: User
) -> Recommendation:
    _editable(recommendation)
    if text == recommendation.narrative:
        return recommendation
    recommendation.narrative = text
    recommendation.narrative_edited = True
    recommendation.narrative_source = "consultant"
    _back_to_draft(recommendation)
    recommendation.save(
        update_fields=["narrative", "narrative_edited", "narrative_source", "status", "updated_at"]
    )
    audit_log(
        firm=firm,
        verb="narrative.edited",
        summary="Edited the narrative",
        actor=user,
        engagement=recommendation.engagement,
    )
    return recommendation


def review_request(
    *, firm: Firm, recommendation: Recommendation, reviewer: User, user: User
) -> Recommendation:
    _editable(recommendation)
    membership = Membership.objects.filter(firm=firm, user=reviewer).first()
    if membership is None or not role_at_least(membership.role, "consultant"):
        raise ValidationError({"reviewer": "Ask a consultant, admin or owner of this firm."})
    if reviewer == user:
        raise ValidationError({"reviewer": "Ask someone else to review your draft."})
    recommendation.status = RecommendationStatus.IN_REVIEW
    recommendation.reviewer = reviewer
    recommendation.review_requested_at = timezone.now()
    recommendation.save(update_fields=["status", "reviewer", "review_requested_at", "updated_at"])
    audit_log(
        firm=firm,
        verb="review.requested",
        summary=f"Asked {reviewer.display_name} to review",
        actor=user,
        engagement=recommendation.engagement,
    )
    return recommendation


# --- Report content, approval and revisions --------------------------------------------------


def _evidence_dicts(firm: Firm) -> list[dict[str, Any]]:
    from advisor.selectors.library import evidence_for_engine

    return [entry.to_dict() for entry in evidence_for_engine(firm=firm)]


def _override_dicts(overrides: list[Override]) -> list[dict[str, Any]]:
    return [
        {
            "kind": o.kind,
            "rule_id": o.rule_id,
            "value": o.value,
            "original": o.original,
            "justification": o.justification,
            "by": o.created_by.display_name if o.created_by else "",
            "at": o.created_at.isoformat(timespec="seconds"),
        }
        for o in overrides
    ]


def report_inputs(
    *,
    firm: Firm,
    recommendation: Recommendation,
    overrides: list[Override],
    profile_version: int,
) -> dict[str, Any]:
    """What a recommendation's report content is drawn from besides its assessment, the firm's
    evidence and the revision: the other arguments of `report_content`. The review page keys
    its drawn report on them."""
    engagement = recommendation.engagement
    return {
        "firm": {
            "name": firm.name,
            "brand_name": firm.brand_name,
            "accent": firm.accent_safe,
            "logo_data_uri": firm.logo_data_uri,
        },
        "client_name": engagement.client.name,
        "engagement_title": engagement.title,
        "profile_version": profile_version,
        "overrides": _override_dicts(overrides),
        "narrative": recommendation.narrative,
    }


def recommendation_content(
    *,
    firm: Firm,
    recommendation: Recommendation,
    revision: Mapping[str, Any] | None = None,
    overrides: list[Override] | None = None,
) -> dict[str, Any]:
    """The report content of the recommendation as it stands (a draft, or what to freeze).
    `overrides`: its overrides in force, when the caller has read them already."""
    if overrides is None:
        overrides = active_overrides(firm=firm, recommendation=recommendation)
    return report_content(
        assessment=recommendation.assessment,
        evidence=_evidence_dicts(firm),
        revision=revision,
        **report_inputs(
            firm=firm,
            recommendation=recommendation,
            overrides=overrides,
            profile_version=recommendation.profile_version.number,
        ),
    )


def content_hash(content: Mapping[str, Any]) -> str:
    """A digest of report content: what a revision is frozen with, and what a rendered
    report section is cached under (it is a function of the content alone)."""
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


@transaction.atomic
def recommendation_approve(*, firm: Firm, recommendation: Recommendation, user: User) -> Revision:
    """Freeze the recommendation as the engagement's next revision."""
    passed_in = recommendation
    recommendation = Recommendation.objects.select_for_update().get(firm=firm, pk=recommendation.pk)
    if recommendation.status not in {RecommendationStatus.DRAFT, RecommendationStatus.IN_REVIEW}:
        raise ValidationError(
            f"A {recommendation.get_status_display().lower()} recommendation cannot be approved."
        )
    engagement = Engagement.objects.select_for_update().get(
        firm=firm, pk=recommendation.engagement_id
    )
    number = (
        Revision.objects.filter(firm=firm, engagement=engagement)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    approved_at = timezone.now()
    content = recommendation_content(
        firm=firm,
        recommendation=recommendation,
        revision={
            "number": number,
            "approved_at": approved_at.isoformat(timespec="seconds"),
            "approved_by": user.display_name,
        },
    )
    revision = Revision.objects.create(
        firm=firm,
        engagement=engagement,
        recommendation=recommendation,
        number=number,
        content=content,
        content_hash=content_hash(content),
        approved_by=user,
        approved_at=approved_at,
    )
    recommendation.status = RecommendationStatus.APPROVED
    recommendation.save(update_fields=["status", "updated_at"])
    passed_in.status = recommendation.status
    audit_log(
        firm=firm,
        verb="recommendation.approved",
        summary=f"Approved revision {number}: {OPTION_LABELS[content['effective']['verdict']]}",
        actor=user,
        engagement=engagement,
        data={"revision": revision.pk, "hash": revision.content_hash},
    )
    return revision


def revision_diff(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[dict[str, str]]:
    """What changed between two revisions, in words: verdict, first stage, overrides, costs,
    narrative, profile version and price book."""
    if before is None:
        return [
            {
                "what": "First revision",
                "before": "",
                "after": OPTION_LABELS[after["effective"]["verdict"]],
            }
        ]
    rows = []

    def add(what: str, old: Any, new: Any) -> None:
        if old != new:
            rows.append({"what": what, "before": str(old), "after": str(new)})

    add(
        "Verdict",
        OPTION_LABELS[before["effective"]["verdict"]],
        OPTION_LABELS[after["effective"]["verdict"]],
    )
    add(
        "Start with",
        OPTION_LABELS[before["effective"]["start_with"]],
        OPTION_LABELS[after["effective"]["start_with"]],
    )
    add("Confidence", before["assessment"]["confidence"], after["assessment"]["confidence"])
    add("Profile version", f"v{before['profile_version']}", f"v{after['profile_version']}")
    add("Price book", before["assessment"]["price_book"], after["assessment"]["price_book"])
    for option in OPTIONS:
        old = before["assessment"]["costs"]["options"][option]["total_usd"]
        new = after["assessment"]["costs"]["options"][option]["total_usd"]
        if old != new:
            add(f"{OPTION_LABELS[option]} total", f"${old:,.2f}", f"${new:,.2f}")
    old_overrides = {(o["kind"], o["rule_id"], o["value"]) for o in before["overrides"]}
    new_overrides = {(o["kind"], o["rule_id"], o["value"]) for o in after["overrides"]}
    for kind, rule_id, value in sorted(new_overrides - old_overrides):
        rows.append({"what": f"Override added ({rule_id or kind})", "before": "", "after": value})
    for kind, rule_id, value in sorted(old_overrides - new_overrides):
        rows.append({"what": f"Override removed ({rule_id or kind})", "before": value, "after": ""})
    if before["narrative"] != after["narrative"]:
        rows.append({"what": "Narrative", "before": "edited", "after": "edited"})
    return rows


# --- Delivery and share links -----------------------------------------------------------------


@transaction.atomic
def recommendation_deliver(
    *,
    firm: Firm,
    recommendation: Recommendation,
    user: User,
    email: str = "",
    days: int = SHARE_LINK_DAYS,
) -> tuple[ShareLink, str]:
    """Share the latest approved revision with the client; returns the link and its raw token
    (shown once, e-mailed if an address is given)."""
    passed_in = recommendation
    recommendation = Recommendation.objects.select_for_update().get(firm=firm, pk=recommendation.pk)
    if recommendation.status not in {RecommendationStatus.APPROVED, RecommendationStatus.DELIVERED}:
        raise ValidationError("Approve the recommendation before delivering it.")
    revision = (
        Revision.objects.filter(firm=firm, recommendation=recommendation)
        .order_by("-number")
        .first()
    )
    if revision is None:
        raise ValidationError("There is no approved revision to deliver.")
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Between 1 and 365 days."})
    raw, digest = new_token()
    link = ShareLink.objects.create(
        firm=firm,
        revision=revision,
        token_hash=digest,
        sent_to=email.strip().lower(),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )
    if revision.delivered_at is None:
        revision.delivered_at = timezone.now()
        revision.save(update_fields=["delivered_at"])
    recommendation.status = RecommendationStatus.DELIVERED
    recommendation.save(update_fields=["status", "updated_at"])
    passed_in.status = recommendation.status
    engagement = recommendation.engagement
    if engagement.status != EngagementStatus.CLOSED:
        engagement.status = EngagementStatus.DELIVERED
        engagement.save(update_fields=["status", "updated_at"])
    audit_log(
        firm=firm,
        verb="recommendation.delivered",
        summary=f"Delivered revision {revision.number}"
        + (f" to {link.sent_to}" if link.sent_to else ""),
        actor=user,
        engagement=engagement,
        data={"revision": revision.pk, "share_link": link.pk},
    )
    if link.sent_to:
        from advisor.tasks import send_share_email

        firm_id, link_id = firm.pk, link.pk
        transaction.on_commit(lambda: send_share_email.delay(firm_id, link_id, raw))
    return link, raw


def share_link_revoke(*, firm: Firm, link_id: int, user: User) -> ShareLink:
    link = ShareLink.objects.select_related("revision__engagement").get(firm=firm, pk=link_id)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_log(
            firm=firm,
            verb="share_link.revoked",
            summary=f"Revoked a share link of revision {link.revision.number}",
            actor=user,
            engagement=link.revision.engagement,
        )
    return link


def share_link_get_by_token(*, token: str) -> ShareLink | None:
    """Resolve a share link from its secret token: the only cross-firm read, by hash."""
    with dangerously_unscoped(reason="resolve a share link from its secret token"):
        return (
            ShareLink.objects.filter(token_hash=token_hash(token))
            .select_related("firm", "revision")
            .first()
        )


@transaction.atomic
def share_link_viewed(*, firm: Firm, link: ShareLink) -> None:
    # Counted in the database: views at the same moment each add one (a count read earlier in
    # the request would let them overwrite each other).
    ShareLink.objects.filter(firm=firm, pk=link.pk).update(
        view_count=F("view_count") + 1, last_viewed_at=timezone.now()
    )


@transaction.atomic
def share_link_acknowledge(*, firm: Firm, link: ShareLink, name: str) -> ShareLink:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Type your name to acknowledge receipt."})
    if len(name) > 150:
        raise ValidationError({"name": "Keep it under 150 characters."})
    link = (
        ShareLink.objects.select_for_update()
        .select_related("revision__engagement")
        .get(firm=firm, pk=link.pk)
    )
    if link.acknowledged_at is None:
        link.acknowledged_at = timezone.now()
        link.acknowledged_name = name
        link.save(update_fields=["acknowledged_at", "acknowledged_name"])
        audit_log(
            firm=firm,
            verb="share_link.acknowledged",
            summary=f"{name} acknowledged receipt of revision {link.revision.number}",
            actor_label=name,
            engagement=link.revision.engagement,
        )
    return link
