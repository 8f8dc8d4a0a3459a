"""Exports of a frozen revision: Markdown and PDF, the same bytes every time."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from advisor.exports import report_markdown
from advisor.models import Revision
from advisor.services import documents
from projects.tenancy.views import firm_view


def _revision(request: HttpRequest, revision_id: int) -> Revision:
    return get_object_or_404(
        Revision.objects.filter(firm=request.firm).select_related("engagement"), pk=revision_id
    )


def _filename(revision: Revision, ext: str) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in revision.engagement.title.lower())
    return f"forkcast-{slug.strip('-')[:40]}-r{revision.number}.{ext}"


@firm_view()
def revision_markdown(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = _revision(request, revision_id)
    response = HttpResponse(
        report_markdown(revision.content), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(revision, "md")}"'
    return response


@firm_view()
def revision_pdf(request: HttpRequest, revision_id: int) -> HttpResponse:
    revision = _revision(request, revision_id)
    response = HttpResponse(
        documents.revision_pdf(revision=revision), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(revision, "pdf")}"'
    return response
