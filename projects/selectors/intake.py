"""Reads about intake links and drafts."""

from __future__ import annotations

from typing import Any

from projects.models import Engagement, Firm


def intake_panel_context(*, firm: Firm, engagement: Engagement) -> dict[str, Any]:
    """Context for templates/intake/_consultant_panel.html on the engagement page."""
    return {}
