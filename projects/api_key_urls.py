"""Firm settings → API keys, under /f/<firm_slug>/settings/api-keys/ (namespace `projects`).

Included from projects/urls.py: path("settings/api-keys/", include("projects.api_key_urls")).
"""

from django.urls import path

from projects.views import api_keys

urlpatterns = [
    path("", api_keys.api_keys, name="api-keys"),
    path("new/", api_keys.api_key_new, name="api-key-new"),
    path("<int:api_key_id>/revoke/", api_keys.api_key_revoke_view, name="api-key-revoke"),
]
