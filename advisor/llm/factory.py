"""Which drafter to use, from settings: the OpenAI drafter when a key is configured, else the
template drafter (and the UI says so)."""

from __future__ import annotations

from django.conf import settings

from advisor.llm.port import NarrativeDrafter
from advisor.llm.template_drafter import TemplateDrafter


def llm_configured() -> bool:
    return bool(getattr(settings, "OPENAI_API_KEY", ""))


def drafter_from_settings() -> NarrativeDrafter:
    if not llm_configured():
        return TemplateDrafter()
    # Imported here so a deployment without a key never loads the client at all.
    from advisor.llm.openai_drafter import OpenAIDrafter

    return OpenAIDrafter(
        api_key=settings.OPENAI_API_KEY,
        base_url=settings.OPENAI_BASE_URL or None,
        model=settings.OPENAI_MODEL,
        timeout=float(settings.OPENAI_TIMEOUT_SECONDS),
        max_retries=int(settings.OPENAI_MAX_RETRIES),
    )
