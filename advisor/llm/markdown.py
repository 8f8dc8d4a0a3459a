"""Checked sentences into the narrative's Markdown. Pure Python.

Model text is escaped on the way in — it is shown literally, never as Markdown or HTML — so a
draft cannot slip a link, an image or markup into a client's report. What is left out (flagged
sentences not yet accepted) is simply absent: the narrative holds only what may be exported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.llm.port import SECTION_TITLES, SECTIONS

# Statuses whose sentences go into the narrative (and so into every export).
INCLUDED = frozenset({"supported", "accepted", "edited"})

_INLINE = re.compile(r"([\\`*\[\]|])")
_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def escape_markdown(text: str) -> str:
    """Text that renders as itself: Markdown punctuation backslash-escaped, angle brackets as
    entities (the renderer would otherwise pass raw HTML on to its sanitiser)."""
    text = _INLINE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    match = _LINE_START.match(text)
    if match:
        text = text[: match.end(1)] + "\\" + text[match.end(1) :]
    return text


def compose_markdown(sentences: Iterable[Mapping[str, Any]]) -> str:
    """The narrative from sentence dicts ({section, text, status}): the summary as a paragraph,
    the reasons and risks as bullets, the next steps numbered. A section with nothing to show
    is left out entirely — an export never hints at what is waiting for review."""
    by_section: dict[str, list[str]] = {section: [] for section in SECTIONS}
    for sentence in sentences:
        if sentence.get("status") in INCLUDED and sentence.get("section") in by_section:
            by_section[sentence["section"]].append(escape_markdown(str(sentence["text"])))
    blocks: list[str] = []
    for section in SECTIONS:
        lines = by_section[section]
        if not lines:
            continue
        blocks.append(f"## {SECTION_TITLES[section]}")
        if section == "executive_summary":
            blocks.append(" ".join(lines))
        elif section == "next_steps":
            blocks.append("\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1)))
        else:
            blocks.append("\n".join(f"- {line}" for line in lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""
