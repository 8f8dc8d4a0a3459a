"""Secret tokens for links (invitations, and later intake and share links): only the hash is
ever stored, so a database leak does not open anyone's link."""

import hashlib
import secrets


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (raw token, its hash) pair. The raw token goes into the e-mail, nowhere else."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)
