"""The OpenAPI schema (valid, complete, every status documented) and the offline docs page."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/firms/{firm}/"
EXPECTED = {
    "clients/": {"get", "post"},
    "clients/{id}/": {"get", "patch", "delete"},
    "engagements/": {"get", "post"},
    "engagements/{id}/": {"get", "patch"},
    "engagements/{id}/profiles/": {"get", "post"},
    "recommendations/": {"get"},
    "recommendations/{id}/": {"get"},
    "recommendations/{id}/report/": {"get"},
    "evaluate": {"post"},
    "price-books/": {"get"},
    "evidence/": {"get"},
}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "patch", "put", "delete"}:
                yield path, method, operation


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3.0 meta-schema
    assert schema["openapi"].startswith("3.0")


def test_the_schema_generates_without_a_warning(tmp_path):
    # drf-spectacular warns where it had to guess; a guess would be a hole in the contract.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))


def test_the_schema_has_exactly_the_promised_paths(schema):
    assert {path: set(item) - {"parameters"} for path, item in schema["paths"].items()} == {
        PREFIX + rest: methods for rest, methods in EXPECTED.items()
    }


def test_every_operation_documents_every_status_it_can_answer(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"401", "404", "406", "429"} <= codes, (method, path)
        success = {"get": "200", "post": "201", "patch": "200", "delete": "204"}[method]
        if path.endswith("evaluate"):
            success = "200"
        assert success in codes, (method, path)
        if method != "get":
            assert "403" in codes, (method, path)
        has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
        if method in {"post", "patch"} or has_query:
            assert "400" in codes, (method, path)
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
        assert operation["responses"]["429"]["headers"]["Retry-After"]["required"]
        assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]


def test_the_error_format_and_the_documents_are_described(schema):
    components = schema["components"]
    assert set(components["schemas"]["Error"]["required"]) == {"detail", "code", "errors"}
    profile = components["schemas"]["ProfileRequest"]
    assert profile["required"] == ["name"] and profile["additionalProperties"] is False
    assert "horizon_months" in profile["properties"]
    assert {"verdict", "costs", "roadmap"} <= set(components["schemas"]["Assessment"]["required"])
    assert components["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": components["securitySchemes"]["bearerAuth"]["description"],
    }
    report = schema["paths"][PREFIX + "recommendations/{id}/report/"]["get"]
    assert set(report["responses"]["200"]["content"]) == {
        "application/json",
        "text/markdown",
        "application/pdf",
    }
    formats = [p for p in report["parameters"] if p["name"] == "format"]
    assert formats[0]["schema"]["enum"] == ["json", "markdown", "pdf"]


def test_the_client_delete_documents_its_conflict(schema):
    delete = schema["paths"][PREFIX + "clients/{id}/"]["delete"]
    assert "409" in delete["responses"]


def test_the_docs_page_loads_offline_under_the_csp():
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    # Every script is a file of ours (no CDN, nothing inline) …
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/' in attrs for attrs in scripts)
    assert "cdn" not in html.lower() and "https://" not in html
    # … and the one inline style carries the response's nonce.
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<style nonce="{nonce}">' in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_anything_else_under_api_is_a_json_404():
    for path in ("/api/", "/api/v2/", "/api/v1/firms/acme/clients/abc/", "/api/v1/firms/acme/x"):
        response = Client().post(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}
