"""The narrative drafting port: what a drafter is given, what it gives back, how it fails.

Pure Python. The template drafter and the OpenAI drafter both satisfy `NarrativeDrafter`, so the
drafting job never knows which one it holds; a drafter that cannot deliver raises `DraftFailed`
with a reason code, and the job falls back to the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

SECTIONS = ("executive_summary", "why_this_architecture", "risks", "next_steps")
SECTION_TITLES = {
    "executive_summary": "Executive summary",
    "why_this_architecture": "Why this architecture",
    "risks": "Risks",
    "next_steps": "Next steps",
}

# Why a draft fell back to the template, in words a consultant can act on.
FAILURE_REASONS = {
    "not_configured": "no language model is configured (set OPENAI_API_KEY)",
    "timeout": "the language model did not answer in time",
    "rate_limited": "the language model's rate limit was still hit after retrying",
    "server_error": "the language model's server kept failing (5xx) after retrying",
    "unreachable": "the language model's server could not be reached",
    "auth": "the language model refused the API key",
    "rejected": "the language model rejected the request",
    "malformed": "the language model's answer was not the structured draft asked for",
    "refused": "the language model declined to write the draft",
    "error": "the drafter failed unexpectedly",
}


@dataclass(frozen=True)
class DraftRequest:
    """Everything a drafter may use. The founder's words (`product`, `use_case`) travel
    separately from the computed assessment so a drafter can keep them as data."""

    assessment: Mapping[str, Any]
    product: str
    use_case: str
    # The firm's evidence library: [{"id", "title", "claim", "figures"}].
    evidence: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class DraftSentence:
    section: str
    text: str
    fields: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftResult:
    """An LLM draft comes as sentences with their citations; a template draft as Markdown."""

    source: str  # llm | template
    model: str = ""
    sentences: tuple[DraftSentence, ...] = ()
    markdown: str = ""
    usage: Mapping[str, int] = field(default_factory=dict)


class DraftFailed(Exception):
    """The drafter could not deliver a usable draft; `code` is a key of FAILURE_REASONS."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code if code in FAILURE_REASONS else "error"
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        reason = FAILURE_REASONS[self.code]
        return f"{reason} ({self.detail})" if self.detail else reason


class NarrativeDrafter(Protocol):
    # "template" or "openai": which implementation this is.
    name: str

    @property
    def identity(self) -> str:
        """What the draft's input hash includes, so a change of model makes a new draft."""
        ...

    def draft(self, request: DraftRequest) -> DraftResult: ...
