"""The stateless evaluator (DESIGN §4): a profile in, the assessment out, on the firm's active
price book — the same engine call and the same serialization as `manage.py advise`
(`assess(...).to_dict()`), so the two doors give the same JSON for the same profile, price book
and `as_of`. It stores nothing: not even the library seeding other reads do."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import FirmApiView
from advisor.api.documents import AssessmentDocument, ProfileDocument
from advisor.engine import PriceBook, assess, load_price_book
from advisor.models import PriceBookVersion
from advisor.services.price_books import DEFAULT_PRICE_BOOK
from projects.models import Firm
from projects.process_cache import ProcessCache


class EvaluateQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False,
        help_text="The date the model-lifecycle guard compares against (default: today), as "
        "`manage.py advise --as-of`. It is echoed in the result, so a result can be reproduced.",
    )


# The engine's books by stored version. A version is never changed once written (a change to a
# book is a new version), so the evaluator reads which version is active on each call — one
# small row — and builds its book only the first time this process sees it.
_BOOKS: ProcessCache[tuple[int, datetime], PriceBook] = ProcessCache(64)
# Plain SQL: the ORM takes longer to build this one-row read than the database takes to run it.
# It filters on the firm, like every read here, and row-level security applies to it as well.
_ACTIVE_VERSION = (
    "SELECT id, created_at FROM advisor_pricebookversion WHERE firm_id = %s AND is_active"
)


def evaluation_price_book(*, firm: Firm) -> PriceBook:
    """The firm's active book, read without writing: a firm whose library was never seeded
    gets the shipped default, which is exactly what seeding would make its active book.
    Called in the firm's scope."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVE_VERSION, [firm.pk])
        row = cursor.fetchone()
    if row is None:
        return load_price_book(DEFAULT_PRICE_BOOK)
    key = (row[0], row[1])
    book = _BOOKS.get(key)
    if book is None:
        data = PriceBookVersion.objects.filter(firm=firm, pk=row[0]).values_list("data", flat=True)
        book = PriceBook.from_dict(data.get())
        _BOOKS.put(key, book)
    return book


class EvaluateApi(FirmApiView):
    # A POST that changes nothing: read keys and viewers may evaluate.
    writes = False

    @extend_schema(
        operation_id="evaluate",
        request=ProfileDocument,
        parameters=[EvaluateQuerySerializer],
        responses={200: AssessmentDocument},
    )
    def post(self, request: Request, firm: str) -> Response:
        """Assess a profile on the firm's active price book and return the assessment (DESIGN
        §4.2): the same JSON `manage.py advise PROFILE.json --as-of DATE` prints with that book.
        Stores nothing; read keys and viewers may call it. An invalid profile is a 400 with the
        engine's per-field errors."""
        query = self.query(EvaluateQuerySerializer)
        book = evaluation_price_book(firm=self.firm)
        assessment = assess(request.data, book, as_of=query.get("as_of"))
        return Response(assessment.to_dict())
