"""The API's reads. Every function takes the firm first and filters by it in the query, so
another firm's id is answered exactly as a missing one (`DoesNotExist`, which the API turns
into its 404). They run inside the firm's scope, which the choke point opens."""

from __future__ import annotations

from django.db.models import CharField, Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from advisor.models import Override, Recommendation, Revision
from projects.models import Client, Engagement, Firm, Membership, ProfileVersion, User
from projects.selectors.engagements import client_list, engagement_list


def client_get(*, firm: Firm, pk: int) -> Client:
    return client_list(firm=firm).get(pk=pk)


def client_for_reference(*, firm: Firm, pk: int) -> Client | None:
    """A client named in a request body: None when it is missing or another firm's."""
    return Client.objects.filter(firm=firm, pk=pk).first()


def engagement_get(*, firm: Firm, pk: int) -> Engagement:
    return engagement_list(firm=firm).get(pk=pk)


def member_by_email(*, firm: Firm, email: str) -> User | None:
    membership = (
        Membership.objects.filter(firm=firm, user__email__iexact=email.strip())
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def profile_version_list(*, firm: Firm, engagement: Engagement) -> QuerySet[ProfileVersion]:
    return (
        ProfileVersion.objects.filter(firm=firm, engagement=engagement)
        .select_related("submitted_by")
        .order_by("-number")
    )


def _verdict_override(firm: Firm) -> Subquery:
    # One active verdict override per recommendation at most (a new one withdraws the old).
    return Subquery(
        Override.objects.filter(
            firm=firm, recommendation=OuterRef("pk"), kind="verdict", withdrawn_at=None
        )
        .order_by("-created_at")
        .values("value")[:1],
        output_field=CharField(),
    )


def recommendation_list(
    *,
    firm: Firm,
    status: str = "",
    verdict: str = "",
    engagement: int | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Recommendation]:
    """Recommendations with their effective verdict (the consultant's override if any, else the
    engine's) as `effective_verdict`, which is also what `verdict` filters on."""
    qs = (
        Recommendation.objects.filter(firm=firm)
        .select_related("engagement__client", "profile_version", "price_book")
        .annotate(
            effective_verdict=Coalesce(
                _verdict_override(firm), KT("assessment__verdict"), output_field=CharField()
            ),
            revision_count=Count("revisions", distinct=True),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if verdict:
        qs = qs.filter(effective_verdict=verdict)
    if engagement is not None:
        qs = qs.filter(engagement_id=engagement)
    return qs.order_by(ordering, "-pk")


def recommendation_get(*, firm: Firm, pk: int) -> Recommendation:
    return (
        recommendation_list(firm=firm)
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=Revision.objects.filter(firm=firm)
                .select_related("approved_by")
                .order_by("number"),
                to_attr="revision_list",
            )
        )
        .get(pk=pk)
    )


def revision_for_report(
    *, firm: Firm, recommendation: Recommendation, number: int | None = None
) -> Revision:
    """The recommendation's latest approved revision, or its revision `number` (revisions are
    numbered per engagement); DoesNotExist when there is none."""
    revisions = Revision.objects.filter(firm=firm, recommendation=recommendation)
    if number is not None:
        return revisions.get(number=number)
    latest = revisions.order_by("-number").first()
    if latest is None:
        raise Revision.DoesNotExist("No approved revision.")
    return latest
