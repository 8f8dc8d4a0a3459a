"""factory-boy factories. Firm-owned rows are created inside their firm's scope, as the
database's row-level-security policy demands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from projects.models import (
    Client,
    Contact,
    Engagement,
    Firm,
    IntakeLink,
    Invitation,
    Membership,
    Role,
    Session,
    User,
)
from projects.tenancy.scope import firm_scope
from projects.tokens import token_hash


class FirmOwnedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        with firm_scope(kwargs["firm"]):
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct-horse-battery")


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")


class MembershipFactory(FirmOwnedFactory):
    class Meta:
        model = Membership

    firm = factory.SubFactory(FirmFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CONSULTANT


class InvitationFactory(FirmOwnedFactory):
    class Meta:
        model = Invitation
        exclude = ("token",)

    firm = factory.SubFactory(FirmFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.CONSULTANT
    token = factory.Sequence(lambda n: f"token-{n}-abcdefghijklmnopqrstuvwxyz")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ClientFactory(FirmOwnedFactory):
    class Meta:
        model = Client

    firm = factory.SubFactory(FirmFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    website = "https://client.example"


class ContactFactory(FirmOwnedFactory):
    class Meta:
        model = Contact

    firm = factory.SelfAttribute("client.firm")
    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"founder{n}@startup.example")
    is_primary = True


class EngagementFactory(FirmOwnedFactory):
    class Meta:
        model = Engagement

    firm = factory.SelfAttribute("client.firm")
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Architecture review {n}")


class SessionFactory(FirmOwnedFactory):
    class Meta:
        model = Session

    firm = factory.SelfAttribute("engagement.firm")
    engagement = factory.SubFactory(EngagementFactory)
    title = "Kick-off"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    duration_minutes = 60


class IntakeLinkFactory(FirmOwnedFactory):
    class Meta:
        model = IntakeLink
        exclude = ("token",)

    firm = factory.SelfAttribute("engagement.firm")
    engagement = factory.SubFactory(EngagementFactory)
    token = factory.Sequence(lambda n: f"intake-{n}-abcdefghijklmnopqrstuvwxyz")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    sent_to = "founder@startup.example"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def profile_version(engagement: Engagement, profile: dict | None = None, **kwargs: Any):
    """A valid profile version through the real service (validation and numbering included)."""
    from projects.services.profiles import profile_version_create

    with firm_scope(engagement.firm):
        return profile_version_create(
            firm=engagement.firm,
            engagement=engagement,
            data=profile or {"name": "Helpdesk copilot", "knowledge_change": "weekly"},
            source=kwargs.pop("source", "consultant"),
            **kwargs,
        )
