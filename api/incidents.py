"""``/api/v1/spikes/`` and ``/api/v1/major-incidents/``: the pages at /manage/incidents/ for scripts.

Staff read spikes (agents see only the tickets they may see); managers link a spike's tickets
under one major incident and reply to all its linked requesters. Every check and write is the
pages' own: the link input goes through the page's form (monitoring.views_pages.LinkForm), the
writes through monitoring.spikes / monitoring.major_incidents. Requesters get 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.reads import WorksTickets
from monitoring.major_incidents import major_incident_children, major_incident_reply_all, may_run_major_incidents
from monitoring.models import Spike
from monitoring.spikes import spike_link_major_incident, spike_tickets, spikes_for
from monitoring.views_pages import EXISTING, NEW, PAGE_SIZE, LinkForm
from tickets.models import Priority, Ticket, parse_reference
from tickets.selectors import ticket_by_reference
from tickets.services.creation import BODY_MAX


class RunsMajorIncidents(BasePermission):
    """Managers and admins (monitoring.major_incidents.may_run_major_incidents)."""

    def has_permission(self, request, view) -> bool:
        return may_run_major_incidents(request.user)


class SpikePagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 200


class SpikeSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.__str__", read_only=True)
    is_open = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField(help_text=_("The major incident's reference, once linked."))

    class Meta:
        model = Spike
        fields = [
            "id",
            "category",
            "category_name",
            "started_at",
            "last_seen_at",
            "ended_at",
            "is_open",
            "tickets_in_window",
            "baseline",
            "parent",
        ]

    def get_is_open(self, spike: Spike) -> bool:
        return spike.ended_at is None

    def get_parent(self, spike: Spike) -> str | None:
        return spike.parent.reference if spike.parent_id else None


class SpikeTicketSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, default=None)
    linked = serializers.SerializerMethodField(help_text=_("Already linked under the spike's major incident."))

    class Meta:
        model = Ticket
        fields = ["reference", "subject", "status", "priority", "team", "team_name", "created_at", "linked"]

    def get_linked(self, ticket: Ticket) -> bool:
        return ticket.pk in self.context["linked_ids"]


class SpikeDetailSerializer(SpikeSerializer):
    tickets = serializers.SerializerMethodField(help_text=_("The spike's tickets you may see, oldest first."))

    class Meta(SpikeSerializer.Meta):
        fields = [*SpikeSerializer.Meta.fields, "tickets"]

    @extend_schema_field(SpikeTicketSerializer(many=True))
    def get_tickets(self, spike: Spike) -> list[dict[str, Any]]:
        linked_ids: set[int] = set()
        if spike.parent_id:
            linked_ids = set(major_incident_children(spike.parent).values_list("id", flat=True))
        tickets = spike_tickets(spike, self.context["request"].user)
        return SpikeTicketSerializer(tickets, many=True, context={"linked_ids": linked_ids}).data


@extend_schema_field(
    {"type": "integer", "enum": [Priority.P1.value, Priority.P2.value], "description": "1 (P1) or 2 (P2)"},
    component_name="MajorIncidentPriorityEnum",
)
class MajorIncidentPriorityField(serializers.ChoiceField):
    """Its own enum in the schema: a ticket's priority has four values, a major incident's two."""

    def __init__(self, **kwargs):
        super().__init__(choices=[Priority.P1.value, Priority.P2.value], **kwargs)


class MajorIncidentLinkSerializer(serializers.Serializer):
    """The page's form (monitoring.views_pages.LinkForm), with references for the tickets."""

    tickets = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        max_length=200,
        help_text=_("References of the spike's tickets to link, e.g. HD-000123."),
    )
    parent_kind = serializers.ChoiceField(
        choices=[NEW, EXISTING],
        default=NEW,
        help_text=_("new: open a new major incident; existing: link under the ticket given by reference."),
    )
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=BODY_MAX, required=False, allow_blank=True)
    team = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    priority = MajorIncidentPriorityField(required=False)
    reference = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=_("The existing parent's reference.")
    )


class MajorIncidentLinkedSerializer(serializers.Serializer):
    parent = serializers.CharField(help_text=_("The major incident's reference."))
    linked = serializers.ListField(child=serializers.CharField(), help_text=_("References of the tickets linked."))
    spike = SpikeDetailSerializer()


class ReplyAllSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=BODY_MAX,
        help_text=_("Sent as a public reply on every linked ticket; each requester gets it by e-mail."),
    )


class RepliedSerializer(serializers.Serializer):
    replied = serializers.ListField(
        child=serializers.CharField(), help_text=_("References of the linked tickets replied on.")
    )


def _form_errors(form: LinkForm) -> exceptions.ValidationError:
    errors = {
        field if field != "__all__" else "non_field_errors": list(messages) for field, messages in form.errors.items()
    }
    return exceptions.ValidationError(errors)


@extend_schema_view(
    list=extend_schema(summary=_("Ticket spikes, open ones first")),
    retrieve=extend_schema(summary=_("One spike with the tickets you may see")),
)
class SpikeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, WorksTickets]
    pagination_class = SpikePagination
    filter_backends: list = []
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return spikes_for(self.request.user)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "list":
            return SpikeSerializer
        if self.action == "major_incident":
            return MajorIncidentLinkSerializer
        return SpikeDetailSerializer

    @extend_schema(
        summary=_("Link the spike's tickets under a new or an existing major incident (managers)"),
        request=MajorIncidentLinkSerializer,
        responses={200: MajorIncidentLinkedSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="major-incident",
        permission_classes=[IsAuthenticated, WorksTickets, RunsMajorIncidents],
    )
    def major_incident(self, request: Request, pk: str) -> Response:
        spike = self.get_object()
        serializer = MajorIncidentLinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        candidates = spike_tickets(spike, request.user)
        by_number = {ticket.pk: ticket for ticket in candidates}
        chosen = []
        for reference in data["tickets"]:
            ticket = by_number.get(parse_reference(reference))
            if ticket is None:
                raise exceptions.ValidationError(
                    {
                        "tickets": [
                            _("%(reference)s is not a ticket of this spike you may see.") % {"reference": reference}
                        ]
                    }
                )
            chosen.append(str(ticket.pk))
        form_data = {key: value for key, value in data.items() if key != "tickets"}
        form = LinkForm(
            {**{key: str(value) for key, value in form_data.items()}, "tickets": chosen},
            spike=spike,
            candidates=candidates,
            user=request.user,
        )
        if not form.is_valid():
            raise _form_errors(form)
        # What the services refuse after the form (e.g. only the parent itself chosen) is an
        # ApplicationError: a 400 in the one error shape, its field under "extra"; a ticket the
        # manager may not change is a 403, and nothing is linked either way.
        parent = spike_link_major_incident(
            spike,
            form.chosen_tickets(),
            acting_user=request.user,
            parent=form.cleaned_data["parent"],
            new_parent=form.new_parent(),
        )
        spike = spikes_for(request.user).get(pk=spike.pk)
        body = {
            "parent": parent.reference,
            "linked": [ticket.reference for ticket in form.chosen_tickets()],
            "spike": SpikeDetailSerializer(spike, context=self.get_serializer_context()).data,
        }
        return Response(body)


class MajorIncidentReplyAllView(APIView):
    """``POST /major-incidents/{reference}/reply-all/``: the page's "reply to all linked requesters"."""

    permission_classes = [IsAuthenticated, WorksTickets, RunsMajorIncidents]
    serializer_class = ReplyAllSerializer

    @extend_schema(
        operation_id="major_incidents_reply_all",
        summary=_("Reply to the requesters of every ticket linked under a major incident (managers)"),
        request=ReplyAllSerializer,
        responses={200: RepliedSerializer},
    )
    def post(self, request: Request, reference: str) -> Response:
        parent = ticket_by_reference(request.user, reference)
        serializer = ReplyAllSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        replied = major_incident_reply_all(parent, serializer.validated_data["body"], acting_user=request.user)
        return Response({"replied": [ticket.reference for ticket in replied]})
