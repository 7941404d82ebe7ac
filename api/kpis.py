"""``/api/v1/kpis/``: stored figures, scorecards and the export of spec §10, read only.

The same permissions as the dashboards (``kpis/views_dashboards.py``): an agent reads their own
figures and their teams' aggregates, never another agent's; a manager the teams they manage and
those teams' members, and the desk-wide figures the manager dashboard shows (categories, the
desk); an admin everything. Requesters read nothing here.

- ``figures``: the ``PeriodFigure`` rows the dashboards read (metric keys of docs/kpis.md).
- ``scorecards``: the default scorecard and those of the teams the caller may see.
- ``export``: the rows of ``manage.py kpi_export``, recomputed from the events, for managers.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, Team, User
from accounts.permissions import managed_teams
from api.reads import READ_ERRORS, WorksTickets
from kpis.export import export_rows
from kpis.figures import METRIC_KEYS
from kpis.models import Dimension, Period, PeriodFigure, Scorecard, ScorecardItem
from kpis.rollups import period_end, period_start
from tickets.serializers import ErrorSerializer

# One statement recomputes the period from the event log: keep it to about a year.
MAX_DAYS = 366
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)


class ExportQuerySerializer(serializers.Serializer):
    # "from" is a keyword: the field is declared under another name and renamed below.
    to = serializers.DateField(help_text=_("The last local day, included (YYYY-MM-DD)."))
    by = serializers.ChoiceField(choices=[("agent", _("agent")), ("team", _("team"))])

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text=_("The first local day (YYYY-MM-DD)."))
        return fields

    def validate(self, attrs):
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": [_("The end is before the start.")]})
        if attrs["to"] - attrs["from"] >= timedelta(days=MAX_DAYS):
            raise serializers.ValidationError({"to": [_("At most %(days)d days at a time.") % {"days": MAX_DAYS}]})
        return attrs


class ExportRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agent = serializers.CharField(required=False, help_text=_("The agent's e-mail address (by=agent)."))
    team = serializers.CharField(required=False, help_text=_("The team's name (by=team)."))

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        for key in METRIC_KEYS:
            fields[key] = serializers.FloatField(allow_null=True, help_text=_("See docs/kpis.md."))
        return fields


def _allowed_keys(user: User, by: str) -> set[int] | None:
    """The ids whose rows ``user`` may read; None for all of them (admins)."""
    if user.has_role(Role.ADMIN):
        return None
    teams = managed_teams(user)
    if by == "team":
        return set(teams.values_list("pk", flat=True))
    return set(User.objects.filter(teams__in=teams).values_list("pk", flat=True))


class KpiExportView(APIView):
    filter_backends: list = []

    @extend_schema(
        operation_id="kpis_export",
        summary=_("A period's KPI figures per agent or team (managers)"),
        parameters=[ExportQuerySerializer],
        responses={
            200: ExportRowSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description=_("Invalid parameters.")),
            401: OpenApiResponse(ErrorSerializer, description=_("Not signed in, or a bad token.")),
            403: OpenApiResponse(ErrorSerializer, description=_("Managers only.")),
        },
    )
    def get(self, request: Request) -> Response:
        if not request.user.has_role(Role.MANAGER):
            raise PermissionDenied
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last, by = query.validated_data["from"], query.validated_data["to"], query.validated_data["by"]
        allowed = _allowed_keys(request.user, by)
        rows = [row for row in export_rows(first, last, by) if allowed is None or row["id"] in allowed]
        return Response(rows)


# --- stored figures -------------------------------------------------------------------------


class FigureQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=Period.choices, default=Period.MONTH)
    start = serializers.DateField(help_text=_("Any day of the period (YYYY-MM-DD); its first day is used."))
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    key = serializers.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        help_text=_("One agent, team or category id; left out: every one you may see."),
    )

    def validate_start(self, value: date) -> date:
        # Periods are computed in Python dates: keep clear of year 1 and year 9999.
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(_("Give a day between 1970 and 2999."))
        return value


class FigureSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("The last day of the period, included."))
    dimension = serializers.CharField()
    key = serializers.IntegerField(help_text=_("The agent, team or category id; 0 for the whole desk."))
    computed_at = serializers.DateTimeField()
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text=_("Metric keys as in docs/kpis.md.")
    )


def readable_keys(user: User, dimension: str) -> set[int] | None:
    """The keys of ``dimension`` whose figures ``user`` may read; None: all of them."""
    if user.has_role(Role.ADMIN):
        return None
    manages = managed_teams(user)
    if dimension == Dimension.AGENT:
        # Their own figures, and (managers) those of their teams' members.
        members = User.objects.filter(teams__in=manages).values_list("pk", flat=True)
        return {user.pk, *members}
    if dimension == Dimension.TEAM:
        return set(Team.objects.filter(Q(members=user) | Q(pk__in=manages.values("pk"))).values_list("pk", flat=True))
    # Categories and the desk: on the manager dashboard only.
    if user.has_role(Role.MANAGER):
        return None
    raise PermissionDenied


class FigureView(APIView):
    filter_backends: list = []
    permission_classes = [WorksTickets]

    @extend_schema(
        operation_id="kpis_figures",
        summary=_("Stored KPI figures of one period (what the dashboards read)"),
        parameters=[FigureQuerySerializer],
        responses={
            200: FigureSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description=_("Invalid parameters.")),
            401: OpenApiResponse(ErrorSerializer, description=_("Not signed in, or a bad token.")),
            403: OpenApiResponse(ErrorSerializer, description=_("Staff only; a key you may not read.")),
        },
    )
    def get(self, request: Request) -> Response:
        query = FigureQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind, dimension = query.validated_data["period"], query.validated_data["dimension"]
        start = period_start(kind, query.validated_data["start"])
        figures = PeriodFigure.objects.filter(period=kind, dimension=dimension, start=start).order_by("key")
        readable = readable_keys(request.user, dimension)
        if "key" in query.validated_data:
            if readable is not None and query.validated_data["key"] not in readable:
                raise PermissionDenied
            figures = figures.filter(key=query.validated_data["key"])
        elif readable is not None:
            figures = figures.filter(key__in=readable)
        end = period_end(kind, start)
        rows = [
            {
                "period": kind,
                "start": start,
                "end": end,
                "dimension": dimension,
                "key": key,
                "computed_at": computed_at,
                "values": values,
            }
            for key, values, computed_at in figures.values_list("key", "values", "computed_at")
        ]
        return Response(FigureSerializer(rows, many=True).data)


# --- scorecards -----------------------------------------------------------------------------


class ScorecardItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScorecardItem
        fields = ["metric", "weight", "target", "floor", "direction", "min_sample", "position"]


class ScorecardSerializer(serializers.ModelSerializer):
    items = ScorecardItemSerializer(many=True, read_only=True)
    bands = serializers.ListField(child=serializers.DictField(), help_text=_("Rating bands, best first: {min, label}."))

    class Meta:
        model = Scorecard
        fields = ["id", "name", "team", "bands", "updated_at", "items"]
        extra_kwargs = {"team": {"help_text": _("Null: the default scorecard, for teams without their own.")}}


@extend_schema_view(
    list=extend_schema(
        summary=_("Scorecards: the default one and your teams' (staff)"),
        responses={200: ScorecardSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One scorecard (staff)"), responses={200: ScorecardSerializer, **READ_ERRORS}),
)
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    """What the agent dashboard scores against: agents see their teams', managers the teams they manage."""

    serializer_class = ScorecardSerializer
    permission_classes = [WorksTickets]
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self) -> QuerySet[Scorecard]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a user
            return Scorecard.objects.none()
        user = self.request.user
        scorecards = Scorecard.objects.order_by("id").prefetch_related(
            Prefetch("items", queryset=ScorecardItem.objects.order_by("position", "id"))
        )
        if user.has_role(Role.ADMIN):
            return scorecards
        return scorecards.filter(
            Q(team=None) | Q(team__in=user.teams.values("pk")) | Q(team__in=managed_teams(user).values("pk"))
        )
