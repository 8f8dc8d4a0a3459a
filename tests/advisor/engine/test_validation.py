"""Profile validation (DESIGN §4.1): types, enums, ranges, nullables, cross-field, all at once."""

import json
from dataclasses import FrozenInstanceError, replace
from decimal import Decimal

import pytest

from advisor.engine import PROFILE_FIELDS, ProfileError, validate_profile

# The §4.1 table, written out independently of the implementation.
SPEC_DEFAULTS = {
    "use_case": "",
    "stage": "prototype",
    "query_distribution_known": False,
    "knowledge_change": "static",
    "knowledge_varies_by_user": False,
    "citations_required": False,
    "auditability": "none",
    "output_format": "free_text",
    "style_requirement": "none",
    "domain_jargon": "general",
    "latency_p95_budget_ms": None,
    "base_model_p95_ms": 800,
    "hallucination_tolerance": "medium",
    "queries_per_month": 10000,
    "monthly_growth_pct": 0,
    "input_tokens": 500,
    "few_shot_tokens": 0,
    "output_tokens": 300,
    "corpus_tokens": 0,
    "corpus_updates_per_month": 0,
    "corpus_changed_fraction": 1,
    "retrieved_tokens": 2000,
    "labelled_examples": 0,
    "tokens_per_example": 1000,
    "hosting": "hosted_api",
    "model": "gpt-4o",
    "embedding_model": "text-embedding-3-small",
    "team_ml_maturity": "some",
    "budget_monthly_usd": None,
    "budget_one_off_usd": None,
    "engineer_day_rate_usd": 800,
    "horizon_months": 24,
}
ENUMS = {
    "stage": ["idea", "prototype", "mvp", "growth", "scale"],
    "knowledge_change": ["static", "yearly", "quarterly", "monthly", "weekly", "daily", "realtime"],
    "auditability": ["none", "internal", "regulated"],
    "output_format": ["free_text", "light_structure", "strict_schema"],
    "style_requirement": ["none", "brand_voice", "specialized_dialect"],
    "domain_jargon": ["general", "specialized", "highly_specialized"],
    "hallucination_tolerance": ["low", "medium", "high"],
    "hosting": ["hosted_api", "self_hosted"],
    "team_ml_maturity": ["none", "some", "strong"],
}
BOOLS = ["query_distribution_known", "knowledge_varies_by_user", "citations_required"]


def errors_of(data, book, **kw):
    with pytest.raises(ProfileError) as info:
        validate_profile(data, book, **kw)
    return info.value.errors


def test_defaults_follow_the_contract(book):
    profile = validate_profile({"name": "Bot"}, book)
    for name, expected in SPEC_DEFAULTS.items():
        assert getattr(profile, name) == expected, name
    assert profile.name == "Bot"


def test_profile_fields_metadata_lists_every_field_in_contract_order():
    names = [spec.name for spec in PROFILE_FIELDS]
    assert names == ["name", *SPEC_DEFAULTS]
    by_name = {spec.name: spec for spec in PROFILE_FIELDS}
    for name, choices in ENUMS.items():
        assert list(by_name[name].choices) == choices
        assert set(by_name[name].choice_labels) == set(choices)
    for spec in PROFILE_FIELDS:
        assert spec.label and spec.help
    assert by_name["name"].required
    assert by_name["latency_p95_budget_ms"].nullable
    assert not by_name["base_model_p95_ms"].nullable
    assert (by_name["horizon_months"].min, by_name["horizon_months"].max) == (1, 60)
    json.dumps([spec.to_dict() for spec in PROFILE_FIELDS])


@pytest.mark.parametrize("field", list(ENUMS))
def test_enum_rejects_unknown_value_and_lists_choices(book, field):
    errors = errors_of({"name": "x", field: "nonsense"}, book)
    assert errors == {field: ["must be one of: " + ", ".join(ENUMS[field])]}


@pytest.mark.parametrize("field", list(ENUMS))
def test_enum_accepts_every_choice(book, field):
    for choice in ENUMS[field]:
        assert getattr(validate_profile({"name": "x", field: choice}, book), field) == choice


@pytest.mark.parametrize("field", BOOLS)
@pytest.mark.parametrize("bad", [1, 0, "true", "yes", None])
def test_bools_must_be_real_bools(book, field, bad):
    assert errors_of({"name": "x", field: bad}, book) == {field: ["must be true or false"]}


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("queries_per_month", -1, "must be a whole number of 0 or more"),
        ("queries_per_month", True, "must be a whole number of 0 or more"),
        ("queries_per_month", 3.5, "must be a whole number of 0 or more"),
        ("queries_per_month", "100", "must be a whole number of 0 or more"),
        ("input_tokens", -5, "must be a whole number of 0 or more"),
        ("output_tokens", None, "must be a whole number of 0 or more"),
        ("corpus_tokens", [1], "must be a whole number of 0 or more"),
        ("retrieved_tokens", -1, "must be a whole number of 0 or more"),
        ("labelled_examples", -1, "must be a whole number of 0 or more"),
        ("few_shot_tokens", -1, "must be a whole number of 0 or more"),
        ("tokens_per_example", 0, "must be a whole number of 1 or more"),
        ("base_model_p95_ms", 0, "must be a whole number of 1 or more"),
        ("base_model_p95_ms", None, "must be a whole number of 1 or more"),
        ("latency_p95_budget_ms", 0, "must be a whole number of 1 or more, or null for none"),
        ("latency_p95_budget_ms", "fast", "must be a whole number of 1 or more, or null for none"),
        ("horizon_months", 0, "must be a whole number from 1 to 60"),
        ("horizon_months", 61, "must be a whole number from 1 to 60"),
        ("horizon_months", 12.5, "must be a whole number from 1 to 60"),
        ("monthly_growth_pct", -0.5, "must be a number of 0 or more"),
        ("monthly_growth_pct", "5%", "must be a number of 0 or more"),
        ("monthly_growth_pct", float("nan"), "must be a number of 0 or more"),
        ("monthly_growth_pct", float("inf"), "must be a number of 0 or more"),
        ("corpus_updates_per_month", -1, "must be a number of 0 or more"),
        ("corpus_changed_fraction", 1.01, "must be a number from 0 to 1"),
        ("corpus_changed_fraction", -0.1, "must be a number from 0 to 1"),
        ("engineer_day_rate_usd", -1, "must be a number of 0 or more"),
        ("engineer_day_rate_usd", False, "must be a number of 0 or more"),
        ("budget_monthly_usd", -1, "must be a number of 0 or more, or null for none"),
        ("budget_one_off_usd", "lots", "must be a number of 0 or more, or null for none"),
        ("use_case", 12, "must be text"),
        ("name", 12, "must be text"),
    ],
)
def test_wrong_type_or_range_is_reported_on_the_field(book, field, bad, message):
    data = {"name": "x", field: bad}
    assert errors_of(data, book) == {field: [message]}


@pytest.mark.parametrize(
    ("field", "value", "resolved"),
    [
        ("queries_per_month", 3.0, 3),
        ("queries_per_month", Decimal("7"), 7),
        ("queries_per_month", 0, 0),
        ("horizon_months", 1, 1),
        ("horizon_months", 60, 60),
        ("latency_p95_budget_ms", None, None),
        ("latency_p95_budget_ms", 1, 1),
        ("monthly_growth_pct", 2.5, Decimal("2.5")),
        ("monthly_growth_pct", 0.1, Decimal("0.1")),
        ("corpus_changed_fraction", 0, Decimal(0)),
        ("corpus_changed_fraction", 1, Decimal(1)),
        ("budget_monthly_usd", 0, Decimal(0)),
        ("budget_one_off_usd", None, None),
        ("engineer_day_rate_usd", Decimal("950.50"), Decimal("950.50")),
    ],
)
def test_boundary_and_equivalent_values_are_accepted(book, field, value, resolved):
    resolved_value = getattr(validate_profile({"name": "x", field: value}, book), field)
    assert resolved_value == resolved
    assert type(resolved_value) is type(resolved)


def test_whole_number_fields_resolve_to_int_not_float(book):
    profile = validate_profile({"name": "x", "input_tokens": 800.0}, book)
    assert profile.input_tokens == 800 and isinstance(profile.input_tokens, int)


def test_sanity_upper_bound_is_reported(book):
    errors = errors_of({"name": "x", "monthly_growth_pct": 5000}, book)
    assert errors == {"monthly_growth_pct": ["must be at most 1000"]}


def test_name_is_required_and_not_blank(book):
    assert errors_of({}, book) == {"name": ["is required"]}
    assert errors_of({"name": "   "}, book) == {"name": ["must not be blank"]}
    assert validate_profile({"name": "  Bot "}, book).name == "Bot"


def test_unknown_field_is_an_error_with_a_hint(book):
    errors = errors_of({"name": "x", "knowlege_change": "weekly", "colour": "red"}, book)
    assert errors["knowlege_change"] == ["is not a profile field (did you mean knowledge_change?)"]
    assert errors["colour"] == ["is not a profile field"]


def test_few_shot_tokens_may_not_exceed_input_tokens(book):
    errors = errors_of({"name": "x", "input_tokens": 400, "few_shot_tokens": 401}, book)
    assert list(errors) == ["few_shot_tokens"]
    assert "input_tokens (400)" in errors["few_shot_tokens"][0]
    # Equal is fine; and the default input_tokens (500) is used when only few_shot is given.
    assert validate_profile({"name": "x", "input_tokens": 400, "few_shot_tokens": 400}, book)
    assert errors_of({"name": "x", "few_shot_tokens": 501}, book).keys() == {"few_shot_tokens"}


def test_models_must_exist_in_the_price_book_with_the_right_kind(book):
    errors = errors_of(
        {"name": "x", "model": "text-embedding-3-small", "embedding_model": "gpt-4o"}, book
    )
    assert errors["model"] == [
        "must be a chat model of price book openai-2024@1: gpt-4o, gpt-4o-mini"
    ]
    assert errors["embedding_model"][0].startswith("must be an embedding model of price book")
    assert "text-embedding-3-large" in errors["embedding_model"][0]
    assert errors_of({"name": "x", "model": "gpt-5"}, book).keys() == {"model"}
    ok = validate_profile(
        {"name": "x", "model": "gpt-4o-mini", "embedding_model": "text-embedding-3-large"}, book
    )
    assert (ok.model, ok.embedding_model) == ("gpt-4o-mini", "text-embedding-3-large")


def test_every_error_is_reported_at_once(book):
    data = {
        "name": "",
        "stage": "launch",
        "query_distribution_known": "no",
        "latency_p95_budget_ms": -3,
        "queries_per_month": 2.5,
        "corpus_changed_fraction": 2,
        "hosting": "cloud",
        "model": "claude",
        "horizon_months": 100,
        "extra": 1,
    }
    errors = errors_of(data, book)
    assert set(errors) == set(data)
    assert all(len(messages) == 1 for messages in errors.values())


@pytest.mark.parametrize("data", [[], "profile", None, 42, [("name", "x")]])
def test_non_object_input_is_a_profile_error(book, data):
    errors = errors_of(data, book)
    assert list(errors) == ["__all__"]


def test_profile_error_lines_are_field_colon_message(book):
    with pytest.raises(ProfileError) as info:
        validate_profile({"name": "x", "stage": "z", "hosting": 1}, book)
    assert info.value.lines() == [
        "stage: must be one of: idea, prototype, mvp, growth, scale",
        "hosting: must be one of: hosted_api, self_hosted",
    ]


def test_sources_and_assumptions(book):
    data = {"name": "x", "use_case": "y", "stage": "mvp", "queries_per_month": 5}
    profile = validate_profile(data, book, consultant_fields=["queries_per_month", "hosting"])
    assert profile.source("stage") == "client"
    assert profile.source("queries_per_month") == "consultant"
    # Named by the consultant but absent from the data: still a default.
    assert profile.source("hosting") == "default"
    assumptions = {a["field"]: a for a in profile.assumptions()}
    assert "stage" not in assumptions  # the client gave it
    assert "name" not in assumptions and "use_case" not in assumptions  # no rule reads them
    assert assumptions["queries_per_month"] == {
        "field": "queries_per_month",
        "value": 5,
        "source": "consultant",
    }
    assert assumptions["model"] == {"field": "model", "value": "gpt-4o", "source": "default"}
    assert assumptions["latency_p95_budget_ms"]["value"] is None
    expected_defaults = set(SPEC_DEFAULTS) - {"use_case", "stage", "queries_per_month"}
    assert {k for k, a in assumptions.items() if a["source"] == "default"} == expected_defaults
    assert profile.given_values() == {
        "name": "x",
        "use_case": "y",
        "stage": "mvp",
        "queries_per_month": 5,
    }


def test_consultant_fields_must_name_profile_fields(book):
    with pytest.raises(ValueError, match="unknown fields: colour"):
        validate_profile({"name": "x"}, book, consultant_fields=["colour"])


def test_resolved_profile_is_json_ready(book):
    profile = validate_profile({"name": "x", "monthly_growth_pct": 2.5}, book)
    data = json.loads(json.dumps(profile.to_dict()))
    assert data["monthly_growth_pct"] == 2.5
    assert validate_profile(data, book) == profile


def test_validated_profile_equals_one_built_by_the_constructor(book):
    profile = validate_profile({"name": "x", "stage": "mvp", "monthly_growth_pct": 1.5}, book)
    rebuilt = replace(profile)  # goes through the generated __init__
    assert rebuilt == profile
    assert rebuilt.sources == profile.sources
    with pytest.raises(FrozenInstanceError):
        profile.stage = "idea"


def test_growth_may_not_push_volume_past_the_sanity_limit(book):
    errors = errors_of({"name": "x", "queries_per_month": 1, "monthly_growth_pct": 1000}, book)
    assert list(errors) == ["monthly_growth_pct"]
    assert "lower the growth or the horizon" in errors["monthly_growth_pct"][0]
    # The same growth over 14 months stays under 10^15 queries: accepted.
    assert validate_profile(
        {"name": "x", "queries_per_month": 1, "monthly_growth_pct": 1000, "horizon_months": 14},
        book,
    )
