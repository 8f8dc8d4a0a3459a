"""/api/docs/: Swagger UI on the OpenAPI schema, served offline from drf-spectacular-sidecar.

drf-spectacular's split view already loads its start-up script as a file (our CSP allows no
inline script); its page also carries a small inline <style>, which our CSP would block, so the
page is rendered here with that style under the request's CSP nonce.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

PAGE = """{% extends "drf_spectacular/swagger_ui.html" %}
{% block head %}
<title>{{ title|default:"Forkcast API" }}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{% if favicon_href %}<link rel="icon" href="{{ favicon_href }}">{% endif %}
<link rel="stylesheet" href="{{ swagger_ui_css }}">
<style nonce="{{ request.csp_nonce }}">
  html { box-sizing: border-box; overflow-y: scroll; }
  *, *:after, *:before { box-sizing: inherit; }
  body { background: #fafafa; margin: 0; }
</style>
{% endblock head %}
"""


class ApiDocsView(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        if request.GET.get("script") is not None:
            return response  # the start-up script, a JavaScript file
        page = engines["django"].from_string(PAGE)
        return HttpResponse(page.render(response.data, request._request))
