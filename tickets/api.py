"""The tickets REST API: the same permissions and services as the pages.

Reads go through ``accounts.permissions`` (a ticket the user may not view is a 404, so nobody
learns that someone else's ticket exists); every write calls a function of ``tickets.services``
and its refusals become 400/403/409 in ``helpdesk.api_errors``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import may_change, require_change, visible
from tickets import services
from tickets.models import Channel, Ticket
from tickets.selectors import ticket_by_reference
from tickets.serializers import (
    AssignSerializer,
    BodySerializer,
    CloseSerializer,
    ErrorSerializer,
    EventSerializer,
    MessageSerializer,
    NoteResultSerializer,
    PrioritySerializer,
    ReplyResultSerializer,
    ResolveSerializer,
    StatusChangeSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)

LIST_RELATED = ("requester", "assignee", "team", "category")

REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("The ticket's reference, e.g. HD-000123.")
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=_("Invalid input, or a change the ticket refuses.")),
    403: OpenApiResponse(ErrorSerializer, description=_("You may see this ticket but not do this.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such ticket, or not one you may see.")),
    409: OpenApiResponse(
        ErrorSerializer, description=_("Invalid transition, or the ticket changed since you read it.")
    ),
}


def _detail_action(request_serializer: type[serializers.Serializer] | None, response: Any, summary: str):
    return extend_schema(
        parameters=[REFERENCE], request=request_serializer, responses={200: response, **ERRORS}, summary=summary
    )


@extend_schema_view(
    list=extend_schema(summary=_("Tickets you may see, newest first")),
    create=extend_schema(summary=_("Raise a ticket"), responses={201: TicketDetailSerializer, **ERRORS}),
    retrieve=extend_schema(summary=_("One ticket with its thread"), parameters=[REFERENCE]),
)
class TicketViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # Pagination and the list's filters are v1's (api/tickets.py), with the workspace views.
    lookup_field = "reference"
    serializer_class = TicketSerializer

    def get_queryset(self) -> QuerySet[Ticket]:
        # The list shows no bodies: leave the (up to 50 000 character) texts in the database.
        tickets = Ticket.objects.select_related(*LIST_RELATED).defer("description", "description_html")
        return visible(self.request.user, tickets)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return TicketCreateSerializer
        return TicketSerializer if self.action == "list" else TicketDetailSerializer

    def get_object(self) -> Ticket:
        """The ticket named in the URL, or 404 when it does not exist *or* the user may not see it."""
        return ticket_by_reference(self.request.user, self.kwargs[self.lookup_field])

    # --- helpers ----------------------------------------------------------------------------

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, ticket: Ticket) -> dict[str, Any]:
        """The ticket re-read after a change, rendered for the side the user is on."""
        ticket = Ticket.objects.select_related(*LIST_RELATED).get(pk=ticket.pk)
        context = {**self.get_serializer_context(), "staff_view": may_change(self.request.user, ticket)}
        return TicketDetailSerializer(ticket, context=context).data

    # --- reads ------------------------------------------------------------------------------

    def retrieve(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        context = {**self.get_serializer_context(), "staff_view": may_change(request.user, ticket)}
        return Response(TicketDetailSerializer(ticket, context=context).data)

    @extend_schema(
        parameters=[REFERENCE], responses={200: EventSerializer(many=True), **ERRORS}, summary=_("Event log")
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        require_change(request.user, ticket)
        events = ticket.events.select_related("actor")
        return Response(EventSerializer(events, many=True).data)

    # --- writes -----------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        data = self._input(TicketCreateSerializer)
        ticket = services.ticket_create(
            requester=data.get("requester") or request.user,
            subject=data["subject"],
            description=data["description"],
            category=data.get("category"),
            impact=data["impact"],
            urgency=data["urgency"],
            type=data["type"],
            channel=Channel.API,
            attachments=data["attachments"],
            acting_user=request.user,
        )
        location = reverse("tickets_api:ticket-detail", args=[ticket.reference])
        return Response(self._detail(ticket), status=http.HTTP_201_CREATED, headers={"Location": location})

    @extend_schema(
        parameters=[REFERENCE],
        request=BodySerializer,
        responses={201: ReplyResultSerializer, **ERRORS},
        summary=_("Public reply"),
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        data = self._input(BodySerializer)
        result = services.ticket_reply(ticket, data["body"], attachments=data["attachments"], acting_user=request.user)
        body = {
            "ticket": self._detail(result.ticket),
            "message": MessageSerializer(result.message).data if result.message else None,
            "follow_up": result.follow_up.reference if result.follow_up else None,
        }
        return Response(body, status=http.HTTP_201_CREATED)

    @extend_schema(
        parameters=[REFERENCE],
        request=BodySerializer,
        responses={201: NoteResultSerializer, **ERRORS},
        summary=_("Internal note (staff only)"),
    )
    @action(detail=True, methods=["post"])
    def note(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        require_change(request.user, ticket)
        data = self._input(BodySerializer)
        message = services.ticket_add_note(
            ticket, data["body"], attachments=data["attachments"], acting_user=request.user
        )
        body = {"ticket": self._detail(ticket), "message": MessageSerializer(message).data}
        return Response(body, status=http.HTTP_201_CREATED)

    @_detail_action(StatusChangeSerializer, TicketDetailSerializer, _("Set open, pending or on hold"))
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        data = self._input(StatusChangeSerializer)
        ticket = services.ticket_change_status(
            ticket, data["status"], acting_user=request.user, expected_version=data.get("version")
        )
        return Response(self._detail(ticket))

    @_detail_action(AssignSerializer, TicketDetailSerializer, _("Assign or unassign (staff only)"))
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        require_change(request.user, ticket)
        data = self._input(AssignSerializer)
        ticket = services.ticket_assign(
            ticket, data["assignee"], acting_user=request.user, expected_version=data.get("version")
        )
        return Response(self._detail(ticket))

    @_detail_action(ResolveSerializer, TicketDetailSerializer, _("Resolve (staff only)"))
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        # Staff only, as on the pages: the requester side is a 403, not a refused transition.
        require_change(request.user, ticket)
        data = self._input(ResolveSerializer)
        ticket = services.ticket_resolve(
            ticket,
            code=data["code"],
            summary=data["summary"],
            acting_user=request.user,
            expected_version=data.get("version"),
        )
        return Response(self._detail(ticket))

    @_detail_action(None, TicketDetailSerializer, _("Reopen a resolved ticket"))
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        ticket = services.ticket_reopen(ticket, acting_user=request.user)
        return Response(self._detail(ticket))

    @_detail_action(CloseSerializer, TicketDetailSerializer, _("Close (or, as the requester, withdraw)"))
    @action(detail=True, methods=["post"])
    def close(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        data = self._input(CloseSerializer)
        ticket = services.ticket_close(ticket, acting_user=request.user, expected_version=data.get("version"))
        return Response(self._detail(ticket))

    @_detail_action(PrioritySerializer, TicketDetailSerializer, _("Change impact, urgency or priority (staff only)"))
    @action(detail=True, methods=["post"], url_path="priority")
    def change_priority(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        require_change(request.user, ticket)
        data = self._input(PrioritySerializer)
        ticket = services.ticket_change_priority(
            ticket,
            impact=data.get("impact"),
            urgency=data.get("urgency"),
            priority=data.get("priority"),
            reason=data["reason"],
            acting_user=request.user,
            expected_version=data.get("version"),
        )
        return Response(self._detail(ticket))
