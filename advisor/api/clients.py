"""Clients: list, create, read, update, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from advisor.api.base import FirmApiView
from advisor.api.errors import Conflict
from advisor.api.fields import StrictInputSerializer, Text, Url
from advisor.api.pagination import ApiPagination
from advisor.api.selectors import client_get
from projects.selectors.engagements import client_list
from projects.services.engagements import client_create, client_delete, client_update

CLIENT_ORDERING = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"]


class ClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    website = serializers.CharField()
    notes = serializers.CharField()
    engagement_count = serializers.IntegerField(help_text="Engagements, closed ones included.")
    open_engagement_count = serializers.IntegerField(source="open_count")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ClientInputSerializer(StrictInputSerializer):
    name = Text(max_length=200)
    website = Url(max_length=200, required=False, allow_blank=True)
    notes = Text(max_length=10_000, required=False, allow_blank=True, trim_whitespace=False)


class ClientFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Matches the name, website, and contacts' names and e-mail addresses.",
    )
    ordering = serializers.ChoiceField(choices=CLIENT_ORDERING, required=False, default="name")


class ClientListApi(FirmApiView):
    pagination_class = ApiPagination

    @extend_schema(
        operation_id="clients_list",
        parameters=[ClientFilterSerializer],
        responses=ClientSerializer(many=True),
    )
    def get(self, request: Request, firm: str) -> Response:
        """The firm's clients, by name (or `ordering`); `search` matches names, websites and
        contacts."""
        filters = self.query(ClientFilterSerializer)
        clients = client_list(firm=self.firm, search=filters.get("search", "")).order_by(
            filters["ordering"], "pk"
        )
        return self.paginated(clients, ClientSerializer)

    @extend_schema(
        operation_id="clients_create",
        request=ClientInputSerializer,
        responses={201: ClientSerializer},
    )
    def post(self, request: Request, firm: str) -> Response:
        """Add a client. Only `name` is required."""
        data = self.body(ClientInputSerializer)
        client = client_create(firm=self.firm, **data)
        return Response(
            ClientSerializer(client_get(firm=self.firm, pk=client.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class ClientDetailApi(FirmApiView):
    extra_error_statuses = {"DELETE": [409]}

    @extend_schema(operation_id="clients_retrieve", responses=ClientSerializer)
    def get(self, request: Request, firm: str, id: int) -> Response:
        """One client, with how many engagements it has (and how many are open)."""
        return Response(ClientSerializer(client_get(firm=self.firm, pk=id)).data)

    @extend_schema(
        operation_id="clients_partial_update",
        request=ClientInputSerializer,
        responses=ClientSerializer,
    )
    def patch(self, request: Request, firm: str, id: int) -> Response:
        """Change a client's name, website or notes; fields left out stay as they are."""
        client = client_get(firm=self.firm, pk=id)
        data: dict[str, Any] = self.body(ClientInputSerializer, partial=True)
        client_update(firm=self.firm, client=client, **data)
        return Response(ClientSerializer(client_get(firm=self.firm, pk=id)).data)

    @extend_schema(operation_id="clients_destroy", responses={204: None})
    def delete(self, request: Request, firm: str, id: int) -> Response:
        """Delete a client. A client with engagements cannot be deleted (409): their history
        stays; close the engagements instead."""
        client = client_get(firm=self.firm, pk=id)
        try:
            client_delete(firm=self.firm, client=client)
        except DjangoValidationError as error:
            # The one refusal: the client still has engagements (their history is kept).
            raise Conflict(" ".join(error.messages)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
