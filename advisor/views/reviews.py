"""The Reviews page: every engagement's working recommendation, by where it stands."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advisor.selectors.portfolio import review_queues
from projects.tenancy.views import firm_view


@firm_view()
def reviews(request: HttpRequest) -> HttpResponse:
    queues = review_queues(firm=request.firm, user=request.user)
    return render(
        request,
        "advisor/reviews.html",
        {"queues": queues, "total": sum(len(items) for items in queues.values())},
    )
