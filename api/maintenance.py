"""``/api/v1/maintenance/``: maintenance plans and their runs, as the pages at /manage/maintenance/.

The same selectors and services as maintenance/views.py: everyone on the support side reads plans
and runs; a team's managers (and admins) create and edit its plans; requesters get 403. The
service validates a plan (``plan_create`` / ``plan_update``); its refusals are a 400 with every
field's problem under ``extra.errors``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, Team, User
from accounts.permissions import may_change
from maintenance import selectors
from maintenance.models import MaintenancePlan, ScheduleKind, Weekday
from maintenance.permissions import may_create_plans, may_read_plans
from maintenance.services import STEP_MAX, TITLE_MAX, PlanValues, plan_create, plan_update
from tickets.models import Category, Priority

RUN_STATES = ("upcoming", "overdue")
OVERDUE_MAX = 200  # as the runs page


class ReadsPlans(BasePermission):
    """Agents, managers and admins; requesters are refused (403)."""

    def has_permission(self, request, view) -> bool:
        return may_read_plans(request.user)


class PlanPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_field(
    {"type": "string", "enum": list(ScheduleKind.values), "description": "weekly, cron"},
    component_name="ScheduleKindEnum",
)
class ScheduleKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ScheduleKind.choices, **kwargs)


@extend_schema_field(
    {"type": "integer", "enum": list(Weekday.values), "description": "0 Monday … 6 Sunday"},
    component_name="PlanWeekdayEnum",
)
class WeekdayField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Weekday.choices, **kwargs)


@extend_schema_field(
    {"type": "integer", "enum": list(Priority.values), "description": "1 critical … 4 low"},
    component_name="PlanPriorityEnum",
)
class PlanPriorityField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Priority.choices, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "09:00"})
class LocalTimeField(serializers.TimeField):
    """A time of day in the team's time zone, "09:00": OpenAPI's ``time`` format wants an offset,
    and this time has none of its own."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PlanSerializer(serializers.ModelSerializer):
    schedule_kind = ScheduleKindField(read_only=True)
    weekday = WeekdayField(read_only=True)
    priority = PlanPriorityField(read_only=True)
    at_time = LocalTimeField(read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    next_run = serializers.DateTimeField(
        read_only=True, allow_null=True, default=None, help_text=_("Null for a paused plan.")
    )
    last_run_at = serializers.DateTimeField(read_only=True, allow_null=True, default=None)
    may_edit = serializers.SerializerMethodField()

    class Meta:
        model = MaintenancePlan
        fields = [
            "id",
            "title",
            "description",
            "team",
            "team_name",
            "assignee",
            "category",
            "priority",
            "active",
            "checklist",
            "schedule_kind",
            "cron",
            "every_weeks",
            "weekday",
            "at_time",
            "starts_on",
            "hours_allowed",
            "next_run",
            "last_run_at",
            "may_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_may_edit(self, plan: MaintenancePlan) -> bool:
        return may_change(self.context["request"].user, plan)


class PlanWriteSerializer(serializers.Serializer):
    """What a manager sets; on PATCH, what is left out keeps its value. The service checks the rules."""

    title = serializers.CharField(max_length=TITLE_MAX)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    checklist = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100 * STEP_MAX,
        help_text=_("One step per line; every step must be ticked before resolving."),
    )
    schedule_kind = ScheduleKindField(required=False)
    cron = serializers.CharField(required=False, allow_blank=True, max_length=100)
    every_weeks = serializers.IntegerField(required=False, min_value=1, max_value=52)
    weekday = WeekdayField(required=False)
    at_time = LocalTimeField(required=False)
    starts_on = serializers.DateField(required=False)
    hours_allowed = serializers.IntegerField(required=False, min_value=1, max_value=24 * 366)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN]), required=False, allow_null=True
    )
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    priority = PlanPriorityField(required=False)
    active = serializers.BooleanField(required=False)


def _values_of(plan: MaintenancePlan) -> dict[str, Any]:
    return {field.name: getattr(plan, field.name) for field in dataclasses.fields(PlanValues)}


@extend_schema_field(
    {"type": "string", "enum": list(RUN_STATES), "description": "upcoming, overdue"},
    component_name="MaintenanceRunStateEnum",
)
class RunStateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[(state, state) for state in RUN_STATES], **kwargs)


class RunSerializer(serializers.Serializer):
    """An overdue run (stored) or an upcoming one (computed from the schedule: no id, no ticket)."""

    state = RunStateField()
    id = serializers.IntegerField(allow_null=True)
    plan = serializers.IntegerField()
    plan_title = serializers.CharField()
    team = serializers.IntegerField()
    scheduled_for = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    ticket = serializers.CharField(allow_null=True, help_text=_("The reference of the run's ticket."))
    failure = serializers.CharField(allow_blank=True, help_text=_("Why the run's ticket could not be opened."))


@extend_schema_view(
    list=extend_schema(summary=_("Maintenance plans with their next run")),
    retrieve=extend_schema(summary=_("One maintenance plan")),
    create=extend_schema(
        summary=_("Create a maintenance plan (a manager of its team)"),
        request=PlanWriteSerializer,
        responses={201: PlanSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Edit a maintenance plan (a manager of its team)"),
        request=PlanWriteSerializer(partial=True),
        responses={200: PlanSerializer},
    ),
)
class PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, ReadsPlans]
    pagination_class = PlanPagination
    serializer_class = PlanSerializer
    filterset_class = None
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.plans_for(self.request.user)

    def _detail(self, plan: MaintenancePlan) -> dict[str, Any]:
        fresh = selectors.with_next_run([self.get_queryset().get(pk=plan.pk)], timezone.now())[0]
        return PlanSerializer(fresh, context=self.get_serializer_context()).data

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        plans = selectors.with_next_run(list(page), timezone.now())
        return self.get_paginated_response(PlanSerializer(plans, many=True, context=self.get_serializer_context()).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self._detail(self.get_object()))

    def create(self, request: Request, *args, **kwargs) -> Response:
        if not may_create_plans(request.user):
            raise PermissionDenied
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = plan_create(PlanValues(**serializer.validated_data), acting_user=request.user)
        return Response(self._detail(plan), status=201)

    def update(self, request: Request, *args, **kwargs) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        plan = self.get_object()
        if not may_change(request.user, plan):
            raise PermissionDenied
        serializer = PlanWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values = PlanValues(**{**_values_of(plan), **serializer.validated_data})
        plan = plan_update(plan, values, acting_user=request.user)
        return Response(self._detail(plan))


STATE = OpenApiParameter(
    "state",
    OpenApiTypes.STR,
    enum=list(RUN_STATES),
    description=_("upcoming: the next runs of each active plan; overdue: past due and still open, or not opened."),
)


class RunListView(APIView):
    """The runs page: overdue runs (at most 200, oldest due first), then the upcoming ones."""

    permission_classes = [IsAuthenticated, ReadsPlans]

    @extend_schema(
        summary=_("Upcoming and overdue maintenance runs"),
        parameters=[STATE],
        responses={200: RunSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        state = request.query_params.get("state")
        if state is not None and state not in RUN_STATES:
            raise exceptions.ValidationError({"state": [_("Choose upcoming or overdue.")]})
        now = timezone.now()
        rows: list[dict[str, Any]] = []
        if state in (None, "overdue"):
            for run in selectors.overdue_runs(request.user, now)[:OVERDUE_MAX]:
                rows.append(
                    {
                        "state": "overdue",
                        "id": run.pk,
                        "plan": run.plan_id,
                        "plan_title": run.plan.title,
                        "team": run.plan.team_id,
                        "scheduled_for": run.scheduled_for,
                        "due_at": run.due_at,
                        "ticket": run.ticket.reference if run.ticket else None,
                        "failure": run.failure,
                    }
                )
        if state in (None, "upcoming"):
            plans = list(selectors.plans_for(request.user).filter(active=True))
            for planned in selectors.upcoming_runs(plans, now):
                rows.append(
                    {
                        "state": "upcoming",
                        "id": None,
                        "plan": planned.plan.pk,
                        "plan_title": planned.plan.title,
                        "team": planned.plan.team_id,
                        "scheduled_for": planned.scheduled_for,
                        "due_at": planned.due_at,
                        "ticket": None,
                        "failure": "",
                    }
                )
        return Response(RunSerializer(rows, many=True).data)
