"""Links and keys under abuse: the founder's intake links and the client's share links, tried
the way an attacker (or an impatient user) would. Every abuse case of the two lives here:

- replay: a submitted intake link thanks the founder and makes nothing more, however it is
  replayed; a share link keeps working, any number of times, until it is revoked or expires;
- concurrency: 20 browsers submitting one intake link at the same instant make one profile
  version; 20 clients on one share link at once acknowledge it once. (20 simultaneous first
  *starts* of one intake link bind one draft: tests/projects/test_intake_concurrency.py, whose
  thread harness this file uses);
- guessing: 1,000 random tokens of the real shape against every intake and share URL: 0 hits;
- expiry and revocation refuse every endpoint, even to a browser already bound to the link;
- rate limits: every token URL answers 429 past its rate per address (the API's per-key
  throttle: tests/api/test_throttling.py);
- log-in lockout (django-axes), per account and address.

Real PostgreSQL under row-level security, the full URL stack through Django's test client,
nothing of ours mocked. The figures go to the run's summary (tests/reliability/figures.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from advisor.models import AuditEvent, Recommendation, ShareLink
from advisor.services.recommendations import (
    current_recommendation,
    recommendation_approve,
    recommendation_deliver,
)
from projects.models import IntakeDraft, IntakeLink, ProfileVersion, Role, User
from projects.services.intake import intake_link_create, intake_link_resend, intake_start
from projects.tenancy.scope import firm_scope
from projects.tokens import new_token
from tests.advisor.review_helpers import SUPPORT_BOT
from tests.factories import (
    ClientFactory,
    EngagementFactory,
    UserFactory,
    profile_version,
)
from tests.projects.test_intake_concurrency import THREADS, _run_at_once
from tests.projects.test_intake_views import fill_every_step, start, step_url, url
from tests.projects.test_intake_wizard import STEP_DATA
from tests.reliability.figures import report

pytestmark = pytest.mark.django_db

GUESSES = 1000
HTMX = {"HTTP_HX_REQUEST": "true"}
ALREADY_IN = "Your answers are already in"
PASSWORD = "correct-horse-battery"  # the factories' password


@pytest.fixture
def lead(firm, member) -> User:
    return member(firm, Role.CONSULTANT, email="lena@acme.example", full_name="Lena Lead")


@pytest.fixture
def intake(firm, lead) -> tuple[IntakeLink, str]:
    """A freshly sent intake link and its raw token, made by the real service."""
    engagement = EngagementFactory(client__firm=firm, client__name="Tidal Labs", lead=lead)
    with firm_scope(firm):
        return intake_link_create(
            firm=firm, engagement=engagement, created_by=lead, email="ceo@tidal.example"
        )


@pytest.fixture
def shared(firm, owner) -> tuple[ShareLink, str]:
    """A delivered revision's share link and its raw token (30 days, the default)."""
    engagement = EngagementFactory(client=ClientFactory(firm=firm, name="Brightdesk"))
    profile_version(engagement, SUPPORT_BOT, source="founder")
    with firm_scope(firm):
        recommendation = current_recommendation(firm=firm, engagement=engagement)
        recommendation_approve(firm=firm, recommendation=recommendation, user=owner)
        return recommendation_deliver(firm=firm, recommendation=recommendation, user=owner)


def address(i: int, block: int = 0) -> str:
    """A distinct client address per i: a botnet, so that no rate limit answers for the lookup."""
    return f"10.{block}.{i // 256 % 256}.{i % 256}"


def token_routes() -> set[str]:
    """The name of every URL keyed by a link's secret token (password-reset links excepted:
    Django signs those, there is nothing stored to guess)."""
    found: set[str] = set()

    def walk(patterns, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                converters = p.pattern.converters
                if "token" in converters and "uidb64" not in converters:
                    found.add(namespace + p.name)

    walk(get_resolver().url_patterns, "")
    return found


def link_state(firm) -> dict[str, object]:
    """Everything a hit on an intake or share link would change, per firm."""
    with firm_scope(firm):
        return {
            "drafts": sorted(IntakeDraft.objects.values_list("pk", "link_id", "updated_at")),
            "links": sorted(
                IntakeLink.objects.values_list("pk", "started_at", "last_opened_at", "submitted_at")
            ),
            "versions": ProfileVersion.objects.count(),
            "share": sorted(ShareLink.objects.values_list("pk", "view_count", "acknowledged_at")),
        }


# --- Replay -------------------------------------------------------------------------------------


def test_a_submitted_intake_link_replayed_every_way_makes_nothing(client, firm, intake):
    """DESIGN: one submission per link. Afterwards every endpoint, from the founder's own bound
    browser or a fresh one, thanks them ("already in", 200) and stores nothing — also once the
    link has expired (being thanked wins over "expired", docs/INTAKE.md)."""
    link, token = intake
    start(client, token)
    fill_every_step(client, token)
    assert client.post(url("submit", token)).status_code == 302
    with firm_scope(firm):
        version = ProfileVersion.objects.get(engagement_id=link.engagement_id)
        [draft] = IntakeDraft.objects.filter(link=link)
    before = link_state(firm)
    changed = {**STEP_DATA["product"], "name": "Replayed name", "action": "next"}
    stranger = Client(REMOTE_ADDR="10.7.7.7")

    def replays() -> list[tuple[str, object]]:
        return [
            ("open again", client.get(url("landing", token))),
            ("submit again", client.post(url("submit", token))),
            ("start again", client.post(url("landing", token))),
            ("step, changed answers", client.post(step_url("product", token), changed)),
            ("review", client.get(url("review", token))),
            ("a new browser starts", stranger.post(url("landing", token))),
            ("a new browser submits", stranger.post(url("submit", token))),
        ]

    for expired in (False, True):
        if expired:
            with firm_scope(firm):
                IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        for what, response in replays():
            assert response.status_code == 200, (what, expired)
            html = response.content.decode()
            assert ALREADY_IN in html and "reopen" in html, (what, expired)
        # An autosave in the background is told the link closed, not handed a whole page.
        save = client.post(url("autosave", token, step="product"), {"name": "Replayed"}, **HTMX)
        assert save.status_code == 410 and "<html" not in save.content.decode()
    assert link_state(firm) == before
    with firm_scope(firm):
        assert list(ProfileVersion.objects.filter(engagement_id=link.engagement_id)) == [version]
        draft.refresh_from_db()
    assert draft.answers["name"] == STEP_DATA["product"]["name"]
    report(
        "link abuse: a submitted intake link replayed 8 ways (open, submit, start, step, review, "
        "autosave; its own and a new browser), before and after expiry: all 'already in', "
        "0 new versions, 0 changed answers"
    )


def assert_share_closed(token: str, heading: str, *, via: tuple[Client, Client, Client]) -> None:
    """A closed share link's page, acknowledgement and PDF (each asked by its own client) all
    answer 410, saying why and whom to ask for a new one."""
    page, acknowledge, pdf = via
    for response in (
        page.get(f"/share/{token}/"),
        acknowledge.post(f"/share/{token}/", {"name": "Too Late"}),
        pdf.get(f"/share/{token}/report.pdf"),
    ):
        assert response.status_code == 410
        html = response.content.decode()
        assert heading in html and "Olga Owner" in html


def test_a_share_link_keeps_working_until_revoked(client, firm, owner, owner_client, shared):
    """DESIGN: a share link is read-only, expiring and revocable — not single-use. It opens as
    often as the client likes, from any browser; the acknowledgement is recorded once. Revoked
    (the consultant's button), it stops — page, acknowledgement and PDF — and only it: another
    link to the same revision still opens."""
    link, token = shared
    with firm_scope(firm):
        recommendation = Recommendation.objects.get(pk=link.revision.recommendation_id)
        _, other_token = recommendation_deliver(
            firm=firm, recommendation=recommendation, user=owner
        )
    browsers = [client, Client(REMOTE_ADDR="10.7.7.8")]
    opened = 0
    for _ in range(3):
        for browser in browsers:
            assert browser.get(f"/share/{token}/").status_code == 200
            opened += 1
    assert browsers[0].post(f"/share/{token}/", {"name": "Maya Torres"}).status_code == 302
    # A second acknowledgement (another person, or a replayed form) changes nothing.
    assert browsers[1].post(f"/share/{token}/", {"name": "Someone Else"}).status_code == 302
    assert browsers[1].get(f"/share/{token}/").status_code == 200
    opened += 1
    with firm_scope(firm):
        link.refresh_from_db()
        acknowledged = AuditEvent.objects.filter(verb="share_link.acknowledged").count()
    assert link.view_count == opened
    assert link.acknowledged_name == "Maya Torres" and acknowledged == 1

    revoke = reverse(
        "projects:share-revoke", kwargs={"firm_slug": firm.slug, "share_link_id": link.pk}
    )
    assert owner_client.post(revoke).status_code == 302
    assert_share_closed(
        token, "This link was withdrawn", via=(browsers[0], browsers[1], browsers[1])
    )
    assert client.get(f"/share/{other_token}/").status_code == 200
    with firm_scope(firm):
        link.refresh_from_db()
    assert link.view_count == opened and link.acknowledged_name == "Maya Torres"
    report(
        f"link abuse: one share link opened {opened} times from 2 browsers and acknowledged "
        "twice: all served, acknowledged once; revoked: page, acknowledgement and PDF 410, "
        "another link to the revision still served"
    )


# --- Concurrency --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_submits_of_one_intake_link_make_one_version(firm, intake):
    """20 browsers, each bound to the link (the founder on every device they own), press
    Submit at the same instant: exactly one profile version and one recommendation; the other
    19 are thanked ("already in") and make nothing. Threads with their own connections."""
    link, token = intake
    browsers = [Client(REMOTE_ADDR=address(i, 20)) for i in range(THREADS)]
    for browser in browsers:
        start(browser, token)
    fill_every_step(browsers[0], token)

    results = _run_at_once(lambda i: browsers[i].post(url("submit", token)))
    assert not [r for r in results if isinstance(r, Exception)], results
    outcomes = Counter(
        "thanks" if r.status_code == 302 and r["Location"] == url("thanks", token)
        else "already in" if r.status_code == 200 and ALREADY_IN in r.content.decode()
        else r.status_code
        for r in results
    )  # fmt: skip
    assert outcomes == {"thanks": 1, "already in": THREADS - 1}, outcomes
    with firm_scope(firm):
        versions = ProfileVersion.objects.filter(engagement_id=link.engagement_id).count()
        recommendations = Recommendation.objects.filter(engagement_id=link.engagement_id).count()
        drafts = list(IntakeDraft.objects.filter(link=link))
        link.refresh_from_db()
    assert versions == 1 and recommendations == 1
    assert len(drafts) == 1 and drafts[0].submitted_at is not None
    assert link.submitted_at is not None
    report(
        f"link abuse: {THREADS} simultaneous submits of one intake link → 1 profile version, "
        f"1 recommendation; 1 thanked by the submission, {THREADS - 1} 'already in', 0 errors"
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_at_once_on_one_share_link_acknowledge_it_once(firm, shared):
    """20 clients on one share link at the same instant: half open the page, half acknowledge
    receipt under different names. Every request is answered, exactly one acknowledgement is
    kept (one name, one audit event), and every view is counted."""
    link, token = shared
    names = {i: f"Reader {i}" for i in range(THREADS) if i % 2}

    def visit(i: int):
        browser = Client(REMOTE_ADDR=address(i, 21))
        if i in names:
            return browser.post(f"/share/{token}/", {"name": names[i]})
        return browser.get(f"/share/{token}/")

    results = _run_at_once(visit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Counter(r.status_code for r in results) == {200: THREADS - len(names), 302: len(names)}
    with firm_scope(firm):
        link.refresh_from_db()
        events = AuditEvent.objects.filter(verb="share_link.acknowledged").count()
    assert link.acknowledged_name in names.values() and events == 1
    # Counted in the database: no simultaneous view is lost.
    assert link.view_count == THREADS - len(names)
    report(
        f"link abuse: {THREADS} clients at once on one share link ({len(names)} acknowledging "
        f"under different names) → all answered, 1 acknowledgement, 1 audit event; "
        f"{link.view_count} of {THREADS - len(names)} simultaneous views counted"
    )


# --- Guessing and rate limits -------------------------------------------------------------------

# Every URL keyed by a link's token: (URL name, its other kwargs, method, requests a minute
# per address — docs/INTAKE.md, docs/RECOMMENDATIONS.md).
INTAKE_ROUTES = (
    ("intake:landing", {}, "get", 30),
    ("intake:landing", {}, "post", 30),
    ("intake:step", {"step": "product"}, "get", 60),
    ("intake:step", {"step": "product"}, "post", 60),
    ("intake:autosave", {"step": "product"}, "post", 120),
    ("intake:review", {}, "get", 60),
    ("intake:submit", {}, "post", 60),
    ("intake:thanks", {}, "get", 60),
)
SHARE_ROUTES = (("share", {}, "get", 60), ("share", {}, "post", 60), ("share-pdf", {}, "get", 30))
INVITATION_ROUTES = (("invitation-accept", {}, "get", 30), ("invitation-accept", {}, "post", 30))


def test_the_route_tables_cover_every_token_url():
    """A token URL added later without a row here fails this, not silently the campaigns."""
    tables = INTAKE_ROUTES + SHARE_ROUTES + INVITATION_ROUTES
    assert {name for name, *_ in tables} == token_routes()


def campaign(routes, total: int, block: int) -> tuple[Counter, int]:
    """A guesser's campaign; every request carries a fresh token from the real generator
    (`new_token`). First, per URL, one address guesses up to its rate, switching between the
    URL's methods (they share one count), and once more: that one must answer 429 with
    Retry-After; a new address right after is not held back. Then guesses from addresses of
    their own, round-robin over the routes, until `total` guesses were made. Every guess must
    answer 404 "This link does not work", naming no firm or client. Returns the guesses'
    statuses and the number of 429s."""
    browser = Client()
    statuses: Counter = Counter()
    fresh = iter(range(1_000_000))
    placeholder = "TOKEN"
    paths = {
        (name, method): reverse(name, kwargs={"token": placeholder, **kwargs})
        for name, kwargs, method, _ in routes
    }

    def guess(route, ip: str):
        name, _, method, _ = route
        path = paths[name, method].replace(placeholder, new_token()[0])
        return getattr(browser, method)(path, {"name": "X"}, REMOTE_ADDR=ip)

    def check(response) -> None:
        statuses[response.status_code] += 1
        body = response.content.decode(errors="replace")
        assert response.status_code == 404, (response.request["PATH_INFO"], response.status_code)
        assert "This link does not work" in body
        assert not any(word in body for word in ("Acme", "Rival", "Tidal", "Brightdesk"))

    per_url: dict[str, list] = {}
    for route in routes:
        per_url.setdefault(route[0], []).append(route)
    for index, group in enumerate(per_url.values()):
        rate, ip = group[0][3], address(index, block + 1)
        for attempt in range(2):
            for n in range(rate):
                check(guess(group[n % len(group)], ip))
            over = guess(group[rate % len(group)], ip)
            if over.status_code != 404 or attempt:
                break
            # The counts run in fixed one-minute windows: one may have ended during the run.
            # A new window has just begun, so a second run fits in it.
            cache.clear()
        assert over.status_code == 429, (group[0][0], over.status_code)
        assert over["Retry-After"] == "60" and "Too many requests" in over.content.decode()
        check(guess(group[0], address(next(fresh), block)))
    while sum(statuses.values()) < total:
        check(guess(routes[sum(statuses.values()) % len(routes)], address(next(fresh), block)))
    return statuses, len(per_url)


def near_misses(token: str, stored_hash: str) -> list[str]:
    """Tokens next to a real one: a character off, cut short, one too many, another case, the
    hash the database stores (a leaked row), and the degenerate ones."""
    other = "A" if token[-1] != "A" else "B"
    return [
        token[:-1] + other,
        token[:-1],
        token + other,
        token.swapcase(),
        stored_hash,
        "nope",
        "x" * 201,
    ]


def test_a_thousand_random_intake_tokens_hit_nothing_and_each_address_is_cut_off(
    client, firm, other_firm, intake
):
    """1,000 random tokens of the real shape against every intake URL and method, while live
    links exist in two firms (one sent, one being answered): 0 hits — all 404, no firm named,
    nothing started, saved or submitted — and each address is cut off at the rate (429)."""
    link, token = intake
    engagement = EngagementFactory(client__firm=other_firm, client__name="Rival Client")
    with firm_scope(other_firm):
        other, _ = intake_link_create(
            firm=other_firm, engagement=engagement, created_by=None, email="a@rival.example"
        )
        intake_start(firm=other_firm, link=other)
    # The same requests do reach a live link: the real token opens its landing page.
    assert client.get(url("landing", token)).status_code == 200
    before = link_state(firm), link_state(other_firm)
    statuses, blocked = campaign(INTAKE_ROUTES, GUESSES, block=1)
    assert statuses == {404: GUESSES}
    misses = near_misses(token, link.token_hash)
    for i, miss in enumerate(misses):
        response = client.post(url("landing", miss), REMOTE_ADDR=address(i, 7))
        assert response.status_code == 404, miss
    assert (link_state(firm), link_state(other_firm)) == before
    report(
        f"link abuse: {GUESSES:,} random intake tokens over {len(INTAKE_ROUTES)} route×method "
        f"pairs → 0 hits ({statuses[404]:,} × 404, none naming a firm), nothing started or "
        f"saved; {len(misses)} near misses of a live token 404 too; one address per URL "
        f"cut off at its rate ({blocked} × 429, Retry-After 60): landing 30/min, wizard, "
        "review, submit, thanks 60/min, autosave 120/min"
    )


def test_a_thousand_random_share_tokens_hit_nothing_and_each_address_is_cut_off(
    client, firm, shared
):
    """The same against the share page (view, acknowledge) and its PDF, with a live link:
    0 hits, no view counted, nothing acknowledged; 429 past the rate."""
    link, token = shared
    assert client.get(f"/share/{token}/").status_code == 200
    before = link_state(firm)
    statuses, blocked = campaign(SHARE_ROUTES, GUESSES, block=3)
    assert statuses == {404: GUESSES}
    misses = near_misses(token, link.token_hash)
    for i, miss in enumerate(misses):
        response = client.get(f"/share/{miss}/", REMOTE_ADDR=address(i, 8))
        assert response.status_code == 404, miss
    assert link_state(firm) == before
    report(
        f"link abuse: {GUESSES:,} random share tokens over {len(SHARE_ROUTES)} route×method "
        f"pairs → 0 hits ({statuses[404]:,} × 404, none naming a firm), 0 views, "
        f"0 acknowledgements; {len(misses)} near misses 404 too; one address per URL cut off "
        f"at its rate ({blocked} × 429): page 60/min, PDF 30/min"
    )


def test_invitation_links_are_cut_off_at_the_rate_too(firm):
    """The third kind of token URL, so that every one is proved rate-limited."""
    statuses, _ = campaign(INVITATION_ROUTES, 0, block=5)  # asserts the 429 itself
    assert set(statuses) == {404}


# --- Expiry and revocation ----------------------------------------------------------------------


def _expire(firm, link: IntakeLink, lead) -> str:
    with firm_scope(firm):
        IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    return "This link has expired"


def _revoke(firm, link: IntakeLink, lead) -> str:
    consultant = Client()
    consultant.force_login(lead)
    kwargs = {"firm_slug": firm.slug, "engagement_id": link.engagement_id, "link_id": link.pk}
    assert consultant.post(reverse("projects:intake-link-revoke", kwargs=kwargs)).status_code == 302
    return "This link was withdrawn"


def _resend(firm, link: IntakeLink, lead) -> str:
    with firm_scope(firm):
        intake_link_resend(firm=firm, link=link, created_by=lead)
    return "This link was withdrawn"


@pytest.mark.parametrize("close", [_expire, _revoke, _resend], ids=["expired", "revoked", "resent"])
def test_a_closed_intake_link_refuses_every_endpoint_even_to_a_bound_browser(
    client, firm, lead, intake, close
):
    """A founder is halfway through when the link expires, is revoked, or is replaced by a
    resend: their own bound browser and a fresh one both get 410 saying what happened and whom
    to contact, on every endpoint; nothing is saved or submitted, and the answers so far are
    kept."""
    link, token = intake
    start(client, token)
    next_step = client.post(step_url("product", token), {**STEP_DATA["product"], "action": "next"})
    assert next_step.status_code == 302
    with firm_scope(firm):
        [draft] = IntakeDraft.objects.filter(engagement_id=link.engagement_id)
    heading = close(firm, link, lead)
    before = link_state(firm)
    stranger = Client(REMOTE_ADDR="10.7.7.9")
    changed = {**STEP_DATA["knowledge"], "action": "next"}
    pages = [
        stranger.get(url("landing", token)),
        stranger.post(url("landing", token)),
        stranger.get(step_url("product", token)),
        client.get(url("landing", token)),
        client.post(url("landing", token)),
        client.get(step_url("knowledge", token)),
        client.post(step_url("knowledge", token), changed),
        client.get(url("review", token)),
        client.post(url("submit", token)),
        client.get(url("thanks", token)),
    ]
    for response in pages:
        assert response.status_code == 410, response.request["PATH_INFO"]
        html = response.content.decode()
        assert heading in html and "Lena Lead" in html and "lena@acme.example" in html
    save = client.post(url("autosave", token, step="knowledge"), changed, **HTMX)
    assert save.status_code == 410 and "<html" not in save.content.decode()
    assert link_state(firm) == before
    with firm_scope(firm):
        assert not ProfileVersion.objects.filter(engagement_id=link.engagement_id).exists()
        draft.refresh_from_db()
    assert draft.submitted_at is None and draft.answers["name"] == STEP_DATA["product"]["name"]
    assert "knowledge_change" not in draft.answers


def test_a_share_link_expires_on_time(client, firm, owner, shared):
    """Expiry is checked on every request: a minute left, served; a second past, the page, the
    acknowledgement and the PDF all answer 410, saying so and whom to ask. It is that link's
    expiry: another link to the same revision keeps working."""
    link, token = shared
    with firm_scope(firm):
        recommendation = Recommendation.objects.get(pk=link.revision.recommendation_id)
        _, other_token = recommendation_deliver(
            firm=firm, recommendation=recommendation, user=owner
        )
        ShareLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() + timedelta(minutes=1)
        )
    assert client.get(f"/share/{token}/").status_code == 200
    with firm_scope(firm):
        ShareLink.objects.filter(pk=link.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert_share_closed(token, "This link has expired", via=(client, client, client))
    assert client.get(f"/share/{other_token}/").status_code == 200
    with firm_scope(firm):
        link.refresh_from_db()
    assert link.view_count == 1 and link.acknowledged_at is None


# --- Log-in lockout -----------------------------------------------------------------------------


def test_failed_logins_lock_the_account_at_that_address(client, settings):
    """django-axes: AXES_FAILURE_LIMIT failures lock that account from that address — even the
    right password then answers 429 — while the same account from another address, and
    another account from this one, still log in. A success before the limit resets the count."""
    login = reverse("login")
    UserFactory(email="lock@example.com")
    UserFactory(email="other@example.com")
    limit = settings.AXES_FAILURE_LIMIT
    below = limit - 1

    def attempt(email: str, password: str, ip: str = "127.0.0.1") -> str:
        browser = Client(REMOTE_ADDR=ip)
        response = browser.post(login, {"username": email, "password": password})
        if "_auth_user_id" in browser.session:
            return "in"
        return {200: "refused", 429: "locked"}.get(response.status_code, str(response.status_code))

    # Below the limit, a success wipes the slate: as many failures again do not lock.
    assert [attempt("lock@example.com", "wrong") for _ in range(below)] == ["refused"] * below
    assert attempt("lock@example.com", PASSWORD) == "in"
    assert [attempt("lock@example.com", "wrong") for _ in range(below)] == ["refused"] * below
    assert attempt("lock@example.com", "wrong") == "locked"  # the limit-th failure locks
    locked = client.post(login, {"username": "lock@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert attempt("lock@example.com", PASSWORD, ip="10.9.8.6") == "in"
    assert attempt("other@example.com", PASSWORD) == "in"
    report(
        f"log-in: {limit} failures lock the account at that address (then 429, even with the "
        "right password); another address and another account unaffected"
    )


def test_one_address_is_slowed_across_accounts_and_reset_mails(mailoutbox):
    """Axes counts per account; the per-address limits stop one address spraying passwords
    over many accounts, or setting off reset e-mails, beyond their rate — and only it."""
    from config.urls import LOGIN_RATE, RESET_RATE

    logins, resets = int(LOGIN_RATE.split("/")[0]), int(RESET_RATE.split("/")[0])
    sprayer = Client(REMOTE_ADDR="10.20.0.1")
    statuses = [
        sprayer.post(reverse("login"), {"username": f"u{i}@example.com", "password": "guess"})
        .status_code
        for i in range(logins + 3)
    ]  # fmt: skip
    assert statuses == [200] * logins + [429] * 3
    UserFactory(email="me@example.com")
    assert Client(REMOTE_ADDR="10.20.0.2").post(
        reverse("login"), {"username": "me@example.com", "password": PASSWORD}
    ).status_code == 302  # fmt: skip
    UserFactory(email="reset@example.com")
    flood = Client(REMOTE_ADDR="10.20.0.3")
    reset = [
        flood.post(reverse("password_reset"), {"email": "reset@example.com"}).status_code
        for _ in range(resets + 2)
    ]
    assert reset == [302] * resets + [429] * 2
    assert len(mailoutbox) == resets
    report(
        f"log-in: one address cut off after {logins} attempts a minute across accounts (429), "
        f"password-reset e-mails after {resets}; other addresses unaffected"
    )
