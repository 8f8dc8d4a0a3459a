"""`make bench`: every figure of issue 9 in one run, written to bench/results.json and printed
as a table, target by target.

Usage: `.venv/bin/python bench/run.py [--size N]` (`make bench`, `make bench BENCH_SIZE=2000`
for a quick look). N is the smaller re-assessment portfolio; the larger one is 2N.

It (re)creates its own database `forkcast_bench` as the application role (no superuser, no
RLS bypass) and uses Redis db 13, so it never touches the test suite's or a developer's data.
Timings are ratios against a trivial JSON view measured in the same run; see
docs/PERFORMANCE.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench import settings as bench_settings  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
LOGS = ROOT / "bench" / "logs"
ADMIN_URL = "postgresql://forkcast_app:forkcast_app@127.0.0.1:5432/postgres"


def fresh_database() -> None:
    """Drop and recreate forkcast_bench as forkcast_app (which has CREATEDB), then migrate."""
    import psycopg
    import redis

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute("DROP DATABASE IF EXISTS forkcast_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE forkcast_bench")
    redis.Redis.from_url(os.environ.get("REDIS_URL", bench_settings.BENCH_REDIS_URL)).flushdb()


def machine() -> dict[str, object]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import redis

    info = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "postgresql": pg,
        "redis": info.get("redis_version"),
        "platform": platform.platform(),
    }


def table(figures: list) -> str:
    rows = [("figure", "measured", "target", "result")]
    for f in figures:
        value = f"{f.value:g}{f.unit if f.unit == 'x' else ' ' + f.unit if f.unit else ''}"
        target = f"{f.op} {f.target:g}" if f.target is not None and f.op else "(reported)"
        result = {True: "pass", False: "FAIL", None: "-"}[f.passed]
        rows.append((f.name, value, target, result))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=int(os.environ.get("BENCH_SIZE", "10000")))
    args = parser.parse_args()
    started = time.monotonic()
    LOGS.mkdir(exist_ok=True)
    stages: dict[str, float] = {}

    def stage(name: str, t0: float) -> float:
        now = time.monotonic()
        stages[name] = round(now - t0, 1)
        print(f"  {name}: {stages[name]} s", flush=True)
        return now

    print("bench: fresh database forkcast_bench, Redis db 13", flush=True)
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    t = stage("database", started)

    from bench import load, pages, reassess
    from bench.seed import bench_firm, grow

    figures = []
    bench = bench_firm("bench")
    figures += pages.query_counts(bench)
    t = stage("query counts (10 and 1,000 engagements)", t)
    figures += pages.timings(bench)
    t = stage("page, what-if, API and engine timings", t)
    figures += load.load(bench.firm.slug, bench.api_secret, LOGS / "gunicorn.log")
    t = stage("load through gunicorn", t)

    scale = bench_firm("scale")
    grow(scale.firm, args.size - 1, open_only=True)
    t = stage(f"seed {args.size:,} engagements", t)
    engine = reassess.engine_loop(scale.firm)
    t = stage("engine-only loop", t)
    with reassess.Workers(LOGS / "celery.log"):
        small = reassess.reassess_run(scale.firm, 1)
        t = stage(f"re-assess {small['engagements']:,}", t)
        grow(scale.firm, args.size, start=args.size, open_only=True)
        t = stage(f"seed {args.size:,} more", t)
        large = reassess.reassess_run(scale.firm, 2)
        t = stage(f"re-assess {large['engagements']:,}", t)
    figures += reassess.figures(small, large, engine)

    total = round(time.monotonic() - started, 1)
    results = {
        "measured": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": machine(),
        "size": args.size,
        "seconds_total": total,
        "stages_seconds": stages,
        "figures": [f.to_dict() for f in figures],
    }
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(table(figures))
    missed = [f.name for f in figures if f.passed is False]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures meet their target "
          f"({sum(f.passed is not None for f in figures)} have one); {total} s in all; "
          f"written to {RESULTS.relative_to(ROOT)}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
