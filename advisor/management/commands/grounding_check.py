"""`manage.py grounding_check PROFILE.json NARRATIVE.txt`: check any text against the
assessment of a profile, as the narrative drafter checks an LLM draft.

For text written outside Forkcast (a proposal, an e-mail): one line per figure or evidence id
found — as written, `supported` or `unsupported`, and what it matched — then a summary line.
Firm-independent: the engine's default price book and the shipped evidence library, no
database. Exit 0 when the check ran (whatever it found), 2 on bad input, never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.engine import ProfileError, UnknownPriceBook, assess, load_evidence, load_price_book
from advisor.engine.pricebook import PriceBookError
from advisor.grounding import build_facts, check_text, summarise

EXIT_INVALID = 2
WIDTH = 28


class Command(BaseCommand):
    help = (
        "Check every figure and evidence id in a text against the assessment of a profile "
        "(default price book and evidence library)."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("profile", help="path to the profile JSON file")
        parser.add_argument("narrative", help="path to the text to check ('-' reads stdin)")
        parser.add_argument("--price-book", default="openai-2024", help="price book slug")
        parser.add_argument(
            "--as-of", default=None, help="date the lifecycle guard compares against (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = self._as_of(options["as_of"])
        try:
            book = load_price_book(options["price_book"])
        except (UnknownPriceBook, PriceBookError) as exc:
            raise CommandError(str(exc), returncode=EXIT_INVALID) from exc
        raw = self._read(options["profile"], "profile")
        try:
            profile = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"profile file {options['profile']} is not valid JSON: {exc.msg} at line "
                f"{exc.lineno}, column {exc.colno}",
                returncode=EXIT_INVALID,
            ) from exc
        text = self._read(options["narrative"], "narrative")
        try:
            assessment = assess(profile, book, as_of=as_of).to_dict()
        except ProfileError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            count = len(exc.lines())
            raise CommandError(
                f"invalid profile: {count} problem{'s' if count != 1 else ''}",
                returncode=EXIT_INVALID,
            ) from exc
        facts = build_facts(
            assessment, [e.to_dict() for e in load_evidence()], price_book=book.to_dict()
        )
        findings = check_text(text, facts)
        width = min(WIDTH, max((len(f.written) for f in findings), default=0))
        for finding in findings:
            status = "supported" if finding.supported else "unsupported"
            if finding.supported:
                detail = finding.matched
            else:
                detail = finding.reason + (
                    f" (found: {finding.matched})" if finding.matched else ""
                )
            self.stdout.write(f"{finding.written:<{width}}  {status:<11}  {detail}")
        counts = summarise(findings)
        if not findings:
            self.stdout.write("No figures or evidence ids found.")
            return
        self.stdout.write(
            f"{counts['figures']} figure{'s' if counts['figures'] != 1 else ''} and "
            f"{counts['ids']} id{'s' if counts['ids'] != 1 else ''} checked against "
            f"{assessment['price_book']}: {counts['supported']} supported, "
            f"{counts['unsupported']} unsupported."
        )

    def _as_of(self, raw: str | None) -> date | None:
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(
                f"--as-of must be a date as YYYY-MM-DD, not {raw!r}", returncode=EXIT_INVALID
            ) from exc

    def _read(self, path: str, what: str) -> str:
        try:
            if path == "-":
                return sys.stdin.read()
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise CommandError(
                f"cannot read {what} file {path}: {reason}", returncode=EXIT_INVALID
            ) from exc
