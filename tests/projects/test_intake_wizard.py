"""The wizard as data (no database): founder answers in, the engine's profile out, and back;
per-question validation in founder words; the offline tokenizer."""

from __future__ import annotations

import pytest

from advisor.engine import PROFILE_FIELDS, load_price_book, validate_profile
from projects import wizard
from projects.tokenizer import count_tokens

# One founder's answers, step by step, as the wizard's forms post them.
STEP_DATA: dict[str, dict[str, str]] = {
    "product": {
        "name": "Helpdesk Copilot",
        "use_case": "Support agents ask about refunds; answers quote the policy.",
        "stage": "mvp",
        "query_distribution_known": "yes",
    },
    "knowledge": {
        "knowledge_change": "weekly",
        "knowledge_varies_by_user": "no",
        "citations_required": "yes",
        "auditability": "internal",
        "has_corpus": "yes",
        "corpus_tokens": "1,200",
        "corpus_unit": "pages",
        "corpus_updates_per_month": "4",
        "corpus_changed_fraction": "5",
    },
    "answers": {
        "output_format": "free_text",
        "style_requirement": "brand_voice",
        "domain_jargon": "specialized",
        "hallucination_tolerance": "low",
        "has_realtime_path": "no",
    },
    "usage": {
        "queries_per_month": "20 000",
        "monthly_growth_pct": "2.5",
        "input_tokens": "800",
        "few_shot_tokens": "200",
        "output_tokens": "250",
        "labelled_examples": "0",
        "tokens_per_example": "",
        "tokens_per_example__unknown": "1",
    },
    "team": {
        "hosting": "unknown",
        "team_ml_maturity": "some",
        "engineer_day_rate_usd": "$900",
        "budget_monthly_usd": "",
        "budget_one_off_usd": "25000",
        "horizon_months": "24",
    },
}
EXPECTED_PROFILE = {
    "name": "Helpdesk Copilot",
    "use_case": "Support agents ask about refunds; answers quote the policy.",
    "stage": "mvp",
    "query_distribution_known": True,
    "knowledge_change": "weekly",
    "knowledge_varies_by_user": False,
    "citations_required": True,
    "auditability": "internal",
    "corpus_tokens": 600_000,
    "corpus_updates_per_month": 4,
    "corpus_changed_fraction": 0.05,
    "output_format": "free_text",
    "style_requirement": "brand_voice",
    "domain_jargon": "specialized",
    "hallucination_tolerance": "low",
    "latency_p95_budget_ms": None,
    "queries_per_month": 20_000,
    "monthly_growth_pct": 2.5,
    "input_tokens": 800,
    "few_shot_tokens": 200,
    "output_tokens": 250,
    "labelled_examples": 0,
    "team_ml_maturity": "some",
    "engineer_day_rate_usd": 900,
    "budget_one_off_usd": 25_000,
    "horizon_months": 24,
}
EXPECTED_UNKNOWN = ["hosting", "tokens_per_example"]


def collect_all(step_data: dict[str, dict[str, str]] = STEP_DATA) -> tuple[dict, list]:
    answers: dict = {}
    unknown: list = []
    for step in wizard.STEPS:
        answers, unknown = wizard.collect(step, step_data.get(step.slug, {}), answers, unknown)
    return answers, unknown


def test_the_steps_cover_every_field_a_founder_can_answer():
    asked = {q.profile_field for q in wizard.QUESTIONS.values() if q.profile_field}
    implied = {name for q in wizard.QUESTIONS.values() for v in q.implies.values() for name in v}
    left_to_the_consultant = {"model", "embedding_model", "retrieved_tokens"}
    assert asked | implied | left_to_the_consultant == {spec.name for spec in PROFILE_FIELDS}
    assert [s.slug for s in wizard.STEPS] == ["product", "knowledge", "answers", "usage", "team"]


def test_no_internal_field_name_reaches_the_founder():
    names = {spec.name for spec in PROFILE_FIELDS if "_" in spec.name}
    for question in wizard.QUESTIONS.values():
        words = " ".join(
            [question.title, question.help, question.example, question.assume]
            + [c.label + " " + c.hint for c in question.choices]
        )
        assert not any(name in words for name in names), question.key


def test_a_full_set_of_answers_becomes_the_profile_the_engine_accepts():
    answers, unknown = collect_all()
    assert wizard.validate_all(answers, unknown) == {}
    profile, unknown_fields = wizard.to_profile(answers, unknown)
    assert profile == EXPECTED_PROFILE
    assert unknown_fields == EXPECTED_UNKNOWN
    assert isinstance(profile["queries_per_month"], int)
    assert isinstance(profile["monthly_growth_pct"], float)
    resolved = validate_profile(profile, load_price_book("openai-2024"))
    assert resolved.corpus_tokens == 600_000
    # "I don't know" leaves the default in place, and the engine lists it as an assumption.
    assert resolved.hosting == "hosted_api"
    assert {"hosting", "tokens_per_example"} <= {a["field"] for a in resolved.assumptions()}


def test_a_no_to_a_gate_answers_its_field_and_hides_its_questions():
    data = {**STEP_DATA, "knowledge": {**STEP_DATA["knowledge"], "has_corpus": "no"}}
    answers, unknown = collect_all(data)
    profile, _ = wizard.to_profile(answers, unknown)
    assert profile["corpus_tokens"] == 0
    assert "corpus_updates_per_month" not in profile
    # What was typed behind the gate is kept, in case the founder changes their mind.
    assert answers["corpus_updates_per_month"] == "4"
    data = {**STEP_DATA, "answers": {**STEP_DATA["answers"], "has_realtime_path": "yes"}}
    answers, unknown = collect_all(data)
    errors = wizard.validate_all(answers, unknown)
    assert set(errors) == {"latency_p95_budget_ms", "base_model_p95_ms"}


@pytest.mark.parametrize(
    ("unit", "amount", "tokens"),
    [
        ("pages", "10", 5_000),
        ("documents", "3", 15_000),
        ("words", "750", 1_000),
        ("tokens", "42", 42),
    ],
)
def test_private_knowledge_is_converted_to_tokens(unit, amount, tokens):
    data = {
        **STEP_DATA,
        "knowledge": {**STEP_DATA["knowledge"], "corpus_tokens": amount, "corpus_unit": unit},
    }
    profile, _ = wizard.to_profile(*collect_all(data))
    assert profile["corpus_tokens"] == tokens


@pytest.mark.parametrize(
    ("raw", "value"),
    [("10,000", 10000), ("10 000", 10000), ("$800", 800), ("12.5%", 12.5), ("1,5", 1.5)],
)
def test_numbers_are_read_as_people_type_them(raw, value):
    assert float(wizard.parse_number(raw)) == value


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "NaN", "Infinity", "--5", ""])
def test_things_that_are_not_numbers_are_refused(raw):
    assert wizard.parse_number(raw) is None


def test_errors_are_per_question_in_founder_words_and_typed_text_is_kept():
    step = wizard.step_by_slug("usage")
    data = {
        "queries_per_month": "-5",
        "monthly_growth_pct": "lots",
        "input_tokens": "100",
        "few_shot_tokens": "300",
        "output_tokens": "12.5",
    }
    answers, unknown = wizard.collect(step, data, {}, [])
    errors = wizard.validate_step(step, answers, unknown, require=True)
    assert errors["queries_per_month"] == ["Enter 0 or more — it can't be negative."]
    assert errors["monthly_growth_pct"] == ["Enter a number using digits, like 1500."]
    assert errors["output_tokens"] == ["Enter a whole number, without decimals."]
    assert "can't be more than the whole request (100 tokens)" in errors["few_shot_tokens"][0]
    assert errors["labelled_examples"] == ["Enter a number, or tick “I don't know”."]
    assert answers["queries_per_month"] == "-5"
    assert answers["monthly_growth_pct"] == "lots"
    # Without `require`, only answers given and wrong are flagged, not blanks.
    lenient = wizard.validate_step(step, answers, unknown, require=False)
    assert "labelled_examples" not in lenient
    assert "queries_per_month" in lenient


def test_collect_only_touches_its_own_step():
    answers, unknown = collect_all()
    product = wizard.step_by_slug("product")
    answers2, unknown2 = wizard.collect(product, {"name": "Renamed"}, answers, unknown)
    assert answers2["name"] == "Renamed"
    assert "stage" not in answers2  # left blank in this post: cleared
    assert answers2["knowledge_change"] == "weekly"
    assert unknown2 == unknown


def test_choosing_i_dont_know_for_a_choice_marks_it_and_a_real_answer_unmarks_it():
    step = wizard.step_by_slug("team")
    answers, unknown = wizard.collect(step, {"hosting": "unknown"}, {}, [])
    assert "hosting" in unknown and "hosting" not in answers
    answers, unknown = wizard.collect(step, {"hosting": "self_hosted"}, answers, unknown)
    assert "hosting" not in unknown and answers["hosting"] == "self_hosted"


def test_a_profile_round_trips_through_the_answers_of_a_reopened_intake():
    answers, unknown = collect_all()
    profile, unknown_fields = wizard.to_profile(answers, unknown)
    again, again_unknown = wizard.from_profile(profile, unknown_fields)
    assert wizard.validate_all(again, again_unknown) == {}
    assert wizard.to_profile(again, again_unknown) == (profile, unknown_fields)


def test_engine_errors_are_mapped_to_questions_without_field_names():
    mapped = wizard.map_engine_errors(
        {
            "few_shot_tokens": ["must not be more than input_tokens (500)"],
            "model": ["must be a chat model of price book openai-2024: gpt-4o"],
        }
    )
    assert set(mapped) == {"few_shot_tokens", wizard.ALL}
    assert "input_tokens" not in mapped["few_shot_tokens"][0]
    assert "How long is a typical request" in mapped["few_shot_tokens"][0]


def test_review_reads_answers_back_in_founder_language():
    answers, unknown = collect_all()
    sections = wizard.review(answers, unknown)
    rows = {row.question.key: row for section in sections for row in section.rows}
    assert rows["stage"].answer == "Live with first users"
    assert rows["corpus_tokens"].answer == "1,200 pages (about 600,000 tokens)"
    assert rows["corpus_changed_fraction"].answer == "5%"
    assert rows["engineer_day_rate_usd"].answer == "$900 a day"
    assert rows["hosting"].state == "unknown"
    assert rows["hosting"].answer.startswith("I don't know")
    assert rows["budget_monthly_usd"].answer == "No fixed limit"
    assert "latency_p95_budget_ms" not in rows  # behind a "no"


def test_progress_counts_steps_fully_answered():
    answers, unknown = collect_all({"product": STEP_DATA["product"], "team": STEP_DATA["team"]})
    assert wizard.steps_done(answers, unknown) == ["product", "team"]


# --- The tokenizer ------------------------------------------------------------------------------


def test_the_tokenizer_counts_o200k_tokens_offline():
    # o200k_base splits "Hello, world!" into "Hello" "," " world" "!" (ids 13225 11 2375 0).
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("") == 0
    sentence = "The quick brown fox jumps over the lazy dog."
    assert count_tokens(sentence) == 10
    assert count_tokens(sentence * 3) > count_tokens(sentence) * 2


def test_special_token_markers_in_pasted_text_count_as_text():
    # Pasted text is data: "<|endoftext|>" is several ordinary tokens, and never an error.
    assert count_tokens("hi <|endoftext|> there") > 3


def test_the_estimator_samples_map_to_the_three_token_questions():
    targets = set(wizard.SAMPLE_FIELDS.values())
    assert targets == {"input_tokens", "few_shot_tokens", "output_tokens"}
    usage = {q.key for q in wizard.step_by_slug("usage").questions}
    assert set(wizard.SAMPLE_FIELDS.values()) <= usage


def test_examples_are_compared_with_the_default_request_only_when_it_is_unknown():
    step = wizard.step_by_slug("usage")
    answers, _ = wizard.collect(step, {"few_shot_tokens": "600"}, {}, [])
    assert "few_shot_tokens" not in wizard.validate_step(step, answers, [], require=True)
    errors = wizard.validate_step(step, answers, ["input_tokens"], require=True)
    assert "(500 tokens)" in errors["few_shot_tokens"][0]
