"""What the review tests share: a support-bot profile (RAG on the default book) and URL names."""

from __future__ import annotations

from django.urls import reverse

SUPPORT_BOT = {
    "name": "Support copilot",
    "stage": "mvp",
    "knowledge_change": "weekly",
    "corpus_tokens": 800000,
    "queries_per_month": 30000,
}


def url(name: str, firm, **kwargs) -> str:
    return reverse(f"projects:{name}", kwargs={"firm_slug": firm.slug, **kwargs})
