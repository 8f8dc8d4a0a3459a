"""Pages inside a firm: the dashboard, firm settings, members and invitations.

Every view here is wrapped by `firm_view`, the HTML surface's one choke point.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from projects.forms import FirmSettingsForm, InvitationForm, RoleForm, apply_errors
from projects.models import Invitation, Membership, Role
from projects.selectors.dashboard import dashboard_summary
from projects.selectors.firms import (
    invitation_list_pending,
    invitation_list_recent,
    membership_list,
)
from projects.services.firms import (
    firm_update,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
)
from projects.tenancy.views import firm_view


@require_GET
@firm_view()
def firm_switcher(request: HttpRequest) -> HttpResponse:
    """The firms of the firm switcher (`?menu=mobile`: the mobile menu's), read when the menu
    first opens rather than on every page. Without HTMX, the list of the user's firms."""
    if not request.htmx:
        return redirect("home")
    partial = "mobile" if request.GET.get("menu") == "mobile" else "switcher"
    return render(request, f"layouts/_firm_switcher.html#{partial}")


@firm_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    from advisor.selectors.portfolio import recent_reassessments, review_queues, verdict_mix

    firm = request.firm
    queues = review_queues(firm=firm, user=request.user)
    members = membership_list(firm=firm)
    role_counts = dict(
        Membership.objects.filter(firm=firm).values_list("role").annotate(n=Count("id"))
    )
    return render(
        request,
        "projects/dashboard.html",
        {
            "members": members[:8],
            "member_count": sum(role_counts.values()),
            "role_counts": [(r.label, role_counts.get(r.value, 0)) for r in Role],
            "pending_invitations": invitation_list_pending(firm=firm),
            "recent_invitations": invitation_list_recent(firm=firm, limit=5),
            **dashboard_summary(firm=firm, user=request.user),
            "verdict_mix": verdict_mix(firm=firm),
            "waiting_for_me": queues["mine"],
            "drafts_count": len(queues["drafts"]),
            "recent_changes": recent_reassessments(firm=firm),
        },
    )


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def firm_settings(request: HttpRequest) -> HttpResponse:
    firm = request.firm
    form = FirmSettingsForm(request.POST or None, request.FILES or None, instance=firm)
    if request.method == "POST" and form.is_valid():
        try:
            firm_update(
                firm=firm,
                name=form.cleaned_data["name"],
                display_name=form.cleaned_data["display_name"],
                accent_colour=form.cleaned_data["accent_colour"],
                logo=form.cleaned_data.get("logo_upload"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
                intake_link_days=form.cleaned_data.get("intake_link_days"),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Firm settings saved.")
            return redirect("projects:firm-settings", firm_slug=firm.slug)
    return render(request, "projects/settings.html", {"form": form, "tab": "general"})


def _members_context(request: HttpRequest, invite_form: InvitationForm | None = None) -> dict:
    firm = request.firm
    return {
        "tab": "members",
        "members": membership_list(firm=firm),
        "pending_invitations": invitation_list_pending(firm=firm),
        "invite_form": invite_form or InvitationForm(),
        "roles": Role.choices,
        "owner_count": Membership.objects.filter(firm=firm, role=Role.OWNER).count(),
    }


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/members.html", _members_context(request))


@require_POST
@firm_view(write_role=Role.ADMIN)
def invitation_new(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _ = invitation_create(
                firm=request.firm,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if request.htmx:
                return render(
                    request, "projects/members.html#invitations", _members_context(request)
                )
            return redirect("projects:members", firm_slug=request.firm.slug)
    template = "projects/members.html#invitations" if request.htmx else "projects/members.html"
    status = 200 if request.htmx else 400
    return render(request, template, _members_context(request, form), status=status)


@require_POST
@firm_view(write_role=Role.ADMIN)
def invitation_revoke_view(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitation_revoke(firm=request.firm, invitation_id=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None
    messages.info(request, f"Invitation for {invitation.email} revoked.")
    if request.htmx:
        return render(request, "projects/members.html#invitations", _members_context(request))
    return redirect("projects:members", firm_slug=request.firm.slug)


@require_POST
@firm_view(write_role=Role.ADMIN)
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a role.")
        changed = membership_change_role(
            firm=request.firm,
            actor=request.membership,
            membership_id=membership_id,
            role=form.cleaned_data["role"],
        )
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{changed.user} is now {changed.get_role_display().lower()}.")
    if request.htmx:
        return render(request, "projects/members.html#member-table", _members_context(request))
    return redirect("projects:members", firm_slug=request.firm.slug)


@require_POST
@firm_view(write_role=Role.ADMIN)
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    try:
        membership_remove(firm=request.firm, actor=request.membership, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Member removed.")
    if request.htmx:
        return render(request, "projects/members.html#member-table", _members_context(request))
    return redirect("projects:members", firm_slug=request.firm.slug)
