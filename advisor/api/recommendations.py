"""Recommendations (list with filters, read with assessment, overrides and revisions) and their
approved reports as JSON, Markdown or PDF."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import MAX_ID, FirmApiView
from advisor.api.documents import (
    CONFIDENCE,
    VERDICTS,
    AssessmentField,
    ReportDocument,
)
from advisor.api.fields import QueryWhole
from advisor.api.pagination import ApiPagination
from advisor.api.renderers import REPORT_RENDERERS
from advisor.api.selectors import recommendation_get, recommendation_list, revision_for_report
from advisor.models import OverrideKind, RecommendationStatus, Revision
from advisor.services.recommendations import active_overrides, effective_with_overrides

RECOMMENDATION_ORDERING = ["created_at", "-created_at", "updated_at", "-updated_at"]


class RecommendationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    engagement = serializers.IntegerField(source="engagement_id")
    engagement_title = serializers.CharField(source="engagement.title")
    client_name = serializers.CharField(source="engagement.client.name")
    status = serializers.ChoiceField(choices=RecommendationStatus.choices)
    verdict = serializers.ChoiceField(
        choices=VERDICTS,
        source="effective_verdict",
        help_text="The verdict in force: the consultant's override if there is one, else the "
        "engine's.",
    )
    engine_verdict = serializers.ChoiceField(choices=VERDICTS, source="assessment.verdict")
    start_with = serializers.ChoiceField(choices=VERDICTS, source="assessment.start_with")
    confidence = serializers.ChoiceField(choices=CONFIDENCE, source="assessment.confidence")
    price_book = serializers.CharField(source="assessment.price_book", help_text="slug@version")
    profile_version = serializers.IntegerField(source="profile_version.number")
    as_of = serializers.DateField()
    revision_count = serializers.IntegerField(help_text="Approved revisions of this one.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class OverrideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OverrideKind.choices)
    rule_id = serializers.CharField(help_text="The rule, for a rule override; empty otherwise.")
    value = serializers.CharField(help_text="An option, or fired / not_fired for a rule.")
    original = serializers.CharField(help_text="What the engine said.")
    justification = serializers.CharField()
    by = serializers.SerializerMethodField()
    at = serializers.DateTimeField(source="created_at")

    def get_by(self, override: Any) -> str:
        return override.created_by.display_name if override.created_by else ""


class RevisionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="Numbered per engagement.")
    approved_at = serializers.DateTimeField()
    approved_by = serializers.SerializerMethodField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    content_hash = serializers.CharField(help_text="SHA-256 of the frozen report content.")

    def get_approved_by(self, revision: Revision) -> str:
        return revision.approved_by.display_name if revision.approved_by else ""


class EffectiveSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=VERDICTS)
    start_with = serializers.ChoiceField(choices=VERDICTS)
    verdict_overridden = serializers.BooleanField()
    start_with_overridden = serializers.BooleanField()
    rules = serializers.DictField(
        child=serializers.BooleanField(), help_text="Rule id → fired, after overrides."
    )
    rules_overridden = serializers.DictField(child=serializers.BooleanField())


class RecommendationDetailSerializer(RecommendationSerializer):
    profile_version_id = serializers.IntegerField()
    engine_version = serializers.CharField()
    narrative = serializers.CharField(help_text="Markdown.")
    narrative_source = serializers.CharField(help_text="template, llm or consultant.")
    supersedes = serializers.IntegerField(source="supersedes_id", allow_null=True)
    assessment = AssessmentField(help_text="The engine's assessment, untouched by overrides.")
    effective = EffectiveSerializer()
    overrides = OverrideSerializer(
        many=True, source="overrides_in_force", help_text="The overrides in force."
    )
    revisions = RevisionSerializer(many=True, source="revision_list")


class RecommendationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RecommendationStatus.choices, required=False)
    verdict = serializers.ChoiceField(
        choices=VERDICTS, required=False, help_text="The verdict in force (overrides applied)."
    )
    engagement = QueryWhole(required=False, min_value=1, max_value=MAX_ID)
    ordering = serializers.ChoiceField(
        choices=RECOMMENDATION_ORDERING, required=False, default="-created_at"
    )


class ReportQuerySerializer(serializers.Serializer):
    revision = QueryWhole(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="A revision number of this recommendation (default: its latest).",
    )


class RecommendationListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="recommendations_list",
        parameters=[RecommendationFilterSerializer],
        responses=RecommendationSerializer(many=True),
    )
    def get(self, request: Request, firm: str) -> Response:
        """The firm's recommendations, newest first; filter by `status`, `verdict` (the verdict
        in force, overrides applied) and `engagement`."""
        filters = self.query(RecommendationFilterSerializer)
        return self.paginated(
            recommendation_list(firm=self.firm, **filters), RecommendationSerializer
        )


class RecommendationDetailApi(FirmApiView):
    @extend_schema(
        operation_id="recommendations_retrieve", responses=RecommendationDetailSerializer
    )
    def get(self, request: Request, firm: str, id: int) -> Response:
        """One recommendation: the engine's assessment (untouched), the effective result after the
        consultant's overrides, the overrides with their justifications, the narrative and the
        approved revisions."""
        recommendation = recommendation_get(firm=self.firm, pk=id)
        overrides = active_overrides(firm=self.firm, recommendation=recommendation)
        recommendation.overrides_in_force = overrides
        recommendation.effective = effective_with_overrides(
            assessment=recommendation.assessment, overrides=overrides
        )
        return Response(RecommendationDetailSerializer(recommendation).data)


class RecommendationReportApi(FirmApiView):
    renderer_classes = REPORT_RENDERERS

    @extend_schema(
        operation_id="recommendations_report",
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/json"): OpenApiResponse(ReportDocument),
            (200, "text/markdown"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request: Request, firm: str, id: int) -> Response:
        """The report of the recommendation's latest approved revision, or of revision `revision`,
        exactly as approved: `format=json` (the default) gives its content, `format=markdown`
        and `format=pdf` the exports (the same bytes every time). 404 when the recommendation
        has no such approved revision."""
        query = self.query(ReportQuerySerializer)
        recommendation = recommendation_get(firm=self.firm, pk=id)
        revision = revision_for_report(
            firm=self.firm, recommendation=recommendation, number=query.get("revision")
        )
        response = Response(revision.content)
        export = request.accepted_renderer.format
        if export in {"markdown", "pdf"}:
            name = f"forkcast-recommendation-{recommendation.pk}-r{revision.number}"
            extension = "md" if export == "markdown" else "pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
        return response
