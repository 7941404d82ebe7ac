"""``/api/v1/tickets/{reference}/checklist/``: the steps of a maintenance ticket, and ticking them.

A mixin of v1's TicketViewSet (api/tickets.py), as the checklist card of the agent's ticket page
(tickets/views/checklists.py): staff who work the ticket read and tick; the requester's page shows
no checklist, so the requester side gets 403. Resolving with open steps is refused by
``ticket_resolve`` itself (code ``checklist_incomplete``).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tickets import api as base
from tickets.models import ChecklistItem
from tickets.services import checklist_tick

ITEM = OpenApiParameter("item_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ChecklistItemSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "text", "done", "done_at", "done_by"]

    def get_done(self, item: ChecklistItem) -> bool:
        return item.done_at is not None


class ChecklistTickSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text=_("true ticks the step, false unticks it."))


class ChecklistActions:
    # Actions of TicketViewSet: uses its _staff_ticket and _input. No docstring: the schema would
    # take it as every ticket operation's description.

    @extend_schema(
        parameters=[base.REFERENCE],
        responses={200: ChecklistItemSerializer(many=True), **base.ERRORS},
        summary=_("The steps of the ticket's checklist (staff only)"),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def checklist(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        return Response(ChecklistItemSerializer(ticket.checklist_items.order_by("position", "id"), many=True).data)

    @extend_schema(
        parameters=[base.REFERENCE, ITEM],
        request=ChecklistTickSerializer,
        responses={200: ChecklistItemSerializer, **base.ERRORS},
        summary=_("Tick or untick a step of the checklist (staff only)"),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"checklist/(?P<item_id>[0-9]+)",
        url_name="checklist-item",
        pagination_class=None,
        filterset_class=None,
    )
    def checklist_tick(self, request: Request, reference: str, item_id: str) -> Response:
        ticket = self._staff_ticket()
        item = ChecklistItem.objects.filter(pk=int(item_id), ticket=ticket).first()
        if item is None:
            raise Http404
        data = self._input(ChecklistTickSerializer)
        item = checklist_tick(item, data["done"], acting_user=request.user)
        return Response(ChecklistItemSerializer(item).data)
