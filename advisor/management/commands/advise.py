"""`manage.py advise PROFILE.json`: run the engine on a profile file and print the assessment.

A thin door onto `advisor.engine` (DESIGN §4): it never touches the database, so it works on a
fresh checkout with nothing migrated. Every failure exits 2 with a one-line reason per problem on
stderr — an invalid profile gets one `field: message` line per bad field — never a traceback.
"""

import json
import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from advisor.engine import (
    ProfileError,
    UnknownPriceBook,
    assess,
    load_price_book,
    render_markdown,
)
from advisor.engine.pricebook import PriceBookError

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Assess a product profile (JSON file) and print the recommendation as JSON or Markdown."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("profile", help="path to the profile JSON file ('-' reads stdin)")
        parser.add_argument("--price-book", default="openai-2024", help="price book slug")
        parser.add_argument("--format", choices=("json", "markdown"), default="json")
        parser.add_argument(
            "--as-of", default=None, help="date the lifecycle guard compares against (YYYY-MM-DD)"
        )

    def handle(self, *args, **options):
        as_of = self._as_of(options["as_of"])
        try:
            price_book = load_price_book(options["price_book"])
        except UnknownPriceBook as exc:
            raise CommandError(str(exc), returncode=EXIT_INVALID) from exc
        except PriceBookError as exc:
            raise CommandError(f"broken price book: {exc}", returncode=EXIT_INVALID) from exc
        data = self._read(options["profile"])
        try:
            assessment = assess(data, price_book, as_of=as_of)
        except ProfileError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            count = len(exc.lines())
            raise CommandError(
                f"invalid profile: {count} problem{'s' if count != 1 else ''}",
                returncode=EXIT_INVALID,
            ) from exc
        if options["format"] == "markdown":
            self.stdout.write(render_markdown(assessment))
        else:
            self.stdout.write(json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False))

    def _as_of(self, raw: str | None) -> date | None:
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(
                f"--as-of must be a date as YYYY-MM-DD, not {raw!r}", returncode=EXIT_INVALID
            ) from exc

    def _read(self, path: str):
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise CommandError(
                f"cannot read profile file {path}: {reason}", returncode=EXIT_INVALID
            ) from exc
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"profile file {path} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}",
                returncode=EXIT_INVALID,
            ) from exc
