"""Sign-up, the home redirect, creating a firm, and accepting an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.decorators import ratelimit

from projects.forms import FirmCreateForm, ProfileForm, SignupForm, apply_errors
from projects.selectors.firms import user_memberships
from projects.services.firms import firm_create, invitation_accept, invitation_get_by_token


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Forkcast.")
        return redirect(_safe_next(request) or "home")
    return render(request, "registration/signup.html", {"form": form, "next": _safe_next(request)})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = user_memberships(user=request.user)
    if len(memberships) == 1:
        return redirect("projects:dashboard", firm_slug=memberships[0].firm.slug)
    return render(request, "projects/home.html", {"memberships": memberships})


@login_required
def firm_new(request: HttpRequest) -> HttpResponse:
    form = FirmCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            firm = firm_create(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{firm.name} is ready. Invite your team next.")
            return redirect("projects:dashboard", firm_slug=firm.slug)
    return render(request, "projects/firm_new.html", {"form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form})


@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=True)
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation and changes nothing (mail scanners follow links); POST joins."""
    invitation = invitation_get_by_token(token=token)
    if invitation is None:
        return render(
            request, "projects/invitation_invalid.html", {"reason": "invalid"}, status=404
        )
    if invitation.state != "pending":
        return render(
            request,
            "projects/invitation_invalid.html",
            {"reason": invitation.state, "invitation": invitation},
            status=410,
        )
    error = None
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You joined {invitation.firm.brand_name}.")
            return redirect("projects:dashboard", firm_slug=membership.firm.slug)
    here = reverse("invitation-accept", kwargs={"token": token})
    return render(
        request,
        "projects/invitation_accept.html",
        {"invitation": invitation, "error": error, "next": here, "brand": invitation.firm},
    )
