"""The client's share page: a firm-branded, read-only view of one approved revision, where the
client can download the PDF and acknowledge receipt. No account; the token is the key."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_ratelimit.decorators import ratelimit

from advisor.models import ShareLink
from advisor.services.documents import revision_pdf
from advisor.services.recommendations import (
    share_link_acknowledge,
    share_link_get_by_token,
    share_link_viewed,
)
from projects.tenancy.scope import firm_scope


def _unavailable(request: HttpRequest, link: ShareLink | None) -> HttpResponse:
    status = 404 if link is None else 410
    context = {
        "reason": "invalid" if link is None else link.state,
        "brand": link.firm if link else None,
    }
    if link is not None:
        with firm_scope(link.firm):
            context["contact"] = link.created_by
    return render(request, "advisor/share_unavailable.html", context, status=status)


@ratelimit(key="ip", rate="60/m", method=ratelimit.ALL, block=True)
def share(request: HttpRequest, token: str) -> HttpResponse:
    link = share_link_get_by_token(token=token)
    if link is None or link.state != "active":
        return _unavailable(request, link)
    with firm_scope(link.firm):
        link = ShareLink.objects.select_related("revision", "created_by").get(pk=link.pk)
        error = None
        if request.method == "POST":
            try:
                link = share_link_acknowledge(
                    firm=link.firm, link=link, name=request.POST.get("name", "")
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("share", token=token)
        else:
            share_link_viewed(firm=link.firm, link=link)
        return render(
            request,
            "advisor/share.html",
            {"c": link.revision.content, "link": link, "brand": link.firm, "token": token,
             "error": error, "typed_name": request.POST.get("name", "")},
            status=400 if error else 200,
        )  # fmt: skip


@ratelimit(key="ip", rate="30/m", method=ratelimit.ALL, block=True)
def share_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = share_link_get_by_token(token=token)
    if link is None or link.state != "active":
        return _unavailable(request, link)
    with firm_scope(link.firm):
        revision = ShareLink.objects.select_related("revision").get(pk=link.pk).revision
        response = HttpResponse(revision_pdf(revision=revision), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="recommendation-r{revision.number}.pdf"'
    )
    return response
