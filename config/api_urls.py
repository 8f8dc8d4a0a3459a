"""/api/: the OpenAPI schema, its interactive docs, and version 1 of the firm API.

Mounted by the root URLconf as `path("api/", include("config.api_urls"))`. Anything under
/api/ that matches no route answers the API's JSON 404, never the HTML error page.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from advisor.api.docs import ApiDocsView
from advisor.api.errors import not_found

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/firms/<slug:firm>/", include("advisor.api.urls")),
    re_path(r"^", not_found),
]
