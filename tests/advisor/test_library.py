"""The firm's library services and selectors: seeding, versioned price books, evidence."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from advisor.engine import PriceBook, assess, load_evidence, load_price_book
from advisor.models import AuditEvent, EvidenceEntry, PriceBookVersion
from advisor.selectors.library import (
    evidence_current,
    evidence_for_engine,
    evidence_history,
    evidence_history_with_diffs,
    price_book_diff,
    price_book_history,
    price_book_view,
)
from advisor.services import library
from advisor.services.library import (
    AddModel,
    ChangeDefaults,
    EditModel,
    ModelInput,
    PriceInput,
    RetireModel,
    evidence_add,
    evidence_change,
    evidence_restore,
    evidence_retire,
    library_seed,
    price_book_activate,
    price_book_change,
)
from advisor.services.price_books import active_price_book, price_book_for_firm
from projects.models import EngagementStatus, Role
from projects.tenancy.scope import firm_scope
from tests.factories import EngagementFactory, profile_version

pytestmark = pytest.mark.django_db

CHECKED = date(2025, 1, 15)
EFFECTIVE = date(2025, 1, 1)
PROFILE = {"name": "Support bot", "queries_per_month": 10000, "input_tokens": 500}


@pytest.fixture
def reassess_calls(monkeypatch):
    """The re-assessment hook, replaced where the service looks it up."""
    calls: list[dict] = []
    monkeypatch.setattr(library, "reassess_firm_on_commit", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def admin(firm, member):
    return member(firm, Role.ADMIN, full_name="Ada Admin")


def price(amount, source="https://example.com/pricing", checked=CHECKED, effective=EFFECTIVE):
    return PriceInput(amount, source, checked, effective)


def chat_model(name="claude-test", **overrides) -> ModelInput:
    prices = {
        "input": price("3.00"),
        "output": price("15.00"),
        "fine_tuned_input": price("4.50"),
        "fine_tuned_output": price("22.50"),
        "training": price("30.00"),
    }
    prices.update(overrides.pop("prices", {}))
    return ModelInput(
        name=name, kind="chat", label="Claude test", prices=prices, fine_tunable=True, **overrides
    )


def inference_month0(book: PriceBook, option: str = "prompt_only") -> float:
    result = assess(PROFILE, book, as_of=date(2025, 2, 1)).to_dict()
    return result["costs"]["options"][option]["monthly"][0]["inference_usd"]


def gpt4o_edit(book_data: dict, **price_overrides) -> EditModel:
    raw = book_data["models"]["gpt-4o"]
    prices = {
        key: PriceInput(
            p["usd_per_1m_tokens"],
            p["source"],
            date.fromisoformat(p["checked"]),
            date.fromisoformat(p["effective"]),
        )
        for key, p in raw["prices"].items()
    }
    prices.update(price_overrides)
    return EditModel(
        ModelInput(
            name="gpt-4o",
            kind="chat",
            label=raw["label"],
            prices=prices,
            fine_tunable=raw["fine_tunable"],
        )
    )


# --- seeding --------------------------------------------------------------------------------


def test_seed_matches_the_engine_defaults_and_is_idempotent(firm):
    with firm_scope(firm):
        library_seed(firm=firm)
        library_seed(firm=firm)
        books = list(PriceBookVersion.objects.filter(firm=firm))
        assert [(b.slug, b.version, b.is_active) for b in books] == [("openai-2024", 1, True)]
        assert PriceBook.from_dict(books[0].data) == load_price_book("openai-2024")
        assert books[0].created_by is None and books[0].change_note
        entries = EvidenceEntry.objects.filter(firm=firm)
        assert entries.count() == 11 == len(load_evidence())
        assert {e.version for e in entries} == {1}
        assert evidence_for_engine(firm=firm) == sorted(load_evidence(), key=lambda e: e.id)


def test_active_price_book_seeds_lazily_and_only_that_firm(firm, other_firm):
    with firm_scope(firm):
        assert not PriceBookVersion.objects.exists()
        version = active_price_book(firm=firm)
        assert version.key == "openai-2024@1" and version.is_active
        assert active_price_book(firm=firm).pk == version.pk
        assert price_book_for_firm(firm=firm).key == "openai-2024@1"
    with firm_scope(other_firm):
        assert not PriceBookVersion.objects.exists()


def test_seed_adds_only_missing_evidence_and_never_touches_a_firms_changes(firm, admin):
    with firm_scope(firm):
        library_seed(firm=firm)
        adopt = EvidenceEntry.objects.get(firm=firm, evidence_id="E-ADOPT")
        evidence_change(
            firm=firm,
            entry=adopt,
            title="Edited",
            claim=adopt.claim,
            source=adopt.source,
            url=adopt.url,
            date=adopt.date,
            figures=adopt.figures,
            user=admin,
        )
        EvidenceEntry.objects.filter(firm=firm, evidence_id="E-VECTOR").delete()  # by hand
        library_seed(firm=firm)
        assert EvidenceEntry.objects.filter(firm=firm, evidence_id="E-VECTOR").count() == 1
        assert [e.title for e in evidence_history(firm=firm, evidence_id="E-ADOPT")] == [
            "Edited",
            adopt.title,
        ]


def test_evidence_for_an_unseeded_firm_is_the_shipped_library_without_writing(firm):
    with firm_scope(firm):
        assert [e.id for e in evidence_for_engine(firm=firm)] == [e.id for e in load_evidence()]
        assert not EvidenceEntry.objects.exists()


# --- price-book changes ---------------------------------------------------------------------


def test_a_change_makes_a_new_active_version_and_leaves_the_old_one_byte_identical(
    firm, admin, reassess_calls
):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        before = json.dumps(v1.data, sort_keys=True)
        v2 = price_book_change(
            firm=firm, base=v1, changes=[AddModel(chat_model())], note="Add Claude", user=admin
        )
        v1.refresh_from_db()
        assert json.dumps(v1.data, sort_keys=True) == before
        assert "claude-test" not in v1.data["models"]
        assert (v2.slug, v2.version, v2.data["version"], v2.is_active) == (
            "openai-2024",
            2,
            2,
            True,
        )
        assert v2.change_note == "Add Claude" and v2.created_by == admin
        assert not v1.is_active
        assert PriceBookVersion.objects.filter(firm=firm, is_active=True).get() == v2
        book = price_book_for_firm(firm=firm)
        assert book.key == "openai-2024@2"
        assert str(book.models["claude-test"].prices["training"].usd_per_1m_tokens) == "30"
    assert reassess_calls == [{"firm": firm, "reason": "price_book"}]


def test_a_price_rise_reaches_the_engines_costs(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        assert (
            inference_month0(price_book_for_firm(firm=firm)) == 42.5
        )  # 10k × (500×2.5+300×10)/1e6
        price_book_change(
            firm=firm,
            base=v1,
            changes=gpt4o_edit(v1.data, input=price("5.00")),
            note="OpenAI raised gpt-4o input",
            user=admin,
        )
        book = price_book_for_firm(firm=firm)
        assert book.key == "openai-2024@2"
        assert inference_month0(book) == 55.0  # 10k × (500×5 + 300×10)/1e6
        assert book.models["gpt-4o"].prices["input"].checked == CHECKED


@pytest.mark.parametrize(
    ("amount", "source", "field", "message"),
    [
        ("-1", "https://x.example", "input_price", "cannot be negative"),
        ("abc", "https://x.example", "input_price", "Enter a number"),
        ("", "https://x.example", "input_price", "Enter the price"),
        ("1e12", "https://x.example", "input_price", "implausibly high"),
        ("2.00", "  ", "input_source", "where this price comes from"),
    ],
)
def test_invalid_prices_are_refused_per_field_and_nothing_is_written(
    firm, admin, reassess_calls, amount, source, field, message
):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        with pytest.raises(ValidationError) as caught:
            price_book_change(
                firm=firm,
                base=v1,
                changes=AddModel(chat_model(prices={"input": price(amount, source=source)})),
                note="Try",
                user=admin,
            )
        errors = caught.value.message_dict
        assert message in " ".join(errors[field])
        assert set(errors) == {field}
        assert PriceBookVersion.objects.filter(firm=firm).count() == 1
        assert not AuditEvent.objects.filter(verb="price_book.changed").exists()
    assert reassess_calls == []


def test_missing_dates_note_and_bad_name_are_reported_together(firm, admin):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        future = timezone.localdate() + timedelta(days=3)
        bad = chat_model(
            name="gpt-4o",  # taken
            prices={
                "output": PriceInput("15", "https://x.example", None, EFFECTIVE),
                "training": PriceInput("15", "https://x.example", future, None),
            },
        )
        with pytest.raises(ValidationError) as caught:
            price_book_change(firm=firm, base=v1, changes=AddModel(bad), note=" ", user=admin)
        errors = caught.value.message_dict
        assert set(errors) == {
            "name",
            "note",
            "output_checked",
            "training_checked",
            "training_effective",
        }
        assert "already has a model" in errors["name"][0]
        assert "future" in errors["training_checked"][0]


def test_a_chat_model_that_cannot_be_fine_tuned_needs_only_its_base_prices(firm, admin):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        model = ModelInput(
            name="o1-test",
            kind="chat",
            label="o1",
            prices={"input": price("15"), "output": price("60")},
            fine_tunable=False,
            fine_tuning_closes=date(2025, 6, 1),  # ignored: it cannot be fine-tuned at all
            shutdown=date(2026, 1, 1),
        )
        v2 = price_book_change(
            firm=firm, base=v1, changes=AddModel(model), note="Add o1", user=admin
        )
        entry = PriceBook.from_dict(v2.data).models["o1-test"]
        assert not entry.fine_tunable and entry.fine_tuning_closes is None
        assert entry.shutdown == date(2026, 1, 1)
        assert entry.price("fine_tuned_input") == entry.price("input")
        row = next(m for m in price_book_view(version=v2).models if m.name == "o1-test")
        assert [p.placeholder for p in row.prices] == [False, False, True, True, True]


def test_fine_tuning_cannot_close_after_shutdown(firm, admin):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        bad = chat_model(fine_tuning_closes=date(2027, 1, 1), shutdown=date(2026, 1, 1))
        with pytest.raises(ValidationError) as caught:
            price_book_change(firm=firm, base=v1, changes=AddModel(bad), note="x", user=admin)
        assert set(caught.value.message_dict) == {"fine_tuning_closes"}


def test_the_default_model_cannot_be_retired_but_another_can(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        for name in ("gpt-4o", "text-embedding-3-small"):
            with pytest.raises(ValidationError) as caught:
                price_book_change(
                    firm=firm, base=v1, changes=RetireModel(name), note="Retire", user=admin
                )
            assert "default" in caught.value.message_dict[NON_FIELD_ERRORS][0]
        v2 = price_book_change(
            firm=firm, base=v1, changes=RetireModel("gpt-4o-mini"), note="Unused", user=admin
        )
        assert "gpt-4o-mini" not in v2.data["models"] and "gpt-4o-mini" in v1.data["models"]
        assert price_book_diff(before=v1.data, after=v2.data)[0].label == "Model retired"


def test_a_model_named_by_an_open_engagement_cannot_be_retired(firm, admin):
    engagement = EngagementFactory(client__firm=firm)
    profile_version(engagement, {"name": "Bot", "model": "gpt-4o-mini"})
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        with pytest.raises(ValidationError) as caught:
            price_book_change(
                firm=firm, base=v1, changes=RetireModel("gpt-4o-mini"), note="x", user=admin
            )
        assert "1 open engagement names gpt-4o-mini" in caught.value.messages[0]
        engagement.status = EngagementStatus.CLOSED
        engagement.save()
        v2 = price_book_change(
            firm=firm, base=v1, changes=RetireModel("gpt-4o-mini"), note="x", user=admin
        )
        assert v2.version == 2


def test_cost_defaults_change_is_validated_and_reaches_the_engine(firm, admin):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        with pytest.raises(ValidationError) as caught:
            price_book_change(
                firm=firm,
                base=v1,
                changes=ChangeDefaults(
                    {"epochs": "2.5", "vector_hosting__point": "900", "build_days__rag__low": "-1"}
                ),
                note="Bad",
                user=admin,
            )
        assert set(caught.value.message_dict) == {
            "epochs",
            "vector_hosting__point",
            "build_days__rag__low",
        }
        v2 = price_book_change(
            firm=firm,
            base=v1,
            changes=ChangeDefaults(
                {"epochs": 4, "build_days__rag__point": "6", "default_model": "gpt-4o-mini"}
            ),
            note="Four epochs; RAG builds take longer; mini by default",
            user=admin,
        )
        book = price_book_for_firm(firm=firm)
        assert book.defaults.epochs == 4 and str(book.defaults.build_days["rag"].point) == "6"
        assert book.default_model == "gpt-4o-mini"
        labels = {row.label for row in price_book_diff(before=v1.data, after=v2.data)}
        assert labels == {
            "Default chat model",
            "Training · Epochs per training run",
            "Build days · RAG (point)",
        }


def test_a_change_with_no_effect_is_refused(firm, admin):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        with pytest.raises(ValidationError, match="Nothing changed"):
            price_book_change(
                firm=firm, base=v1, changes=ChangeDefaults({"epochs": 3}), note="x", user=admin
            )


def test_a_stale_base_is_refused_so_no_change_is_lost(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        price_book_change(
            firm=firm, base=v1, changes=ChangeDefaults({"epochs": 4}), note="A", user=admin
        )
        with pytest.raises(ValidationError, match="no longer current"):
            price_book_change(
                firm=firm, base=v1, changes=ChangeDefaults({"epochs": 5}), note="B", user=admin
            )
        assert PriceBookVersion.objects.filter(firm=firm).count() == 2


def test_activation_switches_the_one_active_version_and_reassesses(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        v2 = price_book_change(
            firm=firm, base=v1, changes=ChangeDefaults({"epochs": 4}), note="A", user=admin
        )
        reassess_calls.clear()
        price_book_activate(firm=firm, version=v1, user=admin)
        assert active_price_book(firm=firm).pk == v1.pk
        assert price_book_for_firm(firm=firm).defaults.epochs == 3
        assert reassess_calls == [{"firm": firm, "reason": "price_book"}]
        # Activating the active one again is a no-op: no event, no re-assessment.
        price_book_activate(firm=firm, version=v1, user=admin)
        assert len(reassess_calls) == 1
        # An old active version can be the base of a change (v3 from v1), a stale one cannot.
        v3 = price_book_change(
            firm=firm, base=v1, changes=ChangeDefaults({"epochs": 6}), note="C", user=admin
        )
        assert (v3.version, v3.is_active, v3.data["defaults"]["epochs"]) == (3, True, 6)
        v2.refresh_from_db()
        with pytest.raises(ValidationError):
            price_book_change(
                firm=firm, base=v2, changes=ChangeDefaults({"epochs": 7}), note="D", user=admin
            )
        event = AuditEvent.objects.filter(verb="price_book.activated").get()
        assert event.summary == "Activated openai-2024@1 (was openai-2024@2)"
        assert event.actor == admin


def test_changing_an_inactive_latest_version_does_not_reassess(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        v2 = price_book_change(
            firm=firm, base=v1, changes=ChangeDefaults({"epochs": 4}), note="A", user=admin
        )
        price_book_activate(firm=firm, version=v1, user=admin)
        reassess_calls.clear()
        v3 = price_book_change(
            firm=firm, base=v2, changes=ChangeDefaults({"epochs": 5}), note="B", user=admin
        )
        assert not v3.is_active and active_price_book(firm=firm).pk == v1.pk
    assert reassess_calls == []


def test_the_database_allows_only_one_active_version(firm):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        with pytest.raises(IntegrityError), transaction.atomic():
            PriceBookVersion.objects.create(
                firm=firm, slug="copy", version=1, name="Copy", data=v1.data, is_active=True
            )


def test_reassessment_is_queued_on_commit_of_an_active_change(
    firm, admin, django_capture_on_commit_callbacks, monkeypatch
):
    queued: list[tuple] = []
    from advisor import tasks

    monkeypatch.setattr(tasks.reassess_firm, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True), firm_scope(firm):
        v1 = active_price_book(firm=firm)
        price_book_change(
            firm=firm, base=v1, changes=ChangeDefaults({"epochs": 4}), note="A", user=admin
        )
    assert queued == [(firm.pk, "price_book")]


def test_price_book_changes_are_audited_with_a_readable_summary(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        price_book_change(
            firm=firm, base=v1, changes=AddModel(chat_model()), note="Add Claude", user=admin
        )
        event = AuditEvent.objects.get(verb="price_book.changed")
        assert event.summary == "openai-2024@2: added model claude-test — Add Claude"
        assert event.actor == admin and event.data["based_on"] == "openai-2024@1"


def test_history_lists_versions_with_their_diffs(firm, admin, reassess_calls):
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        v2 = price_book_change(
            firm=firm,
            base=v1,
            changes=gpt4o_edit(
                v1.data, input=price("5.00", checked=CHECKED, effective=date(2025, 2, 1))
            ),
            note="Raise",
            user=admin,
        )
        items = price_book_history(firm=firm)
        assert [i.version.pk for i in items] == [v2.pk, v1.pk]
        rows = {(r.section, r.label): (r.before, r.after) for r in items[0].diff}
        assert rows == {
            ("gpt-4o", "Input price"): ("$2.50", "$5.00"),
            ("gpt-4o", "Input checked"): ("1 Oct 2024", "15 Jan 2025"),
            ("gpt-4o", "Input effective"): ("6 Aug 2024", "1 Feb 2025"),
            ("gpt-4o", "Input source"): (
                v1.data["models"]["gpt-4o"]["prices"]["input"]["source"],
                "https://example.com/pricing",
            ),
        }
        assert items[1].diff == [] and items[1].previous is None
        assert items[0].editable and not items[1].editable


def test_lifecycle_dates_within_a_year_or_past_are_flagged(firm, admin, reassess_calls):
    today = date(2025, 3, 1)
    with firm_scope(firm):
        v1 = active_price_book(firm=firm)
        data = copy.deepcopy(v1.data)
        data["models"]["gpt-4o"]["fine_tuning_closes"] = "2025-12-31"
        data["models"]["gpt-4o"]["shutdown"] = "2027-01-01"
        data["models"]["gpt-4o-mini"]["shutdown"] = "2025-01-01"
        version = PriceBookVersion(firm=firm, slug="x", version=9, name="x", data=data)
        view = price_book_view(version=version, today=today)
        states = {(m.name, d.label): d.state for m in view.models for d in m.lifecycle}
        assert states == {
            ("gpt-4o", "Fine-tuning closes"): "soon",
            ("gpt-4o", "Shuts down"): "later",
            ("gpt-4o-mini", "Shuts down"): "past",
        }
        assert [m.name for m in view.flagged_models] == ["gpt-4o", "gpt-4o-mini"]


# --- evidence -------------------------------------------------------------------------------


def _add(firm, user, evidence_id="E-PRICING", **overrides):
    fields = {
        "title": "Claude pricing",
        "claim": "Claude costs $3 / $15 per 1M tokens.",
        "source": "Anthropic pricing page",
        "url": "https://www.anthropic.com/pricing",
        "date": "2025-01",
        "figures": ["3", 15],
    }
    fields.update(overrides)
    return evidence_add(firm=firm, evidence_id=evidence_id, user=user, **fields)


def test_evidence_add_normalises_the_id_and_refuses_duplicates(firm, admin):
    with firm_scope(firm):
        library_seed(firm=firm)
        entry = _add(firm, admin, evidence_id=" e-pricing ")
        assert (entry.evidence_id, entry.version, entry.figures) == ("E-PRICING", 1, [3, 15])
        with pytest.raises(ValidationError) as caught:
            _add(firm, admin, evidence_id="E-PRICING")
        assert "already exists" in caught.value.message_dict["evidence_id"][0]
        with pytest.raises(ValidationError) as caught:
            _add(firm, admin, evidence_id="E-ADOPT")
        assert "already exists" in caught.value.message_dict["evidence_id"][0]
        assert AuditEvent.objects.filter(verb="evidence.added").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"evidence_id": "PRICING"}, "evidence_id"),
        ({"evidence_id": "E-bad id"}, "evidence_id"),
        ({"title": ""}, "title"),
        ({"claim": "  "}, "claim"),
        ({"source": ""}, "source"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"date": "last year"}, "date"),
        ({"date": "2024-13"}, "date"),
        ({"figures": ["3", "lots"]}, "figures"),
    ],
)
def test_evidence_add_rejects_bad_fields_per_field(firm, admin, overrides, field):
    with firm_scope(firm):
        evidence_id = overrides.pop("evidence_id", "E-NEW")
        with pytest.raises(ValidationError) as caught:
            _add(firm, admin, evidence_id=evidence_id, **overrides)
        assert set(caught.value.message_dict) == {field}
        assert not EvidenceEntry.objects.filter(firm=firm).exists()


def test_evidence_change_makes_a_version_and_keeps_history(firm, admin):
    with firm_scope(firm):
        v1 = _add(firm, admin)
        v2 = evidence_change(
            firm=firm,
            entry=v1,
            title="Claude 3.5 pricing",
            claim=v1.claim,
            source=v1.source,
            url=v1.url,
            date="2025-02-01",
            figures=[3, 15],
            user=admin,
            note="Newer page",
        )
        assert (v2.version, v2.title) == (2, "Claude 3.5 pricing")
        v1.refresh_from_db()
        assert v1.title == "Claude pricing" and v1.date == "2025-01"
        assert [e.version for e in evidence_history(firm=firm, evidence_id="E-PRICING")] == [2, 1]
        current = [e for e in evidence_current(firm=firm) if e.evidence_id == "E-PRICING"]
        assert [e.version for e in current] == [2]
        items = evidence_history_with_diffs(firm=firm, evidence_id="E-PRICING")
        assert items[0].note == "Newer page"
        assert {r.label for r in items[0].diff} == {"Title", "Published"}
        event = AuditEvent.objects.get(verb="evidence.changed")
        assert event.summary == "E-PRICING v2: changed title, date — Newer page"
        # Editing from the old version again would overwrite v2 unseen: refused.
        with pytest.raises(ValidationError, match="changed while you edited"):
            evidence_change(
                firm=firm,
                entry=v1,
                title="Other",
                claim=v1.claim,
                source=v1.source,
                url="",
                date="2025",
                figures=[],
                user=admin,
            )


def test_evidence_retire_and_restore(firm, admin):
    with firm_scope(firm):
        library_seed(firm=firm)
        _add(firm, admin)
        entry = EvidenceEntry.objects.get(evidence_id="E-PRICING")
        evidence_retire(firm=firm, entry=entry, user=admin)
        evidence_retire(firm=firm, entry=entry, user=admin)  # twice: one event
        assert "E-PRICING" not in {e.id for e in evidence_for_engine(firm=firm)}
        listed = {e.evidence_id: e for e in evidence_current(firm=firm)}
        assert listed["E-PRICING"].is_retired and listed["E-PRICING"].retired_at is not None
        assert not listed["E-ADOPT"].is_retired
        assert list(listed)[-1] == "E-PRICING"  # retired ones come last
        assert EvidenceEntry.objects.filter(evidence_id="E-PRICING").count() == 1  # no new row
        with pytest.raises(ValidationError, match="Restore"):
            evidence_change(
                firm=firm,
                entry=entry,
                title="x",
                claim="x",
                source="x",
                url="",
                date="2025",
                figures=[],
                user=admin,
            )
        evidence_restore(firm=firm, entry=entry, user=admin)
        assert "E-PRICING" in {e.id for e in evidence_for_engine(firm=firm)}
        verbs = list(
            AuditEvent.objects.filter(verb__startswith="evidence.")
            .order_by("created_at", "id")
            .values_list("verb", flat=True)
        )
        assert verbs == ["evidence.added", "evidence.retired", "evidence.restored"]
        assert len(evidence_for_engine(firm=firm)) == 12


def test_evidence_for_engine_uses_the_current_version(firm, admin):
    with firm_scope(firm):
        library_seed(firm=firm)
        adopt = EvidenceEntry.objects.get(evidence_id="E-ADOPT")
        evidence_change(
            firm=firm,
            entry=adopt,
            title=adopt.title,
            claim="53% use RAG.",
            source=adopt.source,
            url=adopt.url,
            date=adopt.date,
            figures=[53],
            user=admin,
        )
        engine = {e.id: e for e in evidence_for_engine(firm=firm)}
        assert engine["E-ADOPT"].claim == "53% use RAG." and engine["E-ADOPT"].figures == (53,)
        assert len(engine) == 11


def test_services_refuse_another_firms_rows(firm, other_firm, admin):
    with firm_scope(other_firm):
        theirs = active_price_book(firm=other_firm)
        their_entry = _add(other_firm, None)
    with firm_scope(firm):
        with pytest.raises(PriceBookVersion.DoesNotExist):
            price_book_change(
                firm=firm, base=theirs, changes=ChangeDefaults({"epochs": 4}), note="x", user=admin
            )
        with pytest.raises(PriceBookVersion.DoesNotExist):
            price_book_activate(firm=firm, version=theirs, user=admin)
        for service in (evidence_retire, evidence_restore):
            with pytest.raises(EvidenceEntry.DoesNotExist):
                service(firm=firm, entry=their_entry, user=admin)
    with firm_scope(other_firm):
        assert PriceBookVersion.objects.get().version == 1
        assert EvidenceEntry.objects.get(evidence_id="E-PRICING").retired_at is None
