"""``GET /api/v1/kpis/export``: the rows of ``manage.py kpi_export`` (spec §10), for managers.

The same permission as the manager dashboard: a manager's rows are those of the teams they
manage (by team) or of those teams' members (by agent); an admin's, every row.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role, User
from accounts.permissions import managed_teams
from kpis.export import export_rows
from kpis.figures import METRIC_KEYS
from tickets.serializers import ErrorSerializer

# One statement recomputes the period from the event log: keep it to about a year.
MAX_DAYS = 366


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
