"""The library pages through the full URL stack: who may read and write, forms that keep what
was typed, HTMX fragments, and another firm's objects answering 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from advisor import library_urls
from advisor.models import AuditEvent, EvidenceEntry, PriceBookVersion
from advisor.services import library
from advisor.services.library import ChangeDefaults, price_book_change
from advisor.services.price_books import active_price_book, price_book_for_firm
from projects.models import Role
from projects.tenancy.scope import firm_scope

pytestmark = pytest.mark.django_db


def url(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})


@pytest.fixture(autouse=True)
def reassess_calls(monkeypatch):
    calls: list[dict] = []
    monkeypatch.setattr(library, "reassess_firm_on_commit", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def book(firm):
    with firm_scope(firm):
        return active_price_book(firm=firm)


@pytest.fixture
def admin_client(firm, member, client_for):
    return client_for(member(firm, Role.ADMIN, full_name="Ada Admin"))


def _ids(firm) -> dict[str, int]:
    with firm_scope(firm):
        return {
            "price_book_id": active_price_book(firm=firm).pk,
            "evidence_entry_id": EvidenceEntry.objects.get(evidence_id="E-ADOPT").pk,
        }


def library_paths(firm, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(name, path) of every library URL, for the given firm slug and object ids."""
    paths = []
    for pattern in library_urls.urlpatterns:
        kwargs = {k: ids[k] for k in pattern.pattern.converters}
        path = url(pattern.name, firm, **kwargs)
        if "models/" in path and not path.endswith("/new/"):
            path += "?model=gpt-4o-mini"
        paths.append((pattern.name, path))
    return paths


MODEL_POST = {
    "name": "gpt-4.1",
    "kind": "chat",
    "label": "GPT-4.1",
    "fine_tunable": "on",
    "common_source": "https://openai.com/api/pricing/",
    "common_checked": "2025-04-14",
    "common_effective": "2025-04-14",
    "input_price": "2.00",
    "output_price": "8.00",
    "fine_tuned_input_price": "3.00",
    "fine_tuned_output_price": "12.00",
    "training_price": "25.00",
    "shutdown": "2027-01-31",
    "note": "GPT-4.1 at launch prices",
}


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONSULTANT])
def test_members_read_the_library_and_a_new_firm_is_seeded_on_first_visit(
    firm, member, client_for, role
):
    client = client_for(member(firm, role))
    response = client.get(url("library", firm))
    assert response.status_code == 200
    body = response.content.decode()
    assert "openai-2024@1" in body and "OpenAI list prices, 2024" in body
    assert "$2.50" in body and "$25.00" in body  # gpt-4o input and training
    assert "openai.com/index/gpt-4o-fine-tuning" in body  # a price's source, linked
    assert "Add model" not in body and "Activate" not in body  # no write controls
    evidence = client.get(url("library-evidence", firm))
    assert evidence.status_code == 200
    assert b"E-HALLUC-DROP" in evidence.content and b"Add evidence" not in evidence.content
    with firm_scope(firm):
        assert PriceBookVersion.objects.filter(is_active=True).count() == 1
        assert EvidenceEntry.objects.count() == 11


def test_every_write_is_403_for_viewers_and_consultants(firm, member, client_for, book):
    ids = _ids(firm)
    for role in (Role.VIEWER, Role.CONSULTANT):
        client = client_for(member(firm, role))
        for name, path in library_paths(firm, ids):
            response = client.post(path, {**MODEL_POST, "note": "x", "model": "gpt-4o-mini"})
            assert response.status_code == 403, (role, name)
        # Form pages are for writers too; reading pages are not.
        for name in ("price-book-model-new", "price-book-defaults", "evidence-new"):
            kwargs = {} if name == "evidence-new" else {"price_book_id": ids["price_book_id"]}
            assert client.get(url(name, firm, **kwargs)).status_code == 403, (role, name)
        assert (
            client.get(
                url("evidence-detail", firm, **{"evidence_entry_id": ids["evidence_entry_id"]})
            ).status_code
            == 200
        )
    with firm_scope(firm):
        assert PriceBookVersion.objects.count() == 1
        assert not EvidenceEntry.objects.filter(retired_at__isnull=False).exists()
        assert not AuditEvent.objects.exists()


def test_lifecycle_dates_soon_or_past_are_highlighted(firm, owner_client, book, owner):
    with firm_scope(firm):
        data = book.data
        mini = data["models"]["gpt-4o-mini"]
        form = {
            "label": mini["label"],
            "fine_tunable": "on",
            "shutdown": "2000-01-01",
            "note": "Announced",
        }
        for key, p in mini["prices"].items():
            form |= {
                f"{key}_price": p["usd_per_1m_tokens"],
                f"{key}_source": p["source"],
                f"{key}_checked": p["checked"],
                f"{key}_effective": p["effective"],
            }
    response = owner_client.post(
        url("price-book-model-edit", firm, price_book_id=book.pk) + "?model=gpt-4o-mini", form
    )
    assert response.status_code == 302
    page = owner_client.get(url("library", firm)).content.decode()
    assert 'class="pill lc-past">Shuts down 1 Jan 2000 · past' in page
    assert "Provider wind-down ahead" in page


# --- price-book writes ----------------------------------------------------------------------


def test_admin_adds_a_model_as_a_new_active_version(firm, admin_client, book, reassess_calls):
    response = admin_client.post(
        url("price-book-model-new", firm, price_book_id=book.pk), MODEL_POST
    )
    assert response.status_code == 302 and response["Location"] == url("library", firm)
    with firm_scope(firm):
        engine = price_book_for_firm(firm=firm)
        assert engine.key == "openai-2024@2"
        model = engine.models["gpt-4.1"]
        assert model.price("training") == 25 and model.shutdown == date(2027, 1, 31)
        assert model.prices["input"].source == "https://openai.com/api/pricing/"
        assert model.prices["input"].checked == date(2025, 4, 14)
        assert "gpt-4.1" not in PriceBookVersion.objects.get(version=1).data["models"]
    assert reassess_calls == [{"firm": firm, "reason": "price_book"}]
    page = admin_client.get(url("library", firm)).content.decode()
    assert "Saved openai-2024@2" in page and "GPT-4.1 at launch prices" in page
    assert "Model added" in page  # the version's diff


def test_model_form_errors_are_per_field_and_keep_what_was_typed(firm, admin_client, book):
    post = {
        **MODEL_POST,
        "name": "gpt 4.1",
        "input_price": "-2",
        "output_price": "eight",
        "common_source": "",
        "note": "",
    }
    response = admin_client.post(url("price-book-model-new", firm, price_book_id=book.pk), post)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "cannot be negative" in errors["input_price"][0]
    assert "Enter a number" in errors["output_price"][0]
    assert "name" in errors and "note" in errors
    # Five prices without a source: said once, where a source for all of them goes.
    assert "common_source" in errors and "input_source" not in errors
    body = response.content.decode()
    assert 'value="eight"' in body and 'value="gpt 4.1"' in body
    with firm_scope(firm):
        assert PriceBookVersion.objects.count() == 1


def test_admin_edits_a_price_and_the_engine_uses_it(firm, admin_client, book):
    gpt4o = book.data["models"]["gpt-4o"]
    form = {"label": "GPT-4o", "fine_tunable": "on", "note": "Price rise"}
    for key, p in gpt4o["prices"].items():
        form |= {
            f"{key}_price": p["usd_per_1m_tokens"],
            f"{key}_source": p["source"],
            f"{key}_checked": p["checked"],
            f"{key}_effective": p["effective"],
        }
    form["input_price"] = "5"
    edit = url("price-book-model-edit", firm, price_book_id=book.pk) + "?model=gpt-4o"
    page = admin_client.get(edit)
    assert page.status_code == 200 and b'value="2.5"' in page.content
    assert admin_client.post(edit, {**form, "model": "gpt-4o"}).status_code == 302
    with firm_scope(firm):
        assert price_book_for_firm(firm=firm).models["gpt-4o"].price("input") == 5
    detail = admin_client.get(
        url("price-book-detail", firm, price_book_id=book.pk)
    ).content.decode()
    assert "Make this the active book" in detail  # v1 is no longer active


def test_unknown_model_is_404(firm, admin_client, book):
    edit = url("price-book-model-edit", firm, price_book_id=book.pk)
    assert admin_client.get(edit + "?model=no-such-model").status_code == 404
    assert admin_client.get(edit).status_code == 404


def test_retiring_the_default_model_is_refused_and_another_is_retired(firm, admin_client, book):
    retire = url("price-book-model-retire", firm, price_book_id=book.pk)
    page = admin_client.get(retire + "?model=gpt-4o")
    assert page.status_code == 200 and b"cannot be retired" in page.content
    refused = admin_client.post(retire, {"model": "gpt-4o", "note": "Try"})
    assert refused.status_code == 400
    assert "default model" in refused.context["form"].non_field_errors()[0]
    assert admin_client.post(retire, {"model": "gpt-4o-mini", "note": ""}).status_code == 400
    done = admin_client.post(retire, {"model": "gpt-4o-mini", "note": "Not used"})
    assert done.status_code == 302
    with firm_scope(firm):
        assert "gpt-4o-mini" not in active_price_book(firm=firm).data["models"]


def test_admin_changes_cost_defaults(firm, admin_client, book):
    page = admin_client.get(url("price-book-defaults", firm, price_book_id=book.pk))
    form = {k: v for k, v in page.context["form"].initial.items()}
    bad = admin_client.post(
        url("price-book-defaults", firm, price_book_id=book.pk),
        {**form, "epochs": "0", "vector_hosting__point": "900", "note": "x"},
    )
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"epochs", "vector_hosting__point"}
    assert b'value="900"' in bad.content
    good = admin_client.post(
        url("price-book-defaults", firm, price_book_id=book.pk),
        {**form, "epochs": "4", "note": "Four epochs"},
    )
    assert good.status_code == 302
    with firm_scope(firm):
        new = active_price_book(firm=firm)
        assert new.data["defaults"]["epochs"] == 4 and new.version == 2
        # Only the changed figure differs: nothing else was rewritten on the way.
        assert {k: v for k, v in new.data["defaults"].items() if k != "epochs"} == {
            k: v for k, v in book.data["defaults"].items() if k != "epochs"
        }


def test_activation_full_page_and_htmx(firm, admin_client, book, reassess_calls):
    with firm_scope(firm):
        v2 = price_book_change(
            firm=firm, base=book, changes=ChangeDefaults({"epochs": 4}), note="A", user=None
        )
    reassess_calls.clear()
    response = admin_client.post(url("price-book-activate", firm, price_book_id=book.pk))
    assert response.status_code == 302
    with firm_scope(firm):
        assert active_price_book(firm=firm).pk == book.pk
    page = admin_client.get(url("library", firm)).content.decode()
    assert "openai-2024@2</a>, exists but is not active" in page
    fragment = admin_client.post(
        url("price-book-activate", firm, price_book_id=v2.pk), HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="books"') and "<html" not in body
    assert 'hx-swap-oob="true"' in body and "openai-2024@2 is now the active book" in body
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]
    with firm_scope(firm):
        assert active_price_book(firm=firm).pk == v2.pk
    assert len(reassess_calls) == 2


def test_an_outdated_version_cannot_be_changed_through_the_pages(firm, admin_client, book):
    with firm_scope(firm):
        price_book_change(
            firm=firm, base=book, changes=ChangeDefaults({"epochs": 4}), note="A", user=None
        )
        price_book_change(
            firm=firm,
            base=PriceBookVersion.objects.get(version=2),
            changes=ChangeDefaults({"epochs": 5}),
            note="B",
            user=None,
        )
    # v1 is neither latest (v3) nor active (v3): the form page says so instead of a dead form.
    page = admin_client.get(url("price-book-model-new", firm, price_book_id=book.pk))
    assert page.status_code == 200 and b"is not current" in page.content
    post = admin_client.post(url("price-book-model-new", firm, price_book_id=book.pk), MODEL_POST)
    assert post.status_code == 409
    with firm_scope(firm):
        assert PriceBookVersion.objects.count() == 3


# --- evidence -------------------------------------------------------------------------------

EVIDENCE_POST = {
    "evidence_id": "e-price-claude",
    "title": "Claude pricing",
    "claim": "Claude 3.5 Sonnet costs $3 / $15 per 1M input/output tokens.",
    "source": "Anthropic pricing page",
    "url": "https://www.anthropic.com/pricing",
    "date": "2025-01",
    "figures": "3, 15",
}


def test_admin_adds_edits_retires_and_restores_evidence(firm, admin_client):
    admin_client.get(url("library-evidence", firm))  # seeds
    added = admin_client.post(url("evidence-new", firm), EVIDENCE_POST)
    assert added.status_code == 302
    with firm_scope(firm):
        v1 = EvidenceEntry.objects.get(evidence_id="E-PRICE-CLAUDE")
    assert v1.figures == [3, 15]
    edit = url("evidence-edit", firm, evidence_entry_id=v1.pk)
    edited = admin_client.post(
        edit, {**EVIDENCE_POST, "figures": "3; 15; 0.3", "note": "Cache reads"}
    )
    assert edited.status_code == 302
    with firm_scope(firm):
        v2 = EvidenceEntry.objects.get(evidence_id="E-PRICE-CLAUDE", version=2)
    assert v2.figures == [3, 15, 0.3]
    # The stale form (v1's) is refused rather than silently overwriting v2.
    stale = admin_client.post(edit, {**EVIDENCE_POST, "title": "Other"})
    assert stale.status_code == 400 and "changed while you edited" in stale.content.decode()
    # GET on an old version's edit page goes to the current one.
    assert admin_client.get(edit)["Location"] == url("evidence-edit", firm, evidence_entry_id=v2.pk)
    history = admin_client.get(url("evidence-detail", firm, evidence_entry_id=v1.pk))
    assert b"Version 2" in history.content and b"Cache reads" in history.content
    retire = admin_client.post(url("evidence-retire", firm, evidence_entry_id=v2.pk))
    assert retire.status_code == 302
    listing = admin_client.get(url("library-evidence", firm)).content.decode()
    assert 'class="is-retired" data-testid="evidence-E-PRICE-CLAUDE"' in listing
    assert "Restore" in listing
    fragment = admin_client.post(
        url("evidence-restore", firm, evidence_entry_id=v2.pk),
        {"q": "claude"},
        HTTP_HX_REQUEST="true",
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and body.lstrip().startswith('<div id="evidence-results"')
    assert "E-PRICE-CLAUDE restored" in body and "E-ADOPT" not in body  # the search is kept
    with firm_scope(firm):
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert verbs == {"evidence.added", "evidence.changed", "evidence.retired", "evidence.restored"}


def test_evidence_form_errors_come_together_and_keep_input(firm, admin_client):
    admin_client.get(url("library-evidence", firm))
    response = admin_client.post(
        url("evidence-new", firm),
        {**EVIDENCE_POST, "evidence_id": "adopt", "title": "", "figures": "5,000"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"evidence_id", "title", "figures"}
    assert "5000, not 5,000" in errors["figures"][0]
    assert b'value="5,000"' in response.content
    dup = admin_client.post(url("evidence-new", firm), {**EVIDENCE_POST, "evidence_id": "E-ADOPT"})
    assert "already exists" in dup.context["form"].errors["evidence_id"][0]


def test_evidence_search_answers_a_fragment_to_htmx(firm, owner_client):
    full = owner_client.get(url("library-evidence", firm) + "?q=latency")
    assert b"E-LATENCY" in full.content and b"E-ADOPT" not in full.content
    fragment = owner_client.get(
        url("library-evidence", firm) + "?q=menlo",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="evidence-results",
    )
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="evidence-results"') and "<html" not in body
    assert "E-ADOPT" in body and "E-LATENCY" not in body
    empty = owner_client.get(url("library-evidence", firm) + "?q=zzzz").content.decode()
    assert "Nothing matches" in empty


# --- isolation ------------------------------------------------------------------------------


READ_PAGES = {"price-book-detail", "evidence-detail"}
POST_ONLY = {"price-book-activate", "evidence-retire", "evidence-restore"}


def expected_status(role: str, method: str, name: str) -> int:
    """What a missing id gets: the role check and the method check come before any lookup."""
    if method == "get" and name in POST_ONLY:
        return 405
    if role == Role.VIEWER and (method == "post" or name not in READ_PAGES):
        return 403
    if method == "post" and name in READ_PAGES:
        return 405
    return 404


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.VIEWER])
def test_another_firms_library_objects_answer_404(firm, other_firm, member, client_for, role, book):
    theirs = _ids(other_firm)
    missing = dict.fromkeys(theirs, 999_999)
    client = client_for(member(firm, role))
    with firm_scope(other_firm):
        their_book = PriceBookVersion.objects.get()
    with_ids = [p.name for p in library_urls.urlpatterns if p.pattern.converters]
    assert len(with_ids) == 10
    for method in ("get", "post"):
        own_slug = dict(library_paths(firm, theirs))
        own_slug_missing = dict(library_paths(firm, missing))
        for name in with_ids:
            data = {"model": "gpt-4o-mini", "note": "x", **EVIDENCE_POST}
            response = getattr(client, method)(own_slug[name], data)
            expected = expected_status(role, method, name)
            assert response.status_code == expected, (role, method, name)
            assert getattr(client, method)(own_slug_missing[name], data).status_code == expected
        # The other firm's slug: not a member, so 404 (or 405 before anything is resolved).
        for name, path in library_paths(other_firm, theirs):
            status = getattr(client, method)(path).status_code
            assert status == (405 if method == "get" and name in POST_ONLY else 404), name
    with firm_scope(other_firm):
        their_book.refresh_from_db()
        assert their_book.is_active and their_book.version == 1
        assert PriceBookVersion.objects.count() == 1
        assert not EvidenceEntry.objects.filter(retired_at__isnull=False).exists()
        assert not EvidenceEntry.objects.filter(version__gt=1).exists()
        assert not AuditEvent.objects.exists()
