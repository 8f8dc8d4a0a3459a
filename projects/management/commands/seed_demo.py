"""Seed the demo firm for the embedded default (`make run`): one login per role, and a second
firm so the firm switcher has somewhere to go. Safe to run again: it changes nothing twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from projects.models import Firm, Invitation, Membership, Role, User
from projects.tenancy.scope import firm_scope
from projects.tokens import new_token

DEMO_PASSWORD = "forkcast-demo"  # noqa: S105 (published demo login)
DEMO_USERS = [
    ("owner@northwind.example", "Olivia Hart", Role.OWNER),
    ("admin@northwind.example", "Arjun Mehta", Role.ADMIN),
    ("consultant@northwind.example", "Chloe Dubois", Role.CONSULTANT),
    ("viewer@northwind.example", "Victor Nguyen", Role.VIEWER),
]


class Command(BaseCommand):
    help = "Create the demo firm and its users (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        firm, _ = Firm.objects.get_or_create(
            slug="northwind",
            defaults={
                "name": "Northwind AI Advisory",
                "display_name": "Northwind Advisory",
                "accent_colour": "#4f46e5",
            },
        )
        second, _ = Firm.objects.get_or_create(
            slug="harbor-labs",
            defaults={"name": "Harbor Labs", "accent_colour": "#0f766e"},
        )
        users = {}
        for email, name, _role in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
            users[email] = user
        with firm_scope(firm):
            for email, _name, role in DEMO_USERS:
                Membership.objects.get_or_create(
                    firm=firm, user=users[email], defaults={"role": role}
                )
            if not Invitation.objects.filter(firm=firm).exists():
                _, digest = new_token()
                Invitation.objects.create(
                    firm=firm,
                    email="maya.lopez@northwind.example",
                    role=Role.CONSULTANT,
                    token_hash=digest,
                    invited_by=users["owner@northwind.example"],
                    expires_at=timezone.now() + timedelta(days=7),
                )
        with firm_scope(second):
            Membership.objects.get_or_create(
                firm=second, user=users["owner@northwind.example"], defaults={"role": Role.ADMIN}
            )

        self.stdout.write(
            self.style.SUCCESS("Demo firm ready: Northwind AI Advisory (/f/northwind/)")
        )
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/accounts/login/ — password: {DEMO_PASSWORD}"
        )
        for email, _name, role in DEMO_USERS:
            self.stdout.write(f"  {role.label:<11} {email}")
