"""Writes about firms, memberships and invitations."""

from __future__ import annotations

import io
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from projects.models import Firm, Invitation, Membership, Role, User
from projects.models.firms import HEX_COLOUR
from projects.tenancy.scope import dangerously_unscoped, firm_scope
from projects.tokens import new_token, token_hash

MAX_LOGO_BYTES = 200_000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
RESERVED_SLUGS = {"api", "admin", "static", "media", "accounts", "new", "healthz", "invitations"}


def _unique_slug(name: str) -> str:
    base = slugify(name)[:40] or "firm"
    if base in RESERVED_SLUGS:
        base = f"{base}-firm"
    slug, n = base, 2
    while Firm.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def firm_create(*, name: str, owner: User, slug: str | None = None) -> Firm:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give your firm a name."})
    if slug and (slug in RESERVED_SLUGS or Firm.objects.filter(slug=slug).exists()):
        raise ValidationError({"slug": "That address is taken."})
    firm = Firm.objects.create(name=name, slug=slug or _unique_slug(name))
    with firm_scope(firm):
        Membership.objects.create(firm=firm, user=owner, role=Role.OWNER)
    return firm


def _read_logo(upload: UploadedFile) -> tuple[bytes, str]:
    from PIL import Image, UnidentifiedImageError

    if upload.size and upload.size > MAX_LOGO_BYTES:
        raise ValidationError({"logo": "The logo must be 200 KB or smaller."})
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            fmt = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError({"logo": "Upload a PNG, JPEG, GIF or WebP image."}) from None
    if fmt not in LOGO_FORMATS:
        raise ValidationError({"logo": "Upload a PNG, JPEG, GIF or WebP image."})
    return data, LOGO_FORMATS[fmt]


def firm_update(
    *,
    firm: Firm,
    name: str,
    display_name: str,
    accent_colour: str,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    intake_link_days: int | None = None,
) -> Firm:
    HEX_COLOUR(accent_colour)
    if intake_link_days is not None:
        if not 1 <= intake_link_days <= 90:
            raise ValidationError({"intake_link_days": "Choose between 1 and 90 days."})
        # New links only: a link already sent keeps the expiry the founder was told.
        firm.intake_link_days = intake_link_days
    firm.name = name.strip() or firm.name
    firm.display_name = display_name.strip()
    firm.accent_colour = accent_colour.lower()
    if remove_logo:
        firm.logo, firm.logo_content_type = None, ""
    elif logo is not None:
        firm.logo, firm.logo_content_type = _read_logo(logo)
    firm.save()
    return firm


def invitation_create(
    *, firm: Firm, invited_by: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail; returns the invitation and its raw token (for the e-mail)."""
    email = email.strip().lower()
    if role not in {Role.ADMIN, Role.CONSULTANT, Role.VIEWER}:
        raise ValidationError({"role": "Invite as admin, consultant or viewer."})
    if Membership.objects.filter(firm=firm, user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the firm."})
    now = timezone.now()
    # A new invitation replaces any pending one for the same address.
    Invitation.objects.filter(firm=firm, email__iexact=email).pending().update(revoked_at=now)
    raw, digest = new_token()
    invitation = Invitation.objects.create(
        firm=firm,
        email=email,
        role=role,
        token_hash=digest,
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.FORKCAST_INVITATION_DAYS),
    )
    from projects.tasks import send_invitation_email

    firm_id, invitation_id = firm.pk, invitation.pk
    transaction.on_commit(lambda: send_invitation_email.delay(firm_id, invitation_id, raw))
    return invitation, raw


def invitation_revoke(*, firm: Firm, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.get(firm=firm, pk=invitation_id)
    if invitation.state == "pending":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """Resolve an invitation from its link. The only cross-firm read: by secret hash."""
    with dangerously_unscoped(reason="resolve an invitation from its secret token"):
        return (
            Invitation.objects.filter(token_hash=token_hash(token))
            .select_related("firm", "invited_by")
            .first()
        )


def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_get_by_token(token=token)
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    if invitation.state != "pending":
        raise ValidationError(f"This invitation has {invitation.state}.")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; sign in with that address."
        )
    with firm_scope(invitation.firm):
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "pending":
            raise ValidationError(f"This invitation has {invitation.state}.")
        membership, _ = Membership.objects.get_or_create(
            firm=invitation.firm, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


def _owner_count(firm: Firm) -> int:
    return Membership.objects.filter(firm=firm, role=Role.OWNER).count()


def _check_may_manage(actor: Membership, target: Membership, new_role: str | None) -> None:
    if actor.role not in {Role.OWNER, Role.ADMIN}:
        raise PermissionDenied("Only owners and admins manage members.")
    touches_owner = target.role == Role.OWNER or new_role == Role.OWNER
    if touches_owner and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can grant or take away the owner role.")


@transaction.atomic
def membership_change_role(
    *, firm: Firm, actor: Membership, membership_id: int, role: str
) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": "Choose owner, admin, consultant or viewer."})
    target = Membership.objects.select_for_update().get(firm=firm, pk=membership_id)
    _check_may_manage(actor, target, role)
    if target.role == Role.OWNER and role != Role.OWNER and _owner_count(firm) <= 1:
        raise ValidationError({"role": "A firm always keeps at least one owner."})
    target.role = role
    target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_remove(*, firm: Firm, actor: Membership, membership_id: int) -> None:
    target = Membership.objects.select_for_update().get(firm=firm, pk=membership_id)
    _check_may_manage(actor, target, None)
    if target.role == Role.OWNER and _owner_count(firm) <= 1:
        raise ValidationError("A firm always keeps at least one owner.")
    target.delete()
