"""``/api/v1/feedback/``: feedback items for staff, through the same selectors and services as
the pages (feedback/). Requesters get 403; a ticket the caller may not see is an invalid value.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from feedback import selectors
from feedback.models import FeedbackItem, FeedbackStatus, ProductArea
from feedback.services import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    feedback_change_status,
    feedback_link,
    feedback_raise,
    feedback_update,
)
from tickets.models import Ticket
from tickets.selectors import ticket_by_reference


class WorksTickets(BasePermission):
    """Agents, managers and admins; requesters are refused (403)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.works_tickets)


class FeedbackPagination(PageNumberPagination):
    """Page numbers: the list sorts by counts, which a cursor could only follow with a HAVING."""

    page_size = selectors.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field(
    {
        "type": "string",
        "enum": list(FeedbackStatus.values),
        "description": "new, under_review, planned, shipped, declined",
    },
    component_name="FeedbackStatusEnum",
)
class FeedbackStatusField(serializers.ChoiceField):
    """Its own enum in the schema: tickets, articles and alerts have a "status" with other values."""

    def __init__(self, **kwargs):
        super().__init__(choices=FeedbackStatus.choices, **kwargs)


class FeedbackItemSerializer(serializers.ModelSerializer):
    status = FeedbackStatusField(read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True, allow_null=True, default=None)
    ticket_count = serializers.IntegerField(read_only=True)
    requester_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = FeedbackItem
        fields = [
            "id",
            "title",
            "description",
            "area",
            "area_name",
            "status",
            "ticket_count",
            "requester_count",
            "raised_by",
            "team",
            "created_at",
        ]


class FeedbackItemDetailSerializer(FeedbackItemSerializer):
    tickets = serializers.SerializerMethodField(help_text=_("References of the linked tickets you may see."))

    class Meta(FeedbackItemSerializer.Meta):
        fields = [*FeedbackItemSerializer.Meta.fields, "tickets"]

    def get_tickets(self, item: FeedbackItem) -> list[str]:
        linked = selectors.linked_tickets(self.context["request"].user, item)
        return [link.ticket.reference for link in linked.links]


class FeedbackItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default="")
    area = serializers.PrimaryKeyRelatedField(queryset=ProductArea.objects.all(), required=False, allow_null=True)
    ticket = serializers.CharField(
        max_length=20, required=False, help_text=_("The reference of the ticket it is recorded from, e.g. HD-000123.")
    )


class FeedbackItemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, required=False)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False, allow_blank=True)
    area = serializers.PrimaryKeyRelatedField(queryset=ProductArea.objects.all(), required=False, allow_null=True)
    status = FeedbackStatusField(
        required=False,
        help_text=_("Becoming “shipped” e-mails each requester of the linked tickets once."),
    )


class FeedbackLinkSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=20, help_text=_("A ticket reference, e.g. HD-000123."))


def _ticket(user, reference: str) -> Ticket:
    try:
        return ticket_by_reference(user, reference)
    except Http404:
        raise exceptions.ValidationError({"ticket": [_("No such ticket, or not one you may see.")]}) from None


FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=FeedbackStatus.values, description=_("Only this status.")),
    OpenApiParameter("area", OpenApiTypes.INT, description=_("Only this product area (id).")),
    OpenApiParameter("q", OpenApiTypes.STR, description=_("Words of the title or description.")),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, enum=list(selectors.SORTS), description=_("newest (default), tickets or requesters.")
    ),
]


@extend_schema_view(
    list=extend_schema(summary=_("Feedback items with their ticket and requester counts"), parameters=FILTERS),
    create=extend_schema(
        summary=_("Raise a feedback item, by hand or from a ticket"),
        request=FeedbackItemCreateSerializer,
        responses={201: FeedbackItemDetailSerializer},
    ),
    retrieve=extend_schema(summary=_("One feedback item with its linked tickets")),
    partial_update=extend_schema(
        summary=_("Edit a feedback item or change its status"),
        request=FeedbackItemUpdateSerializer,
        responses={200: FeedbackItemDetailSerializer},
    ),
)
class FeedbackItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, WorksTickets]
    pagination_class = FeedbackPagination
    filterset_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.items_counted(
                self.request.user, selectors.ItemFilters.from_query(self.request.query_params)
            )
        return selectors.items_counted(self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return FeedbackItemSerializer
        if self.action == "create":
            return FeedbackItemCreateSerializer
        if self.action == "partial_update":
            return FeedbackItemUpdateSerializer
        if self.action == "links":
            return FeedbackLinkSerializer
        return FeedbackItemDetailSerializer

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, item: FeedbackItem) -> dict[str, Any]:
        """The item re-read with its counts after a change."""
        fresh = selectors.item_for(self.request.user, item.pk)
        return FeedbackItemDetailSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._input(FeedbackItemCreateSerializer)
        ticket = _ticket(request.user, data.pop("ticket")) if "ticket" in data else None
        item = feedback_raise(**data, ticket=ticket, acting_user=request.user)
        return Response(self._detail(item), status=201)

    def update(self, request: Request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        item = self.get_object()
        data = self._input(FeedbackItemUpdateSerializer)
        with transaction.atomic():
            if {"title", "description", "area"} & data.keys():
                feedback_update(
                    item,
                    title=data.get("title", item.title),
                    description=data.get("description", item.description),
                    area=data.get("area", item.area),
                    acting_user=request.user,
                )
            if "status" in data:
                feedback_change_status(item, data["status"], acting_user=request.user)
        return Response(self._detail(item))

    @extend_schema(
        summary=_("Link a ticket to the item"),
        request=FeedbackLinkSerializer,
        responses={200: FeedbackItemDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        data = self._input(FeedbackLinkSerializer)
        feedback_link(item, _ticket(request.user, data["ticket"]), acting_user=request.user)
        return Response(self._detail(item))
