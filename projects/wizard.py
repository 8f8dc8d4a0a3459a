"""The founder intake wizard, as data: its steps, its questions in a founder's words, and the
conversions between what a founder types and the profile the engine reads (DESIGN §4.1).

Everything here is pure (no database): the views store what `collect` returns in an
`IntakeDraft`, and `to_profile` turns a finished draft into the profile a `ProfileVersion` keeps.

Storage, decided here:
- `draft.answers` maps a question's key to the raw text the founder typed or chose, kept even
  when invalid, so nothing typed is ever lost; validation happens on Next and on submit.
- `draft.unknown` lists the keys of the questions answered "I don't know". A question's key is
  the profile field it fills, so the list is also the `ProfileVersion.unknown_fields` to record
  (minus questions a "no" to a gate hid). The two gates (own documents? a real-time path?) are
  plain yes/no questions a founder can always answer, so they never appear there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from advisor.engine.profile import FIELDS_BY_NAME, FieldSpec

UNKNOWN = "unknown"  # the radio value of "I don't know"
UNKNOWN_SUFFIX = "__unknown"  # the checkbox beside a typed answer: `<key>__unknown`
REVIEW = "review"  # the position after the last step
ALL = "__all__"

# Private knowledge is asked in units a founder can picture and converted to tokens.
# ~500 tokens per page: a page of prose is ~375 English words and a token is ~0.75 words.
TOKENS_PER_PAGE = 500
CORPUS_UNITS: dict[str, tuple[str, Decimal]] = {
    "pages": ("pages", Decimal(TOKENS_PER_PAGE)),
    "documents": ("documents (about 10 pages each)", Decimal(10 * TOKENS_PER_PAGE)),
    "words": ("words", Decimal(4) / Decimal(3)),
    "tokens": ("tokens", Decimal(1)),
}
CORPUS_UNIT_KEY = "corpus_unit"
DEFAULT_CORPUS_UNIT = "pages"
# Pasted samples for the token estimator: counted, never stored (they may hold real user data).
SAMPLE_FIELDS = {
    "sample_prompt": "input_tokens",
    "sample_examples": "few_shot_tokens",
    "sample_answer": "output_tokens",
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    hint: str = ""


YES_NO = (Choice("yes", "Yes"), Choice("no", "No"))


@dataclass(frozen=True)
class Question:
    """One question. `kind` is text, textarea, choice or number."""

    key: str
    kind: str
    title: str
    help: str = ""
    example: str = ""
    choices: tuple[Choice, ...] = ()
    # A yes/no question that fills a true/false profile field.
    boolean: bool = False
    prefix: str = ""
    unit: str = ""
    # Founder's number × scale = the profile's number (a percentage becomes a fraction).
    scale: Decimal = Decimal(1)
    integer: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    required: bool = True
    allow_unknown: bool = True
    # The profile field this question fills ("" = the field named like the key; None: a gate).
    fills: str | None = ""
    # Shown only when another question (a gate) has this answer.
    show_if: tuple[str, str] | None = None
    # For gates: what an answer implies for the profile, e.g. "no documents" = corpus of 0.
    implies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    placeholder: str = ""
    # What the founder is told "I don't know" leads to.
    assume: str = ""
    required_message: str = ""

    @property
    def profile_field(self) -> str | None:
        return self.key if self.fills == "" else self.fills

    @property
    def spec(self) -> FieldSpec | None:
        name = self.profile_field
        return FIELDS_BY_NAME.get(name) if name else None

    @property
    def is_gate(self) -> bool:
        return bool(self.implies)

    @property
    def unknown_label(self) -> str:
        return "I don't know" + (f" — we'll assume {self.assume}" if self.assume else "")


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    intro: str
    questions: tuple[Question, ...]

    def blocks(self) -> list[tuple[Question, list[Question]]]:
        """Questions grouped under the gate that shows them: [(question, [its dependants])]."""
        out: list[tuple[Question, list[Question]]] = []
        for question in self.questions:
            if question.show_if and out and out[-1][0].key == question.show_if[0]:
                out[-1][1].append(question)
            else:
                out.append((question, []))
        return out


def _c(value: str, label: str, hint: str = "") -> Choice:
    return Choice(value, label, hint)


STEPS: tuple[Step, ...] = (
    Step(
        "product",
        "Your product",
        "A few words about what you are building and how far along it is.",
        (
            Question(
                "name",
                "text",
                "What is the product called?",
                example="Helpdesk Copilot",
                max_length=200,
                allow_unknown=False,
                required_message="Tell us what the product is called — a working title is fine.",
            ),
            Question(
                "use_case",
                "textarea",
                "What does it do?",
                help="In a few sentences: who asks what, and what a good answer looks like.",
                example=(
                    "Support agents ask about our refund and shipping policies; a good answer "
                    "quotes the policy and links to it."
                ),
                max_length=10_000,
                required=False,
                allow_unknown=False,
            ),
            Question(
                "stage",
                "choice",
                "How far along is it?",
                choices=(
                    _c("idea", "An idea", "Nothing built yet."),
                    _c("prototype", "A prototype", "It works in demos or with a few testers."),
                    _c("mvp", "Live with first users", "A first release real people use."),
                    _c("growth", "Growing", "Real users every day, and more each month."),
                    _c("scale", "At scale", "Large, steady usage that must stay reliable."),
                ),
                assume="a prototype",
            ),
            Question(
                "query_distribution_known",
                "choice",
                "Do you know what your users actually ask — and where today's AI gets it wrong?",
                help="Logs, transcripts or tickets you can look at count.",
                choices=(
                    _c("yes", "Yes", "We have real questions and know where answers fail."),
                    _c("no", "Not yet", "We are still guessing what people will ask."),
                ),
                boolean=True,
                assume="not yet",
            ),
        ),
    ),
    Step(
        "knowledge",
        "Knowledge",
        "What the answers depend on, and how often that changes.",
        (
            Question(
                "knowledge_change",
                "choice",
                "How often do the facts behind the answers change?",
                help="Think of prices, policies, stock levels, documentation, news.",
                choices=(
                    _c("static", "Rarely or never"),
                    _c("yearly", "About once a year"),
                    _c("quarterly", "Every few months"),
                    _c("monthly", "Every month"),
                    _c("weekly", "Every week"),
                    _c("daily", "Every day"),
                    _c("realtime", "All the time", "Minute by minute, e.g. stock or prices."),
                ),
                assume="rarely",
            ),
            Question(
                "knowledge_varies_by_user",
                "choice",
                "Does the right answer depend on who is asking?",
                example=(
                    "“Where is my order?” depends on the customer's account; “What is your "
                    "refund policy?” does not."
                ),
                choices=(
                    _c("yes", "Yes", "Answers use the user's or the account's own data."),
                    _c("no", "No", "Everyone gets the same answer to the same question."),
                ),
                boolean=True,
                assume="no",
            ),
            Question(
                "citations_required",
                "choice",
                "Do users need to see where an answer came from?",
                example="A link to the policy page or the contract clause the answer is based on.",
                choices=(
                    _c("yes", "Yes", "Answers must show their sources."),
                    _c("no", "No", "A good answer is enough."),
                ),
                boolean=True,
                assume="no",
            ),
            Question(
                "auditability",
                "choice",
                "Who must be able to check the answers afterwards?",
                choices=(
                    _c("none", "No one in particular"),
                    _c("internal", "Our own team", "For example QA or support leads."),
                    _c("regulated", "A regulator or auditor", "Finance, health, legal and so on."),
                ),
                assume="no one in particular",
            ),
            Question(
                "has_corpus",
                "choice",
                "Do the answers draw on your own documents or data?",
                help="Help-centre articles, manuals, contracts, a knowledge base, a product "
                "catalogue — anything the model would have to read to answer.",
                choices=(
                    _c("yes", "Yes", "There is material of our own the answers rely on."),
                    _c("no", "No", "General knowledge is enough."),
                ),
                fills=None,
                allow_unknown=False,
                implies={"no": {"corpus_tokens": 0}},
            ),
            Question(
                "corpus_tokens",
                "number",
                "Roughly how much of it is there?",
                help="Pick the unit that is easiest for you. A page of text is about "
                f"{TOKENS_PER_PAGE} tokens — the unit AI models read and are priced in.",
                example="a help centre of 300 articles of two pages each = 600 pages",
                min=Decimal(0),
                show_if=("has_corpus", "yes"),
                assume="none",
            ),
            Question(
                "corpus_updates_per_month",
                "number",
                "How many times a month does it change?",
                example="weekly updates = 4; a yearly refresh = 0.1",
                unit="times a month",
                min=Decimal(0),
                max=Decimal(100_000),
                show_if=("has_corpus", "yes"),
                assume="never",
            ),
            Question(
                "corpus_changed_fraction",
                "number",
                "When it changes, how much of it changes?",
                example="adding 10 articles to 1,000 = 1%; republishing the whole manual = 100%",
                unit="%",
                scale=Decimal("0.01"),
                min=Decimal(0),
                max=Decimal(100),
                show_if=("has_corpus", "yes"),
                assume="all of it",
            ),
        ),
    ),
    Step(
        "answers",
        "Answers",
        "What a good answer looks like, and how quickly it must arrive.",
        (
            Question(
                "output_format",
                "choice",
                "What shape must the answers have?",
                choices=(
                    _c("free_text", "Conversational text", "Like a reply in a chat."),
                    _c("light_structure", "Some structure", "Headings, bullet lists, tables."),
                    _c(
                        "strict_schema",
                        "An exact machine-readable format",
                        "For example JSON another system reads; one wrong field breaks it.",
                    ),
                ),
                assume="conversational text",
            ),
            Question(
                "style_requirement",
                "choice",
                "Do the answers need a particular voice?",
                choices=(
                    _c("none", "No", "Clear and neutral is fine."),
                    _c("brand_voice", "Our brand's voice", "A recognisable tone of our own."),
                    _c(
                        "specialized_dialect",
                        "A specialised way of writing",
                        "For example legal drafting or clinical notes.",
                    ),
                ),
                assume="no",
            ),
            Question(
                "domain_jargon",
                "choice",
                "How specialised is the language of your field?",
                choices=(
                    _c("general", "Everyday language"),
                    _c("specialized", "Some jargon", "A newcomer would need a glossary."),
                    _c("highly_specialized", "Highly specialised", "Only experts follow it."),
                ),
                assume="everyday language",
            ),
            Question(
                "hallucination_tolerance",
                "choice",
                "How bad is a confident but wrong answer?",
                choices=(
                    _c("low", "Serious", "It could cost money, health, or a customer's trust."),
                    _c("medium", "Annoying", "Users would notice and recover."),
                    _c("high", "Harmless", "Answers are suggestions users check anyway."),
                ),
                assume="annoying",
            ),
            Question(
                "has_realtime_path",
                "choice",
                "Does any part of the product need answers in real time?",
                example="autocomplete while typing, a voice assistant, a step in checkout",
                choices=(
                    _c("yes", "Yes", "Someone is waiting and every fraction of a second counts."),
                    _c("no", "No", "A few seconds is fine."),
                ),
                fills=None,
                allow_unknown=False,
                implies={"no": {"latency_p95_budget_ms": None}},
            ),
            Question(
                "latency_p95_budget_ms",
                "number",
                "What is the longest an answer may take?",
                help="For 95 out of 100 requests, in milliseconds (1 second = 1,000 ms).",
                example="1500",
                unit="ms",
                integer=True,
                min=Decimal(1),
                show_if=("has_realtime_path", "yes"),
                assume="no hard limit",
            ),
            Question(
                "base_model_p95_ms",
                "number",
                "How long does the AI model take today for such a request?",
                help="If you have measured it: the time 95 out of 100 requests stay under.",
                example="800",
                unit="ms",
                integer=True,
                min=Decimal(1),
                show_if=("has_realtime_path", "yes"),
                assume="800 ms",
            ),
        ),
    ),
    Step(
        "usage",
        "Usage",
        "How much the product is used and how long requests are. Rough guesses are fine.",
        (
            Question(
                "queries_per_month",
                "number",
                "How many questions does the product answer in a month?",
                help="Today, or what you expect at launch.",
                example="1,000 users asking 10 questions a month = 10,000",
                unit="a month",
                integer=True,
                min=Decimal(0),
                assume="10,000",
            ),
            Question(
                "monthly_growth_pct",
                "number",
                "How fast do you expect that to grow?",
                example="10% a month roughly triples usage in a year; 0 if flat",
                unit="% a month",
                min=Decimal(0),
                max=Decimal(1000),
                assume="no growth",
            ),
            Question(
                "input_tokens",
                "number",
                "How long is a typical request to the model?",
                help="Everything sent per question: instructions, examples and the user's "
                "question. 100 tokens are about 75 English words — or paste a sample above "
                "and we will count.",
                unit="tokens",
                integer=True,
                min=Decimal(0),
                assume="500 tokens",
            ),
            Question(
                "few_shot_tokens",
                "number",
                "How much of that request is worked examples?",
                help="Sample questions with model answers you include to show the model what "
                "you want. 0 if none.",
                unit="tokens",
                integer=True,
                min=Decimal(0),
                assume="none",
            ),
            Question(
                "output_tokens",
                "number",
                "How long is a typical answer?",
                example="a short paragraph is about 100 tokens",
                unit="tokens",
                integer=True,
                min=Decimal(0),
                assume="300 tokens",
            ),
            Question(
                "labelled_examples",
                "number",
                "How many checked example questions with good answers do you have?",
                help="Real questions paired with answers you would be proud of, checked by a "
                "person. 0 if none yet.",
                unit="examples",
                integer=True,
                min=Decimal(0),
                assume="none",
            ),
            Question(
                "tokens_per_example",
                "number",
                "How long is one such example, question and answer together?",
                example="about 1,000 tokens is typical",
                unit="tokens",
                integer=True,
                min=Decimal(1),
                assume="1,000 tokens",
            ),
        ),
    ),
    Step(
        "team",
        "Team & budget",
        "Who builds it, where it may run, and what it may cost.",
        (
            Question(
                "hosting",
                "choice",
                "Where may the AI models run?",
                choices=(
                    _c(
                        "hosted_api",
                        "A provider's API is fine",
                        "For example OpenAI, Anthropic, Azure or Google.",
                    ),
                    _c(
                        "self_hosted",
                        "Only on servers we control",
                        "For example for data-protection or contractual reasons.",
                    ),
                ),
                assume="a provider's API",
            ),
            Question(
                "team_ml_maturity",
                "choice",
                "How much machine-learning experience does your team have?",
                choices=(
                    _c("none", "None", "We are product and software engineers."),
                    _c("some", "Some", "We have evaluated or tuned models before."),
                    _c("strong", "Strong", "We train and evaluate models routinely."),
                ),
                assume="some",
            ),
            Question(
                "engineer_day_rate_usd",
                "number",
                "What does a day of engineering cost you?",
                help="Salary plus overheads, or a contractor's day rate.",
                example="800",
                prefix="$",
                unit="a day",
                min=Decimal(0),
                assume="$800",
            ),
            Question(
                "budget_monthly_usd",
                "number",
                "Is there a limit on what it may cost to run each month?",
                help="Leave empty if there is no fixed limit.",
                example="2000",
                prefix="$",
                unit="a month",
                min=Decimal(0),
                required=False,
                assume="no limit",
            ),
            Question(
                "budget_one_off_usd",
                "number",
                "And a limit on what building it may cost?",
                help="The one-off cost of getting it built. Leave empty if there is no fixed "
                "limit.",
                example="25000",
                prefix="$",
                unit="one-off",
                min=Decimal(0),
                required=False,
                assume="no limit",
            ),
            Question(
                "horizon_months",
                "number",
                "How far ahead should the cost comparison look?",
                example="24 = two years",
                unit="months",
                integer=True,
                min=Decimal(1),
                max=Decimal(60),
                assume="24 months",
            ),
        ),
    ),
)

QUESTIONS: dict[str, Question] = {q.key: q for step in STEPS for q in step.questions}
STEP_OF: dict[str, Step] = {q.key: step for step in STEPS for q in step.questions}
STEP_SLUGS: tuple[str, ...] = tuple(step.slug for step in STEPS)


def step_by_slug(slug: str) -> Step | None:
    return next((step for step in STEPS if step.slug == slug), None)


def step_after(step: Step) -> str:
    index = STEP_SLUGS.index(step.slug)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEPS) else REVIEW


def step_before(step: Step) -> str | None:
    index = STEP_SLUGS.index(step.slug)
    return STEP_SLUGS[index - 1] if index > 0 else None


def visible(question: Question, answers: Mapping[str, Any]) -> bool:
    if question.show_if is None:
        return True
    gate, value = question.show_if
    return answers.get(gate) == value


# --- Collecting what was typed ------------------------------------------------------------------


def collect(
    step: Step, data: Mapping[str, Any], answers: Mapping[str, Any], unknown: Iterable[str]
) -> tuple[dict[str, str], list[str]]:
    """Merge a step's submitted form into the stored answers. Raw text is kept as typed, valid
    or not; a form holds every question of its step (hidden ones too), so a question missing
    from `data` is one left blank. Other steps' answers are untouched."""
    merged = {k: v for k, v in answers.items() if isinstance(v, str)}
    marked = set(unknown)
    for question in step.questions:
        raw = _text(data.get(question.key))
        marked.discard(question.key)
        merged.pop(question.key, None)
        if question.kind == "choice":
            if raw == UNKNOWN and question.allow_unknown:
                marked.add(question.key)
            elif raw:
                merged[question.key] = raw
        else:
            if raw.strip():
                merged[question.key] = raw
            if question.allow_unknown and _text(data.get(question.key + UNKNOWN_SUFFIX)):
                marked.add(question.key)
        if question.key == "corpus_tokens":
            unit = _text(data.get(CORPUS_UNIT_KEY))
            if unit in CORPUS_UNITS:
                merged[CORPUS_UNIT_KEY] = unit
    return merged, sorted(marked)


def _text(value: Any) -> str:
    # A QueryDict's .get gives the last value; a plain dict may hold a list.
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


# --- Numbers ----------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f_']")


def parse_number(raw: str) -> Decimal | None:
    """A number as people type it: "10,000", "10 000", "$800", "12.5%", "1,5". None if it is
    not one. Commas between groups of three digits are thousands separators; a single other
    comma is a decimal comma."""
    text = _SPACES.sub("", raw or "")
    text = text.removeprefix("US$").removeprefix("$").removesuffix("%")
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not text or not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _plain(value: Decimal) -> str:
    """A Decimal as a founder would write it: 10000, 1.5, 0.25 (no exponent, no trailing 0s)."""
    text = format(value.normalize(), "f")
    return text


def _pretty(value: Decimal | int | float) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def _to_json_number(value: Decimal, integer: bool) -> int | float:
    if integer or value == value.to_integral_value():
        return int(value.to_integral_value())
    return float(value)


# --- Validation -------------------------------------------------------------------------------


def _number_error(question: Question, value: Decimal) -> str | None:
    if question.integer and value != value.to_integral_value():
        return "Enter a whole number, without decimals."
    if question.min is not None and value < question.min:
        if question.min == 0:
            return "Enter 0 or more — it can't be negative."
        return f"Enter {_pretty(question.min)} or more."
    if question.max is not None and value > question.max:
        return f"Enter at most {_pretty(question.max)}{_unit_suffix(question)}."
    spec = question.spec
    converted = _converted(question, value, DEFAULT_CORPUS_UNIT)
    if spec is not None and spec.max is not None and converted > spec.max:
        return "That is more than Forkcast can work with — please check the number."
    return None


def _unit_suffix(question: Question) -> str:
    if question.unit == "%":
        return "%"
    return f" {question.unit}" if question.unit else ""


def _converted(question: Question, value: Decimal, unit: str) -> Decimal:
    if question.key == "corpus_tokens":
        return value * CORPUS_UNITS.get(unit, CORPUS_UNITS[DEFAULT_CORPUS_UNIT])[1]
    return value * question.scale


def question_errors(
    question: Question, answers: Mapping[str, Any], unknown: Iterable[str], *, require: bool
) -> list[str]:
    """What is wrong with one answer. `require` also flags unanswered required questions
    (on Next and on submit); without it only answers given but invalid are flagged."""
    if question.key in set(unknown) and question.allow_unknown:
        return []
    raw = _text(answers.get(question.key))
    if not raw.strip():
        if not (require and question.required):
            return []
        if question.required_message:
            return [question.required_message]
        if question.kind == "choice":
            tail = ", or “I don't know”" if question.allow_unknown else ""
            return [f"Choose an answer{tail}."]
        tail = ", or tick “I don't know”" if question.allow_unknown else ""
        return [f"Enter a number{tail}." if question.kind == "number" else f"Answer this{tail}."]
    if question.kind == "choice":
        if raw not in {c.value for c in question.choices}:
            return ["Choose one of the options."]
        return []
    if question.kind == "number":
        value = parse_number(raw)
        if value is None:
            return ["Enter a number using digits, like 1500."]
        if question.key == "corpus_tokens":
            unit = _text(answers.get(CORPUS_UNIT_KEY)) or DEFAULT_CORPUS_UNIT
            if unit not in CORPUS_UNITS:
                return ["Choose a unit."]
            if value < 0:
                return ["Enter 0 or more — it can't be negative."]
            spec = question.spec
            if (
                spec is not None
                and spec.max is not None
                and _converted(question, value, unit) > spec.max
            ):
                return ["That is more than Forkcast can work with — please check the number."]
            return []
        error = _number_error(question, value)
        return [error] if error else []
    if question.max_length and len(raw.strip()) > question.max_length:
        return [f"Keep it under {question.max_length:,} characters."]
    return []


def validate(
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    unknown: Iterable[str],
    *,
    require: bool,
) -> dict[str, list[str]]:
    """Errors per question key for the visible questions among `questions`."""
    unknown = set(unknown)
    questions = list(questions)
    errors: dict[str, list[str]] = {}
    for question in questions:
        if not visible(question, answers):
            continue
        messages = question_errors(question, answers, unknown, require=require)
        if messages:
            errors[question.key] = messages
    keys = {q.key for q in questions}
    if "few_shot_tokens" in keys and "few_shot_tokens" not in errors:
        message = _few_shot_error(answers, unknown, errors)
        if message:
            errors["few_shot_tokens"] = [message]
    return errors


def _few_shot_error(
    answers: Mapping[str, Any], unknown: set[str], errors: Mapping[str, list[str]]
) -> str | None:
    # The examples are part of the request: the engine refuses more example tokens than prompt
    # tokens, so the founder hears it here, next to the question, in words.
    if "few_shot_tokens" in unknown or "input_tokens" in errors:
        return None
    few_shot = parse_number(_text(answers.get("few_shot_tokens")))
    if few_shot is None:
        return None
    if "input_tokens" in unknown:
        # "I don't know" for the request: the engine will compare with its default.
        prompt = Decimal(FIELDS_BY_NAME["input_tokens"].default)
    elif not _text(answers.get("input_tokens")).strip():
        return None  # the request itself is still unanswered: that is the error to fix first
    else:
        prompt = parse_number(_text(answers.get("input_tokens")))
        if prompt is None:
            return None
    if few_shot > prompt:
        return (
            "The examples are part of the request, so this can't be more than the whole "
            f"request ({_pretty(prompt)} tokens)."
        )
    return None


def validate_step(
    step: Step, answers: Mapping[str, Any], unknown: Iterable[str], *, require: bool
) -> dict[str, list[str]]:
    return validate(step.questions, answers, unknown, require=require)


def validate_all(answers: Mapping[str, Any], unknown: Iterable[str]) -> dict[str, list[str]]:
    return validate(QUESTIONS.values(), answers, unknown, require=True)


def steps_done(answers: Mapping[str, Any], unknown: Iterable[str]) -> list[str]:
    """The steps whose every question is answered (or "I don't know") and valid."""
    unknown = list(unknown)
    return [s.slug for s in STEPS if not validate_step(s, answers, unknown, require=True)]


# --- To and from the profile ------------------------------------------------------------------


def to_profile(
    answers: Mapping[str, Any], unknown: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """The profile a valid draft makes: only the fields given (numbers as int or float), and
    the fields answered "I don't know", which are left out so the engine's defaults apply.
    Call it on answers `validate_all` accepts."""
    unknown = set(unknown)
    profile: dict[str, Any] = {}
    unknown_fields: set[str] = set()
    for question in QUESTIONS.values():
        if not visible(question, answers):
            continue
        raw = _text(answers.get(question.key))
        if question.is_gate:
            profile.update(question.implies.get(raw, {}))
            continue
        name = question.profile_field
        if name is None:
            continue
        if question.key in unknown and question.allow_unknown:
            unknown_fields.add(name)
            continue
        if not raw.strip():
            continue
        spec = question.spec
        if question.kind == "choice":
            profile[name] = (raw == "yes") if question.boolean else raw
        elif question.kind == "number":
            value = parse_number(raw)
            if value is None:
                continue
            unit = _text(answers.get(CORPUS_UNIT_KEY)) or DEFAULT_CORPUS_UNIT
            converted = _converted(question, value, unit)
            integer = spec is not None and spec.type == "int"
            profile[name] = _to_json_number(converted, integer)
        else:
            profile[name] = raw.strip()
    return profile, sorted(unknown_fields)


def from_profile(
    profile: Mapping[str, Any], unknown_fields: Iterable[str] = ()
) -> tuple[dict[str, str], list[str]]:
    """Answers that reproduce a stored profile: a reopened intake starts from them, so the
    founder corrects rather than retypes."""
    answers: dict[str, str] = {}
    unknown = set(unknown_fields)
    marked: set[str] = set()
    for question in QUESTIONS.values():
        name = question.profile_field
        if name is None or question.is_gate:
            continue
        if name in unknown and question.allow_unknown:
            marked.add(question.key)
            continue
        if name not in profile or profile[name] is None:
            continue
        value = profile[name]
        if question.kind == "choice":
            answers[question.key] = ("yes" if value else "no") if question.boolean else str(value)
        elif question.kind == "number":
            number = Decimal(str(value))
            if question.key == "corpus_tokens":
                if number and number % TOKENS_PER_PAGE == 0:
                    answers[CORPUS_UNIT_KEY] = "pages"
                    number = number / TOKENS_PER_PAGE
                else:
                    answers[CORPUS_UNIT_KEY] = "tokens"
            else:
                number = number / question.scale
            answers[question.key] = _plain(number)
        else:
            answers[question.key] = str(value)
    # The gates follow from what the profile says.
    corpus = profile.get("corpus_tokens")
    if "corpus_tokens" in unknown or (isinstance(corpus, int | float) and corpus > 0):
        answers["has_corpus"] = "yes"
    elif corpus == 0:
        answers["has_corpus"] = "no"
    if "latency_p95_budget_ms" in unknown or profile.get("latency_p95_budget_ms"):
        answers["has_realtime_path"] = "yes"
    elif "latency_p95_budget_ms" in profile:
        answers["has_realtime_path"] = "no"
    return answers, sorted(marked)


def map_engine_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The engine's per-field errors, keyed by the question that asks for the field (fields no
    question asks land under `__all__`). Field names never reach the founder."""
    by_field: dict[str, str] = {}
    for question in QUESTIONS.values():
        if question.profile_field:
            by_field[question.profile_field] = question.key
        for implied in question.implies.values():
            for name in implied:
                by_field.setdefault(name, question.key)
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        key = by_field.get(name, ALL)
        for message in messages:
            if key == ALL:
                # A field no question asks (set by the firm's consultant, not the founder).
                text = f"Something in the questionnaire's setup was refused ({_humanise(message)})."
                text += " Please tell the person who sent you the link."
            else:
                text = f"This answer was not accepted: it {_humanise(message)}."
            out.setdefault(key, []).append(text)
    return out


def _humanise(message: str) -> str:
    for question in QUESTIONS.values():
        name = question.profile_field
        if name and name in message:
            message = message.replace(name, f"“{question.title.rstrip('?')}”")
    return message.rstrip(".")


# --- Presentation -----------------------------------------------------------------------------


@dataclass
class BoundQuestion:
    """A question with its stored answer and errors, ready for a template."""

    question: Question
    value: str
    unknown: bool
    errors: list[str]
    unit_value: str = ""

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def anchor(self) -> str:
        """The id a link in the error summary points to (the first radio of a group)."""
        if self.question.kind == "choice":
            return f"f-{self.key}-{self.question.choices[0].value}"
        return f"f-{self.key}"

    @property
    def inputmode(self) -> str:
        return "numeric" if self.question.integer else "decimal"

    @property
    def unit_choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, (label, _) in CORPUS_UNITS.items()]


@dataclass
class Block:
    question: BoundQuestion
    children: list[BoundQuestion]


def bind(
    step: Step,
    answers: Mapping[str, Any],
    unknown: Iterable[str],
    errors: Mapping[str, list[str]] | None = None,
) -> list[Block]:
    unknown = set(unknown)
    errors = errors or {}

    def one(question: Question) -> BoundQuestion:
        unit = ""
        if question.key == "corpus_tokens":
            unit = _text(answers.get(CORPUS_UNIT_KEY)) or DEFAULT_CORPUS_UNIT
        return BoundQuestion(
            question=question,
            value=_text(answers.get(question.key)),
            unknown=question.key in unknown,
            errors=list(errors.get(question.key, [])),
            unit_value=unit,
        )

    return [Block(one(q), [one(c) for c in children]) for q, children in step.blocks()]


@dataclass
class ReviewRow:
    question: Question
    answer: str
    state: str  # answered | unknown | missing | invalid | optional
    errors: list[str]


@dataclass
class ReviewSection:
    step: Step
    rows: list[ReviewRow]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)


def review(
    answers: Mapping[str, Any],
    unknown: Iterable[str],
    errors: Mapping[str, list[str]] | None = None,
) -> list[ReviewSection]:
    """Every visible answer in the founder's words, step by step, for the review page."""
    unknown = set(unknown)
    errors = errors or {}
    sections = []
    for step in STEPS:
        rows = []
        for question in step.questions:
            if not visible(question, answers):
                continue
            problems = list(errors.get(question.key, []))
            if question.key in unknown and question.allow_unknown:
                rows.append(ReviewRow(question, question.unknown_label, "unknown", problems))
                continue
            raw = _text(answers.get(question.key))
            if not raw.strip():
                state = "missing" if question.required else "optional"
                text = "Not answered" if question.required else _empty_text(question)
                rows.append(ReviewRow(question, text, state, problems))
                continue
            state = "invalid" if problems else "answered"
            rows.append(ReviewRow(question, answer_text(question, answers), state, problems))
        sections.append(ReviewSection(step, rows))
    return sections


def _empty_text(question: Question) -> str:
    if question.key.startswith("budget_"):
        return "No fixed limit"
    return "—"


def answer_text(question: Question, answers: Mapping[str, Any]) -> str:
    """One stored answer as the founder would read it back."""
    raw = _text(answers.get(question.key)).strip()
    if question.kind == "choice":
        for choice in question.choices:
            if choice.value == raw:
                return choice.label
        return raw
    if question.kind == "number":
        value = parse_number(raw)
        if value is None:
            return raw
        if question.key == "corpus_tokens":
            unit = _text(answers.get(CORPUS_UNIT_KEY)) or DEFAULT_CORPUS_UNIT
            label = CORPUS_UNITS.get(unit, CORPUS_UNITS[DEFAULT_CORPUS_UNIT])[0]
            if unit == "tokens":
                return f"{_pretty(value)} tokens"
            tokens = _converted(question, value, unit).to_integral_value()
            return f"{_pretty(value)} {label} (about {_pretty(tokens)} tokens)"
        unit = question.unit
        joiner = "" if unit == "%" or unit.startswith("%") else " "
        tail = f"{joiner}{unit}" if unit else ""
        return f"{question.prefix}{_pretty(value)}{tail}"
    return raw
