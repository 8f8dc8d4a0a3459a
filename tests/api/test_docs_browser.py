"""/api/docs/ in a real Chromium: Swagger UI renders every operation from our own files, under
the app's Content-Security-Policy, without a single violation or a request leaving the server."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_render_every_operation_offline_under_the_csp(live_server, page):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == 17
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".responses-table")
    assert "401" in page.locator(".responses-table").first.inner_text()
    assert problems == []
    assert outside == []
