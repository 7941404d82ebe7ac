"""``/api/v1/tickets/{reference}/participants/``: who follows a ticket by e-mail besides the requester.

A mixin of v1's TicketViewSet (api/tickets.py), calling the services of the agent's card
(tickets/views/participants.py): anyone who may see the ticket reads the list (the requester's
page shows it too); staff who work the ticket add and remove. Adding sends no e-mail and records
no event, as on the page: the row (``added_at``) is the record.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tickets import api as base
from tickets.models import Participant, Ticket
from tickets.services import participant_remove, participants_add

PARTICIPANT = OpenApiParameter("participant_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "email", "added_at"]


class ParticipantAddSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, help_text=_("The e-mail address of the person to add."))


def _participants(ticket: Ticket) -> list[dict]:
    return ParticipantSerializer(ticket.participants.order_by("added_at", "id"), many=True).data


class ParticipantActions:
    # Actions of TicketViewSet: uses its get_object, _staff_ticket and _input. No docstring: the
    # schema would take it as every ticket operation's description.

    @extend_schema(
        parameters=[base.REFERENCE],
        responses={200: ParticipantSerializer(many=True), **base.ERRORS},
        summary=_("People who receive the ticket's public replies by e-mail"),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def participants(self, request: Request, reference: str) -> Response:
        return Response(_participants(self.get_object()))

    @extend_schema(
        parameters=[base.REFERENCE],
        request=ParticipantAddSerializer,
        responses={
            201: ParticipantSerializer(many=True),
            200: ParticipantSerializer(many=True),
            **base.ERRORS,
        },
        summary=_("Add a participant by e-mail address (staff only); 200 when they follow it already"),
    )
    @participants.mapping.post
    def participant_add(self, request: Request, reference: str) -> Response:
        ticket = self._staff_ticket()
        data = self._input(ParticipantAddSerializer)
        added = participants_add(ticket, [data["email"]], acting_user=request.user)
        return Response(_participants(ticket), status=status.HTTP_201_CREATED if added else status.HTTP_200_OK)

    @extend_schema(
        parameters=[base.REFERENCE, PARTICIPANT],
        request=None,
        responses={204: None, **base.ERRORS},
        summary=_("Remove a participant (staff only)"),
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"participants/(?P<participant_id>[0-9]+)",
        url_name="participant",
        pagination_class=None,
        filterset_class=None,
    )
    def participant_remove(self, request: Request, reference: str, participant_id: str) -> Response:
        ticket = self._staff_ticket()
        participant = Participant.objects.filter(pk=int(participant_id), ticket=ticket).first()
        if participant is None:
            raise Http404
        participant_remove(participant, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
