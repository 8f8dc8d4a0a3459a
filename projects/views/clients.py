"""Client pages: list with search, create, edit, detail with contacts and engagements."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.forms import apply_errors
from projects.forms_engagements import ClientForm, ContactForm
from projects.models import Client, Contact
from projects.selectors.engagements import client_list, engagement_list
from projects.services.engagements import (
    client_create,
    client_delete,
    client_update,
    contact_add,
    contact_remove,
)
from projects.tenancy.views import firm_view


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(Client.objects.filter(firm=request.firm), pk=client_id)


@firm_view()
def clients(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    context = {"clients": client_list(firm=request.firm, search=q), "q": q}
    if request.htmx and request.htmx.target == "client-results":
        return render(request, "projects/clients/list.html#results", context)
    return render(request, "projects/clients/list.html", context)


@firm_view()
def client_new(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(firm=request.firm, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{client.name} added. Add a contact, then an engagement.")
            return redirect(
                "projects:client-detail", firm_slug=request.firm.slug, client_id=client.pk
            )
    return render(request, "projects/clients/form.html", {"form": form})


@firm_view()
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    return render(
        request,
        "projects/clients/detail.html",
        {
            "client": client,
            "contacts": Contact.objects.filter(firm=request.firm, client=client),
            "engagements": engagement_list(firm=request.firm, client=client),
            "contact_form": ContactForm(),
        },
    )


@firm_view()
def client_edit(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            client_update(firm=request.firm, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Client saved.")
            return redirect(
                "projects:client-detail", firm_slug=request.firm.slug, client_id=client.pk
            )
    return render(request, "projects/clients/form.html", {"form": form, "client": client})


@require_POST
@firm_view()
def client_delete_view(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    try:
        client_delete(firm=request.firm, client=client)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("projects:client-detail", firm_slug=request.firm.slug, client_id=client.pk)
    messages.success(request, f"{client.name} deleted.")
    return redirect("projects:clients", firm_slug=request.firm.slug)


@require_POST
@firm_view()
def contact_new(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _client(request, client_id)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            contact_add(firm=request.firm, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect(
                "projects:client-detail", firm_slug=request.firm.slug, client_id=client.pk
            )
    return render(
        request,
        "projects/clients/detail.html",
        {
            "client": client,
            "contacts": Contact.objects.filter(firm=request.firm, client=client),
            "engagements": engagement_list(firm=request.firm, client=client),
            "contact_form": form,
        },
        status=400,
    )


@require_POST
@firm_view()
def contact_remove_view(request: HttpRequest, client_id: int, contact_id: int) -> HttpResponse:
    client = _client(request, client_id)
    get_object_or_404(Contact.objects.filter(firm=request.firm, client=client), pk=contact_id)
    contact_remove(firm=request.firm, contact_id=contact_id)
    messages.success(request, "Contact removed.")
    return redirect("projects:client-detail", firm_slug=request.firm.slug, client_id=client.pk)
