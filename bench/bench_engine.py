"""Benchmark: one full engine assessment against one trivial request through Django's stack.

Run `.venv/bin/python bench/bench_engine.py` (or `make bench`). A trivial JSON view is served by a
URLconf defined here, through the project's full middleware stack via `django.test.Client`; it
is timed in interleaved rounds against `assess()` of a representative profile (the hybrid
example, 24-month horizon). Medians per round are compared; the target is one assessment in at
most half a trivial request. Results are merged into bench/results.json under "engine".
"""

import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from advisor.engine import ENGINE_VERSION, assess, load_price_book  # noqa: E402

TARGET_RATIO = 0.5
ROUNDS = 25
PER_ROUND = 40
RESULTS = ROOT / "bench" / "results.json"
PROFILE_FILE = ROOT / "advisor" / "engine" / "data" / "examples" / "hybrid-past-mvp.json"
AS_OF = datetime.date(2025, 1, 1)


def ping(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/ping", ping)]


def per_call(fn, n):
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> int:
    profile = {**json.loads(PROFILE_FILE.read_text()), "horizon_months": 24}
    book = load_price_book()
    result = assess(profile, book, as_of=AS_OF)
    assert result.verdict == "hybrid", result.verdict

    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["*"]):
        client = Client()
        response = client.get("/bench/ping")
        assert response.status_code == 200, response.status_code

        def request():
            client.get("/bench/ping")

        def assessment():
            assess(profile, book, as_of=AS_OF)

        def assessment_json():
            json.dumps(assess(profile, book, as_of=AS_OF).to_dict())

        for _ in range(3):  # warm up caches and code paths
            per_call(request, PER_ROUND)
            per_call(assessment, PER_ROUND)
        requests, assessments, with_json = [], [], []
        for _ in range(ROUNDS):  # interleaved, so drift hits both sides alike
            requests.append(per_call(request, PER_ROUND))
            assessments.append(per_call(assessment, PER_ROUND))
            with_json.append(per_call(assessment_json, PER_ROUND))

    request_s = statistics.median(requests)
    assess_s = statistics.median(assessments)
    json_s = statistics.median(with_json)
    ratio = assess_s / request_s
    figures = {
        "engine_version": ENGINE_VERSION,
        "profile": PROFILE_FILE.name,
        "horizon_months": 24,
        "rounds": ROUNDS,
        "calls_per_round": PER_ROUND,
        "assessment_ms": round(assess_s * 1000, 4),
        "assessments_per_second": round(1 / assess_s, 1),
        "assessment_with_to_dict_json_ms": round(json_s * 1000, 4),
        "trivial_request_ms": round(request_s * 1000, 4),
        "ratio": round(ratio, 4),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "python": platform.python_version(),
        "measured": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged["engine"] = figures
    RESULTS.write_text(json.dumps(merged, indent=2) + "\n")

    print(f"assessment:        {figures['assessment_ms']:.3f} ms")
    print(f"assessments/s:     {figures['assessments_per_second']:.0f}")
    print(f"+ to_dict + json:  {figures['assessment_with_to_dict_json_ms']:.3f} ms")
    print(f"trivial request:   {figures['trivial_request_ms']:.3f} ms")
    verdict = "meets" if figures["meets_target"] else "MISSES"
    print(f"ratio:             {ratio:.3f} ({verdict} the {TARGET_RATIO} target)")
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
