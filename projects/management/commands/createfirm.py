"""`manage.py createfirm SLUG --name NAME --owner EMAIL [--password PW]`: make a firm and its
owner, for scripting and operations. The owner's account is created when it does not exist.

Bad input exits 2 with a one-line reason (never a traceback); success says what was made.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from projects.models import Firm, User
from projects.services.firms import RESERVED_SLUGS, firm_create

EXIT_INVALID = 2


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_INVALID)


class Command(BaseCommand):
    help = "Create a firm with an owner (the owner's account is created if missing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the firm's address: /f/SLUG/ and /api/v1/firms/SLUG/")
        parser.add_argument("--name", help="the firm's name (required)")
        parser.add_argument("--owner", help="the owner's e-mail address (required)")
        parser.add_argument(
            "--password",
            help="password for a new owner account (without it the account has no password "
            "until its owner resets it); ignored for an existing account",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, name = options["slug"].strip(), (options["name"] or "").strip()
        email = (options["owner"] or "").strip().lower()
        password = options["password"]
        self._check(slug, name, email)
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            created_user = user is None
            if created_user:
                user = User(email=email)
                if password:
                    try:
                        validate_password(password, user)
                    except ValidationError as error:
                        raise _fail("--password: " + " ".join(error.messages)) from None
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save()
            try:
                firm = firm_create(name=name, owner=user, slug=slug)
            except ValidationError as error:
                raise _fail(" ".join(error.messages)) from None
        who = "new account" if created_user else "existing account"
        self.stdout.write(f"Created firm {firm.slug} ({firm.name}); owner {email} ({who}).")
        if created_user and not password:
            self.stdout.write("The owner has no password yet: use “Forgot password” to set one.")
        elif not created_user and password:
            self.stdout.write("--password ignored: the account already exists.")

    def _check(self, slug: str, name: str, email: str) -> None:
        problems = []
        try:
            validate_slug(slug)
            if len(slug) > Firm._meta.get_field("slug").max_length:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(
                "SLUG must be letters, digits, hyphens or underscores, at most 50 characters"
            )
        else:
            if slug in RESERVED_SLUGS:
                problems.append(f"SLUG {slug!r} is reserved")
            elif Firm.objects.filter(slug=slug).exists():
                problems.append(f"SLUG {slug!r} is taken by another firm")
        if not name:
            problems.append("--name is required")
        elif len(name) > Firm._meta.get_field("name").max_length:
            problems.append("--name must be at most 120 characters")
        try:
            validate_email(email)
        except ValidationError:
            problems.append("--owner must be an e-mail address")
        if problems:
            raise _fail("; ".join(problems))
