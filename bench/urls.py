"""The application's URLs plus the benchmark's baselines: trivial JSON views.

Each surface is timed against a view that does nothing itself but passes everything a request
of that surface passes before its own work begins:
- `bench/ping`: the middleware stack, URL resolution and the per-request transaction — Django's
  own floor, against which the engine is measured;
- `bench/<firm>/ping`: that, plus the HTML choke point (`firm_view`: session login, firm,
  membership, role, the firm's row-level-security scope) — the floor of every firm page;
- `api/v1/bench/<firm>/ping`: that, plus the API choke point (`FirmApiView`: key
  authentication, firm, scope, throttle, rendering; no savepoint, as it changes nothing,
  like the evaluator) — the floor of every API call.
"""

from typing import ClassVar

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import FirmApiView
from config.urls import urlpatterns as app_urlpatterns
from projects.tenancy.views import firm_view


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@firm_view()
def firm_ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


class ApiPing(FirmApiView):
    writes: ClassVar[bool] = False

    def get(self, request: Request, firm: str) -> Response:
        return Response({"ok": True})

    post = get


urlpatterns = [
    path("bench/ping", ping, name="bench-ping"),
    path("bench/<slug:firm_slug>/ping", firm_ping, name="bench-firm-ping"),
    path("api/v1/bench/<slug:firm>/ping", ApiPing.as_view(), name="bench-api-ping"),
    *app_urlpatterns,
]
