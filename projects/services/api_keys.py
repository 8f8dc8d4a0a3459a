"""Per-firm API keys: create (the secret is returned once, only its hash is stored), revoke,
resolve a presented secret, and note when a key was last used.

A key is a bearer secret: `fc_` followed by 43 URL-safe characters (256 bits). Its first
characters are kept in clear as `prefix`, so people can tell their keys apart in the settings
page without the secret ever being shown again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from projects.models import ApiKey, ApiKeyScope, Firm, User
from projects.tenancy.scope import dangerously_unscoped
from projects.tokens import token_hash

KEY_PREFIX = "fc_"
# Characters of the secret kept in clear: the `fc_` marker and 8 random characters.
SHOWN_CHARACTERS = 11
NAME_MAX = 100
# Writing `last_used_at` on every request would make every API read a write; a minute's
# precision is what the settings page shows anyway.
TOUCH_INTERVAL = timedelta(minutes=1)


def _new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_list(*, firm: Firm) -> QuerySet[ApiKey]:
    """The firm's keys, newest first, revoked and expired ones included (they stay listed)."""
    return ApiKey.objects.filter(firm=firm).select_related("created_by").order_by("-created_at")


@transaction.atomic
def api_key_create(
    *,
    firm: Firm,
    name: str,
    scope: str = ApiKeyScope.READ,
    created_by: User | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Make a key; returns it and its secret. The secret is shown once and never stored."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Name the key after what will use it, e.g. “CRM sync”."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name under {NAME_MAX} characters."
    if scope not in ApiKeyScope.values:
        errors["scope"] = "Choose read or write."
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future."
    if errors:
        raise ValidationError(errors)
    secret = _new_secret()
    key = ApiKey.objects.create(
        firm=firm,
        name=name,
        prefix=secret[:SHOWN_CHARACTERS],
        key_hash=token_hash(secret),
        scope=scope,
        created_by=created_by,
        expires_at=expires_at,
    )
    _audit(
        firm,
        "api_key.created",
        f"Created the {key.get_scope_display().lower()} API key “{key.name}” ({key.prefix}…)",
        created_by,
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, firm: Firm, key_id: int, user: User | None = None) -> ApiKey:
    """Revoke a key of the firm's (another firm's id raises DoesNotExist, as a missing one)."""
    key = ApiKey.objects.select_for_update().get(firm=firm, pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        _audit(firm, "api_key.revoked", f"Revoked the API key “{key.name}” ({key.prefix}…)", user)
    return key


def api_key_get_by_secret(*, secret: str, firm: Firm | None = None) -> ApiKey | None:
    """Resolve a presented secret to its key, whatever its firm: the one cross-firm read of the
    API, by hash. The caller compares the key's firm with the firm in the URL.

    `firm`: the firm the request names, when the caller is already in its scope. A key of that
    firm (nearly every request) is then read in the scope, without bypassing row-level
    security; only a miss looks across firms, to tell another firm's key from an unknown one.
    """
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = token_hash(secret)
    if firm is not None:
        key = ApiKey.objects.filter(firm=firm, key_hash=digest).first()
        if key is not None:
            key.firm = firm  # the one it was read with: no second read of it
            return key
    with dangerously_unscoped(reason="resolve an API key from its secret (by hash)"):
        return ApiKey.objects.filter(key_hash=digest).select_related("firm").first()


def api_key_touch(*, firm: Firm, key: ApiKey) -> None:
    """Record that the key was used now (at most once a minute). Runs in the firm's scope."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < TOUCH_INTERVAL:
        return
    ApiKey.objects.filter(firm=firm, pk=key.pk).update(last_used_at=now)
    key.last_used_at = now


def _audit(firm: Firm, verb: str, summary: str, user: User | None) -> None:
    # Imported here: the audit log lives in the advisor app, which imports projects' models.
    from advisor.services.audit import audit_log

    audit_log(firm=firm, verb=verb, summary=summary, actor=user)
