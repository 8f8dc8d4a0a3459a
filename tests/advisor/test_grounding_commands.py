"""The grounding check's two commands: `grounding_check` on any text, and `grounding_eval` on
the corpus of drafts with planted errors. Neither touches the database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
SUPPORT_BOT = ROOT / "advisor/engine/data/examples/support-chatbot.json"
# The eval's floors. The corpus plants 12 errors no figure check can see (claims without a
# number, a monthly figure written "a day", a value that exists inside an over-broad
# citation): recall cannot pass ~0.89, and a floor of 0.85 leaves room for one regression to
# show without hiding a real one. Precision guards the consultant's attention: more than one
# false alarm in twenty and "Accept" becomes a reflex, which is worse than no check.
MIN_RECALL = 0.85
MIN_PRECISION = 0.95


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_grounding_check_reports_each_figure_and_id_then_a_summary(tmp_path):
    text = tmp_path / "narrative.txt"
    text.write_text(
        "Over 24 months RAG costs about $36,432 ($0.03 per query); retrieval adds 10–500 ms "
        "(E-LATENCY). Gartner (E-GARTNER) says hosting is $40,000 a month.",
        encoding="utf-8",
    )

    out, _ = run("grounding_check", str(SUPPORT_BOT), str(text))

    lines = out.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [
        ["24", "months"],
        ["$36,432", "supported"],
        ["$0.03", "supported"],
        ["10", "supported"],
        ["500", "ms"],
        ["E-LATENCY", "supported"],
        ["E-GARTNER", "unsupported"],
        ["$40,000", "unsupported"],
    ]
    assert "costs.options.rag.total_usd = 36431.69" in lines[1]
    assert "no such entry in the evidence library" in lines[6]
    assert lines[-1] == (
        "6 figures and 2 ids checked against openai-2024@1: 6 supported, 2 unsupported."
    )


def test_grounding_check_on_text_without_figures_says_so(tmp_path):
    text = tmp_path / "narrative.txt"
    text.write_text("We recommend retrieval.", encoding="utf-8")

    out, _ = run("grounding_check", str(SUPPORT_BOT), str(text))

    assert out.strip() == "No figures or evidence ids found."


@pytest.mark.parametrize(
    "profile, narrative, message",
    [
        ("missing.json", "narrative.txt", "cannot read profile file"),
        ("bad.json", "narrative.txt", "is not valid JSON"),
        ("invalid.json", "narrative.txt", "invalid profile: 2 problems"),
        ("support", "missing.txt", "cannot read narrative file"),
    ],
)
def test_grounding_check_exits_2_on_bad_input_with_a_clear_message(
    tmp_path, profile, narrative, message
):
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "invalid.json").write_text('{"name": 3, "stage": "x"}', encoding="utf-8")
    (tmp_path / "narrative.txt").write_text("$1", encoding="utf-8")
    profile_path = str(SUPPORT_BOT) if profile == "support" else str(tmp_path / profile)

    with pytest.raises(CommandError, match=message) as error:
        run("grounding_check", profile_path, str(tmp_path / narrative))

    assert error.value.returncode == 2


def test_grounding_check_exits_2_through_manage_py_without_a_traceback(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "manage.py", "grounding_check", str(tmp_path / "nope.json"), "x.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read profile file" in result.stderr and "Traceback" not in result.stderr


def test_grounding_eval_scores_the_corpus_above_its_floors():
    out, err = run("grounding_eval", "--json")
    scores = json.loads(out)

    assert err == ""  # the corpus matches this engine version
    assert scores["cases"] >= 200 and scores["planted"] >= 100 and scores["clean"] >= 100
    assert scores["recall"] >= MIN_RECALL, scores
    assert scores["precision"] >= MIN_PRECISION, scores
    # Every kind of planted error a figure check can see is caught every time.
    for kind in ("invented_evidence", "miscited"):
        assert scores["by_kind"][kind]["flagged"] == scores["by_kind"][kind]["planted"]


def test_checking_within_citations_catches_more_than_checking_free_text():
    sentences = json.loads(run("grounding_eval", "--json")[0])
    text = json.loads(run("grounding_eval", "--json", "--mode", "text")[0])

    assert sentences["recall"] > text["recall"]
    assert text["by_kind"]["miscited"]["flagged"] == 0  # only citations can tell


def test_grounding_eval_prints_precision_recall_and_the_misses():
    out, _ = run("grounding_eval")

    assert "precision 0.9" in out and "recall 0.8" in out
    assert "Missed:" in out and "[unsupported_claim]" in out
