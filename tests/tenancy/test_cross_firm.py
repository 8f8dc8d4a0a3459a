"""Every firm URL, enumerated from the resolver, aimed at another firm's objects: 404, and not
a trace of the other firm in the body. Routes added later are covered without editing this."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from advisor.services.library import evidence_add
from advisor.services.price_books import active_price_book
from advisor.services.recommendations import (
    current_recommendation,
    override_add,
    recommendation_approve,
    recommendation_deliver,
)
from projects.models import ApiKey, FollowUp, Role
from projects.tenancy.scope import firm_scope
from tests.factories import (
    ClientFactory,
    ContactFactory,
    EngagementFactory,
    IntakeLinkFactory,
    InvitationFactory,
    MembershipFactory,
    SessionFactory,
    profile_version,
)
from tests.reliability.figures import report

pytestmark = pytest.mark.django_db
MARKER = "Rivalmarker"


def firm_patterns() -> list[tuple[str, list[str]]]:
    """(route template, kwarg names) of every pattern under /f/<firm_slug>/."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<slug:firm_slug>" in route:
                    found.append((route, list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def victim(other_firm):
    other_firm.name = f"{MARKER} Partners"
    other_firm.save()
    victim_member = MembershipFactory(
        firm=other_firm, role=Role.CONSULTANT, user__email=f"{MARKER.lower()}@rival.example"
    )
    invitation = InvitationFactory(firm=other_firm, email=f"{MARKER.lower()}-invite@rival.example")
    client = ClientFactory(firm=other_firm, name=f"{MARKER} Client")
    contact = ContactFactory(client=client, name=f"{MARKER} Founder")
    engagement = EngagementFactory(client=client, title=f"{MARKER} engagement")
    session = SessionFactory(engagement=engagement, title=f"{MARKER} session")
    with firm_scope(other_firm):
        follow_up = FollowUp.objects.create(
            firm=other_firm, session=session, text=f"{MARKER} follow-up"
        )
    link = IntakeLinkFactory(engagement=engagement)
    profile_version(engagement, {"name": f"{MARKER} product"})
    victim_owner = MembershipFactory(firm=other_firm, role=Role.OWNER).user
    with firm_scope(other_firm):
        recommendation = current_recommendation(firm=other_firm, engagement=engagement)
        override = override_add(
            firm=other_firm, recommendation=recommendation, kind="verdict", value="hybrid",
            justification=f"{MARKER} justification text", user=victim_owner,
        )  # fmt: skip
        revision = recommendation_approve(
            firm=other_firm, recommendation=recommendation, user=victim_owner
        )
        share_link, _ = recommendation_deliver(
            firm=other_firm, recommendation=recommendation, user=victim_owner
        )
        lib_book = active_price_book(firm=other_firm)
        lib_entry = evidence_add(
            firm=other_firm, evidence_id="E-RIVAL", title=f"{MARKER} claim", claim=MARKER,
            source=MARKER, url="", date="2025", figures=[], user=None,
        )  # fmt: skip
        api_key = ApiKey.objects.create(
            firm=other_firm, name=f"{MARKER} key", prefix="rival000", key_hash="0" * 64
        )
    return {
        "user_id": victim_member.user_id,
        "membership_id": victim_member.pk,
        "invitation_id": invitation.pk,
        "client_id": client.pk,
        "contact_id": contact.pk,
        "engagement_id": engagement.pk,
        "session_id": session.pk,
        "follow_up_id": follow_up.pk,
        "link_id": link.pk,
        "recommendation_id": recommendation.pk,
        "override_id": override.pk,
        "revision_id": revision.pk,
        "share_link_id": share_link.pk,
        "price_book_id": lib_book.pk,
        "evidence_entry_id": lib_entry.pk,
        "api_key_id": api_key.pk,
    }


def build(route: str, firm_slug: str, ids: dict[str, int]) -> str:
    path = "/" + route.replace("<slug:firm_slug>", firm_slug)
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    assert "<" not in path, f"no cross-firm object for a kwarg in {route}: add one to `victim`"
    return path


def test_the_matrix_covers_every_firm_route():
    routes = firm_patterns()
    assert len(routes) >= 25


# --- The one matrix: every route of the resolver × every method × every role ----------------

METHODS = ("get", "post", "put", "patch", "delete")
MEMBERS = (Role.OWNER, Role.ADMIN, Role.CONSULTANT, Role.VIEWER)
HOLDERS = ("intake-link holder", "share-link holder")
KEYS = ("read key", "write key")
ROLES = (*MEMBERS, *HOLDERS, *KEYS)
OWN_INTAKE_TOKEN = "own-intake-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
MISSING_ID = 999_999_999
# The answer with the other firm's id is compared with a missing id's for the methods views
# implement; the others answer 405 (or the role's 403) before any lookup, checked above.
COMPARED = ("get", "post")
API_ID_KINDS = {
    "clients": "client_id",
    "engagements": "engagement_id",
    "recommendations": "recommendation_id",
}


def every_pattern() -> list[tuple[str, dict[str, str], bool]]:
    """(route, {kwarg: converter}, is_regex) of every pattern the root resolver knows."""
    found: list[tuple[str, dict[str, str], bool]] = []

    def walk(patterns, prefix: str, kwargs: dict[str, str]) -> None:
        for p in patterns:
            here = {k: type(v).__name__ for k, v in getattr(p.pattern, "converters", {}).items()}
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), {**kwargs, **here})
            elif isinstance(p, URLPattern):
                regex = isinstance(p.pattern, RegexPattern)
                found.append((prefix + str(p.pattern), {**kwargs, **here}, regex))

    walk(get_resolver().url_patterns, "", {})
    return found


@dataclass
class Target:
    kind: str  # other-firm | own-url-other-ids | other-token | own-page | firm-less
    path: str
    missing: str = ""  # the same path with ids that exist nowhere, to compare answers with
    api: bool = False


def _fill(route: str, values: dict[str, str]) -> str:
    path = "/" + route
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", value, path)
    assert "<" not in path, f"the matrix cannot fill a kwarg of {route}: extend `targets`"
    return path


def targets(firm, other_firm, victim: dict, tokens: dict[str, list[str]]) -> list[Target]:
    """Every request the matrix makes per role and method, from the resolver."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from projects import wizard

    out: list[Target] = []
    for route, kwargs, regex in every_pattern():
        api = route.startswith("api/")
        if regex:  # the API's catch-all 404: anything under /api/ that no route matches
            out.append(Target("other-firm", f"/api/v1/firms/{other_firm.slug}/nothing/", api=True))
            continue
        fixed = {"step": wizard.STEP_SLUGS[0]} if "step" in kwargs else {}
        slug_name = "firm_slug" if "firm_slug" in kwargs else "firm" if "firm" in kwargs else ""
        ints = [k for k, conv in kwargs.items() if conv == "IntConverter"]
        if slug_name:
            # The API names every object `id`: the other firm's id of the kind the route
            # names ("clients/<int:id>/" takes a client's). An id of another kind may belong
            # to one of our own objects in that table, which we may rightly read.
            id_sets = (
                [{"id": str(victim[API_ID_KINDS[route.split("/<int:id>")[0].rsplit("/", 1)[1]]])}]
                if ints == ["id"]
                else [{k: str(victim[k]) for k in ints}]
            )
            for ids in id_sets:
                out.append(
                    Target("other-firm", _fill(route, {slug_name: other_firm.slug, **fixed, **ids}),
                           api=api)
                )  # fmt: skip
                if ints:
                    missing = {k: str(MISSING_ID) for k in ids}
                    own = {slug_name: firm.slug, **fixed}
                    out.append(
                        Target("own-url-other-ids", _fill(route, {**own, **ids}),
                               _fill(route, {**own, **missing}), api=api)
                    )  # fmt: skip
            if not ints:
                # Our own lists and pages: under row-level security alone they must still
                # show nothing of the other firm.
                own_page = _fill(route, {slug_name: firm.slug, **fixed})
                out.append(Target("own-page", own_page, api=api))
        elif "token" in kwargs and "uidb64" not in kwargs:
            kind = route.split("/", 1)[0]  # intake | share | invitations
            for token in tokens[kind]:
                out.append(Target("other-token", _fill(route, {"token": token, **fixed})))
        else:
            values = {"uidb64": urlsafe_base64_encode(force_bytes(victim["user_id"])), "token": "x"}
            out.append(Target("firm-less", _fill(route, {k: values[k] for k in kwargs})))
    return out


@pytest.fixture
def victim_tokens(other_firm, victim) -> dict[str, list[str]]:
    """Tokens aimed at the other firm's links without holding them: what the database stores
    (the hash) and a random token of the right shape."""
    from advisor.models import ShareLink
    from projects.models import IntakeLink, Invitation

    with firm_scope(other_firm):
        hashes = {
            "intake": IntakeLink.objects.get(pk=victim["link_id"]).token_hash,
            "share": ShareLink.objects.get(pk=victim["share_link_id"]).token_hash,
            "invitations": Invitation.objects.get(pk=victim["invitation_id"]).token_hash,
        }
    return {k: [h, secrets.token_urlsafe(32)] for k, h in hashes.items()}


def _attacker(role: str, firm, member, address: str) -> tuple[Client, dict[str, str]]:
    """A client holding one role in the firm `firm` (never in the other one)."""
    from advisor.services.recommendations import (
        current_recommendation,
        recommendation_approve,
        recommendation_deliver,
    )
    from tests.api.conftest import make_key

    client = Client(REMOTE_ADDR=address)
    if role in MEMBERS:
        client.force_login(member(firm, role))
        return client, {}
    if role in KEYS:
        _, secret = make_key(firm, "read" if role == "read key" else "write")
        return client, {"Authorization": f"Bearer {secret}"}
    engagement = EngagementFactory(client=ClientFactory(firm=firm, name="Own client"))
    if role == "intake-link holder":
        IntakeLinkFactory(engagement=engagement, token=OWN_INTAKE_TOKEN)
        assert client.post(f"/intake/{OWN_INTAKE_TOKEN}/").status_code == 302  # bound session
        return client, {}
    profile_version(engagement, {"name": "Own product"})
    approver = member(firm, Role.OWNER)
    with firm_scope(firm):
        recommendation = current_recommendation(firm=firm, engagement=engagement)
        recommendation_approve(firm=firm, recommendation=recommendation, user=approver)
        _, token = recommendation_deliver(firm=firm, recommendation=recommendation, user=approver)
    assert client.get(f"/share/{token}/").status_code == 200  # holds a working share link
    return client, {}


def methods_for(target: Target) -> tuple[str, ...]:
    # Our own pages are read, not changed; firm-less pages (log-in, sign-up) name no firm's
    # object, so they are only checked for the marker, with their two methods.
    return {"own-page": ("get",), "firm-less": ("get", "post")}.get(target.kind, METHODS)


def _send(client: Client, method: str, target_path: str, api: bool, headers, body: dict):
    if method == "get":
        return client.get(target_path, headers=headers)
    if api:
        return getattr(client, method)(
            target_path, json.dumps(body), content_type="application/json", headers=headers
        )
    return getattr(client, method)(
        target_path, urlencode(body), content_type="application/x-www-form-urlencoded",
        headers=headers,
    )  # fmt: skip


@pytest.mark.parametrize("app_filter", [True, False], ids=["app+rls", "rls-only"])
def test_no_role_reaches_another_firm_on_any_route_or_method(
    firm, other_firm, victim, victim_tokens, member, settings, app_filter
):
    """Every route from the resolver × every method × every role, aimed at another firm:
    0 answers in the 2xx range and 0 bodies with the other firm's marker. Run with the
    application's firm filter on, and off so that row-level security alone must hold."""
    from tests.api.conftest import counts

    body = {"name": "X", "title": "Y", "email": "x@example.com", "role": "owner",
            "client": victim["client_id"], "engagement": victim["engagement_id"],
            "justification": "A justification long enough.", "text": "x"}  # fmt: skip
    plan = targets(firm, other_firm, victim, victim_tokens)
    before = counts(other_firm)
    tally = {"attempts": 0, "own-page": 0, "firm-less": 0, "missing-compared": 0}
    statuses: dict[int, int] = {}
    unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1000000/min"}}
    # Rate limits off: a 429 must never stand in for the lookup this matrix is testing.
    with override_settings(
        FORKCAST_APP_FIRM_FILTER=app_filter, RATELIMIT_ENABLE=False, REST_FRAMEWORK=unthrottled
    ):
        for index, role in enumerate(ROLES):
            client, headers = _attacker(role, firm, member, f"10.0.{index}.{int(app_filter)}")
            authenticated_html = role in MEMBERS
            authenticated_api = role in MEMBERS or role in KEYS
            # Firm-less routes last: one of them is the log-out.
            for target in sorted(plan, key=lambda t: t.kind == "firm-less"):
                for method in methods_for(target):
                    response = _send(client, method, target.path, target.api, headers, body)
                    status = response.status_code
                    text = response.content.decode(errors="replace")
                    where = (role, method.upper(), target.path, status)
                    assert MARKER.lower() not in text.lower(), where
                    assert status != 429 and status < 500, where
                    if target.kind in {"own-page", "firm-less"}:
                        tally[target.kind] += 1
                        continue
                    tally["attempts"] += 1
                    statuses[status] = statuses.get(status, 0) + 1
                    assert not 200 <= status < 300, where
                    authenticated = authenticated_api if target.api else authenticated_html
                    if target.kind == "other-firm" and authenticated:
                        assert status in {404, 405}, where
                    if target.kind == "own-url-other-ids" and authenticated and method in COMPARED:
                        # Exactly what an id that exists nowhere gets: existence never leaks.
                        missing = _send(client, method, target.missing, target.api, headers, body)
                        tally["missing-compared"] += 1
                        assert status == missing.status_code, where
    # Whatever was tried, nothing of the other firm changed.
    assert counts(other_firm) == before
    with firm_scope(other_firm):
        from projects.models import Invitation, Membership

        assert Membership.objects.get(pk=victim["membership_id"]).role == Role.CONSULTANT
        assert Invitation.objects.get(pk=victim["invitation_id"]).state == "pending"
    routes = len(every_pattern())
    assert tally["attempts"] >= routes * len(METHODS) * len(ROLES)
    mode = "app filter + RLS" if app_filter else "RLS alone"
    report(
        f"isolation matrix ({mode}): {tally['attempts']} attempts at another firm "
        f"({routes} routes x {len(METHODS)} methods x {len(ROLES)} roles, with every kind "
        f"of id and token), 0 in 2xx, 0 bodies with its marker; answers "
        f"{dict(sorted(statuses.items()))}; plus {tally['own-page']} reads of our own pages "
        f"and {tally['firm-less']} firm-less requests without its marker, "
        f"{tally['missing-compared']} answers identical to a missing id's"
    )


def test_unknown_firm_and_non_member_get_the_same_404(firm, other_firm, member, client_for):
    client = client_for(member(firm))
    not_member = client.get(f"/f/{other_firm.slug}/")
    missing = client.get("/f/no-such-firm/")
    assert not_member.status_code == missing.status_code == 404

    def normalise(content: bytes) -> str:
        # Per-response nonces and CSRF tokens aside, the pages are identical.
        return re.sub(r'(nonce="|X-CSRFToken": ")[^"]+', "", content.decode())

    assert normalise(not_member.content) == normalise(missing.content)
