"""Seed the demo firm for the embedded default (`make run`): one login per role, and a second
firm so the firm switcher has somewhere to go. Safe to run again: it changes nothing twice."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from projects.models import (
    Client,
    Contact,
    Engagement,
    Firm,
    FollowUp,
    IntakeLink,
    Invitation,
    Membership,
    Role,
    Session,
    User,
)
from projects.services.profiles import profile_version_create
from projects.tenancy.scope import firm_scope
from projects.tokens import new_token

EXAMPLES = Path(__file__).resolve().parents[3] / "advisor" / "engine" / "data" / "examples"

# The article's own examples, as the demo firm's book of work: (client, website, contact, e-mail,
# engagement title, example profile, status, lead, days since it started).
DEMO_ENGAGEMENTS = [
    ("Brightdesk", "https://brightdesk.example", "Maya Torres", "maya@brightdesk.example",
     "Support copilot that knows last week's release", "support-chatbot", "review", "consultant", 21),
    ("Lexwell", "https://lexwell.example", "Daniel Okafor", "daniel@lexwell.example",
     "Case-law research assistant", "legal-research", "delivered", "owner", 48),
    ("Cartly", "https://cartly.example", "Sofia Brandt", "sofia@cartly.example",
     "Sales assistant on the live catalog", "catalog-assistant", "assessment", "consultant", 9),
    ("Parsewise", "https://parsewise.example", "Tom Eriksen", "tom@parsewise.example",
     "Invoice extraction to strict JSON", "strict-json-extractor", "review", "admin", 16),
    ("Tonebook", "https://tonebook.example", "Aisha Rahman", "aisha@tonebook.example",
     "Brand-voice copy generator", "brand-voice-writer", "assessment", "admin", 6),
    ("Quickfill", "https://quickfill.example", "Leo Marchetti", "leo@quickfill.example",
     "Real-time autocomplete under 300 ms", "realtime-autocomplete", "assessment", "consultant", 4),
    ("Nimbus HR", "https://nimbushr.example", "Grace Liu", "grace@nimbushr.example",
     "Onboarding assistant past MVP", "hybrid-past-mvp", "review", "owner", 30),
    ("Sprout Labs", "https://sprout.example", "Ben Carter", "ben@sprout.example",
     "Prototype triage bot", "prototype-no-data", "closed", "consultant", 75),
    ("Huddle", "https://huddle.example", "Priya Nair", "priya@huddle.example",
     "Sales-call summaries without the machinery", "meeting-notes-summariser", "review",
     "consultant", 12),
]  # fmt: skip

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
        with firm_scope(firm):
            if not Client.objects.filter(firm=firm).exists():
                self._seed_engagements(firm, users)
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

    def _seed_engagements(self, firm: Firm, users: dict[str, User]) -> None:
        now = timezone.now()
        # Meetings start on the hour or the half hour, as real ones do.
        today = now.replace(hour=9, minute=0, second=0, microsecond=0)
        by_role = {role: users[email] for email, _name, role in DEMO_USERS}
        for index, row in enumerate(DEMO_ENGAGEMENTS):
            client_name, website, contact, email, title, example, status, lead, age = row
            client = Client.objects.create(firm=firm, name=client_name, website=website)
            Contact.objects.create(
                firm=firm,
                client=client,
                name=contact,
                email=email,
                title="Founder",
                is_primary=True,
            )
            engagement = Engagement.objects.create(
                firm=firm,
                client=client,
                title=title,
                lead=by_role[Role(lead)],
                start_date=(now - timedelta(days=age)).date(),
                target_date=(now + timedelta(days=30 - index)).date(),
            )
            profile = json.loads((EXAMPLES / f"{example}.json").read_text())
            first = dict(profile)
            # Several engagements show a consultant's correction after the founder's answers.
            if index % 3 == 0 and "queries_per_month" in profile:
                first["queries_per_month"] = int(profile["queries_per_month"]) // 2
            # The founder answered through an intake link, as a real one would have.
            sent_at = now - timedelta(days=age)
            _, digest = new_token()
            link = IntakeLink.objects.create(
                firm=firm, engagement=engagement, token_hash=digest, sent_to=email,
                created_by=by_role[Role(lead)], expires_at=sent_at + timedelta(days=14),
            )  # fmt: skip
            IntakeLink.objects.filter(pk=link.pk).update(
                created_at=sent_at,
                started_at=sent_at + timedelta(hours=3),
                last_opened_at=sent_at + timedelta(days=1),
                submitted_at=sent_at + timedelta(days=1),
            )
            profile_version_create(
                firm=firm, engagement=engagement, data=first, source="founder",
                intake_link=link, note="Submitted through the intake link",
            )  # fmt: skip
            if first != profile:
                profile_version_create(
                    firm=firm, engagement=engagement, data=profile, source="consultant",
                    submitted_by=by_role[Role(lead)],
                    consultant_fields=["queries_per_month"],
                    note="Volume confirmed from their analytics export",
                )  # fmt: skip
            self._seed_review_state(firm, engagement, status, by_role, lead, contact, index)
            Engagement.objects.filter(pk=engagement.pk).update(status=status)
            kickoff = Session.objects.create(
                firm=firm,
                engagement=engagement,
                title="Kick-off and discovery",
                starts_at=today - timedelta(days=age - 1) + timedelta(minutes=90 * (index % 5)),
                duration_minutes=60,
                location="Video call",
                attendees=f"{by_role[Role(lead)].full_name}\n{contact} ({client_name})",
                agenda="Goals, users, what the product must know, constraints.",
                notes=(
                    f"## Context\n{profile.get('use_case', '')}\n\n"
                    "## Open questions\n- Where do answers fail today?\n- Who must verify them?"
                ),
                decisions="Run the intake before the architecture call\nShare a sample of real queries",
                created_by=by_role[Role(lead)],
            )
            FollowUp.objects.create(
                firm=firm, session=kickoff, text="Send 50 anonymised real queries",
                owner=contact, due_date=(now + timedelta(days=3)).date(), done=index % 2 == 0,
            )  # fmt: skip
            if status in {"review", "assessment"}:
                Session.objects.create(
                    firm=firm,
                    engagement=engagement,
                    title="Architecture readout",
                    starts_at=today + timedelta(days=2 + index, minutes=30 + 60 * (index % 4)),
                    duration_minutes=45,
                    location="Video call",
                    attendees=f"{by_role[Role(lead)].full_name}\n{contact} ({client_name})",
                    agenda="Verdict, costs, roadmap, next steps.",
                    created_by=by_role[Role(lead)],
                )
        # One engagement still waiting for its founder: an intake link out, no profile yet.
        client = Client.objects.create(
            firm=firm, name="Fieldkit", website="https://fieldkit.example"
        )
        Contact.objects.create(
            firm=firm, client=client, name="Nora Lindqvist", email="nora@fieldkit.example",
            title="CEO", is_primary=True,
        )  # fmt: skip
        waiting = Engagement.objects.create(
            firm=firm, client=client, title="Field-service knowledge assistant",
            lead=by_role[Role.CONSULTANT], start_date=now.date(),
        )  # fmt: skip
        _, digest = new_token()
        IntakeLink.objects.create(
            firm=firm, engagement=waiting, token_hash=digest, sent_to="nora@fieldkit.example",
            created_by=by_role[Role.CONSULTANT], expires_at=now + timedelta(days=14),
        )  # fmt: skip

    def _seed_review_state(
        self,
        firm: Firm,
        engagement: Engagement,
        status: str,
        by_role: dict[str, User],
        lead: str,
        contact: str,
        index: int,
    ) -> None:
        """Give the demo a recommendation at every stage: in review, overridden, approved,
        delivered and acknowledged."""
        from advisor.services.recommendations import (
            current_recommendation,
            override_add,
            recommendation_approve,
            recommendation_deliver,
            review_request,
            share_link_acknowledge,
        )

        recommendation = current_recommendation(firm=firm, engagement=engagement)
        lead_user = by_role[Role(lead)]
        if index == 3:  # the strict-JSON extractor: a consultant's judgement on the staging
            override_add(
                firm=firm, recommendation=recommendation, kind="rule", rule_id="R-EXPLORE",
                value="not_fired",
                justification="Their pilot logged three months of real invoices; the failure "
                "modes are known even if the intake said otherwise.",
                user=lead_user,
            )  # fmt: skip
        if status == "review" and lead != "owner":
            review_request(
                firm=firm, recommendation=recommendation, reviewer=by_role[Role.OWNER],
                user=lead_user,
            )  # fmt: skip
        if status in {"delivered", "closed"}:
            recommendation_approve(firm=firm, recommendation=recommendation, user=lead_user)
            link, _ = recommendation_deliver(
                firm=firm, recommendation=recommendation, user=lead_user
            )
            share_link_acknowledge(firm=firm, link=link, name=contact)
