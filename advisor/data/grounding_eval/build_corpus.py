# ruff: noqa: E501 — sentence templates read best unbroken
"""Writes the grounding eval corpus (the JSON files beside this script) from the engine's
example profiles: for each, clean sentences a careful model would write (figures copied, in
the many ways they get phrased) and sentences with one planted error each, labelled with its
kind. The JSON files are the corpus `manage.py grounding_eval` reads; rerun this only when the
engine's figures change (the eval warns when the corpus was built on another engine version):

    python advisor/data/grounding_eval/build_corpus.py
"""

import json
from datetime import date
from pathlib import Path

from advisor.engine import ENGINE_VERSION, assess, load_price_book
from advisor.report_content import OPTION_LABELS

AS_OF = "2025-06-01"
OUT = Path("advisor/data/grounding_eval")
NAMES = [
    "support-chatbot",
    "legal-research",
    "strict-json-extractor",
    "realtime-autocomplete",
    "prototype-no-data",
    "hybrid-past-mvp",
    "brand-voice-writer",
    "catalog-assistant",
]


def full(v):
    return f"${v:,.2f}"


def whole(v):
    return f"${v:,.0f}"


def kilo(v):
    return f"${v / 1000:,.1f}k"


EVIDENCE_SENTENCES = [
    (
        "51% of enterprise AI deployments in production use RAG, up from 31% a year earlier.",
        ["E-ADOPT"],
    ),
    (
        "In a controlled benchmark, retrieval cut hallucination from 50% to 13.9 percent.",
        ["E-HALLUC-DROP"],
    ),
    ("Leading legal RAG tools still hallucinate on 17–33% of queries.", ["E-REGLAB"]),
    (
        "In an agriculture study, fine-tuning plus RAG reached 86% accuracy against 81% for fine-tuning alone.",
        ["E-AGRI"],
    ),
    (
        "GPT-4o fine-tuning costs $25 per 1M training tokens, and fine-tuned inference $3.75 / $15 per 1M input/output tokens.",
        ["E-PRICE-GPT4O"],
    ),
    (
        "A 7B LoRA run costs about $15–17 of compute, while PEFT on a 65B model costs $500–5,000 per run.",
        ["E-LORA"],
    ),
    ("Vector database hosting runs from $0 to a few hundred dollars a month.", ["E-VECTOR"]),
    ("Retrieval can add up to 0.5 seconds per answer.", ["E-LATENCY"]),
]
EVIDENCE_WRONG = [
    ("61% of enterprise AI deployments in production use RAG.", ["E-ADOPT"], "wrong_figure"),
    (
        "In a controlled benchmark, retrieval cut hallucination from 50% to 3.9%.",
        ["E-HALLUC-DROP"],
        "wrong_figure",
    ),
    (
        "Leading legal RAG tools still hallucinate on 27–43% of queries.",
        ["E-REGLAB"],
        "wrong_figure",
    ),
    (
        "Fine-tuning plus RAG reached 96% accuracy in an agriculture study.",
        ["E-AGRI"],
        "wrong_figure",
    ),
    ("GPT-4o fine-tuning costs $35 per 1M training tokens.", ["E-PRICE-GPT4O"], "wrong_figure"),
    ("RAG cut hallucination from $50 to $13.9 in a benchmark.", ["E-HALLUC-DROP"], "mangled_unit"),
    ("LoRA cuts training cost 3–10% versus full fine-tuning.", ["E-LORA"], "mangled_unit"),
    ("Retrieval adds 10–500 seconds per query.", ["E-LATENCY"], "mangled_unit"),
]
INVENTED = [
    ("A 2024 Gartner survey found that most firms start with RAG.", [], ["E-GARTNER-2024"]),
    ("Fine-tuned models hallucinate far less than retrieval (E-HALLUC-FT).", ["verdict"], []),
    ("Retrieval adds 10–500 ms per query.", [], ["E-LATENCY-V2"]),
    ("McKinsey reports that 70% of pilots never reach production.", ["confidence"], ["E-MCKINSEY"]),
]


def cases_for(name, i):
    profile = json.loads(Path(f"advisor/engine/data/examples/{name}.json").read_text())
    a = assess(profile, load_price_book(), as_of=date.fromisoformat(AS_OF)).to_dict()
    v = a["verdict"]
    label = OPTION_LABELS[v]
    o = a["costs"]["options"]
    c = o[v]
    h = a["costs"]["horizon_months"]
    other = "fine_tuning" if v != "fine_tuning" else "hybrid"
    oc = o[other]
    stage = a["roadmap"][0]
    p = a["profile"]
    fmt = [full, whole, kilo][i % 3]
    out = []

    def add(text, fields, evidence, planted=None, note=""):
        out.append(
            {
                "text": text,
                "fields": fields,
                "evidence": evidence,
                "planted": planted,
                **({"note": note} if note else {}),
            }
        )

    T = f"costs.options.{v}"
    # --- clean
    add(f"We recommend {label} as the target architecture.", ["verdict"], [])
    add(
        f"Over {h} months the {label} option costs {fmt(c['total_usd'])} in total.",
        ["costs.horizon_months", f"{T}.total_usd"],
        [],
    )
    add(
        f"That is {full(c['cost_per_1k_queries_usd'])} per 1,000 queries.",
        [f"{T}.cost_per_1k_queries_usd"],
        [],
    )
    add(
        f"It needs {fmt(c['one_off_usd'])} up front and peaks at {full(c['peak_monthly_usd'])} a month.",
        [f"{T}.one_off_usd", f"{T}.peak_monthly_usd"],
        [],
    )
    diff = abs(oc["total_usd"] - c["total_usd"])
    add(
        f"Over the horizon it costs {whole(diff)} {'less' if oc['total_usd'] > c['total_usd'] else 'more'} than the {OPTION_LABELS[other]} option.",
        [f"{T}.total_usd", f"costs.options.{other}.total_usd"],
        [],
    )
    ratio = oc["total_usd"] / c["total_usd"]
    add(
        f"{OPTION_LABELS[other]} would cost {ratio:.2f}× as much.",
        [f"{T}.total_usd", f"costs.options.{other}.total_usd"],
        [],
    )
    add(
        f"The first stage takes {stage['duration_days_low']}–{stage['duration_days_high']} days and costs about {fmt(stage['cost_usd'])}.",
        ["roadmap.0"],
        [],
    )
    add(
        f"The plan assumes {p['queries_per_month']:,} queries a month, growing {p['monthly_growth_pct']:g}% a month.",
        ["profile.queries_per_month", "profile.monthly_growth_pct"],
        [],
    )
    lat = a["latency"]["rag"]
    add(
        f"With retrieval the p95 would be between {lat['p95_ms_low']:,} and {lat['p95_ms_high']:,} ms.",
        ["latency.rag"],
        [],
    )
    text, ev = EVIDENCE_SENTENCES[i % len(EVIDENCE_SENTENCES)]
    add(text, [], ev)
    text, ev = EVIDENCE_SENTENCES[(i + 3) % len(EVIDENCE_SENTENCES)]
    add(text, [], ev)
    # --- clean, phrased the many ways a model may phrase them (precision)
    per_query_cents = c["cost_per_1k_queries_usd"] / 10
    variants = [
        (
            f"Over two years that comes to roughly {whole(round(c['total_usd'], -2))}.",
            [f"{T}.total_usd"],
            [],
        ),
        (
            f"Each answer costs about {per_query_cents:.1f} cents.",
            [f"{T}.cost_per_1k_queries_usd"],
            [],
        ),
        (
            f"Volume starts at {p['queries_per_month'] / 1000:g}k queries per month.",
            ["profile.queries_per_month"],
            [],
        ),
        (
            f"The figures are as of 1 June 2025, on the {a['price_book'].split('@')[0]} price book.",
            ["as_of", "price_book"],
            [],
        ),
        (
            f"Priced on GPT-4o with text-embedding-3-small, the {h}-month total is {full(c['total_usd'])}.",
            ["profile.model", f"{T}.total_usd", "costs.horizon_months"],
            [],
        ),
        (
            f"Retrieval would put the p95 between {lat['p95_ms_low']:,} ms and {lat['p95_ms_high'] / 1000:g} seconds.",
            ["latency.rag"],
            [],
        ),
        (
            f"The {other.replace('_', '-')} option would cost {kilo(oc['total_usd'])} over the same {h} months.",
            [f"costs.options.{other}", "costs.horizon_months"],
            [],
        ),
        (
            f"Its one-off cost ranges from {whole(c['ranges']['one_off_usd']['low'])} to {whole(c['ranges']['one_off_usd']['high'])}.",
            [f"{T}.ranges.one_off_usd"],
            [],
        ),
    ]
    for k in range(3):
        text, fields, ev = variants[(i + k * 3) % len(variants)]
        add(text, fields, ev)
    # --- planted: wrong figures
    add(
        f"Over {h} months the {label} option costs {full(c['total_usd'] * 1.18)} in total.",
        ["costs.horizon_months", f"{T}.total_usd"],
        [],
        "wrong_figure",
        "total +18%",
    )
    add(
        f"Over {h + 12} months the {label} option costs {fmt(c['total_usd'])} in total.",
        ["costs.horizon_months", f"{T}.total_usd"],
        [],
        "wrong_figure",
        "horizon",
    )
    add(
        f"The first stage takes {stage['duration_days_low']}–{stage['duration_days_high'] * 2} days.",
        ["roadmap.0"],
        [],
        "wrong_figure",
        "days doubled",
    )
    add(
        f"At its peak the bill reaches {full(c['peak_monthly_usd'] * 0.8)} a month.",
        [f"{T}.peak_monthly_usd"],
        [],
        "wrong_figure",
        "peak -20%",
    )
    text, ev, kind = EVIDENCE_WRONG[i % len(EVIDENCE_WRONG)]
    add(text, [], ev, kind)
    # --- planted: mangled units
    add(
        f"That is {full(c['cost_per_1k_queries_usd'])} per query.",
        [f"{T}.cost_per_query_usd", f"{T}.cost_per_1k_queries_usd"],
        [],
        "mangled_unit",
        "per-1,000 cost written per query",
    )
    add(
        f"The first stage takes {stage['duration_days_low']}–{stage['duration_days_high']} weeks.",
        ["roadmap.0"],
        [],
        "mangled_unit",
        "days written as weeks",
    )
    text, ev, kind = EVIDENCE_WRONG[(i + 5) % len(EVIDENCE_WRONG)]
    add(text, [], ev, kind)
    # --- planted: invented evidence
    text, fields, ev = INVENTED[i % len(INVENTED)]
    add(text, fields, ev, "invented_evidence")
    # --- planted: a true figure under the wrong field
    add(
        f"The {label} option costs {fmt(oc['total_usd'])} over {h} months.",
        [f"{T}.total_usd", "costs.horizon_months"],
        [],
        "miscited",
        f"{other}'s total",
    )
    add(
        f"Over {h} months the {label} option costs {full(c['total_usd'] * 1.03)}.",
        [f"{T}.total_usd"],
        [],
        "wrong_figure",
        "total +3%, written to the cent",
    )
    add(
        f"Over {h} months the {label} option costs about {whole(round(c['total_usd'] * 1.1, -4))}.",
        [f"{T}.total_usd"],
        [],
        "wrong_figure",
        "rounded too far",
    )
    # --- planted: hard ones the check cannot see (honest misses)
    first = c["monthly"][0]["total_usd"]
    if first != c["peak_monthly_usd"]:
        add(
            f"At its peak the bill reaches {full(first)} a month.",
            [T],
            [],
            "wrong_figure",
            "month 0's total called the peak; the sentence cites the whole option, where that value exists",
        )
    if i % 2 == 0:
        add(
            f"At its peak the bill reaches {full(c['peak_monthly_usd'])} a day.",
            [f"{T}.peak_monthly_usd"],
            [],
            "mangled_unit",
            "a monthly figure written per day: no rule reads 'a day'",
        )
    else:
        add(
            "Fine-tuning keeps fast-changing knowledge fresh without retraining.",
            ["rules.R-FRESH"],
            [],
            "unsupported_claim",
            "a false claim with no figure in it",
        )
    return {"profile": name, "cases": out}


def main() -> None:
    for i, name in enumerate(NAMES):
        data = {"engine_version": ENGINE_VERSION, "as_of": AS_OF, **cases_for(name, i)}
        for n, case in enumerate(data["cases"], 1):
            case["id"] = f"{name}-{n:02d}"
        data["cases"] = [{"id": c.pop("id"), **c} for c in data["cases"]]
        head = {k: v for k, v in data.items() if k != "cases"}
        lines = (
            ["{"]
            + [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
            + ['  "cases": [']
        )
        lines += [f"    {json.dumps(c, ensure_ascii=False)}," for c in data["cases"]]
        lines[-1] = lines[-1].rstrip(",")
        lines += ["  ]", "}"]
        (OUT / f"{name}.json").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
