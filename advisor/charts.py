"""Accessible, server-rendered SVG charts of an assessment, and the money formats reports use.

Plain Python, no Django: an assessment dict (DESIGN §4.2, `Assessment.to_dict()`) in, `Chart`
values out. The platform's Content-Security-Policy forbids `style="..."`, so every chart is
drawn with SVG presentation attributes only (`fill=`, `stroke=`, `font-size=`), and the same
markup renders in browsers and in WeasyPrint's PDF.

Each chart is drawn twice: `svg` on a wide canvas (desktop, PDF) and `svg_narrow` on a phone
canvas with fewer ticks and a stacked legend. Both scale with `viewBox` + `width="100%"`; a
single canvas cannot keep 12px text legible at both 1200px and 390px, so the stylesheet shows
the one that fits (docs/REPORTS.md). Output is deterministic: the same dict gives the same
string, coordinates are printed with one decimal, and nothing reads the clock.

Months are shown to people as 1..H: the engine's month 0 is "month 1", and a point at x = m is
the cost to date at the end of month m (x = 0 is the one-off, spent before the first month).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from typing import Any

from advisor.engine import OPTIONS
from advisor.report_content import OPTION_LABELS

__all__ = [
    "COMPONENTS",
    "OPTION_COLOURS",
    "BreakEvenFact",
    "Chart",
    "ChartTable",
    "break_even_facts",
    "cheapest_alternative",
    "cumulative_cost_chart",
    "cumulative_series",
    "latency_chart",
    "money",
    "money_exact",
    "money_range",
    "money_short",
    "monthly_cost_chart",
    "monthly_cost_charts",
    "nice_ticks",
    "roadmap_chart",
]

# One colour per option everywhere (DESIGN §9); report.css repeats them as .opt-* classes.
OPTION_COLOURS = {
    "prompt_only": "#6b7280",
    "rag": "#2563eb",
    "fine_tuning": "#d97706",
    "hybrid": "#7c3aed",
}
# (key in a monthly row, label); drawn bottom to top, the steady engineering cost as the base
# so growth shows at the top of each bar.
COMPONENTS = (
    ("engineering_usd", "Engineering"),
    ("training_usd", "Training"),
    ("retrieval_usd", "Retrieval"),
    ("inference_usd", "Inference"),
)
# Shares of the option colour (mixed with white) per component: one hue per option, still
# four distinguishable steps; the darkest is the part that grows with volume.
_COMPONENT_SHADES = {
    "engineering_usd": 0.25,
    "training_usd": 0.45,
    "retrieval_usd": 0.65,
    "inference_usd": 1.0,
}
INK = "#111827"
INK_2 = "#374151"
INK_3 = "#4b5563"
GRID = "#e5e7eb"
AXIS = "#9ca3af"
FONT_STACK = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif"


# ---- Money -----------------------------------------------------------------------------------


def _dec(value: Any) -> Decimal:
    """Decimal of a JSON number; a float by its shortest repr, so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _round(value: Decimal, places: str = "1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def money_exact(value: Any) -> str:
    """To the cent, for data tables: $44,246.60."""
    amount = _round(_dec(value), "0.01")
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def money(value: Any) -> str:
    """The report's figure: cents below $100 ($0.02, $21.77), whole dollars above ($44,247)."""
    amount = _dec(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount < 100 and amount != amount.to_integral_value():
        return f"{sign}${_round(amount, '0.01'):,.2f}"
    return f"{sign}${_round(amount):,}"


def money_short(value: Any) -> str:
    """Compact, for axes and ranges: $590, $1.2k, $8k, $45k, $1.2M (cents only below $10)."""
    amount = _dec(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == 0:
        return "$0"
    if amount < 10 and amount != amount.to_integral_value():
        return f"{sign}${_round(amount, '0.01')}"
    if _round(amount) < 1000:
        return f"{sign}${_round(amount)}"
    for divisor, suffix in ((Decimal(1000), "k"), (Decimal(1_000_000), "M")):
        scaled = amount / divisor
        # One decimal below 10 ($1.2k, $2.4M), none above ($45k): two or three digits.
        digits = _round(scaled, "0.1") if scaled < Decimal("9.95") else _round(scaled)
        if digits < 1000 or suffix == "M":  # $999.6k would read $1000k: say $1M
            return f"{sign}${str(digits).removesuffix('.0')}{suffix}"
    raise AssertionError("unreachable")  # pragma: no cover


def money_range(low: Any, high: Any) -> str:
    """A range as a range: "$2.4k–$8k"; one figure when both ends read the same."""
    lo, hi = money_short(low), money_short(high)
    return lo if lo == hi else f"{lo}–{hi}"


def _ms(value: Any) -> str:
    return f"{int(value):,} ms"


# ---- Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartTable:
    """The chart's data as a table: what screen readers and the PDF show beside it."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    caption: str
    svg: str
    svg_narrow: str
    table: ChartTable


@dataclass(frozen=True)
class BreakEvenFact:
    """How the verdict option's cost to date compares with one alternative over the horizon.

    kind: "cheaper_throughout" | "dearer_throughout" | "catches_up" (the verdict starts dearer
    and falls to or below the alternative at `month`) | "overtaken" (the verdict starts cheaper
    and the alternative falls to or below it at `month`). `month` is 1-based, as shown.
    """

    option: str
    versus: str
    kind: str
    month: int | None
    sentence: str


def _monthly_totals(cost: Mapping[str, Any]) -> list[Decimal]:
    return [_dec(row["total_usd"]) for row in cost["monthly"]]


def cumulative_series(cost: Mapping[str, Any]) -> dict[str, list[Decimal]]:
    """Cost to date at x = 0..H (x = 0: the one-off) — point, low and high.

    The engine gives the low/high only for the one-off and the horizon total. The band starts at
    the one-off's range and spreads the rest of the total's range evenly over the months: exact
    for the spans that are a constant monthly amount (vector hosting), a straight-line reading
    of the others (self-hosted serving, whose instance count grows with volume).
    """
    one_off = _dec(cost["one_off_usd"])
    point = [one_off]
    for total in _monthly_totals(cost):
        point.append(point[-1] + total)
    ranges = cost.get("ranges") or {}
    one_off_rng = ranges.get("one_off_usd") or {"low": one_off, "high": one_off}
    total_rng = ranges.get("total_usd") or {"low": point[-1], "high": point[-1]}
    horizon = len(point) - 1
    out: dict[str, list[Decimal]] = {"point": point}
    for end in ("low", "high"):
        start_shift = _dec(one_off_rng[end]) - one_off
        monthly_shift = _dec(total_rng[end]) - point[-1] - start_shift
        out[end] = [
            value + start_shift + (monthly_shift * x / horizon if horizon else 0)
            for x, value in enumerate(point)
        ]
    return out


def _has_range(series: Mapping[str, Sequence[Decimal]]) -> bool:
    return any(lo != hi for lo, hi in zip(series["low"], series["high"], strict=True))


def cheapest_alternative(assessment: Mapping[str, Any], verdict: str) -> str:
    """The other option with the lowest total over the horizon (first in option order on ties)."""
    options = assessment["costs"]["options"]
    others = [o for o in OPTIONS if o != verdict and o in options]
    return min(others, key=lambda o: _dec(options[o]["total_usd"]))


def break_even_facts(
    assessment: Mapping[str, Any], verdict: str | None = None
) -> list[BreakEvenFact]:
    """The verdict option against each alternative, from the engine's break-even months."""
    verdict = verdict or assessment["verdict"]
    costs = assessment["costs"]
    horizon = costs["horizon_months"]
    months = {(b["option"], b["versus"]): b["month"] for b in costs["break_even"]}
    span = f"the {horizon} month{'s' if horizon != 1 else ''}"
    mine = OPTION_LABELS[verdict]
    facts = []
    for versus in OPTIONS:
        if versus == verdict or (verdict, versus) not in months:
            continue
        theirs = OPTION_LABELS[versus]
        at, back = months[(verdict, versus)], months.get((versus, verdict))
        if at == 0 and back in (None, 0):
            kind, month = "cheaper_throughout", None
            sentence = f"{mine} costs less to date than {theirs} throughout {span}."
        elif at == 0:
            kind, month = "overtaken", back + 1
            sentence = (
                f"{mine} costs less than {theirs} at first; {theirs}'s cost to date falls to or "
                f"below it by the end of month {month}."
            )
        elif at is None:
            kind, month = "dearer_throughout", None
            sentence = (
                f"{mine} costs more to date than {theirs} throughout {span}: "
                "no break-even within the horizon."
            )
        else:
            kind, month = "catches_up", at + 1
            sentence = (
                f"{mine} costs more than {theirs} at first; its cost to date falls to or below "
                f"{theirs}'s by the end of month {month} (break-even)."
            )
        facts.append(BreakEvenFact(verdict, versus, kind, month, sentence))
    return facts


# ---- Drawing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """A canvas: its width in SVG units, plot margins, type size and tick budget (the height
    follows from the content)."""

    width: int
    left: int
    right: int
    bottom: int
    font: int
    x_ticks: int
    y_ticks: int
    narrow: bool


def _n(value: float | Decimal) -> str:
    """A coordinate: one decimal, no trailing .0 — the same text for the same number."""
    text = f"{float(value):.1f}"
    text = text.removesuffix(".0")
    return "0" if text == "-0" else text


def _attrs(attrs: Mapping[str, Any]) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        text = _n(value) if isinstance(value, float | Decimal) else str(value)
        parts.append(f' {key}="{escape(text, quote=True)}"')
    return "".join(parts)


def _el(tag: str, content: str | None = None, /, **attrs: Any) -> str:
    # Python names can't hold dashes: stroke_width -> stroke-width; class_ -> class.
    clean = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
    if content is None:
        return f"<{tag}{_attrs(clean)}/>"
    return f"<{tag}{_attrs(clean)}>{content}</{tag}>"


def _text(x: float, y: float, text: str, **attrs: Any) -> str:
    return _el("text", escape(text, quote=False), x=float(x), y=float(y), **attrs)


def _text_width(text: str, size: float) -> float:
    # No font metrics on the server: an average glyph is ~0.56 em in a system sans.
    return len(text) * size * 0.56


def _tint(colour: str, share: float) -> str:
    """The colour mixed with white: share 1.0 is the colour itself."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(255 - (255 - c) * share) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values 0, step, 2·step … covering `high`, with about `count` intervals."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _month_ticks(horizon: int, count: int) -> list[int]:
    step = next((s for s in (1, 2, 3, 6, 12, 24) if horizon / s <= count), 60)
    ticks = list(range(0, horizon + 1, step))
    if ticks[-1] != horizon and horizon - ticks[-1] > step / 2:
        ticks.append(horizon)
    return ticks


def _legend(items: Sequence[tuple[str, str]], frame: _Frame, y: float) -> tuple[list[str], float]:
    """Swatch + label items laid out in rows that wrap; returns the markup and the height used.

    Each swatch is a markup template for an 18 x 10 box: {x} {x2} its left and right, {y} its
    top, {cx} {cy} its centre.
    """
    size = frame.font - 1
    out: list[str] = []
    x, row_y = float(frame.left), y
    rows = 1
    for swatch, label in items:
        width = 18 + 6 + _text_width(label, size) + 16
        if x + width > frame.width - 8 and x > frame.left:
            x, row_y, rows = float(frame.left), row_y + size + 9, rows + 1
        out.append(
            swatch.format(x=_n(x), x2=_n(x + 18), y=_n(row_y - 5), cx=_n(x + 9), cy=_n(row_y))
        )
        out.append(_text(x + 24, row_y + size * 0.35, label, font_size=size, fill=INK_2))
        x += width
    return out, rows * (size + 9)


def _line_swatch(colour: str, width: float = 2.5) -> str:
    return (
        f'<line x1="{{x}}" y1="{{cy}}" x2="{{x2}}" y2="{{cy}}" stroke="{colour}" '
        f'stroke-width="{_n(width)}" stroke-linecap="round"/>'
    )


def _box_swatch(fill: str, opacity: float = 1.0, stroke: str | None = None) -> str:
    extra = f' fill-opacity="{_n(opacity)}"' if opacity < 1 else ""
    if stroke:
        extra += f' stroke="{stroke}" stroke-width="1"'
    return f'<rect x="{{x}}" y="{{y}}" width="18" height="10" rx="2" fill="{fill}"{extra}/>'


_MARKER_SWATCH = (
    f'<circle cx="{{cx}}" cy="{{cy}}" r="4.5" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
)


def _svg(
    chart_id: str, frame: _Frame, title: str, desc: str, body: Iterable[str], height: float
) -> str:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {_n(height)}" '
        f'width="100%" role="img" aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'class="chart-svg" id="{escape(chart_id)}" font-family="{escape(FONT_STACK)}" '
        f'font-size="{frame.font}" preserveAspectRatio="xMidYMid meet">'
    )
    return "".join(
        [
            head,
            _el("title", escape(title, quote=False), id=title_id),
            _el("desc", escape(desc, quote=False), id=desc_id),
            *body,
            "</svg>",
        ]
    )


def _y_axis(
    frame: _Frame, top: float, plot_bottom: float, ticks: Sequence[float], fmt: Any
) -> list[str]:
    out = []
    high = ticks[-1] or 1
    for tick in ticks:
        y = plot_bottom - (plot_bottom - top) * tick / high
        out.append(
            _el(
                "line",
                x1=float(frame.left),
                y1=y,
                x2=float(frame.width - frame.right),
                y2=y,
                stroke=GRID,
                stroke_width=1,
            )
        )
        out.append(
            _text(
                frame.left - 8,
                y + frame.font * 0.35,
                fmt(tick),
                text_anchor="end",
                fill=INK_3,
                font_size=frame.font - 1,
            )
        )
    return out


# ---- Cumulative cost ----------------------------------------------------------------------------

WIDE = _Frame(760, 64, 96, 44, 13, 8, 6, narrow=False)
NARROW = _Frame(360, 52, 18, 44, 13, 4, 4, narrow=True)


def _subject(assessment: Mapping[str, Any]) -> str:
    name = str((assessment.get("profile") or {}).get("name") or "").strip()
    return f"{name}: " if name else ""


def cumulative_cost_chart(
    assessment: Mapping[str, Any], *, verdict: str | None = None, chart_id: str = "chart-cumulative"
) -> Chart:
    """(a) Cost to date per option over the horizon, with the low/high band and break-even.

    `verdict` is the effective verdict (after overrides); its line is drawn heavier and the
    break-even against the cheapest alternative is marked where the lines cross.
    """
    verdict = verdict or assessment["verdict"]
    costs = assessment["costs"]
    horizon = int(costs["horizon_months"])
    options = [o for o in OPTIONS if o in costs["options"]]
    series = {o: cumulative_series(costs["options"][o]) for o in options}
    versus = cheapest_alternative(assessment, verdict)
    fact = next((f for f in break_even_facts(assessment, verdict) if f.versus == versus), None)
    crossing = fact.month if fact and fact.kind in ("catches_up", "overtaken") else None

    title = "Cost to date per option"
    caption = (
        f"Cumulative cost of each option over {horizon} months, one-off included: lines are the "
        "estimates, shaded bands the low–high ranges. " + (fact.sentence if fact else "")
    ).strip()
    desc = (
        _subject(assessment)
        + caption
        + " "
        + "; ".join(
            f"{OPTION_LABELS[o]} {money(series[o]['point'][-1])} by month {horizon}"
            for o in options
        )
        + "."
    )

    def draw(frame: _Frame, suffix: str) -> str:
        cid = chart_id + suffix
        legend_items = [
            (
                _line_swatch(OPTION_COLOURS[o], 3.5 if o == verdict else 2.2),
                OPTION_LABELS[o] + (" (recommended)" if o == verdict else ""),
            )
            for o in options
        ]
        legend_items.append((_box_swatch(AXIS, 0.25), "Low–high range"))
        if crossing is not None:
            legend_items.append((_MARKER_SWATCH, "Break-even"))
        legend, legend_h = _legend(legend_items, frame, 18)
        top = 18 + legend_h + 14
        height = top + (300 if not frame.narrow else 250) + frame.bottom
        plot_bottom = height - frame.bottom
        left, right = frame.left, frame.width - frame.right
        high = max(float(max(s["high"])) for s in series.values())
        ticks = nice_ticks(high, frame.y_ticks)
        y_max = ticks[-1] or 1.0

        def px(x: float) -> float:
            return left + (right - left) * x / max(horizon, 1)

        def py(v: float | Decimal) -> float:
            return plot_bottom - (plot_bottom - top) * float(v) / y_max

        body = list(legend)
        body += _y_axis(frame, top, plot_bottom, ticks, money_short)
        for month in _month_ticks(horizon, frame.x_ticks):
            body.append(
                _el(
                    "line",
                    x1=px(month),
                    y1=plot_bottom,
                    x2=px(month),
                    y2=plot_bottom + 5,
                    stroke=AXIS,
                    stroke_width=1,
                )
            )
            body.append(
                _text(
                    px(month),
                    plot_bottom + 18,
                    str(month),
                    text_anchor="middle",
                    fill=INK_3,
                    font_size=frame.font - 1,
                )
            )
        body.append(
            _text(
                (left + right) / 2,
                plot_bottom + 36,
                "Months",
                text_anchor="middle",
                fill=INK_3,
                font_size=frame.font - 1,
            )
        )
        body.append(
            _el(
                "line",
                x1=float(left),
                y1=plot_bottom,
                x2=float(right),
                y2=plot_bottom,
                stroke=AXIS,
                stroke_width=1,
            )
        )
        xs = range(horizon + 1)
        for o in options:
            s = series[o]
            if not _has_range(s):
                continue
            upper = " ".join(f"{_n(px(x))},{_n(py(v))}" for x, v in zip(xs, s["high"], strict=True))
            lower = " ".join(
                f"{_n(px(x))},{_n(py(v))}"
                for x, v in reversed(list(zip(xs, s["low"], strict=True)))
            )
            body.append(
                _el(
                    "polygon",
                    points=f"{upper} {lower}",
                    fill=OPTION_COLOURS[o],
                    fill_opacity="0.12",
                    stroke="none",
                    class_="band",
                    data_option=o,
                )
            )
        # The verdict's line last, so it sits on top where lines overlap.
        for o in sorted(options, key=lambda o: o == verdict):
            d = "M" + " L".join(
                f"{_n(px(x))},{_n(py(v))}" for x, v in zip(xs, series[o]["point"], strict=True)
            )
            body.append(
                _el(
                    "path",
                    d=d,
                    fill="none",
                    stroke=OPTION_COLOURS[o],
                    stroke_width="3.5" if o == verdict else "2.2",
                    stroke_linejoin="round",
                    stroke_linecap="round",
                    class_="line",
                    data_option=o,
                )
            )
        if not frame.narrow:
            body += _end_labels(
                [(float(series[o]["point"][-1]), o) for o in options],
                px(horizon),
                py,
                frame,
                top,
                plot_bottom,
            )
        if crossing is not None:
            cx, cy = px(crossing), py(series[verdict]["point"][crossing])
            label = f"Break-even · month {crossing}"
            anchor = "start" if cx < (left + right) / 2 else "end"
            lx = cx + 10 if anchor == "start" else cx - 10
            label_w = _text_width(label, frame.font - 1) * 1.05  # bold runs wider
            body.append(
                _el(
                    "g",
                    "".join(
                        [
                            _el(
                                "line",
                                x1=cx,
                                y1=cy,
                                x2=cx,
                                y2=plot_bottom,
                                stroke=INK,
                                stroke_width=1,
                                stroke_dasharray="3 3",
                            ),
                            _el(
                                "circle",
                                cx=cx,
                                cy=cy,
                                r=5,
                                fill="#ffffff",
                                stroke=INK,
                                stroke_width=2,
                            ),
                            # A white plate under the label keeps it legible over lines.
                            _el(
                                "rect",
                                x=lx - 4 if anchor == "start" else lx - label_w - 4,
                                y=cy - 10 - frame.font,
                                width=label_w + 8,
                                height=frame.font + 6,
                                rx=3,
                                fill="#ffffff",
                                fill_opacity="0.9",
                            ),
                            _text(
                                lx,
                                cy - 10,
                                label,
                                text_anchor=anchor,
                                fill=INK,
                                font_size=frame.font - 1,
                                font_weight="600",
                            ),
                        ]
                    ),
                    class_="break-even",
                    data_month=crossing,
                    data_option=verdict,
                    data_versus=versus,
                )
            )
        return _svg(cid, frame, title, desc, body, height)

    headers = ("Month", *(OPTION_LABELS[o] for o in options))
    rows = [("Start (one-off)", *(money_exact(series[o]["point"][0]) for o in options))]
    rows += [
        (f"Month {x}", *(money_exact(series[o]["point"][x]) for o in options))
        for x in range(1, horizon + 1)
    ]
    rows.append(
        (
            f"Range at month {horizon}",
            *(
                money_exact(series[o]["low"][-1]) + "–" + money_exact(series[o]["high"][-1])
                for o in options
            ),
        )
    )
    return Chart(
        id=chart_id,
        title=title,
        caption=caption,
        svg=draw(WIDE, ""),
        svg_narrow=draw(NARROW, "-n"),
        table=ChartTable(headers, tuple(rows)),
    )


def _end_labels(
    points: list[tuple[float, str]],
    x: float,
    py: Any,
    frame: _Frame,
    top: float,
    bottom: float,
) -> list[str]:
    """Each line's final total beside its end, nudged apart so labels never overlap."""
    gap = frame.font + 3
    placed: list[tuple[float, str, float]] = []
    for value, option in sorted(points, key=lambda p: -p[0]):  # top of the chart first
        y = py(value) + frame.font * 0.35
        if placed and y < placed[-1][0] + gap:
            y = placed[-1][0] + gap
        placed.append((y, option, value))
    overflow = placed[-1][0] - (bottom + frame.font * 0.35) if placed else 0
    if overflow > 0:  # pushed below the axis: shift the stack up, keeping the gaps
        placed = [(y - overflow, o, v) for y, o, v in placed]
    return [
        _text(
            x + 8,
            max(y, top),
            money_short(value),
            fill=OPTION_COLOURS[o],
            font_weight="600",
            font_size=frame.font - 1,
        )
        for y, o, value in placed
    ]


# ---- Monthly cost by component ------------------------------------------------------------------

PANEL_WIDE = _Frame(420, 56, 14, 40, 13, 6, 4, narrow=False)
PANEL_NARROW = _Frame(360, 52, 14, 40, 13, 4, 4, narrow=True)


def monthly_cost_chart(
    assessment: Mapping[str, Any],
    option: str,
    *,
    y_max: float | None = None,
    verdict: str | None = None,
    chart_id: str | None = None,
    legend_rows: int = 1,
) -> Chart:
    """(b) One option's monthly cost as stacked bars: engineering, training, retrieval, inference.

    `y_max` and `legend_rows` (legend rows to reserve) let small multiples share a scale and
    line up their plots, so bar heights compare across options.
    """
    verdict = verdict or assessment["verdict"]
    chart_id = chart_id or f"chart-monthly-{option}"
    cost = assessment["costs"]["options"][option]
    monthly = cost["monthly"]
    horizon = len(monthly)
    colour = OPTION_COLOURS[option]
    present = _present_components(monthly)
    label = OPTION_LABELS[option]
    title = f"Monthly cost by component: {label}" + (" (recommended)" if option == verdict else "")
    first, last = monthly[0], monthly[-1]
    caption = (
        f"{money(first['total_usd'])} in month 1, {money(last['total_usd'])} in month "
        f"{horizon}; "
        + ", ".join(f"{name.lower()} {money(last[key])}" for key, name in reversed(present))
        + f" in month {horizon}."
    )
    peak = max(float(_dec(row["total_usd"])) for row in monthly) if monthly else 0.0

    def draw(frame: _Frame, suffix: str) -> str:
        legend, legend_h = _component_legend(colour, present, frame)
        legend_h = max(legend_h, legend_rows * (frame.font + 8))
        top = 18 + legend_h + 12
        height = top + (190 if not frame.narrow else 180) + frame.bottom
        plot_bottom = height - frame.bottom
        left, right = frame.left, frame.width - frame.right
        ticks = nice_ticks(max(y_max or 0.0, peak), frame.y_ticks)
        top_value = ticks[-1] or 1.0
        slot = (right - left) / max(horizon, 1)
        bar = max(slot * 0.72, 1.0)
        body = list(legend)
        body += _y_axis(frame, top, plot_bottom, ticks, money_short)
        for index, row in enumerate(monthly):
            x = left + slot * index + (slot - bar) / 2
            base = Decimal(0)
            parts = []
            for key, _name in present:
                value = _dec(row[key])
                if value == 0:
                    continue
                y0 = plot_bottom - (plot_bottom - top) * float(base) / top_value
                y1 = plot_bottom - (plot_bottom - top) * float(base + value) / top_value
                parts.append(
                    _el(
                        "rect",
                        x=x,
                        y=y1,
                        width=bar,
                        height=max(y0 - y1, 0.0),
                        fill=_tint(colour, _COMPONENT_SHADES[key]),
                        data_component=key,
                    )
                )
                base += value
            body.append(_el("g", "".join(parts), class_="bar", data_month=index + 1))
        for month in _month_ticks(horizon, frame.x_ticks):
            if month == 0:
                continue
            cx = left + slot * (month - 0.5)
            body.append(
                _text(
                    cx,
                    plot_bottom + 17,
                    str(month),
                    text_anchor="middle",
                    fill=INK_3,
                    font_size=frame.font - 1,
                )
            )
        body.append(
            _text(
                (left + right) / 2,
                plot_bottom + 34,
                "Month",
                text_anchor="middle",
                fill=INK_3,
                font_size=frame.font - 1,
            )
        )
        body.append(
            _el(
                "line",
                x1=float(left),
                y1=plot_bottom,
                x2=float(right),
                y2=plot_bottom,
                stroke=AXIS,
                stroke_width=1,
            )
        )
        desc = f"{_subject(assessment)}{label}: {caption}"
        return _svg(chart_id + suffix, frame, title, desc, body, height)

    headers = ("Month", *(name for _, name in reversed(present)), "Total")
    rows = tuple(
        (
            f"Month {index + 1}",
            *(money_exact(row[key]) for key, _ in reversed(present)),
            money_exact(row["total_usd"]),
        )
        for index, row in enumerate(monthly)
    )
    return Chart(
        id=chart_id,
        title=title,
        caption=caption,
        svg=draw(PANEL_WIDE, ""),
        svg_narrow=draw(PANEL_NARROW, "-n"),
        table=ChartTable(headers, rows),
    )


def _present_components(monthly: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [
        (key, label) for key, label in COMPONENTS if any(_dec(row[key]) != 0 for row in monthly)
    ]


def _component_legend(
    colour: str, present: Sequence[tuple[str, str]], frame: _Frame
) -> tuple[list[str], float]:
    items = [(_box_swatch(_tint(colour, _COMPONENT_SHADES[k])), n) for k, n in reversed(present)]
    return _legend(items, frame, 18)


def monthly_cost_charts(
    assessment: Mapping[str, Any], *, verdict: str | None = None
) -> list[Chart]:
    """(b) Small multiples: one monthly chart per option on one shared scale."""
    options = assessment["costs"]["options"]
    shared = max(
        (
            float(_dec(row["total_usd"]))
            for o in OPTIONS
            if o in options
            for row in options[o]["monthly"]
        ),
        default=0.0,
    )
    # The most legend rows any panel needs, on either canvas: every plot then starts level.
    rows = max(
        (
            round(_component_legend("#000000", present, frame)[1] / (frame.font + 8))
            for o in OPTIONS
            if o in options
            for present in [_present_components(options[o]["monthly"])]
            for frame in (PANEL_WIDE, PANEL_NARROW)
        ),
        default=1,
    )
    return [
        monthly_cost_chart(assessment, o, y_max=shared, verdict=verdict, legend_rows=rows)
        for o in OPTIONS
        if o in options
    ]


# ---- Latency ------------------------------------------------------------------------------------

ROWS_WIDE = _Frame(760, 16, 24, 40, 13, 8, 6, narrow=False)
ROWS_NARROW = _Frame(360, 12, 16, 40, 13, 4, 4, narrow=True)


def _budget(assessment: Mapping[str, Any]) -> int | None:
    value = (assessment.get("profile") or {}).get("latency_p95_budget_ms")
    return None if value is None else int(value)


def latency_chart(
    assessment: Mapping[str, Any], *, verdict: str | None = None, chart_id: str = "chart-latency"
) -> Chart:
    """(c) p95 latency per option as a low–high range bar, against the budget line if set."""
    verdict = verdict or assessment["verdict"]
    latency = assessment["latency"]
    options = [o for o in OPTIONS if o in latency]
    budget = _budget(assessment)
    title = "Latency per option (p95)"

    def span(o: str) -> str:
        lo, hi = latency[o]["p95_ms_low"], latency[o]["p95_ms_high"]
        return _ms(lo) if lo == hi else f"{int(lo):,}–{int(hi):,} ms"

    over = [o for o in options if latency[o].get("meets_budget") is False]
    caption = (
        "95th-percentile time to a full answer; bars run from the low to the high estimate. "
        + (f"Budget {_ms(budget)}" if budget is not None else "No latency budget set")
        + (
            f"; over budget at the high end: {', '.join(OPTION_LABELS[o] for o in over)}."
            if over
            else "."
        )
    )
    desc = (
        _subject(assessment)
        + caption
        + " "
        + "; ".join(f"{OPTION_LABELS[o]} {span(o)}" for o in options)
        + "."
    )

    def draw(frame: _Frame, suffix: str) -> str:
        row_h = 66 if frame.narrow else 46
        top = 34 if budget is not None else 16
        height = top + row_h * len(options) + frame.bottom
        plot_bottom = height - frame.bottom
        left, right = frame.left, frame.width - frame.right
        # Room on the right for the "810–1,300 ms · over budget" note after the longest bar.
        note_room = 150 if not frame.narrow else 0
        high = max([float(latency[o]["p95_ms_high"]) for o in options] + [float(budget or 0)])
        ticks = nice_ticks(high, frame.x_ticks)
        x_max = ticks[-1] or 1.0

        def px(v: float) -> float:
            return left + (right - note_room - left) * float(v) / x_max

        body: list[str] = []
        for tick in ticks:
            body.append(
                _el(
                    "line",
                    x1=px(tick),
                    y1=float(top - 4),
                    x2=px(tick),
                    y2=plot_bottom,
                    stroke=GRID,
                    stroke_width=1,
                )
            )
            body.append(
                _text(
                    px(tick),
                    plot_bottom + 17,
                    f"{int(tick):,}",
                    text_anchor="middle",
                    fill=INK_3,
                    font_size=frame.font - 1,
                )
            )
        body.append(
            _text(
                (left + px(x_max)) / 2,
                plot_bottom + 34,
                "Milliseconds (p95)",
                text_anchor="middle",
                fill=INK_3,
                font_size=frame.font - 1,
            )
        )
        for index, o in enumerate(options):
            lo, hi = float(latency[o]["p95_ms_low"]), float(latency[o]["p95_ms_high"])
            y = top + row_h * index
            x0, x1 = px(lo), px(hi)
            width = max(x1 - x0, 4.0)  # a point estimate still shows as a mark
            note = span(o) + (" · over budget" if latency[o].get("meets_budget") is False else "")
            name = OPTION_LABELS[o] + (" (recommended)" if o == verdict else "")
            label_y = y + frame.font
            parts = [
                _text(
                    left,
                    label_y,
                    name,
                    fill=INK,
                    font_size=frame.font,
                    font_weight="600" if o == verdict else "400",
                ),
                _el(
                    "rect",
                    x=x0 - (width - (x1 - x0)) / 2,
                    y=y + 20,
                    width=width,
                    height=14,
                    rx=3,
                    fill=OPTION_COLOURS[o],
                    class_="range",
                ),
            ]
            if frame.narrow:
                # No room beside the bar on a phone: the figures go on a line of their own.
                parts.append(_text(left, y + 52, note, fill=INK_3, font_size=frame.font - 1))
            else:
                parts.append(
                    _text(x0 + width + 8, y + 31, note, fill=INK_3, font_size=frame.font - 1)
                )
            body.append(_el("g", "".join(parts), class_="series", data_option=o))
        if budget is not None:
            bx = px(budget)
            body.append(
                _el(
                    "g",
                    _el(
                        "line",
                        x1=bx,
                        y1=float(top - 8),
                        x2=bx,
                        y2=plot_bottom,
                        stroke="#b91c1c",
                        stroke_width=2,
                        stroke_dasharray="5 4",
                    )
                    + _text(
                        bx,
                        top - 14,
                        f"Budget {_ms(budget)}",
                        text_anchor="middle",
                        fill="#b91c1c",
                        font_size=frame.font - 1,
                        font_weight="600",
                    ),
                    class_="budget",
                    data_budget=budget,
                )
            )
        body.append(
            _el(
                "line",
                x1=float(left),
                y1=plot_bottom,
                x2=px(x_max),
                y2=plot_bottom,
                stroke=AXIS,
                stroke_width=1,
            )
        )
        return _svg(chart_id + suffix, frame, title, desc, body, height)

    meets = {None: "No budget set", True: "Yes", False: "No"}
    rows = tuple(
        (
            OPTION_LABELS[o],
            _ms(latency[o]["p95_ms_low"]),
            _ms(latency[o]["p95_ms_high"]),
            meets[latency[o].get("meets_budget")],
        )
        for o in options
    )
    return Chart(
        id=chart_id,
        title=title,
        caption=caption,
        svg=draw(ROWS_WIDE, ""),
        svg_narrow=draw(ROWS_NARROW, "-n"),
        table=ChartTable(("Option", "p95 low", "p95 high", "Meets budget"), rows),
    )


# ---- Roadmap ------------------------------------------------------------------------------------


def _stage_windows(roadmap: Sequence[Mapping[str, Any]]) -> list[tuple[int, int, int, int]]:
    """(earliest start, earliest finish, latest start, latest finish) in working days.

    Stages run one after another: each starts when the one before finishes, so the earliest
    schedule adds the low durations and the latest adds the high ones.
    """
    out, early, late = [], 0, 0
    for stage in roadmap:
        lo, hi = int(stage["duration_days_low"]), int(stage["duration_days_high"])
        out.append((early, early + lo, late, late + hi))
        early, late = early + lo, late + hi
    return out


def roadmap_chart(assessment: Mapping[str, Any], *, chart_id: str = "chart-roadmap") -> Chart:
    """(d) The roadmap's stages over working days: solid to the earliest finish, light to the
    latest (each stage starts when the previous one ends, so uncertainty accumulates)."""
    roadmap = list(assessment.get("roadmap") or [])
    windows = _stage_windows(roadmap)
    total_lo = windows[-1][1] if windows else 0
    total_hi = windows[-1][3] if windows else 0
    title = "Roadmap timeline"
    caption = (
        f"{len(roadmap)} stage{'s' if len(roadmap) != 1 else ''} one after another: "
        f"{total_lo}–{total_hi} working days in all. Solid bars end at the earliest finish, "
        "light bars at the latest."
    )
    desc = (
        _subject(assessment)
        + caption
        + " "
        + "; ".join(
            f"stage {s['stage']} {s['title']}: "
            f"{s['duration_days_low']}–{s['duration_days_high']} days"
            for s in roadmap
        )
        + "."
    )

    def draw(frame: _Frame, suffix: str) -> str:
        legend, legend_h = _legend(
            [
                (_box_swatch(INK_3), "Shortest estimate"),
                (_box_swatch(INK_3, 0.25, INK_3), "Up to the longest estimate"),
            ],
            frame,
            18,
        )
        row_h = 50
        top = 18 + legend_h + 10
        height = top + row_h * max(len(roadmap), 1) + frame.bottom
        plot_bottom = height - frame.bottom
        left, right = frame.left, frame.width - frame.right
        ticks = nice_ticks(max(total_hi, 1), frame.x_ticks)
        x_max = ticks[-1] or 1.0

        def px(v: float) -> float:
            return left + (right - left) * float(v) / x_max

        body = list(legend)
        for tick in ticks:
            body.append(
                _el(
                    "line",
                    x1=px(tick),
                    y1=float(top),
                    x2=px(tick),
                    y2=plot_bottom,
                    stroke=GRID,
                    stroke_width=1,
                )
            )
            body.append(
                _text(
                    px(tick),
                    plot_bottom + 17,
                    f"{int(tick):,}",
                    text_anchor="middle",
                    fill=INK_3,
                    font_size=frame.font - 1,
                )
            )
        body.append(
            _text(
                (left + right) / 2,
                plot_bottom + 34,
                "Working days",
                text_anchor="middle",
                fill=INK_3,
                font_size=frame.font - 1,
            )
        )
        for index, (stage, (e0, e1, _l0, l1)) in enumerate(zip(roadmap, windows, strict=True)):
            y = top + row_h * index
            colour = OPTION_COLOURS.get(stage.get("approach", ""), INK_3)
            label = f"{stage['stage']}. {stage['title']}"
            limit = (frame.width - left - 8) / (frame.font * 0.56)
            if len(label) > limit:  # the full title is in the table and the stage cards
                label = label[: max(int(limit) - 1, 1)].rstrip() + "…"
            parts = [
                _text(left, y + frame.font + 2, label, fill=INK, font_size=frame.font),
                _el(
                    "rect",
                    x=px(e0),
                    y=y + 22,
                    width=max(px(l1) - px(e0), 2.0),
                    height=16,
                    rx=3,
                    fill=colour,
                    fill_opacity="0.22",
                    stroke=colour,
                    stroke_width=1,
                    class_="late",
                ),
                _el(
                    "rect",
                    x=px(e0),
                    y=y + 22,
                    width=max(px(e1) - px(e0), 2.0),
                    height=16,
                    rx=3,
                    fill=colour,
                    class_="early",
                ),
            ]
            body.append(
                _el(
                    "g",
                    "".join(parts),
                    class_="stage",
                    data_stage=stage["stage"],
                    data_option=stage.get("approach", ""),
                )
            )
        body.append(
            _el(
                "line",
                x1=float(left),
                y1=plot_bottom,
                x2=float(right),
                y2=plot_bottom,
                stroke=AXIS,
                stroke_width=1,
            )
        )
        return _svg(chart_id + suffix, frame, title, desc, body, height)

    rows = tuple(
        (
            f"{stage['stage']}. {stage['title']}",
            OPTION_LABELS.get(stage.get("approach", ""), str(stage.get("approach", ""))),
            f"{stage['duration_days_low']}–{stage['duration_days_high']}",
            f"day {e0}–{l1}",
            money(stage["cost_usd"]),
        )
        for stage, (e0, _e1, _l0, l1) in zip(roadmap, windows, strict=True)
    )
    return Chart(
        id=chart_id,
        title=title,
        caption=caption,
        svg=draw(ROWS_WIDE, ""),
        svg_narrow=draw(ROWS_NARROW, "-n"),
        table=ChartTable(
            ("Stage", "Approach", "Working days", "Window (working days)", "Cost"), rows
        ),
    )
