"""`manage.py grounding_eval`: how well does the grounding check catch planted errors?

Runs a corpus of synthetic draft sentences (advisor/data/grounding_eval/*.json, built from the
engine's example profiles) through the same per-sentence check the drafting job uses, and
prints precision and recall of "flagged" against "an error was planted", overall and per kind
of error (wrong figures, invented evidence ids, mangled units, figures cited under the wrong
field, claims with nothing checkable in them), then every miss and every false alarm.

`--mode text` checks each sentence as free text, ignoring its citations (what
`grounding_check` does), to show what scoping by citation adds. No database.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import advisor
from advisor.engine import ENGINE_VERSION, assess, load_evidence, load_price_book
from advisor.grounding import build_facts, check_sentence, check_text

EXIT_INVALID = 2
CORPUS = Path(advisor.__file__).resolve().parent / "data" / "grounding_eval"
EXAMPLES = Path(advisor.__file__).resolve().parent / "engine" / "data" / "examples"


@dataclass(frozen=True)
class Outcome:
    case: str
    text: str
    planted: str | None
    flagged: bool
    reasons: tuple[str, ...]


def evaluate(corpus: Path = CORPUS, *, mode: str = "sentences") -> tuple[list[Outcome], list[str]]:
    """Every case's outcome, and warnings (a corpus built on another engine version)."""
    files = sorted(corpus.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no corpus files in {corpus}")
    book = load_price_book()
    evidence = [e.to_dict() for e in load_evidence()]
    outcomes: list[Outcome] = []
    warnings: list[str] = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("engine_version") != ENGINE_VERSION:
            warnings.append(
                f"{path.name} was built on engine {data.get('engine_version')}, this is "
                f"{ENGINE_VERSION}: its clean cases may no longer match the figures"
            )
        profile = json.loads((EXAMPLES / f"{data['profile']}.json").read_text(encoding="utf-8"))
        assessment = assess(profile, book, as_of=date.fromisoformat(data["as_of"])).to_dict()
        facts = build_facts(assessment, evidence, price_book=book.to_dict())
        for case in data["cases"]:
            if mode == "text":
                findings = check_text(case["text"], facts)
                problems = [f for f in findings if not f.supported]
            else:
                problems = list(
                    check_sentence(
                        case["text"], facts, fields=case["fields"], evidence=case["evidence"]
                    ).problems
                )
            outcomes.append(
                Outcome(
                    case=case["id"],
                    text=case["text"],
                    planted=case.get("planted"),
                    flagged=bool(problems),
                    reasons=tuple(f"{p.written}: {p.reason}".lstrip(": ") for p in problems),
                )
            )
    return outcomes, warnings


def scores(outcomes: list[Outcome]) -> dict[str, Any]:
    tp = sum(1 for o in outcomes if o.planted and o.flagged)
    fp = sum(1 for o in outcomes if not o.planted and o.flagged)
    fn = sum(1 for o in outcomes if o.planted and not o.flagged)
    tn = sum(1 for o in outcomes if not o.planted and not o.flagged)
    by_kind: dict[str, dict[str, int]] = {}
    planted = Counter(o.planted for o in outcomes if o.planted)
    for kind, total in sorted(planted.items()):
        caught = sum(1 for o in outcomes if o.planted == kind and o.flagged)
        by_kind[kind] = {"planted": total, "flagged": caught}
    return {
        "cases": len(outcomes),
        "planted": tp + fn,
        "clean": fp + tn,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "true_negatives": tn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "by_kind": by_kind,
    }


class Command(BaseCommand):
    help = "Measure the grounding check's precision and recall on drafts with planted errors."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--corpus", default=str(CORPUS), help="folder of corpus JSON files")
        parser.add_argument(
            "--mode",
            choices=("sentences", "text"),
            default="sentences",
            help="check within each sentence's citations (as drafts are) or as free text",
        )
        parser.add_argument("--json", action="store_true", help="print the scores as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcomes, warnings = evaluate(Path(options["corpus"]), mode=options["mode"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot run the corpus: {exc}", returncode=EXIT_INVALID) from exc
        result = scores(outcomes)
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        if options["json"]:
            self.stdout.write(json.dumps({"mode": options["mode"], **result}, indent=2))
            return
        self.stdout.write(
            f"Grounding check, {options['mode']} mode: {result['cases']} sentences, "
            f"{result['planted']} with a planted error, {result['clean']} clean."
        )
        self.stdout.write(
            f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
            f"(flagged {result['true_positives']} of {result['planted']} planted errors; "
            f"{result['false_positives']} false "
            f"alarm{'s' if result['false_positives'] != 1 else ''})"
        )
        for kind, counts in result["by_kind"].items():
            self.stdout.write(f"  {kind:<18} {counts['flagged']:>3} of {counts['planted']} flagged")
        misses = [o for o in outcomes if o.planted and not o.flagged]
        alarms = [o for o in outcomes if not o.planted and o.flagged]
        if misses:
            self.stdout.write("Missed:")
            for o in misses:
                self.stdout.write(f"  {o.case} [{o.planted}] {o.text}")
        if alarms:
            self.stdout.write("False alarms:")
            for o in alarms:
                self.stdout.write(f"  {o.case} {o.text} — {'; '.join(o.reasons)}")
