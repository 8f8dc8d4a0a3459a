"""Routes under /api/v1/firms/<firm>/ (mounted by config/api_urls.py; namespace `api`).

Every view is a `FirmApiView`, so every route here goes through the choke point.
"""

from django.urls import path

from advisor.api import clients, engagements, evaluator, library, recommendations

app_name = "api"

urlpatterns = [
    path("clients/", clients.ClientListApi.as_view(), name="client-list"),
    path("clients/<int:id>/", clients.ClientDetailApi.as_view(), name="client-detail"),
    path("engagements/", engagements.EngagementListApi.as_view(), name="engagement-list"),
    path(
        "engagements/<int:id>/",
        engagements.EngagementDetailApi.as_view(),
        name="engagement-detail",
    ),
    path(
        "engagements/<int:id>/profiles/",
        engagements.ProfileVersionListApi.as_view(),
        name="profile-list",
    ),
    path(
        "recommendations/",
        recommendations.RecommendationListApi.as_view(),
        name="recommendation-list",
    ),
    path(
        "recommendations/<int:id>/",
        recommendations.RecommendationDetailApi.as_view(),
        name="recommendation-detail",
    ),
    path(
        "recommendations/<int:id>/report/",
        recommendations.RecommendationReportApi.as_view(),
        name="recommendation-report",
    ),
    path("evaluate", evaluator.EvaluateApi.as_view(), name="evaluate"),
    path("price-books/", library.PriceBookListApi.as_view(), name="price-book-list"),
    path("evidence/", library.EvidenceListApi.as_view(), name="evidence-list"),
]
