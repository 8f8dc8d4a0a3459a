"""What the review page reads on every request: the engagement's working recommendation with its
engagement and client, and the few facts about other rows the page needs — in one statement.

The facts are SQL fragments rather than ORM subqueries on purpose. The ORM builds a correlated
subquery in about half a millisecond on our machines, longer than the database takes to run it,
so six of them made the page's main read slower than the rows it saves (docs/PERFORMANCE.md).
A fragment costs nothing to build. Each one filters on the firm in the query, like every read
here, and the database's row-level security applies to it as to any statement. Each states the
rule it shares with an ORM reader elsewhere, and `tests/advisor/test_review_panels.py` checks
that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, CharField, Field, IntegerField
from django.db.models.expressions import RawSQL

from advisor.models import Recommendation, RecommendationStatus
from advisor.services.whatif import WHATIF_FIELDS
from projects.models import Firm
from projects.process_cache import ProcessCache


def _fact(sql: str, params: list[Any], field: Field) -> RawSQL:
    # Constant SQL with the firm as a parameter: nothing from a request reaches the text.
    return RawSQL(sql, params, output_field=field)  # noqa: S611


# `active_overrides`: not withdrawn. One parameter, the firm.
HAS_OVERRIDES = (
    "EXISTS (SELECT 1 FROM advisor_override o WHERE o.firm_id = %s"
    " AND o.recommendation_id = advisor_recommendation.id AND o.withdrawn_at IS NULL)"
)


def _facts(firm: Firm) -> dict[str, RawSQL]:
    f = firm.pk
    return {
        "has_overrides": _fact(HAS_OVERRIDES, [f], BooleanField()),
        # The page shows how many there are; their results are on the comparison page.
        "scenario_count": _fact(
            "(SELECT COUNT(*) FROM advisor_scenario s WHERE s.firm_id = %s"
            " AND s.recommendation_id = advisor_recommendation.id)",
            [f],
            IntegerField(),
        ),
        # The engagement's latest change, when it has something to say (a previous draft).
        "shown_change_id": _fact(
            "(SELECT CASE WHEN c.previous_id IS NULL THEN NULL ELSE c.id END"
            " FROM advisor_reassessment c WHERE c.firm_id = %s"
            " AND c.engagement_id = advisor_recommendation.engagement_id"
            " ORDER BY c.created_at DESC LIMIT 1)",
            [f],
            IntegerField(),
        ),
        # Who answered the intake: the last link's address, else the client's first contact
        # in `Contact`'s own order (primary first).
        "founder_email": _fact(
            "COALESCE((SELECT l.sent_to FROM projects_intakelink l WHERE l.firm_id = %s"
            " AND l.engagement_id = advisor_recommendation.engagement_id AND l.sent_to <> ''"
            " ORDER BY l.created_at DESC LIMIT 1),"
            " (SELECT k.email FROM projects_contact k WHERE k.firm_id = %s"
            " AND k.client_id = projects_engagement.client_id"
            " ORDER BY k.is_primary DESC, k.name, k.id LIMIT 1), '')",
            [f, f],
            CharField(),
        ),
        # `NarrativeDraftQuerySet.applied`, when the narrative panel shows something of it (its
        # model, or sentences): a template draft has neither, and reads as no draft.
        "shown_narrative_draft_id": _fact(
            "(SELECT CASE WHEN d.model = '' AND d.sentences = '[]' THEN NULL ELSE d.id END"
            " FROM advisor_narrativedraft d WHERE d.firm_id = %s"
            " AND d.recommendation_id = advisor_recommendation.id AND d.applied_at IS NOT NULL"
            " ORDER BY d.applied_at DESC, d.id DESC LIMIT 1)",
            [f],
            IntegerField(),
        ),
    }


# A digest of every one of the firm's evidence rows, whole: any change to any row, or a row
# more or less, gives another one. PostgreSQL only; elsewhere the evidence itself is read.
EVIDENCE_DIGEST = (
    "(SELECT md5(string_agg(e::text, ',' ORDER BY e.id)) FROM advisor_evidenceentry e"
    " WHERE e.firm_id = %s)"
)


def evidence_digest(*, firm: Firm) -> str | None:
    """The digest `review_recommendation` reads as `evidence_digest`, read on its own."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {EVIDENCE_DIGEST}", [firm.pk])
        return cursor.fetchone()[0]


def review_recommendation(*, firm: Firm, engagement_id: int) -> Recommendation | None:
    """The engagement's working recommendation as `current_recommendation` picks it (the newest
    one not superseded), with its engagement and client, and the facts above as attributes."""
    facts = _facts(firm)
    if connection.vendor == "postgresql":
        facts["evidence_digest"] = _fact(EVIDENCE_DIGEST, [firm.pk], CharField())
    return (
        Recommendation.objects.filter(firm=firm, engagement_id=engagement_id)
        .exclude(status=RecommendationStatus.SUPERSEDED)
        .select_related("engagement__client")
        # Fixed for the life of the draft, and 30 KB: `review_basis` keeps what the page needs.
        .defer("assessment")
        .annotate(**facts)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ReviewBasis:
    """What the page shows of the draft's assessment outside the report: the rules an override
    may name, and the inputs the what-if starts from; and the header's profile version number
    and price book key, fixed with the draft as well."""

    rules: tuple[tuple[str, str], ...]  # (id, title)
    whatif_initial: Mapping[str, Any]
    profile_version_number: int
    price_book_key: str  # `PriceBookVersion.key`


# Keyed by the draft's id and creation time, as the what-if's basis is: the assessment never
# changes once the draft exists (a new profile or price book makes a new draft).
_BASES: ProcessCache[tuple[int, datetime], ReviewBasis] = ProcessCache(256)


def review_basis(*, firm: Firm, recommendation: Recommendation) -> ReviewBasis:
    """The basis of `recommendation`, which the caller has read within `firm`'s scope."""
    pk = recommendation.pk
    return _BASES.remember((pk, recommendation.created_at), lambda: _read_basis(firm, pk))


def _read_basis(firm: Firm, pk: int) -> ReviewBasis:
    assessment, number, book_slug, book_version = (
        Recommendation.objects.filter(firm=firm, pk=pk)
        .values_list(
            "assessment", "profile_version__number", "price_book__slug", "price_book__version"
        )
        .get()
    )
    resolved = assessment.get("profile", {})
    return ReviewBasis(
        profile_version_number=number,
        price_book_key=f"{book_slug}@{book_version}",
        rules=tuple((r["id"], r["title"]) for r in assessment["rules"]),
        whatif_initial={
            name: resolved[name] for name in WHATIF_FIELDS if resolved.get(name) is not None
        },
    )


# What a live what-if recompute reads of the draft on every request (its basis is cached).
# Plain SQL: the ORM took longer to build this read, with its EXISTS, than to run it.
_WHATIF_DRAFT = (  # constants only: the firm and the id are parameters
    "SELECT id, firm_id, engagement_id, status, created_at, "  # noqa: S608
    + HAS_OVERRIDES
    + " AS has_overrides FROM advisor_recommendation WHERE firm_id = %s AND id = %s"
)


def whatif_recommendation(*, firm: Firm, pk: int) -> Recommendation | None:
    """The firm's recommendation `pk` with only its firm, engagement, status and creation time
    (the rest deferred), and `has_overrides` — or None when the firm has no such draft."""
    rows = list(Recommendation.objects.raw(_WHATIF_DRAFT, [firm.pk, firm.pk, pk]))
    return rows[0] if rows else None
