"""The tickets endpoint of v1: ``tickets.api.TicketViewSet`` plus the workspace views, field
updates and the actions that need the escalation app (a layer above tickets).

Every action reads the ticket through ``ticket_by_reference`` (404 when the caller may not see
it), checks the same predicate as the page (``works_on`` for staff-only actions) and calls the
same service; domain refusals become 400/409 in ``helpdesk.api_errors``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from api.checklists import ChecklistActions
from api.participants import ParticipantActions
from api.ticket_serializers import (
    EscalateSerializer,
    EscalationSerializer,
    LinkCreateSerializer,
    MergeSerializer,
    SendBackSerializer,
    TagsSerializer,
    TicketUpdateSerializer,
)
from tickets import api as base
from tickets import queues, services
from tickets.filters import QueueFilter
from tickets.models import Escalation, Ticket
from tickets.permissions import works_on
from tickets.search import matching
from tickets.selectors import thread, ticket_by_reference
from tickets.serializers import MessageSerializer, TicketDetailSerializer
from tickets.services.escalation import escalation_send_back, may_send_back, ticket_escalate
from tickets.views import attachments

VIEW = OpenApiParameter(
    "view",
    OpenApiTypes.STR,
    enum=[str(view) for view in queues.View],
    description=_("A workspace view (staff): mine, unassigned, teams, breaching, pending, escalated or all."),
)

ATTACHMENT = OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class TicketPagination(CursorPagination):
    """Newest first by id; a cursor that is not ours is a 400, never a 500."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None
        if cursor is not None and cursor.position is not None and not str(cursor.position).isdigit():
            raise exceptions.ValidationError({self.cursor_query_param: [_("Invalid cursor.")]})
        return cursor


class TicketFilter(QueueFilter):
    """The queue page's filters, and "unassigned" for scripts."""

    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull", label=_("unassigned"))
    q = django_filters.CharFilter(
        method="filter_search",
        label=_("Search: a reference, or words of the subject, description or replies"),
    )

    class Meta(QueueFilter.Meta):
        pass

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        # The "my requests" page's search: within what the caller sees; internal notes for staff only.
        return matching(queryset, self.request.user, value)


def _other_ticket(user, reference: str, field: str) -> Ticket:
    """Another ticket named in the body: one the caller may not see is an invalid value, as on the page."""
    try:
        return ticket_by_reference(user, reference)
    except Http404:
        raise exceptions.ValidationError({field: [_("No such ticket, or not one you may see.")]}) from None


@extend_schema_view(
    list=extend_schema(summary=_("Tickets you may see, newest first"), parameters=[VIEW]),
    create=extend_schema(summary=_("Raise a ticket (staff: also for a requester)")),
)
class TicketViewSet(ParticipantActions, ChecklistActions, base.TicketViewSet):
    pagination_class = TicketPagination
    filterset_class = TicketFilter

    def get_queryset(self) -> QuerySet[Ticket]:
        if self.action != "list" or "view" not in self.request.query_params:
            return super().get_queryset()
        try:
            view = queues.View(self.request.query_params["view"])
        except ValueError:
            raise exceptions.ValidationError({"view": [_("Unknown view.")]}) from None
        tickets = queues.view_queryset(self.request.user, view)
        return tickets.select_related(*base.LIST_RELATED).defer("description", "description_html")

    def _staff_ticket(self) -> Ticket:
        ticket = self.get_object()
        if not works_on(self.request.user, ticket):
            raise PermissionDenied
        return ticket

    # --- reads ------------------------------------------------------------------------------

    @extend_schema(
        parameters=[base.REFERENCE],
        responses={200: MessageSerializer(many=True), **base.ERRORS},
        summary=_("Messages of the thread (internal notes for staff only)"),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def messages(self, request: Request, reference: str) -> Response:
        ticket = self.get_object()
        messages = thread(ticket, include_internal=base.may_change(request.user, ticket))
        return Response(MessageSerializer(messages, many=True).data)

    @extend_schema(
        parameters=[base.REFERENCE, ATTACHMENT],
        responses={(200, "*/*"): OpenApiTypes.BINARY, **base.ERRORS},
        summary=_("Download a file of the ticket"),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        pagination_class=None,
        filterset_class=None,
    )
    def attachment(self, request: Request, reference: str, attachment_id: str) -> HttpResponseBase:
        ticket = self.get_object()
        if not ticket.attachments.filter(pk=attachment_id).exists():
            raise Http404
        # The page's own view, with its checks (internal files to the ticket's staff only):
        # DRF has put the token's user on the underlying request.
        return attachments.download(request._request, int(attachment_id))

    # --- field updates ----------------------------------------------------------------------

    @extend_schema(
        parameters=[base.REFERENCE],
        request=TicketUpdateSerializer,
        responses={200: TicketDetailSerializer, **base.ERRORS},
        summary=_("Change category, type, complexity or team (staff only)"),
    )
    def partial_update(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(TicketUpdateSerializer)
        version = data.get("version")
        changes: list[tuple[Any, Any]] = []
        if "category" in data:
            changes.append((services.ticket_change_category, data["category"]))
        if "type" in data:
            changes.append((services.ticket_change_type, data["type"]))
        if "complexity" in data:
            changes.append((services.ticket_change_complexity, data["complexity"]))
        if "team" in data:
            changes.append((services.ticket_change_team, data["team"]))
        for change, value in changes:
            ticket = change(ticket, value, acting_user=request.user, expected_version=version)
            # Each change bumps the version; the caller's version holds for the first one only.
            version = None
        return Response(self._detail(ticket))

    # --- actions ----------------------------------------------------------------------------

    @base._detail_action(None, TicketDetailSerializer, _("Take: assign to yourself (staff only)"))
    @action(detail=True, methods=["post"])
    def take(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        return Response(self._detail(services.ticket_assign(ticket, request.user, acting_user=request.user)))

    @base._detail_action(TagsSerializer, TicketDetailSerializer, _("Replace the tags (staff only)"))
    @action(detail=True, methods=["post"])
    def tags(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(TagsSerializer)
        return Response(self._detail(services.ticket_set_tags(ticket, data["tags"], acting_user=request.user)))

    @base._detail_action(LinkCreateSerializer, TicketDetailSerializer, _("Link to another ticket (staff only)"))
    @action(detail=True, methods=["post"])
    def link(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(LinkCreateSerializer)
        target = _other_ticket(request.user, data["target"], "target")
        services.ticket_link(ticket, target, data["kind"], acting_user=request.user)
        return Response(self._detail(ticket))

    @base._detail_action(MergeSerializer, TicketDetailSerializer, _("Merge into another ticket (staff only)"))
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(MergeSerializer)
        target = _other_ticket(request.user, data["into"], "into")
        return Response(self._detail(services.ticket_merge([ticket], target, acting_user=request.user)))

    @base._detail_action(EscalateSerializer, EscalationSerializer, _("Escalate to a team or a vendor (staff only)"))
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(EscalateSerializer)
        escalation = ticket_escalate(
            ticket,
            to_team=data.get("to_team"),
            vendor=data.get("vendor"),
            vendor_reference=data["vendor_reference"],
            symptoms=data["symptoms"],
            tried=data["tried"],
            diagnostics=data["diagnostics"],
            acting_user=request.user,
            expected_version=data.get("version"),
        )
        return Response(EscalationSerializer(escalation).data)

    @base._detail_action(SendBackSerializer, EscalationSerializer, _("Send an escalation back (receiving team)"))
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(SendBackSerializer)
        escalations = Escalation.objects.filter(ticket=ticket).order_by("-created_at", "-id")
        if "escalation" in data:
            escalations = escalations.filter(pk=data["escalation"])
        escalation = escalations.first()
        if escalation is None:
            raise exceptions.ValidationError({"escalation": [_("This ticket has no such escalation.")]})
        if not may_send_back(request.user, escalation):
            raise PermissionDenied
        escalation = escalation_send_back(escalation, reason=data["reason"], acting_user=request.user)
        return Response(EscalationSerializer(escalation).data)
