"""`manage.py createapikey SLUG [--name NAME] [--scope read|write] [--expires-days N]`: make an
API key for a firm. The key is printed as the LAST line of the output, alone, so scripts can
take it with `| tail -n 1`; it is shown this once (only its hash is stored).

Bad input exits 2 with a one-line reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from projects.models import ApiKeyScope, Firm
from projects.services.api_keys import api_key_create
from projects.tenancy.scope import firm_scope

EXIT_INVALID = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_INVALID)


class Command(BaseCommand):
    help = "Create an API key for a firm and print it (the last line of the output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the firm's slug")
        parser.add_argument("--name", default="Command line", help="what will use the key")
        parser.add_argument(
            "--scope", default=ApiKeyScope.READ, help="read (default) or write (read and write)"
        )
        parser.add_argument(
            "--expires-days", default=None, help="days until the key expires (default: never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        firm = Firm.objects.filter(slug=options["slug"]).first()
        if firm is None:
            raise _fail(f"no firm with the slug {options['slug']!r}")
        scope = options["scope"]
        if scope not in ApiKeyScope.values:
            raise _fail(f"--scope must be read or write, not {scope!r}")
        expires_at = None
        if options["expires_days"] is not None:
            days = str(options["expires_days"])
            if not days.isdigit() or not 1 <= int(days) <= 3650:
                raise _fail(f"--expires-days must be a whole number from 1 to 3650, not {days!r}")
            expires_at = timezone.now() + timedelta(days=int(days))
        try:
            with firm_scope(firm):
                key, secret = api_key_create(
                    firm=firm, name=options["name"], scope=scope, expires_at=expires_at
                )
        except ValidationError as error:
            raise _fail(" ".join(error.messages)) from None
        expiry = f"expires {key.expires_at:%Y-%m-%d}" if key.expires_at else "never expires"
        self.stdout.write(
            f"Created the {key.get_scope_display().lower()} API key “{key.name}” for "
            f"{firm.slug} ({expiry}). It is shown once; keep it secret:"
        )
        self.stdout.write(secret)
