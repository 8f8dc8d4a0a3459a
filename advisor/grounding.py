"""The grounding check: is every figure and citation in a piece of narrative backed by the
computed assessment or the evidence library?

Pure Python (no Django, no openai — an import-linter contract keeps it so), deterministic, and
used by three doors: the narrative drafting job (per sentence of an LLM draft, with the fields
and evidence ids the sentence says it rests on), `manage.py grounding_check` (any free text),
and `manage.py grounding_eval` (a corpus of drafts with planted errors).

How it decides, in short (docs/NARRATIVE.md has the full rules):
- Facts are every numeric leaf of the assessment (and the numbers the engine wrote into its own
  text), values derived from them (differences, ratios and percentage gaps between options,
  per-query costs, first-year sums, ...), the evidence library's figures, and the price book.
  Each fact carries a unit kind (money, percent, ms, months, days, tokens, queries, ...) and,
  where the assessment names one, a rate (per query, per month, per run, ...).
- A figure in the text is read with its unit ("$1.2k", "13.9%", "10–500 ms", "24-month") and
  matches a fact of the same kind (a bare number matches any kind) within the precision it was
  written with: one unit of its last significant digit, and never more than 5% off.
- An LLM sentence is checked in scope: its figures must match facts under the fields or
  evidence it cites. A figure found only elsewhere is reported with where it was found, but is
  unsupported — "$0" is a true training cost for RAG and a false total cost.
- Every evidence id must exist in the library, every rule id in the assessment, every cited
  field must resolve; a sentence that cites nothing is unsupported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import combinations, pairwise
from typing import Any

from advisor.engine.numbers import to_decimal

GROUNDING_VERSION = 1
# A figure written with few significant digits ("$40k") may not stray further than this from
# the value it claims to be, however coarse its rounding.
RELATIVE_TOLERANCE = Decimal("0.05")
# A value computed here (a gap or a ratio between options) has no one way of being written, and
# there are many of them: only a figure within 1% of one counts.
DERIVED_TOLERANCE = Decimal("0.01")
# The founder's own free text: never a source of truth for a figure.
FOUNDER_FIELDS = frozenset({"name", "use_case"})

KIND_LABELS = {
    "money": "US dollars",
    "percent": "a percentage",
    "ms": "milliseconds",
    "months": "months",
    "days": "days",
    "hours": "hours",
    "tokens": "tokens",
    "queries": "queries",
    "multiplier": "a multiple",
    "count": "a number",
    "year": "a year",
    "date": "a date",
    "any": "a number",
}
RATE_LABELS = {
    "query": "per query",
    "1k_queries": "per 1,000 queries",
    "month": "per month",
    "year": "per year",
    "run": "per run",
    "1m_tokens": "per 1M tokens",
}


# --- Facts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """A value the narrative may state: where it comes from, its unit kind and rate."""

    value: Decimal
    kind: str
    label: str  # what a reader is shown: "costs.options.rag.total_usd = 36431.69"
    roots: tuple[str, ...]  # canonical paths it rests on ("evidence.E-ADOPT" for evidence)
    per: str | None = None
    # True when the rate comes from a field name (reliable: None means "not a rate"); False
    # when it was read from prose, where a missing rate proves nothing.
    rate_known: bool = False
    # Computed here from several values (a gap, a ratio, a percentage difference): held to a
    # tighter tolerance, and in scope only when a sentence cites every value it comes from.
    derived: bool = False


@dataclass(frozen=True)
class Facts:
    """Everything a narrative may rest on, indexed for the check."""

    facts: tuple[Fact, ...]
    evidence: Mapping[str, str]  # id -> title
    rule_ids: frozenset[str]
    assessment: Mapping[str, Any]
    price_book: Mapping[str, Any] | None = None
    dates: frozenset[str] = frozenset()
    by_kind: Mapping[str, tuple[Fact, ...]] = field(default_factory=dict)


def build_facts(
    assessment: Mapping[str, Any],
    evidence: Iterable[Mapping[str, Any]],
    *,
    price_book: Mapping[str, Any] | None = None,
) -> Facts:
    """Collect the facts of an assessment (DESIGN §4.2 dict), the evidence library (dicts with
    id, title, claim, figures) and optionally the price book's data."""
    facts: list[Fact] = []
    dates: set[str] = set()
    _walk(assessment, (), facts, dates, rate_known=True)
    facts.extend(_derived(assessment))
    library: dict[str, str] = {}
    for item in evidence:
        eid = str(item["id"])
        library[eid] = str(item.get("title") or "")
        facts.extend(_evidence_facts(eid, item))
        if item.get("date"):
            dates.add(str(item["date"]))
    if price_book is not None:
        _walk(price_book, ("price_book",), facts, dates, rate_known=True)
    for day in sorted(dates):
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", day):
            facts.append(Fact(Decimal(day[:4]), "year", f"year of {day}", ("dates",)))
    by_kind: dict[str, list[Fact]] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    return Facts(
        facts=tuple(facts),
        evidence=library,
        rule_ids=frozenset(str(r["id"]) for r in assessment.get("rules", [])),
        assessment=assessment,
        price_book=price_book,
        dates=frozenset(dates),
        by_kind={kind: tuple(items) for kind, items in by_kind.items()},
    )


def _key_kind(keys: Sequence[str]) -> tuple[str, str | None]:
    """The unit kind and rate of a numeric leaf, from the names on its path."""
    key = keys[-1].lower() if keys else ""
    joined = ".".join(k.lower() for k in keys)
    per = None
    if "per_query" in key:
        per = "query"
    elif "per_1k" in key:
        per = "1k_queries"
    elif "per_1m" in key:
        per = "1m_tokens"
    elif "per_run" in key:
        per = "run"
    elif "per_month" in key or "monthly" in key or ".monthly." in f".{joined}.":
        per = "month"
    if "usd" in key or (len(keys) >= 2 and "usd" in keys[-2].lower() and key in {"low", "high"}):
        return "money", per
    if key.endswith("_pct"):
        return "percent", per
    if key.endswith("_fraction"):
        return "fraction", per
    if (
        "_ms" in key
        or key.startswith("ms")
        or (len(keys) >= 2 and "_ms" in keys[-2].lower() and key in {"low", "high"})
    ):
        return "ms", per
    if key == "month" or "months" in key:
        return "months", per
    if "days" in key or (len(keys) >= 2 and "days" in keys[-2].lower()):
        return "days", per
    if "tokens" in key:
        return "tokens", per
    if "queries" in key:
        return "queries", per
    return "count", per


def _walk(
    node: Any,
    path: tuple[str, ...],
    out: list[Fact],
    dates: set[str],
    *,
    rate_known: bool,
) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if path == ("profile",) and key in FOUNDER_FIELDS:
                continue  # the founder's words are data for the prompt, never a fact
            _walk(value, (*path, str(key)), out, dates, rate_known=rate_known)
        return
    if isinstance(node, list):
        for index, value in enumerate(node):
            if (
                path[-1:] == ("assumptions",)
                and isinstance(value, Mapping)
                and value.get("field") in FOUNDER_FIELDS
            ):
                continue
            _walk(value, (*path, str(index)), out, dates, rate_known=rate_known)
        return
    canonical = ".".join(path)
    if isinstance(node, bool) or node is None:
        return
    if isinstance(node, int | float | Decimal):
        value = to_decimal(node)
        keys = [p for p in path if not p.isdigit()]
        kind, per = _key_kind(keys)
        label = f"{canonical} = {_plain(value)}"
        if kind == "fraction":
            out.append(Fact(value, "count", label, (canonical,), per, rate_known))
            out.append(
                Fact(
                    value * 100,
                    "percent",
                    f"{label} ({_plain(value * 100)}%)",
                    (canonical,),
                    per,
                    rate_known,
                )
            )
            return
        out.append(Fact(value, kind, label, (canonical,), per, rate_known))
        return
    if isinstance(node, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", node):
            dates.add(node)
            return
        if path and path[-1] in {"engine_version", "price_book", "schema_version", "url"}:
            return
        # The engine's own prose (rationales, blockers, risks) states computed figures.
        for figure in extract_figures(node).figures:
            if figure.kind == "date":
                dates.add(figure.iso)
                continue
            out.append(
                Fact(
                    figure.value,
                    figure.kind,
                    f"{canonical}: “{figure.written}”",
                    (canonical,),
                    figure.per,
                    False,
                )
            )


def _evidence_facts(eid: str, item: Mapping[str, Any]) -> list[Fact]:
    """An entry's figures with the units its claim gives them; a figure the claim does not
    show (or shows in words) still counts, as a number of any kind."""
    root = (f"evidence.{eid}",)
    found = [
        Fact(f.value, f.kind, f"{eid}: “{f.written}”", root, f.per, False)
        for f in extract_figures(str(item.get("claim") or "")).figures
        if f.kind != "date"
    ]
    values = {f.value for f in found}
    for raw in item.get("figures") or ():
        try:
            value = to_decimal(raw)
        except (TypeError, InvalidOperation):
            continue
        if value not in values:
            found.append(Fact(value, "any", f"{eid}: {_plain(value)}", root))
    return found


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return to_decimal(value)
    except (TypeError, InvalidOperation):
        return None


def _derived(assessment: Mapping[str, Any]) -> list[Fact]:
    """Figures a careful writer derives from the assessment: gaps, ratios and percentage
    differences between options, per-query costs, first-year and whole-horizon sums."""
    out: list[Fact] = []
    options = (assessment.get("costs") or {}).get("options") or {}
    base = "costs.options"
    for option, cost in options.items():
        per_1k = _num(cost.get("cost_per_1k_queries_usd"))
        if per_1k is not None:
            out.append(
                Fact(
                    per_1k / 1000,
                    "money",
                    f"{base}.{option}.cost_per_1k_queries_usd ÷ 1,000",
                    (f"{base}.{option}.cost_per_1k_queries_usd",),
                    "query",
                    True,
                )
            )
        months = cost.get("monthly") or []
        first_year = [_num(m.get("total_usd")) for m in months[:12]]
        if len(months) >= 12 and all(v is not None for v in first_year):
            out.append(
                Fact(
                    sum(first_year, Decimal(0)),
                    "money",  # type: ignore[arg-type]
                    f"{base}.{option}.monthly[0–11] total (first year)",
                    (f"{base}.{option}.monthly",),
                    "year",
                    True,
                )
            )
        queries = [_num(m.get("queries")) for m in months]
        if queries and all(q is not None for q in queries):
            out.append(
                Fact(
                    sum(queries, Decimal(0)),
                    "queries",  # type: ignore[arg-type]
                    f"{base}.{option}.monthly queries summed over the horizon",
                    (f"{base}.{option}.monthly",),
                    None,
                    True,
                )
            )
    for key, per in (
        ("total_usd", None),
        ("one_off_usd", None),
        ("peak_monthly_usd", "month"),
        ("cost_per_query_usd", "query"),
        ("cost_per_1k_queries_usd", "1k_queries"),
    ):
        for a, b in combinations(sorted(options), 2):
            va, vb = _num(options[a].get(key)), _num(options[b].get(key))
            if va is None or vb is None:
                continue
            roots = (f"{base}.{a}.{key}", f"{base}.{b}.{key}")
            out.append(
                Fact(
                    abs(va - vb),
                    "money",
                    f"{a} vs {b} {key} difference",
                    roots,
                    per,
                    True,
                    derived=True,
                )
            )
            if key != "total_usd":
                continue  # "x% cheaper" and "3× the cost" are said of totals
            for x, y, nx, ny in ((va, vb, a, b), (vb, va, b, a)):
                if y:
                    out.append(
                        Fact(
                            abs(x - y) / y * 100,
                            "percent",
                            f"{nx} vs {ny} {key}: % difference",
                            roots,
                            derived=True,
                        )
                    )
                    out.append(Fact(x / y, "multiplier", f"{nx} ÷ {ny} {key}", roots, derived=True))
    for option, rng in (assessment.get("latency") or {}).items():
        base_ms = _num((assessment.get("profile") or {}).get("base_model_p95_ms"))
        for end in ("p95_ms_low", "p95_ms_high"):
            value = _num(rng.get(end))
            if value is not None and base_ms is not None and value > base_ms:
                out.append(
                    Fact(
                        value - base_ms,
                        "ms",
                        f"latency.{option}.{end} − base model p95",
                        (f"latency.{option}.{end}",),
                        None,
                        True,
                    )
                )
    stages = assessment.get("roadmap") or []
    for key, kind in (
        ("cost_usd", "money"),
        ("duration_days_low", "days"),
        ("duration_days_high", "days"),
    ):
        values = [_num(s.get(key)) for s in stages]
        if len(values) > 1 and all(v is not None for v in values):
            out.append(
                Fact(
                    sum(values, Decimal(0)),
                    kind,
                    f"roadmap {key} summed",  # type: ignore[arg-type]
                    ("roadmap",),
                    None,
                    True,
                )
            )
    profile = assessment.get("profile") or {}
    tokens = [_num(profile.get(k)) for k in ("input_tokens", "retrieved_tokens")]
    if all(t is not None for t in tokens):
        out.append(
            Fact(
                sum(tokens, Decimal(0)),
                "tokens",  # type: ignore[arg-type]
                "profile.input_tokens + profile.retrieved_tokens (a RAG prompt)",
                ("profile.input_tokens", "profile.retrieved_tokens"),
                None,
                True,
            )
        )
    horizon = _num((assessment.get("costs") or {}).get("horizon_months"))
    if horizon is not None:
        out.append(
            Fact(
                horizon,
                "months",
                f"costs.horizon_months = {_plain(horizon)}",
                ("costs.horizon_months",),
                None,
                True,
            )
        )
    return out


# --- Figures in text ------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number as written in the text, read with its unit."""

    written: str
    value: Decimal  # in the kind's base unit (seconds become ms, weeks days, years months)
    kind: str
    tolerance: Decimal
    start: int
    end: int
    per: str | None = None
    number: Decimal | None = None  # as written, before the unit's conversion
    iso: str = ""  # a date, as YYYY-MM-DD (or YYYY-MM when written without a day)


@dataclass(frozen=True)
class Reference:
    """An evidence id (E-…) or rule id (R-…) as written in the text."""

    written: str
    kind: str  # evidence | rule
    start: int


@dataclass(frozen=True)
class Extraction:
    figures: tuple[Figure, ...]
    references: tuple[Reference, ...]


EVIDENCE_ID = re.compile(r"\bE-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
RULE_ID = re.compile(r"\bR-[A-Z]+(?:-[A-Z]+)*\b")
MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH = r"(?P<{}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERN = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    r"|\b(?P<d1>\d{1,2}) " + _MONTH.format("m1") + r",? (?P<y1>\d{4})\b"
    r"|\b" + _MONTH.format("m2") + r" (?P<d2>\d{1,2}),? (?P<y2>\d{4})\b"
    r"|\b" + _MONTH.format("m3") + r" (?P<y3>\d{4})\b",
    re.IGNORECASE,
)
URL = re.compile(r"(?:https?://|arxiv:)\S+", re.IGNORECASE)
LIST_MARKER = re.compile(r"^[ \t]*\d+[.)][ \t]", re.MULTILINE)
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\d])")
MONEY_BEFORE = re.compile(r"(?:US\$|\$|USD\s?)\s?$")
MONTH_BEFORE = re.compile(r"\bmonth\s$", re.IGNORECASE)

# Directly after the digits: a magnitude, a multiple or a short unit.
SUFFIX = re.compile(r"(k|K|M|m|mn|bn|B|x|×|ms|s|%)(?![A-Za-z])")
# After a space or hyphen: unit words, longest first.
UNIT_WORDS: tuple[tuple[str, str, Decimal], ...] = (
    (r"million\b", "scale6", Decimal(1)),
    (r"thousand\b", "scale3", Decimal(1)),
    (r"billion\b", "scale9", Decimal(1)),
    (r"percentage points?|percent|per\s?cent|pp\b", "percent", Decimal(1)),
    (r"milliseconds?|msecs?|ms\b", "ms", Decimal(1)),
    (r"seconds?|secs?\b|s\b", "ms", Decimal(1000)),
    (r"(?:business |working |engineer[- ]|person[- ])?days?\b", "days", Decimal(1)),
    (r"weeks?\b", "days", Decimal(7)),
    (r"months?\b|mo\b", "months", Decimal(1)),
    (r"years?\b|yrs?\b", "months", Decimal(12)),
    (r"hours?\b|hrs?\b", "hours", Decimal(1)),
    (r"(?:[a-z-]+ )?tokens?\b", "tokens", Decimal(1)),
    (r"(?:[a-z-]+ )?(?:queries|query|requests?|questions?|calls)\b", "queries", Decimal(1)),
    (r"dollars?\b|USD\b|usd\b", "money", Decimal(1)),
    (r"cents?\b", "money", Decimal("0.01")),
    (r"times\b", "multiplier", Decimal(1)),
)
UNIT_AFTER = re.compile(
    r"(?:\s|-)(" + "|".join(f"(?:{pattern})" for pattern, _, _ in UNIT_WORDS) + ")",
    re.IGNORECASE,
)
RATE_AFTER: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(r"^(?:[ \t]+[a-z-]+){0,2}?[ \t]*" + pattern, re.IGNORECASE), rate)
    for pattern, rate in (
        (
            r"(?:per|/)[ \t]*(?:1,000|1000|1k|a thousand|thousand)[ \t]+(?:queries|requests)",
            "1k_queries",
        ),
        (
            r"(?:per|/)[ \t]*(?:1M|1 million|one million|million|1,000,000)"
            r"[ \t]+(?:[a-z/-]+[ \t]+)?tokens",
            "1m_tokens",
        ),
        (r"(?:per|a|an|each|every|/)[ \t]*(?:query|request|call|question|answer)\b", "query"),
        (r"(?:per|a|each|every|/)[ \t]*month\b|monthly\b|/[ \t]*mo\b", "month"),
        (r"(?:per|a|each|every|/)[ \t]*(?:year|annum)\b|annually\b|yearly\b", "year"),
        (r"(?:per|a|each|every)[ \t]*(?:training[ \t]+)?run\b", "run"),
    )
)
RANGE_JOIN = re.compile(r"^\s*(?:–|—|-|to|and|or|/)\s*(?:US\$|\$)?\s*$")
DENOMINATORS = {Decimal(1), Decimal(1000), Decimal(1_000_000)}
RATED_KINDS = {"money", "count", "queries", "percent"}
# Kinds whose figures writers cut rather than round ("$36,431" for $36,431.69): a whole unit
# of the last digit is tolerated; everything else gets half a unit.
TRUNCATED_KINDS = {"money", "tokens", "queries"}


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _precision(digits: str, fraction: str | None) -> Decimal:
    """One unit of the last significant digit as written: '36,432' → 1, '36,000' → 1000,
    '1.2' → 0.1, '0' → 1. Trailing zeros read as rounding only from four digits up: "50%",
    "500 ms" and "100 examples" mean exactly that; "$36,000" may be a rounded $36,432."""
    if fraction:
        return Decimal(1).scaleb(-(len(fraction) - 1))
    plain = digits.replace(",", "")
    stripped = plain.rstrip("0")
    if not stripped or len(plain) < 4:
        return Decimal(1)
    return Decimal(1).scaleb(len(plain) - len(stripped))


def _iso(match: re.Match[str]) -> str:
    if match.group("iso"):
        return match.group("iso")
    for day, month, year in (("d1", "m1", "y1"), ("d2", "m2", "y2"), (None, "m3", "y3")):
        if match.group(month):
            number = MONTHS[match.group(month).lower().rstrip(".")]
            if day is None:
                return f"{match.group(year)}-{number:02d}"
            return f"{match.group(year)}-{number:02d}-{int(match.group(day)):02d}"
    return ""


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


@dataclass
class _Raw:
    digits: str
    fraction: str | None
    start: int  # of the digits
    wstart: int  # of the figure as written ("$" included)
    end: int  # end of the figure including its unit
    kind: str | None
    scale: Decimal
    convert: Decimal
    per: str | None
    explicit_scale: bool


def extract_figures(text: str) -> Extraction:
    """Every figure and id in the text, read with units. Identifiers (GPT-4o, p95, 7B,
    text-embedding-3-small), list markers, URLs and unit denominators ("per 1M tokens") are
    not figures."""
    references: list[Reference] = []
    masked_spans: list[tuple[int, int]] = []
    for pattern, kind in ((EVIDENCE_ID, "evidence"), (RULE_ID, "rule")):
        for match in pattern.finditer(text):
            references.append(Reference(match.group(0), kind, match.start()))
            masked_spans.append(match.span())
    dates: list[Figure] = []
    for match in DATE_PATTERN.finditer(text):
        if any(start <= match.start() < end for start, end in masked_spans):
            continue
        iso = _iso(match)
        if iso:
            dates.append(
                Figure(
                    match.group(0),
                    Decimal(0),
                    "date",
                    Decimal(0),
                    match.start(),
                    match.end(),
                    iso=iso,
                )
            )
            masked_spans.append(match.span())
    masked_spans += [m.span() for m in URL.finditer(text)]
    masked_spans += [m.span() for m in LIST_MARKER.finditer(text)]
    scan = _mask(text, masked_spans)

    raws: list[_Raw] = []
    for match in NUMBER.finditer(scan):
        start, end = match.span()
        before = scan[max(0, start - 6) : start]
        # Part of an identifier: gpt-4o, text-embedding-3-small, Q3.
        if start >= 2 and scan[start - 1] == "-" and scan[start - 2].isalpha():
            continue
        digits, fraction = match.group(1), match.group(2)
        kind: str | None = None
        scale, convert, explicit = Decimal(1), Decimal(1), False
        wstart = start
        money = MONEY_BEFORE.search(before)
        if money is not None:
            kind = "money"
            wstart = start - (len(before) - money.start())
        elif MONTH_BEFORE.search(scan[max(0, start - 7) : start]):
            kind = "months"
        cursor = end
        suffix = SUFFIX.match(scan, cursor)
        if suffix is None and cursor < len(scan) and scan[cursor].isalpha():
            continue  # 4o, 7B-parameter, 1st: an identifier or ordinal, not a figure
        if suffix is not None:
            sfx = suffix.group(1)
            if sfx in {"k", "K"}:
                scale, explicit = Decimal(1000), True
            elif sfx in {"M", "mn"} or (sfx == "m" and kind == "money"):
                scale, explicit = Decimal(1_000_000), True
            elif sfx == "bn" or (sfx == "B" and kind == "money"):
                scale, explicit = Decimal(1_000_000_000), True
            elif sfx in {"B", "m"}:
                continue  # 7B, 65B: a model's size; 5m: ambiguous
            elif sfx in {"x", "×"}:
                kind = "multiplier"
            elif sfx == "ms":
                kind = "ms"
            elif sfx == "s":
                kind, convert = "ms", Decimal(1000)
            elif sfx == "%":
                kind = "percent"
            cursor = suffix.end()
        if kind in {None, "money"} or (kind not in {"percent", "multiplier", "ms"} and explicit):
            if cursor < len(scan) and scan[cursor] == "%":
                kind, cursor = "percent", cursor + 1
            else:
                unit = UNIT_AFTER.match(scan, cursor)
                if unit is not None:
                    word = unit.group(1)
                    for pattern, unit_kind, factor in UNIT_WORDS:
                        if re.fullmatch(pattern, word, re.IGNORECASE):
                            if unit_kind.startswith("scale"):
                                scale = Decimal(10) ** int(unit_kind[5:])
                                explicit = True
                                again = UNIT_AFTER.match(scan, unit.end())
                                cursor = unit.end()
                                if again is not None and kind is None:
                                    for p2, k2, f2 in UNIT_WORDS:
                                        if re.fullmatch(p2, again.group(1), re.IGNORECASE):
                                            if not k2.startswith("scale"):
                                                kind, convert = k2, f2
                                                cursor = again.end()
                                            break
                            elif kind is None or (kind == "money" and unit_kind == "money"):
                                kind, convert = unit_kind, factor
                                cursor = unit.end()
                            break
        elif cursor < len(scan) and kind is None and scan[cursor] == "×":
            kind, cursor = "multiplier", cursor + 1
        per = None
        rest = scan[cursor : cursor + 60]
        for pattern, rate in RATE_AFTER:
            if pattern.match(rest):
                per = rate
                break
        raws.append(
            _Raw(digits, fraction, start, wstart, cursor, kind, scale, convert, per, explicit)
        )

    # Ranges share their unit: "10–500 ms", "$15–17", "17-33%", "from $1,120 to $1,680 a month".
    for left, right in pairwise(raws):
        gap = scan[left.end : right.start]
        if not RANGE_JOIN.match(gap):
            continue
        if "$" in gap and right.kind is None:
            right.kind = "money"
        if left.kind is None and right.kind is not None:
            left.kind, left.convert = right.kind, right.convert
            if not left.explicit_scale and right.explicit_scale:
                left.scale = right.scale
        elif right.kind is None and left.kind == "money":
            right.kind = "money"
        if left.per is None:
            left.per = right.per

    figures: list[Figure] = []
    for raw in raws:
        number = Decimal(raw.digits.replace(",", "") + (raw.fraction or ""))
        kind = raw.kind or "count"
        value = number * raw.scale * raw.convert
        before = scan[max(0, raw.start - 8) : raw.start].lower()
        # "per 1M tokens", "per 1,000 queries": the unit of a rate, not a figure.
        if re.search(r"(?:per|/)\s*$", before) and value in DENOMINATORS:
            continue
        plain = raw.fraction is None and "," not in raw.digits and raw.scale == 1
        if kind == "count" and plain and 1900 <= number <= 2100:
            kind = "year"
        tolerance = _precision(raw.digits, raw.fraction) * raw.scale * raw.convert
        if kind not in TRUNCATED_KINDS:
            # Rounded, not cut: "14%" may be 13.9%, but "80%" is not 81%.
            tolerance /= 2
        # A rate qualifies money and counts; "10–500 ms per query" is just latency.
        per = raw.per if kind in RATED_KINDS else None
        written = text[raw.wstart : raw.end].strip()
        figures.append(
            Figure(written, value, kind, tolerance, raw.wstart, raw.end, per, number * raw.scale)
        )
    for date in dates:
        figures.append(date)
    figures.sort(key=lambda f: f.start)
    references.sort(key=lambda r: r.start)
    return Extraction(tuple(figures), tuple(references))


# --- Field paths ------------------------------------------------------------------------------

_SELECTORS = ("id", "option", "field", "stage", "month", "rule")


def resolve_field(facts: Facts, path: str) -> str | None:
    """The canonical path ("rules.0", "costs.options.rag.total_usd") of a field a sentence
    cites, or None when the assessment has no such field. Accepts dotted or bracketed paths,
    list items by index or by their id/option/field/stage ("rules[R-FRESH]"), a bare rule id,
    and "evidence.E-…" / "price_book.…"."""
    raw = path.strip().strip("`'\"")
    raw = re.sub(r"^(?:assessment|\$)\.", "", raw)
    parts = [p.strip("'\" ") for p in re.split(r"\.|\[|\]", raw) if p.strip("'\" ")]
    if not parts:
        return None
    if parts[0] == "evidence" and len(parts) >= 2:
        return f"evidence.{parts[1]}" if parts[1] in facts.evidence else None
    if EVIDENCE_ID.fullmatch(parts[0]) and len(parts) == 1:
        return f"evidence.{parts[0]}" if parts[0] in facts.evidence else None
    if RULE_ID.fullmatch(parts[0]):
        parts = ["rules", *parts]
    node: Any = facts.assessment
    canonical: list[str] = []
    if parts[0] == "price_book" and facts.price_book is not None and len(parts) > 1:
        node, canonical, parts = facts.price_book, ["price_book"], parts[1:]
    for part in parts:
        if isinstance(node, Mapping):
            if part not in node:
                return None
            node = node[part]
            canonical.append(part)
        elif isinstance(node, list):
            index = _list_index(node, part)
            if index is None:
                return None
            node = node[index]
            canonical.append(str(index))
        else:
            return None
    return ".".join(canonical)


def _list_index(items: list[Any], part: str) -> int | None:
    for key in _SELECTORS:
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and str(item.get(key)) == part:
                return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    return None


def _node(facts: Facts, canonical: str) -> Any:
    node: Any = facts.assessment
    parts = canonical.split(".")
    if parts[0] == "price_book":
        node, parts = facts.price_book, parts[1:]
    for part in parts:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _cited_evidence(node: Any) -> Iterator[str]:
    """Evidence ids named inside a cited subtree (a rule's or a risk's `evidence` list)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "evidence" and isinstance(value, list):
                yield from (str(v) for v in value)
            else:
                yield from _cited_evidence(value)
    elif isinstance(node, list):
        for value in node:
            yield from _cited_evidence(value)


# --- The check ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One figure, id or citation and whether it is backed."""

    kind: str  # figure | evidence | rule | field | citation
    written: str
    supported: bool
    matched: str = ""  # what backs it (or, when unsupported, where it was found instead)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "written": self.written,
            "supported": self.supported,
            "matched": self.matched,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SentenceCheck:
    findings: tuple[Finding, ...]

    @property
    def supported(self) -> bool:
        return all(f.supported for f in self.findings)

    @property
    def problems(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.supported)


def _close(figure: Figure, fact: Fact) -> bool:
    diff = abs(figure.value - fact.value)
    if diff == 0:
        return True
    relative = DERIVED_TOLERANCE if fact.derived else RELATIVE_TOLERANCE
    return diff <= figure.tolerance and diff <= relative * abs(fact.value)


def _compatible_kind(figure: Figure, fact: Fact) -> bool:
    return figure.kind == "count" or fact.kind == "any" or figure.kind == fact.kind


def _compatible_rate(figure: Figure, fact: Fact) -> bool:
    if figure.per is None:
        return True
    if fact.per is None:
        return not fact.rate_known
    return figure.per == fact.per


def _in_scope(fact: Fact, scope: Sequence[str] | None) -> bool:
    if scope is None:
        return True

    def cited(root: str) -> bool:
        return any(root == path or root.startswith(path + ".") for path in scope)

    if fact.derived:
        return all(cited(root) for root in fact.roots)
    return any(cited(root) for root in fact.roots)


def _candidates(figure: Figure, facts: Facts) -> Iterable[Fact]:
    if figure.kind in {"count", "any"}:
        return facts.facts
    return (*facts.by_kind.get(figure.kind, ()), *facts.by_kind.get("any", ()))


def check_figure(figure: Figure, facts: Facts, scope: Sequence[str] | None = None) -> Finding:
    """Match one figure; with a scope (the canonical paths a sentence cites), only facts under
    it back the figure."""
    # Dates and years are checked against every date the assessment, evidence and price book
    # carry, exactly: a year off by one is a different claim.
    if figure.kind == "year":
        ok = any(f.value == figure.value for f in facts.by_kind.get("year", ()))
        return Finding(
            "figure",
            figure.written,
            ok,
            f"a date of {_plain(figure.value)} in the assessment or evidence" if ok else "",
            "" if ok else "no date in that year in the assessment or the evidence library",
        )
    if figure.kind == "date":
        ok = any(day == figure.iso or day.startswith(figure.iso + "-") for day in facts.dates)
        return Finding(
            "figure",
            figure.written,
            ok,
            figure.written if ok else "",
            "" if ok else "no such date in the assessment or evidence",
        )
    close = [f for f in _candidates(figure, facts) if _close(figure, f)]
    exact = [f for f in close if _compatible_kind(figure, f) and _compatible_rate(figure, f)]
    scoped = [f for f in exact if _in_scope(f, scope)]
    if scoped:
        best = min(scoped, key=lambda f: abs(f.value - figure.value))
        return Finding("figure", figure.written, True, best.label)
    if exact:
        best = min(exact, key=lambda f: abs(f.value - figure.value))
        return Finding(
            "figure",
            figure.written,
            False,
            best.label,
            "matches a value, but not one the sentence cites",
        )
    # The number as written exists with another unit or rate: a mangled figure ("500
    # seconds" where the evidence says 500 ms, a per-1,000 cost written per query).
    number = figure.number if figure.number is not None else figure.value
    raw = Figure(
        figure.written,
        number,
        figure.kind,
        figure.tolerance / (figure.value / number) if figure.value and number else figure.tolerance,
        figure.start,
        figure.end,
    )
    other = [f for f in facts.facts if f.value and _close(raw, f)]
    if other:
        pool = [f for f in other if _in_scope(f, scope)] or other
        best = min(pool, key=lambda f: abs(f.value - number))
        unit = KIND_LABELS.get(best.kind, best.kind)
        if best.per:
            unit += " " + RATE_LABELS.get(best.per, best.per)
        return Finding(
            "figure",
            figure.written,
            False,
            best.label,
            f"that number exists as {unit}, not as written",
        )
    return Finding(
        "figure",
        figure.written,
        False,
        "",
        "no matching value in the assessment or the evidence library",
    )


def _check_reference(ref: Reference, facts: Facts) -> Finding:
    if ref.kind == "evidence":
        if ref.written in facts.evidence:
            return Finding("evidence", ref.written, True, facts.evidence[ref.written])
        return Finding("evidence", ref.written, False, "", "no such entry in the evidence library")
    if ref.written in facts.rule_ids:
        return Finding("rule", ref.written, True, "rule of the assessment")
    return Finding("rule", ref.written, False, "", "no such rule in the assessment")


def check_text(text: str, facts: Facts) -> list[Finding]:
    """Check free text (no citations): every figure against every fact, every id against the
    library and the rules. One finding per figure or id, in the order they appear."""
    extraction = extract_figures(text)
    items: list[tuple[int, Finding]] = [
        (f.start, check_figure(f, facts)) for f in extraction.figures
    ]
    items += [(r.start, _check_reference(r, facts)) for r in extraction.references]
    return [finding for _, finding in sorted(items, key=lambda item: item[0])]


def check_sentence(
    text: str,
    facts: Facts,
    *,
    fields: Sequence[str] = (),
    evidence: Sequence[str] = (),
) -> SentenceCheck:
    """Check one sentence of an LLM draft against what it says it rests on."""
    findings: list[Finding] = []
    scope: list[str] = []
    for path in fields:
        canonical = resolve_field(facts, str(path))
        if canonical is None:
            findings.append(
                Finding("field", str(path), False, "", "the assessment has no such field")
            )
            continue
        scope.append(canonical)
        if not canonical.startswith("evidence."):
            scope.extend(f"evidence.{eid}" for eid in _cited_evidence(_node(facts, canonical)))
    for eid in evidence:
        eid = str(eid).strip()
        if eid in facts.evidence:
            scope.append(f"evidence.{eid}")
        else:
            findings.append(
                Finding("evidence", eid, False, "", "no such entry in the evidence library")
            )
    extraction = extract_figures(text)
    for ref in extraction.references:
        finding = _check_reference(ref, facts)
        if finding.supported:
            if ref.kind == "evidence":
                scope.append(f"evidence.{ref.written}")
            else:
                canonical = resolve_field(facts, ref.written)
                if canonical:
                    scope.append(canonical)
                    scope.extend(f"evidence.{e}" for e in _cited_evidence(_node(facts, canonical)))
        if ref.written not in evidence or not finding.supported:
            findings.append(finding)
    if not fields and not evidence and not extraction.references:
        findings.append(
            Finding(
                "citation",
                "",
                False,
                "",
                "the sentence names no assessment field or evidence it rests on",
            )
        )
    for figure in extraction.figures:
        findings.append(check_figure(figure, facts, scope))
    return SentenceCheck(tuple(findings))


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    items = list(findings)
    return {
        "figures": sum(1 for f in items if f.kind == "figure"),
        "ids": sum(1 for f in items if f.kind in {"evidence", "rule"}),
        "supported": sum(1 for f in items if f.supported),
        "unsupported": sum(1 for f in items if not f.supported),
    }
