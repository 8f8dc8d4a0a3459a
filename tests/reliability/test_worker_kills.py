"""A real Celery worker process on Redis, SIGKILLed mid-task 20 times at random points: every
narrative-drafting job still completes exactly once — one draft per job, one "drafted" audit
event per job, no message left in the broker — and a rolled-back transaction enqueues nothing.

Two ways of dying are alternated, because two settings answer them:
- the pool process running the task is killed (the OOM killer's way): its parent notices and,
  with `task_reject_on_worker_lost`, requeues the unacknowledged message at once;
- the whole worker is killed, parent and child (a lost machine): nothing is left to requeue,
  so Redis hands the message to the next worker once it is older than the broker's
  `visibility_timeout` (an hour in production, 1 s here so the run takes a minute).
Both rely on `task_acks_late`: a message is acknowledged only after its task ran.

The worker drafts through the real `openai` client against the fake server on loopback, whose
answers take long enough for kills to land before, during and after the model call.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from advisor.models import AuditEvent, NarrativeDraft, Recommendation
from projects.models import ProfileVersion
from projects.tenancy.scope import firm_scope
from tests.advisor.fake_openai import FakeOpenAI, Reply, completion
from tests.conftest import REDIS_TEST_BROKER
from tests.factories import ClientFactory, EngagementFactory, profile_version
from tests.reliability.figures import report

ROOT = Path(__file__).resolve().parents[2]
JOBS = 24  # more jobs than kills, so a kill never finds the queue already empty
KILLS = 20
HANG = 0.6  # seconds each model call takes
SEED = int(os.environ.get("RELIABILITY_SEED") or random.SystemRandom().randrange(10**6))
DRAFT = json.dumps(
    {
        "executive_summary": [
            {"text": "We recommend this architecture.", "fields": ["verdict"], "evidence": []}
        ],
        "why_this_architecture": [],
        "risks": [],
        "next_steps": [],
    }
)


@pytest.fixture
def broker(redis_broker):  # type: ignore[no-untyped-def]
    """The app switched from eager to the test's Redis database, for this process's producers."""
    return redis_broker


@pytest.fixture
def fake_llm(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    server = FakeOpenAI().start()
    server.answer(Reply(body=completion(DRAFT), hang=HANG))
    try:
        yield server
    finally:
        server.stop()


class Worker:
    """`celery worker` in its own process group, so the whole of it can be killed at once."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        out = self.log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
             "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO", "--hostname=killtest@%h"],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def pool_process(self, timeout: float = 30) -> int:
        """The pid of the prefork child that runs tasks."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = path.read_text().split() if path.exists() else []
            if children:
                return int(children[0])
            time.sleep(0.05)
        raise AssertionError("the worker never started its pool process:\n" + self.tail())

    def kill_pool_process(self) -> None:
        os.kill(self.pool_process(), signal.SIGKILL)

    def kill_everything(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


def _worker_env(fake: FakeOpenAI) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": REDIS_TEST_BROKER,  # the test's own Redis database, never db 0
        "CELERY_BROKER_VISIBILITY_TIMEOUT": "1",
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_MODEL": "fake-model-1",
        "OPENAI_TIMEOUT_SECONDS": "3",
        "OPENAI_MAX_RETRIES": "0",
        # A killed delivery's claim goes stale after 3 + 0.5 s instead of a minute and more.
        "NARRATIVE_CLAIM_MARGIN_SECONDS": "0.5",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_twenty_sigkills_mid_task_lose_and_duplicate_nothing(broker, fake_llm, tmp_path):
    firm = ClientFactory().firm
    engagements = [
        EngagementFactory(client=ClientFactory(firm=firm, name=f"Client {i}")) for i in range(JOBS)
    ]
    for engagement in engagements:  # each commits, and queues its drafting job on commit
        profile_version(engagement, {"name": "Support copilot", "knowledge_change": "weekly"})
    assert broker.llen("celery") == JOBS

    # A transaction rolled back after queueing: its job never reaches the broker.
    ghost = EngagementFactory(client=ClientFactory(firm=firm, name="Ghost"))
    with pytest.raises(RuntimeError), transaction.atomic():
        profile_version(ghost, {"name": "Never committed"})
        raise RuntimeError("the request failed after the profile was saved")
    assert broker.llen("celery") == JOBS

    rng = random.Random(SEED)
    worker = Worker(_worker_env(fake_llm), tmp_path / "worker.log")
    kills = {"pool process": 0, "whole worker": 0}
    mid_call = 0
    started = time.monotonic()
    worker.start()
    try:
        for i in range(KILLS):
            seen = len(fake_llm.requests)
            # Wait for a job to reach the model, then kill at a random point from there on:
            # during the call (before HANG), while the answer is checked and stored, or
            # while the next job is being claimed.
            assert _wait(lambda n=seen: len(fake_llm.requests) > n, 60), worker.tail()
            offset = rng.uniform(0, 2 * HANG)
            time.sleep(offset)
            mid_call += offset < HANG
            if i % 3 != 2:
                worker.kill_pool_process()
                kills["pool process"] += 1
            else:
                worker.kill_everything()
                kills["whole worker"] += 1
                worker.start()

        def finished() -> bool:
            with firm_scope(firm):
                states = list(Recommendation.objects.values_list("narrative_state", flat=True))
            return len(states) == JOBS and set(states) == {"done"}

        assert _wait(finished, 120), worker.tail()
        # Nothing left in the broker: no job waiting, none held unacknowledged.
        assert _wait(lambda: broker.llen("celery") == 0 and not broker.hlen("unacked"), 60)
    finally:
        worker.stop()
    wall = time.monotonic() - started

    with firm_scope(firm):
        drafts = list(NarrativeDraft.objects.values_list("recommendation_id", "state", "source"))
        drafted = AuditEvent.objects.filter(verb="narrative.drafted").count()
        failed = AuditEvent.objects.filter(verb="narrative.draft_failed").count()
        recommendations = Recommendation.objects.count()
        assert not ProfileVersion.objects.filter(engagement=ghost).exists()
    assert recommendations == JOBS  # the rolled-back profile made no recommendation
    assert len(drafts) == JOBS and len({r for r, _, _ in drafts}) == JOBS  # one draft a job
    assert {(state, source) for _, state, source in drafts} == {("done", "llm")}
    assert (drafted, failed) == (JOBS, 0)  # applied exactly once each
    calls = len(fake_llm.requests)
    assert calls >= JOBS
    report(
        f"workers: {sum(kills.values())} SIGKILLs ({kills['pool process']} pool process, "
        f"{kills['whole worker']} whole worker; {mid_call} during the model call) over {JOBS} "
        f"jobs: {JOBS} completed once each, 0 duplicate drafts, 0 lost, 0 left in the broker; "
        f"{calls} model calls; rolled-back transaction enqueued 0; {wall:.0f} s (seed {SEED})"
    )
