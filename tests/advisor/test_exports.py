"""The report's exports: Markdown to paste into an e-mail, and a PDF that is the same every time."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader

from advisor.charts import break_even_facts, money
from advisor.engine import OPTIONS, PROFILE_FIELDS, assess, load_evidence, load_price_book
from advisor.exports import _no_fetch, report_markdown, report_pdf
from advisor.report_content import OPTION_LABELS, report_content

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "advisor/engine/data/examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))
VERDICT_WHY = "The client's team cannot run training this year, so retrieval ships first."
START_WHY = "Ship retrieval first; the brand voice waits for logged failures."


@cache
def _assessed(path: str) -> str:
    profile = json.loads(Path(path).read_text())
    return json.dumps(assess(profile, load_price_book(), as_of=date(2026, 11, 25)).to_dict())


def content(
    path: Path | str = EXAMPLES_DIR / "hybrid-past-mvp.json",
    *,
    overrides: bool = True,
    revision: bool = True,
) -> dict:
    a = json.loads(_assessed(str(path)))
    evidence = [
        {
            "id": e.id,
            "title": e.title,
            "claim": e.claim,
            "source": e.source,
            "date": e.date,
            "url": e.url,
        }
        for e in load_evidence()
    ]
    return report_content(
        assessment=a,
        firm={
            "name": "Northwind AI Advisory",
            "brand_name": "Northwind Advisory",
            "accent": "#0f766e",
            "logo_data_uri": "",
        },
        client_name="Nimbus HR",
        engagement_title="Onboarding assistant",
        profile_version=2,
        overrides=[
            {
                "kind": "verdict",
                "rule_id": "",
                "value": "rag",
                "original": a["verdict"],
                "justification": VERDICT_WHY,
                "by": "Olivia Hart",
                "at": "2026-11-24T16:00:00Z",
            },
            {
                "kind": "start_with",
                "rule_id": "",
                "value": "rag",
                "original": a["start_with"],
                "justification": START_WHY,
                "by": "Olivia Hart",
                "at": "2026-11-24T16:01:00Z",
            },
        ]
        if overrides
        else [],
        narrative="## Executive summary\n\nWe recommend **RAG** first.\n",
        evidence=evidence,
        revision={
            "number": 3,
            "approved_at": "2026-11-25T10:00:00+00:00",
            "approved_by": "Olivia Hart",
        }
        if revision
        else None,
    )


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("\u2019", "'")


# ---- Markdown ----------------------------------------------------------------------------------


def test_markdown_carries_verdict_overrides_and_key_figures() -> None:
    c = content()
    md = report_markdown(c)
    a = c["assessment"]
    assert md.startswith("# Onboarding assistant")
    assert "**Client:** Nimbus HR" in md and "**Revision 3**, approved 25 Nov 2026" in md
    assert f"**Verdict:** {OPTION_LABELS['rag']}" in md
    assert f"the engine said {OPTION_LABELS[a['verdict']]} — {VERDICT_WHY}" in md
    assert START_WHY in md
    for option in OPTIONS:
        assert money(a["costs"]["options"][option]["total_usd"]) in md
    for fact in break_even_facts(a, "rag"):
        assert fact.sentence in md
    labels = {spec.name: spec.label for spec in PROFILE_FIELDS}
    assert all(labels[item["field"]] in md for item in a["assumptions"])
    assert all(f"**{e['id']}**" in md for e in c["evidence"])
    # The narrative sits under the report's own headings.
    assert "### Executive summary" in md and "\n## Executive summary" not in md
    for stage in a["roadmap"]:
        assert stage["title"] in md


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_markdown_for_every_example_is_stable(path: Path) -> None:
    c = content(path, overrides=False)
    first = report_markdown(c)
    assert first == report_markdown(json.loads(json.dumps(c)))
    assert OPTION_LABELS[c["assessment"]["verdict"]] in first
    assert "Overridden" not in first
    budget = c["assessment"]["profile"]["latency_p95_budget_ms"]
    assert ("none set" in first) == (budget is None)


def test_markdown_escapes_pipes_in_table_cells() -> None:
    c = content(overrides=False)
    c["assessment"]["assumptions"][0]["value"] = "a | b"
    row = next(line for line in report_markdown(c).splitlines() if "a \\| b" in line)
    assert row.count(" | ") == 2  # three cells, the pipe in the value escaped


def test_a_draft_says_so_in_markdown() -> None:
    assert "**Draft** — not yet approved" in report_markdown(content(revision=False))


# ---- PDF ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return report_pdf(content())


def test_pdf_holds_the_report(pdf: bytes) -> None:
    c = content()
    reader = PdfReader(io.BytesIO(pdf))
    assert pdf.startswith(b"%PDF-")
    assert len(reader.pages) >= 2
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert OPTION_LABELS[c["effective"]["verdict"]] in text
    assert "Nimbus HR" in text
    assert money(c["assessment"]["costs"]["options"]["rag"]["total_usd"]) in text
    assert VERDICT_WHY in text
    assert "Page 1 of" in text
    # Charts are drawn into the PDF: their axis labels are real text.
    assert "Months" in text and "Working days" in text
    # Evidence ids in the rule trace jump to their sources inside the document.
    targets = {
        str(annot.get_object().get("/Dest"))
        for page in reader.pages
        for annot in page.get("/Annots") or []
    }
    assert "ev-e-adopt" in targets


def test_pdf_is_byte_identical_across_renders(pdf: bytes) -> None:
    assert report_pdf(content()) == pdf


def test_pdf_dates_are_the_revisions_not_the_clocks(pdf: bytes) -> None:
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info["/CreationDate"].startswith("D:20261125100000")
    assert info["/ModDate"] == info["/CreationDate"]
    assert info["/Title"] == "Onboarding assistant — Nimbus HR"


def test_pdf_is_identical_in_another_process(pdf: bytes) -> None:
    """Hash randomisation changes set and dict-of-set order between processes; the bytes must
    not depend on it."""
    script = (
        "import sys, django; django.setup();"
        "import importlib.util as u;"
        "spec = u.spec_from_file_location('t', 'tests/advisor/test_exports.py');"
        "m = u.module_from_spec(spec); spec.loader.exec_module(m);"
        "from advisor.exports import report_pdf;"
        "sys.stdout.buffer.write(report_pdf(m.content()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=180,
    ).stdout
    assert out == pdf


def test_a_draft_pdf_has_no_dates_says_draft_and_fetches_nothing() -> None:
    with pytest.raises(ValueError, match="no external resources"):
        _no_fetch("https://example.com/logo.png")
    c = content(overrides=False, revision=False)
    c["firm"]["logo_data_uri"] = "https://example.com/logo.png"  # not a data URI: dropped
    c["firm"]["accent"] = "red; } body { display: none"  # not a colour: the default is used
    reader = PdfReader(io.BytesIO(report_pdf(c)))
    assert "/CreationDate" not in (reader.metadata or {})
    assert len(reader.pages) >= 2
    assert "Draft" in flat(reader.pages[0].extract_text())
