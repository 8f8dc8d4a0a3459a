"""The cost model (DESIGN §6): what each option costs month by month over the horizon.

All four options are always priced, so a consultant can compare them whatever the verdict.
Arithmetic is Decimal throughout. Each line item (a month's inference, retrieval, training,
engineering; each part of the one-off) is rounded half-up to the cent once, and every total is
the exact sum of rounded line items — so the table a client sees adds up to the cent.

Choices where §6 is silent (docs/ENGINE.md repeats them):
- Initial training iterations are one-off (part of the build), not month-0 training; each month
  carries retraining runs a year / 12. `total_usd` = sum of monthly totals + `one_off_usd`.
- Self-hosted: inference is serving capacity, not tokens — max(1, ceil(tokens in the month /
  tokens one GPU instance serves a month)) instances at the book's instance price; a training
  run is the book's 7B LoRA run cost (range: 7B LoRA low to 65B PEFT high); embeddings stay
  priced on the book's embedding model.
- Engineering: build days (point) x day rate one-off; maintenance days a month x day rate monthly.
- Ranges carry the article's spans (vector hosting, self-hosted runs and serving, build days)
  as low/high beside the point figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from itertools import accumulate, compress, count, repeat
from operator import add, le, mul, pos
from typing import Any, NamedTuple

from advisor.engine.numbers import CENT, CONTEXT, MILLION, ZERO, cents, json_money, json_number
from advisor.engine.pricebook import OPTIONS, CostDefaults, PriceBook, Span
from advisor.engine.profile import Profile

RETRIEVAL_OPTIONS = frozenset({"rag", "hybrid"})
TUNED_OPTIONS = frozenset({"fine_tuning", "hybrid"})
TWELVE = Decimal(12)
THOUSAND = Decimal(1000)


class MonthCost(NamedTuple):
    """One month of one option, a row of `OptionCost.monthly` (built on demand from columns)."""

    month: int
    queries: Decimal
    inference_usd: Decimal
    retrieval_usd: Decimal
    training_usd: Decimal
    engineering_usd: Decimal
    total_usd: Decimal

    def to_dict(self) -> dict[str, Any]:
        # Money here is already rounded to the cent; only `queries` needs rounding.
        return {
            "month": self.month,
            "queries": json_number(cents(self.queries)),
            "inference_usd": float(self.inference_usd),
            "retrieval_usd": float(self.retrieval_usd),
            "training_usd": float(self.training_usd),
            "engineering_usd": float(self.engineering_usd),
            "total_usd": float(self.total_usd),
        }


class Range(NamedTuple):
    low: Decimal
    high: Decimal

    def to_dict(self, money: bool = True) -> dict[str, int | float]:
        convert = json_money if money else json_number
        return {"low": convert(self.low), "high": convert(self.high)}


class OptionCost(NamedTuple):
    """One option over the horizon: one-off, monthly series, totals and ranges.

    The series are held as columns (one tuple per line item) because that is how they are
    computed; `monthly` gives them as rows. Per-query figures, `ranges` and the cost to date
    month by month (`cumulative_usd`, which only break-even and charts read) are derived on
    access from the columns and `basis`. Immutable; a named tuple because four are built on
    the engine's hot path.
    """

    option: str
    one_off_usd: Decimal
    build_usd: Decimal
    indexing_usd: Decimal
    initial_training_usd: Decimal
    queries: tuple[Decimal, ...]
    inference_usd: tuple[Decimal, ...]
    retrieval_usd: tuple[Decimal, ...]
    training_usd_per_month: Decimal
    engineering_usd_per_month: Decimal
    monthly_totals: tuple[Decimal, ...]
    # Every month plus the one-off: the cost to date at the end of the horizon.
    total_usd: Decimal
    # Self-hosted GPU instances per month (empty when hosted).
    instances: tuple[int, ...]
    basis: _Basis

    @property
    def cumulative_usd(self) -> tuple[Decimal, ...]:
        """Cost to date at the end of each month, one-off included (the last is `total_usd`)."""
        with localcontext(CONTEXT):
            return _cumulative(self)

    @property
    def total_queries(self) -> Decimal:
        return self.basis.shared.total_queries

    @property
    def peak_monthly_usd(self) -> Decimal:
        # Volume never falls (growth >= 0), so the last month is the dearest.
        return self.monthly_totals[-1]

    @property
    def training_usd_per_run(self) -> Decimal:
        return cents(self.basis.shared.run_usd) if self.basis.tuned else ZERO

    @property
    def training_runs(self) -> Decimal:
        """Initial runs (one-off) plus retraining runs a year / 12 for every month."""
        if not self.basis.tuned:
            return ZERO
        shared = self.basis.shared
        return shared.initial_runs + shared.book.runs_per_month * len(self.queries)

    @property
    def cost_per_query_usd(self) -> Decimal | None:
        if self.total_queries <= 0:
            return None
        return cents(self.total_usd / self.total_queries)

    @property
    def cost_per_1k_queries_usd(self) -> Decimal | None:
        if self.total_queries <= 0:
            return None
        return cents(self.total_usd * THOUSAND / self.total_queries)

    @property
    def ranges(self) -> dict[str, Range]:
        """Low and high beside the point figures.

        What differs between low, point and high is flat a month (vector hosting, the
        retraining share), one-off (build days, initial runs) or proportional to GPU instances
        (self-hosted serving), so the low and high series follow from the point series.
        """
        basis, shared = self.basis, self.basis.shared
        retrieval, tuned, self_hosted = basis.retrieval, basis.tuned, basis.self_hosted
        build, rate = basis.build, basis.rate
        initial = shared.initial_training if tuned else ZERO_RANGE
        one_off = Range(
            cents(build.low * rate) + self.indexing_usd + initial.low,
            cents(build.high * rate) + self.indexing_usd + initial.high,
        )
        down = up = ZERO
        if retrieval:
            down, up = shared.book.hosting_down, shared.book.hosting_up
        if tuned:
            down += shared.training_down
            up += shared.training_up
        serving_down = serving_up = ZERO
        last = total_instances = 0
        if self_hosted:
            serving, serving_point = shared.book.serving, shared.book.serving_point
            serving_down = serving_point - serving.low
            serving_up = serving.high - serving_point
            last, total_instances = self.instances[-1], sum(self.instances)
        horizon = len(self.monthly_totals)
        peak, months = self.peak_monthly_usd, self.total_usd - self.one_off_usd
        ranges = {
            "one_off_usd": one_off,
            "peak_monthly_usd": Range(
                peak - down - last * serving_down, peak + up + last * serving_up
            ),
            "total_usd": Range(
                one_off.low + months - horizon * down - total_instances * serving_down,
                one_off.high + months + horizon * up + total_instances * serving_up,
            ),
            "training_usd_per_run": shared.run_range if tuned else ZERO_RANGE,
            "vector_hosting_usd_per_month": shared.book.hosting_range if retrieval else ZERO_RANGE,
            "build_days": Range(build.low, build.high),
        }
        if self_hosted:
            ranges["serving_usd_per_instance_month"] = shared.book.serving
        return ranges

    @property
    def monthly(self) -> tuple[MonthCost, ...]:
        training, engineering = self.training_usd_per_month, self.engineering_usd_per_month
        return tuple(
            MonthCost(m, q, inference, retrieval, training, engineering, total)
            for m, (q, inference, retrieval, total) in enumerate(
                zip(
                    self.queries,
                    self.inference_usd,
                    self.retrieval_usd,
                    self.monthly_totals,
                    strict=True,
                )
            )
        )

    def cumulative(self) -> list[Decimal]:
        """Cost to date at the end of each month, one-off included."""
        return list(self.cumulative_usd)

    def monthly_dicts(self, queries: list[int | float] | None = None) -> list[dict[str, Any]]:
        """The §4.2 monthly rows, built straight from the columns (money is already cents)."""
        return self._monthly_dicts(queries, {})

    def _monthly_dicts(
        self, queries: list[int | float] | None, floats: dict[int, list[float]]
    ) -> list[dict[str, Any]]:
        flat = self.basis.shared.flat
        if queries is None:
            queries = _json_queries(self.queries, flat)
        training = float(self.training_usd_per_month)
        engineering = float(self.engineering_usd_per_month)
        return [
            {
                "month": m,
                "queries": q,
                "inference_usd": inference,
                "retrieval_usd": retrieval,
                "training_usd": training,
                "engineering_usd": engineering,
                "total_usd": total,
            }
            for m, (q, inference, retrieval, total) in enumerate(
                zip(
                    queries,
                    _float_column(self.inference_usd, flat, floats),
                    _float_column(self.retrieval_usd, flat, floats),
                    _float_column(self.monthly_totals, flat, floats),
                    strict=True,
                )
            )
        ]

    def to_dict(self, *, queries: list[int | float] | None = None) -> dict[str, Any]:
        return self._to_dict(queries, {})

    def _to_dict(
        self, queries: list[int | float] | None, floats: dict[int, list[float]]
    ) -> dict[str, Any]:
        # Every figure here but the book's vector-hosting range is already a whole number of
        # cents (rounded once where it was worked out), so `float` gives what `json_money` would.
        per_query, per_1k = self.cost_per_query_usd, self.cost_per_1k_queries_usd
        return {
            "one_off_usd": float(self.one_off_usd),
            "training_usd_per_run": float(self.training_usd_per_run),
            "training_runs": json_number(cents(self.training_runs)),
            "monthly": self._monthly_dicts(queries, floats),
            "total_usd": float(self.total_usd),
            "cost_per_query_usd": None if per_query is None else float(per_query),
            # Extra keys (beyond §4.2): a cent rounds most per-query costs to 0.00 or 0.01.
            "cost_per_1k_queries_usd": None if per_1k is None else float(per_1k),
            "peak_monthly_usd": float(self.peak_monthly_usd),
            "one_off_breakdown": {
                "build_usd": float(self.build_usd),
                "indexing_usd": float(self.indexing_usd),
                "initial_training_usd": float(self.initial_training_usd),
            },
            "ranges": {
                key: (
                    {"low": float(rng.low), "high": float(rng.high)}
                    if key in _RANGES_IN_CENTS
                    else rng.to_dict(money=key != "build_days")
                )
                for key, rng in self.ranges.items()
            },
        }


# Ranges whose ends are whole cents as worked out (vector hosting is the book's own span, and
# build days are days).
_RANGES_IN_CENTS = frozenset(
    {
        "one_off_usd",
        "peak_monthly_usd",
        "total_usd",
        "training_usd_per_run",
        "serving_usd_per_instance_month",
    }
)


def _json_queries(queries: tuple[Decimal, ...], flat: bool) -> list[int | float]:
    """The query series as JSON numbers, rounded to the cent (once when every month is alike)."""
    if flat:
        return [json_number(cents(queries[0]))] * len(queries)
    return list(
        map(json_number, map(Decimal.quantize, queries, repeat(CENT), repeat(ROUND_HALF_UP)))
    )


def _float_column(
    column: tuple[Decimal, ...], flat: bool, floats: dict[int, list[float]]
) -> list[float]:
    """A money column (already cents) as floats. Options share some columns (the query series'
    retrieval cost, the zero column), so `floats` keeps each converted column by identity for
    the length of one `to_dict`, while every column it names is alive."""
    converted = floats.get(id(column))
    if converted is None:
        converted = [float(column[0])] * len(column) if flat else list(map(float, column))
        floats[id(column)] = converted
    return converted


class BreakEven(NamedTuple):
    option: str
    versus: str
    month: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"option": self.option, "versus": self.versus, "month": self.month}


@dataclass(frozen=True)
class CostEstimate:
    horizon_months: int
    options: Mapping[str, OptionCost]
    break_even: tuple[BreakEven, ...]

    def to_dict(self) -> dict[str, Any]:
        # Every option shares the query series: convert it once; likewise shared money columns.
        first = next(iter(self.options.values()))
        queries = _json_queries(first.queries, first.basis.shared.flat)
        floats: dict[int, list[float]] = {}
        return {
            "horizon_months": self.horizon_months,
            "options": {
                name: cost._to_dict(queries, floats) for name, cost in self.options.items()
            },
            "break_even": [item.to_dict() for item in self.break_even],
        }


def monthly_queries(profile: Profile) -> list[Decimal]:
    """q_m = queries_per_month x (1 + growth)^m for m = 0 .. horizon-1.

    Compounded month by month at 60 significant digits, then rounded once to the engine's 34:
    exact wherever the exact value fits in 34 digits; beyond that it can differ from rounding
    (1 + growth)^m directly only in the 34th digit — many orders of magnitude below a cent.
    Cheaper than raising to the m-th power each month.
    """
    with localcontext(CONTEXT):
        return list(_monthly_queries(profile))


def _monthly_queries(profile: Profile) -> tuple[Decimal, ...]:
    # Called inside CONTEXT: `pos` (unary plus) rounds each wide power to it.
    base = Decimal(profile.queries_per_month)
    factor = 1 + profile.monthly_growth_pct / 100
    if factor == 1:
        return (base,) * profile.horizon_months
    with localcontext(_WIDE):
        powers = tuple(accumulate(repeat(factor, profile.horizon_months - 1), mul, initial=base))
    return tuple(map(pos, powers))


_WIDE = Context(prec=60)


def estimate_costs(profile: Profile, price_book: PriceBook) -> CostEstimate:
    """Price all four options over the profile's horizon with the book's prices and defaults."""
    with localcontext(CONTEXT):
        shared = _Shared.build(profile, price_book)
        options = {option: _price_option(option, profile, price_book, shared) for option in OPTIONS}
        return CostEstimate(
            horizon_months=profile.horizon_months,
            options=options,
            break_even=break_even(options),
        )


def break_even(options: Mapping[str, OptionCost]) -> tuple[BreakEven, ...]:
    """For each ordered pair, the first month where the option's cost to date is at or below.

    Pairs come in `options` order: each option against every other. Relies on what the cost
    model guarantees: an option's monthly total never falls (volume never falls, no price is
    negative), so when an option dearer at month 0 costs, from month 1 on, at least the other's
    dearest month every month, the gap never closes — no scan needed.
    """
    names = tuple(options)
    pairs = _OPTION_PAIRS if names == OPTIONS else _pairs(names)
    totals = {name: cost.monthly_totals for name, cost in options.items()}
    # Cost to date after month 0; the whole series is worked out only for an option in a pair
    # that needs a scan.
    first = {name: cost.one_off_usd + cost.monthly_totals[0] for name, cost in options.items()}
    cumulative: dict[str, tuple[Decimal, ...]] = {}
    found = []
    append = found.append
    for pair in pairs:
        a, b = pair
        if first[a] <= first[b]:
            append(_make_break_even((a, b, 0)))
            continue
        mine, theirs = totals[a], totals[b]
        if len(mine) == 1 or mine[1] >= theirs[-1]:
            append(_make_break_even((a, b, None)))
            continue
        for name in pair:
            if name not in cumulative:
                cumulative[name] = _cumulative(options[name])
        # Lazy, in C: the first index where the test holds, or None.
        month = next(compress(count(), map(le, cumulative[a], cumulative[b])), None)
        append(_make_break_even((a, b, month)))
    return tuple(found)


def _cumulative(cost: OptionCost) -> tuple[Decimal, ...]:
    # Called inside CONTEXT.
    return tuple(accumulate(cost.monthly_totals, initial=cost.one_off_usd))[1:]


def _pairs(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((a, b) for a in names for b in names if a != b)


_OPTION_PAIRS = _pairs(OPTIONS)
# The named tuple's generated `__new__` is a Python function taking the fields one by one;
# `_make` builds the same tuple from an iterable (twelve per estimate).
_make_break_even = BreakEven._make


def training_usd_per_run(profile: Profile, price_book: PriceBook) -> Range:
    """Low and high of one training run (equal when hosted: the price is known)."""
    defaults = price_book.defaults
    if profile.hosting == "self_hosted":
        return Range(defaults.lora_run_usd.low, defaults.peft_65b_run_usd.high)
    run = _hosted_run(profile, price_book)
    return Range(run, run)


def _hosted_run(profile: Profile, price_book: PriceBook) -> Decimal:
    training_price = price_book.models[profile.model].price("training")
    tokens = profile.labelled_examples * profile.tokens_per_example * price_book.defaults.epochs
    return tokens * training_price / MILLION


def _cents_each(values: Iterable[Decimal]) -> tuple[Decimal, ...]:
    """Each value rounded half-up to the cent (the map runs in C: this is the hot path)."""
    return tuple(map(Decimal.quantize, values, repeat(CENT), repeat(ROUND_HALF_UP)))


class _Shared(NamedTuple):
    """What the options' pricing has in common, worked out once per estimate.

    Training figures are those of the tuned options (fine_tuning, hybrid); retrieval figures
    those of the retrieval options (rag, hybrid).
    """

    queries: tuple[Decimal, ...]
    # Every month has the same volume (no growth): each monthly column is one figure repeated.
    flat: bool
    total_queries: Decimal
    retrieval_usd: tuple[Decimal, ...]
    # The retrieval column of the options without retrieval.
    no_retrieval_usd: tuple[Decimal, ...]
    indexing_usd: Decimal
    # The book's own figures (vector hosting, serving, retraining runs a month).
    book: _BookFigures
    run_usd: Decimal
    run_range: Range
    training_month: Decimal
    training_down: Decimal
    training_up: Decimal
    initial_runs: int
    initial_training: Range
    initial_training_usd: Decimal

    @classmethod
    def build(cls, profile: Profile, price_book: PriceBook) -> _Shared:
        defaults = price_book.defaults
        queries = _monthly_queries(profile)
        horizon = len(queries)
        # Volume never falls (growth >= 0), so equal ends mean every month is the same.
        flat = queries[0] == queries[-1]
        embed_price = price_book.models[profile.embedding_model].price("embedding")
        book = _book_figures(defaults)
        runs_per_month = book.runs_per_month
        initial_runs = defaults.initial_training_runs
        if profile.hosting == "self_hosted":
            run, run_range = defaults.lora_run_usd.point, training_usd_per_run(profile, price_book)
            training_month = cents(run * runs_per_month)
            month_low = cents(run_range.low * runs_per_month)
            month_high = cents(run_range.high * runs_per_month)
            initial = Range(
                cents(run_range.low * initial_runs), cents(run_range.high * initial_runs)
            )
            initial_point = cents(run * initial_runs)
            run_range = Range(cents(run_range.low), cents(run_range.high))
        else:
            # Hosted, the run's price is known: low, point and high are one figure, so each
            # is rounded once.
            run = _hosted_run(profile, price_book)
            training_month = month_low = month_high = cents(run * runs_per_month)
            initial_point = cents(run * initial_runs)
            initial = Range(initial_point, initial_point)
            run_cents = cents(run)
            run_range = Range(run_cents, run_cents)
        return cls(
            queries=queries,
            flat=flat,
            total_queries=sum(queries, ZERO),
            retrieval_usd=_retrieval_column(
                profile, embed_price, defaults.vector_hosting_usd_per_month.point, queries, flat
            ),
            no_retrieval_usd=(ZERO,) * horizon,
            indexing_usd=cents(profile.corpus_tokens * embed_price / MILLION),
            book=book,
            run_usd=run,
            run_range=run_range,
            training_month=training_month,
            training_down=training_month - month_low,
            training_up=month_high - training_month,
            initial_runs=initial_runs,
            initial_training=initial,
            initial_training_usd=initial_point,
        )


class _BookFigures(NamedTuple):
    """What every estimate on one book's defaults shares, whatever the profile."""

    hosting_range: Range
    hosting_down: Decimal
    hosting_up: Decimal
    runs_per_month: Decimal
    serving: Range
    serving_point: Decimal


# Books are immutable values, and one book is usually priced against many times in a row (a
# review page and its what-ifs, a batch re-assessment): its figures are worked out once, keyed
# by the identity of its defaults. An entry holds its defaults, so the id cannot be reused by
# another object while the entry lives; the few entries kept are dropped together when full.
_BOOK_FIGURES: dict[int, tuple[CostDefaults, _BookFigures]] = {}
_BOOK_FIGURES_MAX = 16


def _book_figures(defaults: CostDefaults) -> _BookFigures:
    """The book's shared figures (called inside CONTEXT, like everything they feed)."""
    entry = _BOOK_FIGURES.get(id(defaults))
    if entry is not None and entry[0] is defaults:
        return entry[1]
    hosting = defaults.vector_hosting_usd_per_month
    serving = defaults.serving_usd_per_instance_month
    figures = _BookFigures(
        hosting_range=Range(hosting.low, hosting.high),
        hosting_down=cents(hosting.point - hosting.low),
        hosting_up=cents(hosting.high - hosting.point),
        runs_per_month=defaults.retraining_runs_per_year / TWELVE,
        serving=Range(cents(serving.low), cents(serving.high)),
        serving_point=cents(serving.point),
    )
    if len(_BOOK_FIGURES) >= _BOOK_FIGURES_MAX:
        _BOOK_FIGURES.clear()
    _BOOK_FIGURES[id(defaults)] = (defaults, figures)
    return figures


def _retrieval_column(
    profile: Profile,
    embed_price: Decimal,
    hosting: Decimal,
    queries: tuple[Decimal, ...],
    flat: bool = False,
) -> tuple[Decimal, ...]:
    """Monthly retrieval cost (same for rag and hybrid): query embeddings, which scale with
    volume, plus vector hosting and re-embedding, which are flat a month."""
    per_query = profile.input_tokens * embed_price / MILLION
    reembed = (
        profile.corpus_tokens
        * profile.corpus_changed_fraction
        * profile.corpus_updates_per_month
        * embed_price
        / MILLION
    )
    if flat:
        return (cents(queries[0] * per_query + (hosting + reembed)),) * len(queries)
    return _cents_each(map(add, map(mul, queries, repeat(per_query)), repeat(hosting + reembed)))


ZERO_RANGE = Range(ZERO, ZERO)


def _price_option(
    option: str, profile: Profile, price_book: PriceBook, shared: _Shared
) -> OptionCost:
    defaults = price_book.defaults
    prices = price_book.models[profile.model].prices
    queries = shared.queries
    horizon = len(queries)
    retrieval = option in RETRIEVAL_OPTIONS
    tuned = option in TUNED_OPTIONS
    self_hosted = profile.hosting == "self_hosted"
    rate = profile.engineer_day_rate_usd

    prompt_tokens = profile.input_tokens
    if tuned:
        prompt_tokens -= profile.few_shot_tokens
        price_in = prices["fine_tuned_input"].usd_per_1m_tokens
        price_out = prices["fine_tuned_output"].usd_per_1m_tokens
    else:
        price_in = prices["input"].usd_per_1m_tokens
        price_out = prices["output"].usd_per_1m_tokens
    if retrieval:
        prompt_tokens += profile.retrieved_tokens

    training_month = shared.training_month if tuned else ZERO
    engineering_month = cents(defaults.maintenance_days_per_month[option] * rate)
    fixed_month = training_month + engineering_month
    retrieval_usd = shared.retrieval_usd if retrieval else shared.no_retrieval_usd

    if self_hosted:
        # Serving is capacity: whole GPU instances, at least one kept running.
        tokens_per_query = prompt_tokens + profile.output_tokens
        capacity = defaults.tokens_per_instance_month
        volumes = queries[:1] if shared.flat else queries
        instances = tuple(max(1, math.ceil(q * tokens_per_query / capacity)) for q in volumes)
        serving_point = shared.book.serving_point
        inference = tuple(n * serving_point for n in instances)
        if shared.flat:
            instances, inference = instances * horizon, inference * horizon
    else:
        instances = ()
        per_query = (prompt_tokens * price_in + profile.output_tokens * price_out) / MILLION
        if shared.flat:
            inference = (cents(queries[0] * per_query),) * horizon
        else:
            inference = _cents_each(map(mul, queries, repeat(per_query)))
    if shared.flat:
        month = (
            inference[0] + retrieval_usd[0] + fixed_month
            if retrieval
            else (inference[0] + fixed_month)
        )
        totals = (month,) * horizon
    elif retrieval:
        totals = tuple(map(add, map(add, inference, retrieval_usd), repeat(fixed_month)))
    else:
        totals = tuple(map(add, inference, repeat(fixed_month)))

    build = defaults.build_days[option]
    build_usd = cents(build.point * rate)
    indexing_usd = shared.indexing_usd if retrieval else ZERO
    initial_training_usd = shared.initial_training_usd if tuned else ZERO
    one_off = build_usd + indexing_usd + initial_training_usd
    return _make_option_cost(
        (
            option,
            one_off,
            build_usd,
            indexing_usd,
            initial_training_usd,
            queries,
            inference,
            retrieval_usd,
            training_month,
            engineering_month,
            totals,
            # The same additions, in the same order, as the last cost to date of
            # `cumulative_usd`.
            sum(totals, one_off),
            instances,
            _make_basis((retrieval, tuned, self_hosted, rate, build, shared)),
        )
    )


class _Basis(NamedTuple):
    """What an option's derived figures (ranges, runs) are worked out from."""

    retrieval: bool
    tuned: bool
    self_hosted: bool
    rate: Decimal
    build: Span
    shared: _Shared


# The named tuples' generated `__new__` is a Python function taking the fields one by one;
# `_make` builds the same tuple from an iterable (four of each per estimate).
_make_option_cost = OptionCost._make
_make_basis = _Basis._make
