"""The application's URLs plus the benchmark's baseline: a trivial JSON view.

The baseline goes through exactly the middleware stack, database settings (one transaction per
request) and URL resolution every page does, and does nothing itself; every timing of the
benchmark is a ratio against it.
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping", ping, name="bench-ping"), *app_urlpatterns]
