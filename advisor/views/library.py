"""The library pages: the firm's price books (active book, versions, diffs, changes) and its
evidence library. Every member reads; owners and admins change things.

Every view is wrapped by `firm_view`, the one choke point (membership, role, scope). Objects are
looked up with the firm in the query, so another firm's id answers 404 exactly as a missing one.
Reading pages answer only safe methods; `require_safe` sits inside `firm_view`, so a viewer's
POST is refused for the role (403) like every other write. Form pages keep what was typed and
show each error beside its input; HTMX, where used, swaps a fragment of the same page the view
renders in full without it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from advisor.forms_library import DefaultsForm, EvidenceForm, PriceBookModelForm, RetireModelForm
from advisor.models import EvidenceEntry, PriceBookVersion
from advisor.selectors.library import (
    evidence_current,
    evidence_current_of,
    evidence_entry_get,
    evidence_history_with_diffs,
    library_audit,
    price_book_active,
    price_book_history,
    price_book_latest_version,
    price_book_version_get,
    price_book_version_item,
    price_book_view,
)
from advisor.services.library import (
    RetireModel,
    evidence_add,
    evidence_change,
    evidence_restore,
    evidence_retire,
    library_seed,
    price_book_activate,
    price_book_change,
)
from projects.forms import apply_errors
from projects.models import Role
from projects.tenancy.views import firm_view

REASSESS_NOTE = "Open engagements are being re-assessed on it."


def _version(request: HttpRequest, price_book_id: int) -> PriceBookVersion:
    try:
        return price_book_version_get(firm=request.firm, pk=price_book_id)
    except PriceBookVersion.DoesNotExist:
        raise Http404("No such price book.") from None


def _entry(request: HttpRequest, evidence_entry_id: int) -> EvidenceEntry:
    try:
        return evidence_entry_get(firm=request.firm, pk=evidence_entry_id)
    except EvidenceEntry.DoesNotExist:
        raise Http404("No such evidence.") from None


def _model_of(request: HttpRequest, version: PriceBookVersion) -> tuple[str, dict[str, Any]]:
    name = (request.POST.get("model") or request.GET.get("model") or "").strip()
    model = version.data["models"].get(name)
    if model is None:
        raise Http404("No such model in this price book.")
    return name, model


def _books_context(request: HttpRequest) -> dict[str, Any]:
    firm = request.firm
    active = price_book_active(firm=firm)
    history = price_book_history(firm=firm)
    # A newer, inactive version of the active book (after a rollback): say so beside it.
    newer = next(
        (
            item.version
            for item in history
            if active and item.version.slug == active.slug and item.version.version > active.version
        ),
        None,
    )
    return {
        "tab": "price-books",
        "active": active,
        "newer": newer,
        "book": price_book_view(version=active) if active else None,
        "editable": True,
        "history": history,
        "version_count": len(history),
        "activity": library_audit(firm=firm, limit=6),
    }


def _saved(request: HttpRequest, version: PriceBookVersion) -> HttpResponse:
    if version.is_active:
        messages.success(request, f"Saved {version.key}. {REASSESS_NOTE}")
        return redirect("projects:library", firm_slug=request.firm.slug)
    messages.success(request, f"Saved {version.key}. It is not the active book.")
    return redirect(
        "projects:price-book-detail", firm_slug=request.firm.slug, price_book_id=version.pk
    )


def _not_editable(request: HttpRequest, version: PriceBookVersion) -> HttpResponse | None:
    """Changes start from a book's latest or active version; say so instead of a dead form."""
    latest = price_book_latest_version(firm=request.firm, slug=version.slug)
    if version.is_active or version.version == latest:
        return None
    return render(
        request,
        "advisor/library/not_editable.html",
        {"version": version, "latest": latest},
        status=409 if request.method == "POST" else 200,
    )


# --- price books --------------------------------------------------------------------------------


@firm_view(write_role=Role.ADMIN)
@require_safe
def library(request: HttpRequest) -> HttpResponse:
    """The active price book, its models and defaults, and every version with its diff."""
    library_seed(firm=request.firm)
    return render(request, "advisor/library/index.html", _books_context(request))


@firm_view(write_role=Role.ADMIN)
@require_safe
def price_book_detail(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    item = price_book_version_item(firm=request.firm, version=version)
    return render(
        request,
        "advisor/library/price_book_detail.html",
        {
            "tab": "price-books",
            "version": version,
            "item": item,
            "book": price_book_view(version=version),
            "editable": item.editable,
        },
    )


@require_POST
@firm_view(write_role=Role.ADMIN)
def price_book_activate_view(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    was_active = version.is_active
    price_book_activate(firm=request.firm, version=version, user=request.user)
    if was_active:
        messages.info(request, f"{version.key} is already the active book.")
    else:
        messages.success(request, f"{version.key} is now the active book. {REASSESS_NOTE}")
    if request.htmx:
        return render(request, "advisor/library/index.html#books", _books_context(request))
    return redirect("projects:library", firm_slug=request.firm.slug)


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def price_book_model_new(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    if (blocked := _not_editable(request, version)) is not None:
        return blocked
    form = PriceBookModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = price_book_change(
                firm=request.firm,
                base=version,
                changes=form.to_change(),
                note=form.cleaned_data.get("note", ""),
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _saved(request, new)
    return render(
        request,
        "advisor/library/model_form.html",
        {"tab": "price-books", "version": version, "form": form},
        status=400 if form.errors else 200,
    )


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def price_book_model_edit(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    name, model = _model_of(request, version)
    if (blocked := _not_editable(request, version)) is not None:
        return blocked
    form = PriceBookModelForm(request.POST or None, model_name=name, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            new = price_book_change(
                firm=request.firm,
                base=version,
                changes=form.to_change(),
                note=form.cleaned_data.get("note", ""),
                user=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _saved(request, new)
    return render(
        request,
        "advisor/library/model_form.html",
        {"tab": "price-books", "version": version, "form": form, "model_name": name},
        status=400 if form.errors else 200,
    )


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def price_book_model_retire(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    name, model = _model_of(request, version)
    if (blocked := _not_editable(request, version)) is not None:
        return blocked
    form = RetireModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = price_book_change(
                firm=request.firm,
                base=version,
                changes=RetireModel(name),
                note=form.cleaned_data.get("note", ""),
                user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _saved(request, new)
    is_default = name in (version.data["default_model"], version.data["default_embedding_model"])
    return render(
        request,
        "advisor/library/model_retire.html",
        {
            "tab": "price-books",
            "version": version,
            "form": form,
            "model_name": name,
            "model": model,
            "is_default": is_default,
        },
        status=400 if form.errors else 200,
    )


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def price_book_defaults(request: HttpRequest, price_book_id: int) -> HttpResponse:
    version = _version(request, price_book_id)
    if (blocked := _not_editable(request, version)) is not None:
        return blocked
    form = DefaultsForm(request.POST or None, book=version.data)
    if request.method == "POST" and form.is_valid():
        try:
            new = price_book_change(
                firm=request.firm,
                base=version,
                changes=form.to_change(),
                note=form.cleaned_data.get("note", ""),
                user=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _saved(request, new)
    return render(
        request,
        "advisor/library/defaults_form.html",
        {"tab": "price-books", "version": version, "form": form},
        status=400 if form.errors else 200,
    )


# --- evidence -----------------------------------------------------------------------------------


def _evidence_context(request: HttpRequest, q: str) -> dict[str, Any]:
    q = q.strip()
    entries = evidence_current(firm=request.firm, search=q)
    return {
        "tab": "evidence",
        "entries": entries,
        "q": q,
        "live_count": sum(1 for e in entries if e.retired_at is None),
        "retired_count": sum(1 for e in entries if e.retired_at is not None),
    }


@firm_view(write_role=Role.ADMIN)
@require_safe
def evidence_list(request: HttpRequest) -> HttpResponse:
    library_seed(firm=request.firm)
    context = _evidence_context(request, request.GET.get("q", ""))
    if request.htmx and request.htmx.target == "evidence-results":
        return render(request, "advisor/library/evidence_list.html#results", context)
    return render(request, "advisor/library/evidence_list.html", context)


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def evidence_new(request: HttpRequest) -> HttpResponse:
    form = EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = evidence_add(
                firm=request.firm,
                evidence_id=form.cleaned_data.get("evidence_id", ""),
                user=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{entry.evidence_id} added to the library.")
            return redirect(
                "projects:evidence-detail",
                firm_slug=request.firm.slug,
                evidence_entry_id=entry.pk,
            )
    return render(
        request,
        "advisor/library/evidence_form.html",
        {"tab": "evidence", "form": form},
        status=400 if form.errors else 200,
    )


@firm_view(write_role=Role.ADMIN)
@require_safe
def evidence_detail(request: HttpRequest, evidence_entry_id: int) -> HttpResponse:
    entry = _entry(request, evidence_entry_id)
    current = evidence_current_of(firm=request.firm, evidence_id=entry.evidence_id)
    return render(
        request,
        "advisor/library/evidence_detail.html",
        {
            "tab": "evidence",
            "entry": current,
            "shown": entry,
            "history": evidence_history_with_diffs(
                firm=request.firm, evidence_id=entry.evidence_id
            ),
        },
    )


@firm_view(read_role=Role.ADMIN, write_role=Role.ADMIN)
def evidence_edit(request: HttpRequest, evidence_entry_id: int) -> HttpResponse:
    entry = _entry(request, evidence_entry_id)
    current = evidence_current_of(firm=request.firm, evidence_id=entry.evidence_id)
    if request.method != "POST" and current.pk != entry.pk:
        # An edit always starts from the current version: that is the one the form posts back.
        return redirect(
            "projects:evidence-edit", firm_slug=request.firm.slug, evidence_entry_id=current.pk
        )
    form = EvidenceForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            new = evidence_change(
                firm=request.firm,
                entry=entry,
                user=request.user,
                note=form.cleaned_data.get("note", ""),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Saved {new.evidence_id} as version {new.version}.")
            return redirect(
                "projects:evidence-detail", firm_slug=request.firm.slug, evidence_entry_id=new.pk
            )
    return render(
        request,
        "advisor/library/evidence_form.html",
        {"tab": "evidence", "form": form, "entry": entry, "current": current},
        status=400 if form.errors else 200,
    )


def _after_evidence_toggle(request: HttpRequest, entry: EvidenceEntry) -> HttpResponse:
    if request.htmx:
        # The list's row buttons: the list fragment comes back, with the search kept.
        context = _evidence_context(request, request.POST.get("q", ""))
        return render(request, "advisor/library/evidence_list.html#results", context)
    if request.POST.get("next") == "detail":
        return redirect(
            "projects:evidence-detail", firm_slug=request.firm.slug, evidence_entry_id=entry.pk
        )
    return redirect("projects:library-evidence", firm_slug=request.firm.slug)


@require_POST
@firm_view(write_role=Role.ADMIN)
def evidence_retire_view(request: HttpRequest, evidence_entry_id: int) -> HttpResponse:
    entry = evidence_retire(
        firm=request.firm, entry=_entry(request, evidence_entry_id), user=request.user
    )
    messages.success(
        request,
        f"{entry.evidence_id} retired: new drafts can no longer cite it. Restore it any time.",
    )
    return _after_evidence_toggle(request, entry)


@require_POST
@firm_view(write_role=Role.ADMIN)
def evidence_restore_view(request: HttpRequest, evidence_entry_id: int) -> HttpResponse:
    entry = evidence_restore(
        firm=request.firm, entry=_entry(request, evidence_entry_id), user=request.user
    )
    messages.success(request, f"{entry.evidence_id} restored.")
    return _after_evidence_toggle(request, entry)
