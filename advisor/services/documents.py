"""Rendered documents of a frozen revision. A revision never changes, so its PDF is rendered
once and kept in the cache (Redis in production) under the revision's content hash."""

from __future__ import annotations

from django.core.cache import cache

from advisor.exports import report_pdf
from advisor.models import Revision

PDF_TTL_SECONDS = 30 * 24 * 3600


def revision_pdf(*, revision: Revision) -> bytes:
    key = f"forkcast:pdf:{revision.firm_id}:{revision.pk}:{revision.content_hash}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = report_pdf(revision.content)
        cache.set(key, pdf, PDF_TTL_SECONDS)
    return pdf
