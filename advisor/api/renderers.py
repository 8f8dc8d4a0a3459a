"""Renderers for a frozen report: the same content dict as JSON, Markdown or PDF.

They let DRF's own `?format=` negotiation choose the export (its `URL_FORMAT_OVERRIDE` keeps
its default name, `format`), so the report route needs no parameter handling of its own.
The exports are the ones the web app offers (advisor.exports): the same bytes for a revision.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer, JSONRenderer


class ReportJSONRenderer(JSONRenderer):
    format = "json"


class ReportMarkdownRenderer(BaseRenderer):
    media_type = "text/markdown"
    format = "markdown"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        from advisor.exports import report_markdown

        return report_markdown(data).encode(self.charset)


class ReportPdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        from advisor.exports import report_pdf

        return report_pdf(data)


REPORT_RENDERERS = [ReportJSONRenderer, ReportMarkdownRenderer, ReportPdfRenderer]
