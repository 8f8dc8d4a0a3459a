"""Fixtures of the advisor tests: an engagement and its draft recommendation (the support bot).
Modules that need another engagement define their own fixture of the same name."""

from __future__ import annotations

import pytest

from advisor.services.recommendations import current_recommendation
from projects.tenancy.scope import firm_scope
from tests.advisor.review_helpers import SUPPORT_BOT
from tests.factories import ClientFactory, EngagementFactory, profile_version


@pytest.fixture
def engagement(firm):  # type: ignore[no-untyped-def]
    return EngagementFactory(client=ClientFactory(firm=firm, name="Brightdesk"), title="Support")


@pytest.fixture
def draft(firm, engagement):  # type: ignore[no-untyped-def]
    profile_version(engagement, SUPPORT_BOT, source="founder")
    with firm_scope(firm):
        return current_recommendation(firm=firm, engagement=engagement)
