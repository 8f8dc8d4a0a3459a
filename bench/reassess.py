"""Re-assessment at scale: a price-book change re-assesses every open engagement of a firm
through real Celery worker processes on Redis, in chunks, compared with the engine alone
looping over the same profiles in one process.

The clock starts when the new book is activated (the service queues `reassess_firm` on
commit) and stops at the newest recommendation written on that book, read from the database,
so polling adds nothing. The narrative drafting jobs each new draft queues are a separate job
(DESIGN §2.4) and are purged once re-assessment is done, so they neither count nor pile up.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db.models import Max
from django.utils import timezone

from advisor.engine import assess
from advisor.models import PriceBookVersion, Recommendation
from advisor.services.library import price_book_activate
from advisor.services.price_books import active_price_book, price_book_from_version
from bench.common import Figure
from projects.models import Firm, ProfileVersion
from projects.tenancy.scope import firm_scope

ROOT = Path(__file__).resolve().parents[1]
WORKER_PROCESSES = 2
TIMEOUT_S = 240
# The end time is read from the database, so a slow poll costs no precision, only CPU the
# workers would otherwise have (a count over a growing table).
POLL_S = 1.0


class Workers:
    """`celery worker` (prefork, WORKER_PROCESSES children) on the benchmark's Redis db."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Workers:
        from config.celery_app import app

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
            "--concurrency", str(WORKER_PROCESSES), "--loglevel", "WARNING",
            "--hostname", f"bench-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited; see {self.log}")
            replies = app.control.ping(timeout=0.5)
            if len(replies) >= 1:
                return self
        raise RuntimeError(f"celery worker did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _new_book(firm: Firm, step: int) -> PriceBookVersion:
    """The next version of the firm's book with gpt-4o's input price raised: a price change."""
    with firm_scope(firm):
        current = active_price_book(firm=firm)
        data = copy.deepcopy(current.data)
        latest = PriceBookVersion.objects.filter(firm=firm, slug=current.slug).count()
        data["version"] = latest + 1
        price = data["models"]["gpt-4o"]["prices"]["input"]
        price["usd_per_1m_tokens"] = round(price["usd_per_1m_tokens"] + 0.25 * step, 2)
        return PriceBookVersion.objects.create(
            firm=firm, slug=current.slug, version=latest + 1, name=current.name, data=data,
            is_active=False, change_note=f"bench price change {step}",
        )  # fmt: skip


def _open_count(firm: Firm) -> int:
    from advisor.services.reassessment import open_engagement_ids

    with firm_scope(firm):
        return len(open_engagement_ids(firm=firm))


def _purge() -> int:
    from config.celery_app import app

    return app.control.purge() or 0


def reassess_run(firm: Firm, step: int) -> dict[str, float]:
    """Activate a changed book and wait until every open engagement has a recommendation on
    it; returns the engagement count and the seconds it took."""
    expected = _open_count(firm)
    book = _new_book(firm, step)
    _purge()
    start = timezone.now()
    with firm_scope(firm):
        price_book_activate(firm=firm, version=book)
    deadline = time.monotonic() + TIMEOUT_S
    done = 0
    while time.monotonic() < deadline:
        time.sleep(POLL_S)
        with firm_scope(firm):
            done = Recommendation.objects.filter(firm=firm, price_book=book).count()
        if done >= expected:
            break
    else:
        raise RuntimeError(f"re-assessment did not finish in {TIMEOUT_S} s: {done}/{expected}")
    with firm_scope(firm):
        newest = Recommendation.objects.filter(firm=firm, price_book=book).aggregate(
            last=Max("created_at")
        )["last"]
    purged = _purge()  # the narrative jobs the new drafts queued
    return {
        "engagements": expected,
        "seconds": round((newest - start).total_seconds(), 3),
        "narrative_jobs_purged": purged,
    }


def engine_loop(firm: Firm) -> dict[str, float]:
    """The engine alone over the same profiles, on the active book, in this one process:
    `assess(...).to_dict()` per profile — the result in the form that is stored."""
    with firm_scope(firm):
        book = price_book_from_version(version=active_price_book(firm=firm))
        rows = list(
            ProfileVersion.objects.filter(firm=firm)
            .order_by("engagement_id", "-number")
            .distinct("engagement_id")
            .values_list("profile", "consultant_fields")
        )
    as_of = timezone.localdate()
    start = time.perf_counter()
    for profile, consultant_fields in rows:
        assess(profile, book, as_of=as_of, consultant_fields=consultant_fields).to_dict()
    return {"profiles": len(rows), "seconds": round(time.perf_counter() - start, 3)}


def figures(small: dict, large: dict, engine: dict) -> list[Figure]:
    return [
        Figure(
            f"re-assess {small['engagements']:,} / engine-only loop",
            round(small["seconds"] / engine["seconds"], 3),
            2.0,
            detail={"reassess": small, "engine_loop": engine, "workers": WORKER_PROCESSES},
        ),
        Figure(
            f"re-assess {large['engagements']:,} / {small['engagements']:,}",
            round(large["seconds"] / small["seconds"], 3),
            2.2,
            detail={"large": large, "small": small},
        ),
    ]
