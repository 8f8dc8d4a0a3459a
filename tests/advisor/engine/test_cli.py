"""`manage.py advise`: JSON and Markdown output, exit status 2 with reasons, no database."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from advisor.engine import ENGINE_VERSION

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "advisor" / "engine" / "data" / "examples" / "support-chatbot.json"


def advise(*args):
    out, err = StringIO(), StringIO()
    call_command("advise", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args):
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("advise", *[str(a) for a in args], stdout=StringIO(), stderr=err)
    assert info.value.returncode == 2
    return str(info.value), err.getvalue()


def test_json_output_is_the_assessment(tmp_path):
    out, _ = advise(EXAMPLE, "--as-of", "2025-03-01")
    data = json.loads(out)
    assert list(data)[:4] == ["schema_version", "engine_version", "price_book", "as_of"]
    assert data["as_of"] == "2025-03-01"
    assert data["engine_version"] == ENGINE_VERSION
    assert data["price_book"] == "openai-2024@1"
    assert data["verdict"] == "rag"
    assert out.startswith("{\n  ")  # pretty-printed


def test_markdown_output():
    out, _ = advise(EXAMPLE, "--format", "markdown", "--price-book", "openai-2024")
    assert out.startswith("# Support chatbot")
    assert "## Roadmap" in out


def test_invalid_profile_lists_every_field_and_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "", "stage": "launch", "horizon_months": 0, "x": 1}))
    message, err = failing(path)
    assert "invalid profile: 4 problems" in message
    lines = err.strip().splitlines()
    assert lines == [
        "name: must not be blank",
        "stage: must be one of: idea, prototype, mvp, growth, scale",
        "horizon_months: must be a whole number from 1 to 60",
        "x: is not a profile field",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "invalid profile"),
    ],
)
def test_broken_files(tmp_path, content, expected):
    path = tmp_path / "p.json"
    path.write_text(content)
    message, _ = failing(path)
    assert expected in message


def test_missing_file_unknown_book_and_bad_date(tmp_path):
    assert "cannot read profile file" in failing(tmp_path / "missing.json")[0]
    assert "unknown price book 'nope'" in failing(EXAMPLE, "--price-book", "nope")[0]
    assert "--as-of must be a date" in failing(EXAMPLE, "--as-of", "2025-02-30")[0]


def test_subprocess_runs_without_a_database(tmp_path):
    db = tmp_path / "never-created.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    ok = subprocess.run(
        [sys.executable, "manage.py", "advise", str(EXAMPLE), "--as-of", "2025-01-01"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verdict"] == "rag"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "queries_per_month": -1, "hosting": "cloud"}))
    failed = subprocess.run(
        [sys.executable, "manage.py", "advise", str(bad)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 2
    assert "queries_per_month: must be a whole number of 0 or more" in failed.stderr
    assert "hosting: must be one of: hosted_api, self_hosted" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert failed.stdout == ""
    assert not db.exists()
