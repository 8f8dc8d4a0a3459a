"""Engagements (list, create, read, update) and their profile versions (list, push a new one,
which runs the assessment and drafts the recommendation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import MAX_ID, FirmApiView
from advisor.api.documents import CONFIDENCE, VERDICTS, ProfileDocument
from advisor.api.fields import Email, QueryWhole, StrictInputSerializer, Text, Whole
from advisor.api.pagination import ApiPagination
from advisor.api.selectors import (
    client_for_reference,
    engagement_get,
    member_by_email,
    profile_version_list,
)
from advisor.services.recommendations import current_recommendation
from projects.models import EngagementStatus, ProfileSource
from projects.selectors.engagements import engagement_list
from projects.services.engagements import (
    engagement_create,
    engagement_set_status,
    engagement_update,
)
from projects.services.profiles import profile_version_create

ENGAGEMENT_ORDERING = [
    "updated_at",
    "-updated_at",
    "created_at",
    "-created_at",
    "title",
    "-title",
    "status",
    "-status",
]


class EngagementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=EngagementStatus.choices)
    lead = serializers.EmailField(
        source="lead.email", allow_null=True, help_text="The lead consultant's e-mail address."
    )
    summary = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    profile_version_count = serializers.IntegerField(source="version_count")
    next_session_at = serializers.DateTimeField(source="next_session", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EngagementInputSerializer(StrictInputSerializer):
    client = Whole(min_value=1, max_value=MAX_ID, help_text="The id of one of the firm's clients.")
    title = Text(max_length=200)
    lead = Email(
        required=False,
        allow_null=True,
        help_text="E-mail address of a member of the firm to lead the engagement.",
    )
    summary = Text(required=False, allow_blank=True, max_length=10_000, trim_whitespace=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class EngagementUpdateSerializer(EngagementInputSerializer):
    status = serializers.ChoiceField(
        choices=EngagementStatus.choices,
        required=False,
        help_text="Move the engagement along its pipeline (any status may be set).",
    )


class EngagementFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)
    client = QueryWhole(required=False, min_value=1, max_value=MAX_ID)
    search = serializers.CharField(
        required=False, max_length=200, help_text="Matches the title and the client's name."
    )
    ordering = serializers.ChoiceField(
        choices=ENGAGEMENT_ORDERING, required=False, default="-updated_at"
    )


def _references(view: FirmApiView, data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the ids and addresses in a body into the firm's objects, 400 per field when one
    is missing — another firm's id reads exactly as a missing one."""
    resolved = dict(data)
    errors: dict[str, list[str]] = {}
    if "client" in data:
        client = client_for_reference(firm=view.firm, pk=data["client"])
        if client is None:
            errors["client"] = ["No such client in this firm."]
        resolved["client"] = client
    if data.get("lead"):
        lead = member_by_email(firm=view.firm, email=data["lead"])
        if lead is None:
            errors["lead"] = ["No member of this firm has that address."]
        resolved["lead"] = lead
    elif "lead" in data:
        resolved["lead"] = None
    if errors:
        raise exceptions.ValidationError(errors)
    return resolved


class EngagementListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="engagements_list",
        parameters=[EngagementFilterSerializer],
        responses=EngagementSerializer(many=True),
    )
    def get(self, request: Request, firm: str) -> Response:
        """The firm's engagements, most recently updated first; filter by `status`, `client` or
        `search` (title and client name)."""
        filters = self.query(EngagementFilterSerializer)
        engagements = engagement_list(
            firm=self.firm, status=filters.get("status", ""), search=filters.get("search", "")
        )
        if "client" in filters:
            engagements = engagements.filter(client_id=filters["client"])
        return self.paginated(engagements.order_by(filters["ordering"], "pk"), EngagementSerializer)

    @extend_schema(
        operation_id="engagements_create",
        request=EngagementInputSerializer,
        responses={201: EngagementSerializer},
    )
    def post(self, request: Request, firm: str) -> Response:
        """Open an engagement for one of the firm's clients (`client`, `title`; optionally `lead`
        — a member's e-mail — `summary` and dates). It starts in `intake`."""
        data = _references(self, self.body(EngagementInputSerializer))
        engagement = engagement_create(firm=self.firm, **data)
        return Response(
            EngagementSerializer(engagement_get(firm=self.firm, pk=engagement.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class EngagementDetailApi(FirmApiView):
    @extend_schema(operation_id="engagements_retrieve", responses=EngagementSerializer)
    def get(self, request: Request, firm: str, id: int) -> Response:
        """One engagement."""
        return Response(EngagementSerializer(engagement_get(firm=self.firm, pk=id)).data)

    @extend_schema(
        operation_id="engagements_partial_update",
        request=EngagementUpdateSerializer,
        responses=EngagementSerializer,
    )
    def patch(self, request: Request, firm: str, id: int) -> Response:
        """Change an engagement, including its `status` (intake, assessment, review, delivered,
        closed); fields left out stay as they are."""
        engagement = engagement_get(firm=self.firm, pk=id)
        data = _references(self, self.body(EngagementUpdateSerializer, partial=True))
        new_status = data.pop("status", None)
        engagement_update(firm=self.firm, engagement=engagement, **data)
        if new_status is not None and new_status != engagement.status:
            engagement_set_status(firm=self.firm, engagement=engagement, status=new_status)
        return Response(EngagementSerializer(engagement_get(firm=self.firm, pk=id)).data)


# --- Profile versions ----------------------------------------------------------------------------


class ProfileVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="1, 2, … per engagement.")
    source = serializers.ChoiceField(choices=ProfileSource.choices)
    profile = serializers.DictField(help_text="The profile exactly as validated and stored.")
    consultant_fields = serializers.ListField(child=serializers.CharField())
    unknown_fields = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    submitted_by = serializers.EmailField(source="submitted_by.email", allow_null=True)
    created_at = serializers.DateTimeField()


class RecommendationDraftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    verdict = serializers.ChoiceField(choices=VERDICTS, source="assessment.verdict")
    start_with = serializers.ChoiceField(choices=VERDICTS, source="assessment.start_with")
    confidence = serializers.ChoiceField(choices=CONFIDENCE, source="assessment.confidence")
    price_book = serializers.CharField(source="assessment.price_book")


class ProfilePushedSerializer(serializers.Serializer):
    profile_version = ProfileVersionSerializer()
    recommendation = RecommendationDraftSerializer(
        help_text="The draft the assessment made (GET /recommendations/{id}/ for all of it)."
    )


def _text_problems(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Fields whose text the database cannot store (NUL characters), per field."""
    return {
        str(name): ["Text may not contain NUL characters."]
        for name, value in data.items()
        if isinstance(value, str) and "\x00" in value
    }


class ProfileVersionListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="profiles_list",
        responses=ProfileVersionSerializer(many=True),
    )
    def get(self, request: Request, firm: str, id: int) -> Response:
        """The engagement's profile versions, newest first. Versions are never edited: each
        change is a new version."""
        engagement = engagement_get(firm=self.firm, pk=id)
        return self.paginated(
            profile_version_list(firm=self.firm, engagement=engagement), ProfileVersionSerializer
        )

    @extend_schema(
        operation_id="profiles_create",
        request=ProfileDocument,
        responses={201: ProfilePushedSerializer},
    )
    def post(self, request: Request, firm: str, id: int) -> Response:
        """Store a new profile version (DESIGN §4.1) of the engagement. The assessment runs at
        once on the firm's active price book and makes the engagement's recommendation draft
        (superseding the open one, whose overrides carry over); 201 with both ids. An invalid
        profile is a 400 with the engine's per-field errors, and nothing is stored."""
        engagement = engagement_get(firm=self.firm, pk=id)
        if not isinstance(request.data, Mapping):
            raise exceptions.ValidationError(
                "The profile must be a JSON object of field names and values."
            )
        problems = _text_problems(request.data)
        if problems:
            raise exceptions.ValidationError(problems)
        key_name = self.api_key_name
        version = profile_version_create(
            firm=self.firm,
            engagement=engagement,
            data=request.data,
            source=ProfileSource.API,
            submitted_by=self.acting_user,
            note=f"Pushed through the API with the key “{key_name}”"[:300] if key_name else "",
        )
        recommendation = current_recommendation(firm=self.firm, engagement=engagement)
        body = {"profile_version": version, "recommendation": recommendation}
        return Response(ProfilePushedSerializer(body).data, status=status.HTTP_201_CREATED)
