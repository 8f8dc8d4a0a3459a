"""The §6 cost model against figures worked out by hand in Decimal, option by option."""

import math
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest

from advisor.engine import PriceBook, estimate_costs

D = Decimal
M = D(1_000_000)


def c(x):
    """Round half-up to the cent, as an invoice line."""
    return D(x).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def money(value):
    return D(str(value))


def test_prompt_only_with_growth(run):
    # 1000 queries growing 10% a month for 3 months; 500 in / 300 out at $2.50 / $10 per 1M.
    a = run(queries_per_month=1000, monthly_growth_pct=10, horizon_months=3)
    po = a.to_dict()["costs"]["options"]["prompt_only"]
    per_query = (500 * D("2.50") + 300 * D("10.00")) / M  # 0.00425
    months = []
    for m in range(3):
        q = 1000 * D("1.1") ** m
        inference = c(q * per_query)
        engineering = c(D("0.5") * 800)  # maintenance 0.5 day a month
        months.append((q, inference, engineering, inference + engineering))
    assert [row["inference_usd"] for row in po["monthly"]] == [4.25, 4.68, 5.14]
    for row, (q, inference, engineering, total) in zip(po["monthly"], months, strict=True):
        assert money(row["queries"]) == c(q)
        assert money(row["inference_usd"]) == inference
        assert money(row["engineering_usd"]) == engineering
        assert money(row["total_usd"]) == total
        assert row["retrieval_usd"] == 0 and row["training_usd"] == 0
    one_off = c(2 * 800)  # 2 build days
    assert money(po["one_off_usd"]) == one_off == D(1600)
    total = sum(t for *_, t in months) + one_off
    assert money(po["total_usd"]) == total
    total_queries = D(1000) + D(1100) + D(1210)
    assert money(po["cost_per_query_usd"]) == c(total / total_queries)
    assert money(po["cost_per_1k_queries_usd"]) == c(total * 1000 / total_queries)
    assert po["training_runs"] == 0 and po["training_usd_per_run"] == 0


def test_rag_with_corpus_updates_and_growth(run):
    a = run(
        queries_per_month=20000,
        monthly_growth_pct=5,
        horizon_months=4,
        corpus_tokens=3_000_000,
        corpus_updates_per_month=2,
        corpus_changed_fraction=0.25,
        retrieved_tokens=1500,
        input_tokens=600,
        output_tokens=250,
        engineer_day_rate_usd=1000,
    )
    rag = a.to_dict()["costs"]["options"]["rag"]
    infer_per_query = ((600 + 1500) * D("2.50") + 250 * D(10)) / M
    embed_per_query = 600 * D("0.02") / M
    reembed = 3_000_000 * D("0.25") * 2 * D("0.02") / M  # 0.03 a month
    hosting = D(50)  # the book's point for vector hosting
    expected_total = D(0)
    for m, row in enumerate(rag["monthly"]):
        q = 20000 * D("1.05") ** m
        assert money(row["inference_usd"]) == c(q * infer_per_query)
        assert money(row["retrieval_usd"]) == c(q * embed_per_query + hosting + reembed)
        assert money(row["engineering_usd"]) == c(1 * 1000)
        assert money(row["total_usd"]) == (
            c(q * infer_per_query) + c(q * embed_per_query + hosting + reembed) + D(1000)
        )
        expected_total += money(row["total_usd"])
    # one-off: 5 build days at $1000 + embedding the whole corpus once (3M * 0.02 / 1M = 0.06)
    assert money(rag["one_off_usd"]) == D(5000) + c(3_000_000 * D("0.02") / M) == D("5000.06")
    assert money(rag["total_usd"]) == expected_total + D("5000.06")
    assert rag["ranges"]["vector_hosting_usd_per_month"] == {"low": 0, "high": 300}
    assert rag["ranges"]["one_off_usd"] == {"low": 3000.06, "high": 10000.06}
    assert rag["ranges"]["build_days"] == {"low": 3, "high": 10}


def test_hosted_fine_tuning(run):
    a = run(
        queries_per_month=10000,
        monthly_growth_pct=2,
        horizon_months=6,
        input_tokens=1000,
        few_shot_tokens=600,
        output_tokens=200,
        labelled_examples=500,
        tokens_per_example=1200,
    )
    ft = a.to_dict()["costs"]["options"]["fine_tuning"]
    # per run: 500 examples * 1200 tokens * 3 epochs * $25 / 1M = $45
    per_run = D(500) * 1200 * 3 * 25 / M
    assert per_run == D(45)
    assert money(ft["training_usd_per_run"]) == per_run
    # 3 initial runs (one-off) + 4 a year spread monthly over 6 months = 3 + 2 = 5 runs
    assert ft["training_runs"] == 5
    monthly_training = c(per_run * 4 / 12)  # 15.00
    assert monthly_training == D(15)
    # fine-tuned prices, (1000 - 600) input tokens
    per_query = (400 * D("3.75") + 200 * D(15)) / M
    total = D(0)
    for m, row in enumerate(ft["monthly"]):
        q = 10000 * D("1.02") ** m
        assert money(row["inference_usd"]) == c(q * per_query)
        assert money(row["training_usd"]) == monthly_training
        assert money(row["engineering_usd"]) == c(2 * 800)
        assert row["retrieval_usd"] == 0
        total += money(row["total_usd"])
    one_off = c(15 * 800) + c(3 * per_run)  # build + initial runs = 12000 + 135
    assert money(ft["one_off_usd"]) == one_off == D(12135)
    assert money(ft["total_usd"]) == total + one_off


def test_hosted_hybrid(run):
    a = run(
        queries_per_month=5000,
        horizon_months=2,
        input_tokens=800,
        few_shot_tokens=300,
        output_tokens=400,
        retrieved_tokens=2500,
        corpus_tokens=1_000_000,
        corpus_updates_per_month=4,
        corpus_changed_fraction=0.1,
        labelled_examples=1000,
        tokens_per_example=500,
        model="gpt-4o-mini",
        embedding_model="text-embedding-3-large",
    )
    hy = a.to_dict()["costs"]["options"]["hybrid"]
    # gpt-4o-mini fine-tuned: $0.30 / $1.20; training $3; embeddings large $0.13
    per_query = ((800 - 300 + 2500) * D("0.30") + 400 * D("1.20")) / M
    embed = D("0.13")
    retrieval = c(5000 * 800 * embed / M + 50 + 1_000_000 * D("0.1") * 4 * embed / M)
    per_run = D(1000) * 500 * 3 * 3 / M  # $4.50
    assert money(hy["training_usd_per_run"]) == per_run
    for row in hy["monthly"]:
        assert money(row["inference_usd"]) == c(5000 * per_query)
        assert money(row["retrieval_usd"]) == retrieval
        assert money(row["training_usd"]) == c(per_run * 4 / 12)
        assert money(row["engineering_usd"]) == D(2400)
    one_off = c(20 * 800) + c(1_000_000 * embed / M) + c(3 * per_run)
    assert money(hy["one_off_usd"]) == one_off == D("16013.63")


def test_self_hosted_fine_tuning_uses_lora_runs_and_gpu_serving(run):
    a = run(
        hosting="self_hosted",
        queries_per_month=1_000_000,
        monthly_growth_pct=50,
        horizon_months=3,
        input_tokens=700,
        few_shot_tokens=200,
        output_tokens=300,
        labelled_examples=5000,
    )
    ft = a.to_dict()["costs"]["options"]["fine_tuning"]
    # A run is the 7B LoRA point ($16), whatever the dataset size; 3 initial runs one-off.
    assert ft["training_usd_per_run"] == 16
    assert money(ft["one_off_usd"]) == c(15 * 800) + 3 * 16
    assert ft["ranges"]["training_usd_per_run"] == {"low": 15, "high": 5000}
    for m, row in enumerate(ft["monthly"]):
        q = 1_000_000 * D("1.5") ** m
        tokens = q * (700 - 200 + 300)
        instances = max(1, math.ceil(tokens / D(1_000_000_000)))
        assert money(row["inference_usd"]) == instances * 750
        assert money(row["training_usd"]) == c(D(16) * 4 / 12)  # 5.33
    # 800M, 1.2B, 1.8B tokens: 1, 2, 2 instances
    assert [row["inference_usd"] for row in ft["monthly"]] == [750, 1500, 1500]
    high = ft["ranges"]["peak_monthly_usd"]["high"]
    assert money(high) == 2 * 2500 + c(D(5000) * 4 / 12) + 1600


def test_self_hosted_serves_at_least_one_instance_with_no_traffic(run):
    a = run(hosting="self_hosted", queries_per_month=0, horizon_months=2)
    po = a.to_dict()["costs"]["options"]["prompt_only"]
    assert [row["inference_usd"] for row in po["monthly"]] == [750, 750]
    assert po["cost_per_query_usd"] is None


def test_total_is_sum_of_months_plus_one_off_for_every_option(run):
    a = run(
        queries_per_month=12345,
        monthly_growth_pct=3.3,
        corpus_tokens=777_777,
        labelled_examples=321,
    )
    for name, option in a.to_dict()["costs"]["options"].items():
        months = sum(money(row["total_usd"]) for row in option["monthly"])
        assert money(option["total_usd"]) == months + money(option["one_off_usd"]), name
        for row in option["monthly"]:
            parts = ("inference_usd", "retrieval_usd", "training_usd", "engineering_usd")
            assert money(row["total_usd"]) == sum(money(row[p]) for p in parts)


def test_all_four_options_every_month(run):
    costs = run(horizon_months=7).to_dict()["costs"]
    assert costs["horizon_months"] == 7
    assert list(costs["options"]) == ["prompt_only", "rag", "fine_tuning", "hybrid"]
    for option in costs["options"].values():
        assert [row["month"] for row in option["monthly"]] == list(range(7))


def _book_for_break_even(book):
    data = book.to_dict()
    data["defaults"]["maintenance_days_per_month"] = {
        o: 0 for o in ("prompt_only", "rag", "fine_tuning", "hybrid")
    }
    data["defaults"]["build_days"]["prompt_only"] = {"low": 0, "point": 0, "high": 0}
    data["defaults"]["build_days"]["fine_tuning"] = {"low": 5, "point": 5, "high": 5}
    prices = data["models"]["gpt-4o"]["prices"]
    for key in ("input", "fine_tuned_input"):
        prices[key]["usd_per_1m_tokens"] = 10
    for key in ("output", "fine_tuned_output"):
        prices[key]["usd_per_1m_tokens"] = 0
    return PriceBook.from_dict(data)


def test_break_even_on_a_hand_built_case(book, profile):
    # prompt_only: 1000 tokens * $10/1M = $0.01 a query; 100k queries = $1000 a month, no one-off.
    # fine_tuning: 100 tokens (900 few-shot dropped) = $100 a month; one-off 5 days * $800 = $4000;
    # no examples, so training costs $0. Cost to date after month m:
    #   prompt_only 1000 (m+1); fine_tuning 4000 + 100 (m+1).
    # fine_tuning <= prompt_only once 900 (m+1) >= 4000, i.e. m+1 = 5: month 4.
    cheap = _book_for_break_even(book)
    p = profile(
        queries_per_month=100_000, input_tokens=1000, few_shot_tokens=900, horizon_months=12
    )
    costs = estimate_costs(p, cheap)
    po, ft = costs.options["prompt_only"], costs.options["fine_tuning"]
    assert po.cumulative()[:2] == [D(1000), D(2000)]
    assert ft.cumulative()[:2] == [D(4100), D(4200)]
    months = {(b.option, b.versus): b.month for b in costs.break_even}
    assert months[("fine_tuning", "prompt_only")] == 4
    assert months[("prompt_only", "fine_tuning")] == 0
    assert len(costs.break_even) == 12
    assert {(b.option, b.versus) for b in costs.break_even} == {
        (a, b) for a in costs.options for b in costs.options if a != b
    }
    # Over a 4-month horizon it never breaks even.
    short = estimate_costs(replace(p, horizon_months=4), cheap)
    assert {(b.option, b.versus): b.month for b in short.break_even}[
        ("fine_tuning", "prompt_only")
    ] is None


def test_break_even_month_matches_cumulative_costs(run):
    costs = run(queries_per_month=300000, few_shot_tokens=400, labelled_examples=200).costs
    for b in costs.break_even:
        mine = costs.options[b.option].cumulative()
        theirs = costs.options[b.versus].cumulative()
        firsts = [m for m in range(len(mine)) if mine[m] <= theirs[m]]
        assert b.month == (firsts[0] if firsts else None)


@pytest.mark.parametrize("option", ["rag", "hybrid"])
def test_retrieval_ranges_carry_vector_hosting_span(run, option):
    a = run(horizon_months=2).to_dict()["costs"]["options"][option]
    point = money(a["monthly"][0]["total_usd"])
    peak = a["ranges"]["peak_monthly_usd"]
    assert money(peak["low"]) == point - 50  # hosting $0 instead of $50
    assert money(peak["high"]) == point + 250  # a few hundred: $300
