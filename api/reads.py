"""Reference data an integrator needs to fill in a ticket: what the caller may see, read only.

Each list is narrowed by ``accounts.permissions.visible`` (the scopes the pages use): a
requester sees only themselves, no teams and no templates; SLA policies are for the people who
manage them, as on /manage/.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from accounts.models import Organisation, Team, User
from accounts.permissions import visible
from api.tickets import TicketPagination
from canned.models import ReplyTemplate
from canned.selectors import visible_templates
from escalation.models import EscalationRule
from escalation.permissions import may_manage_calendars, may_manage_policies
from tickets.models import Category, Vendor
from tickets.serializers import ErrorSerializer
from tickets.sla.models import BusinessCalendar, SlaPolicy

READ_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description=_("Not signed in, or a bad token.")),
    403: OpenApiResponse(ErrorSerializer, description=_("Not allowed.")),
    404: OpenApiResponse(ErrorSerializer, description=_("No such object, or not one you may see.")),
}


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "parent", "is_active"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "tier", "time_zone"]

    time_zone = serializers.CharField(read_only=True)


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "domain"]


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email", "role"]


class ReplyTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReplyTemplate
        fields = ["id", "title", "body", "team", "owner", "updated_at"]


class CalendarSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "time_zone", "is_24x7", "updated_at"]


class EscalationRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationRule
        fields = [
            "id",
            "name",
            "is_active",
            "trigger",
            "threshold",
            "sla_target",
            "move_to_team",
            "move_to_tier",
            "notify_manager",
            "raise_priority",
            "add_tag",
        ]


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", "name", "is_active", "contact_name", "contact_email", "contact_phone", "contract_reference"]


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "position",
            "is_active",
            "calendar",
            "priorities",
            "types",
            "first_response_minutes",
            "resolution_minutes",
            "pause_on_pending",
            "pause_on_hold",
            "version",
        ]


class PolicyManager(BasePermission):
    """Those who may open /manage/ for SLA policies (escalation.permissions)."""

    def has_permission(self, request, view) -> bool:
        return may_manage_policies(request.user)


class CalendarManager(BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_manage_calendars(request.user)


class WorksTickets(BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.works_tickets)


class PeoplePagination(TicketPagination):
    ordering = "id"


class _ReadOnly(viewsets.ReadOnlyModelViewSet):
    filter_backends: list = []
    pagination_class = None


@extend_schema_view(
    list=extend_schema(summary=_("Categories"), responses={200: CategorySerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One category"), responses={200: CategorySerializer, **READ_ERRORS}),
)
class CategoryViewSet(_ReadOnly):
    serializer_class = CategorySerializer
    # Categories are public to anyone signed in: the submit form lists them for requesters too.
    queryset = Category.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(summary=_("Teams (staff)"), responses={200: TeamSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One team"), responses={200: TeamSerializer, **READ_ERRORS}),
)
class TeamViewSet(_ReadOnly):
    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        return visible(self.request.user, Team.objects.order_by("id"))


@extend_schema_view(
    list=extend_schema(summary=_("People you may see"), responses={200: UserSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One person"), responses={200: UserSerializer, **READ_ERRORS}),
)
class UserViewSet(_ReadOnly):
    serializer_class = UserSerializer
    pagination_class = PeoplePagination

    def get_queryset(self) -> QuerySet[User]:
        return visible(self.request.user, User.objects.filter(is_active=True).order_by("id"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Organisations you may see"), responses={200: OrganisationSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary=_("One organisation"), responses={200: OrganisationSerializer, **READ_ERRORS}),
)
class OrganisationViewSet(_ReadOnly):
    serializer_class = OrganisationSerializer
    pagination_class = PeoplePagination

    def get_queryset(self) -> QuerySet[Organisation]:
        return visible(self.request.user, Organisation.objects.order_by("id"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Reply templates (your own and your teams')"),
        responses={200: ReplyTemplateSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One reply template"), responses={200: ReplyTemplateSerializer, **READ_ERRORS}),
)
class ReplyTemplateViewSet(_ReadOnly):
    serializer_class = ReplyTemplateSerializer

    def get_queryset(self) -> QuerySet[ReplyTemplate]:
        return visible_templates(self.request.user)


@extend_schema_view(
    list=extend_schema(
        summary=_("SLA policies (managers)"), responses={200: SlaPolicySerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary=_("One SLA policy (managers)"), responses={200: SlaPolicySerializer, **READ_ERRORS}),
)
class SlaPolicyViewSet(_ReadOnly):
    serializer_class = SlaPolicySerializer

    permission_classes = [IsAuthenticated, PolicyManager]

    def get_queryset(self) -> QuerySet[SlaPolicy]:
        return visible(self.request.user, SlaPolicy.objects.order_by("position", "id"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Business calendars (managers)"), responses={200: CalendarSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary=_("One business calendar (managers)"), responses={200: CalendarSerializer, **READ_ERRORS}
    ),
)
class CalendarViewSet(_ReadOnly):
    serializer_class = CalendarSerializer
    permission_classes = [IsAuthenticated, CalendarManager]

    def get_queryset(self) -> QuerySet[BusinessCalendar]:
        return visible(self.request.user, BusinessCalendar.objects.order_by("id"))


@extend_schema_view(
    list=extend_schema(
        summary=_("Escalation rules (managers)"), responses={200: EscalationRuleSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(
        summary=_("One escalation rule (managers)"), responses={200: EscalationRuleSerializer, **READ_ERRORS}
    ),
)
class EscalationRuleViewSet(_ReadOnly):
    serializer_class = EscalationRuleSerializer
    # The rules are edited on the SLA policy pages, by the same people (escalation/rule_views.py).
    permission_classes = [IsAuthenticated, PolicyManager]
    queryset = EscalationRule.objects.order_by("id")


@extend_schema_view(
    list=extend_schema(summary=_("Vendors (staff)"), responses={200: VendorSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(summary=_("One vendor (staff)"), responses={200: VendorSerializer, **READ_ERRORS}),
)
class VendorViewSet(_ReadOnly):
    serializer_class = VendorSerializer
    # Agents escalate to vendors: they need their ids (the escalation form lists them too).
    permission_classes = [IsAuthenticated, WorksTickets]
    queryset = Vendor.objects.order_by("id")
