"""``/api/v1/appraisals/``: the appraisals the caller may read, as on the appraisal pages.

``kpis/appraisals.py`` decides: the managers of the period's team (and admins) read every
appraisal of it, drafts included; an agent reads their own once it is final (a draft is work in
progress, and someone else's appraisal does not exist for them: 404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts.permissions import managed_teams
from api.reads import READ_ERRORS, WorksTickets
from api.tickets import TicketPagination
from kpis.models import Appraisal, AppraisalPeriod, AppraisalStatus


class AppraisalPeriodSerializer(serializers.ModelSerializer):
    # Plain strings: one more enum named "status" would leave the ticket's without a stable name.
    status = serializers.CharField(read_only=True, help_text=_("open, calculated, in_review or final."))

    class Meta:
        model = AppraisalPeriod
        fields = ["id", "team", "period", "start", "end", "status"]


class AppraisalSerializer(serializers.ModelSerializer):
    period = AppraisalPeriodSerializer(read_only=True)
    agent_name = serializers.CharField(source="agent.__str__", read_only=True)
    composite = serializers.SerializerMethodField(help_text=_("The composite score, 0–100; null without enough data."))
    band = serializers.SerializerMethodField(help_text=_("The rating band of the composite score."))
    snapshot = serializers.JSONField(
        read_only=True, help_text=_("The scorecard, figures, scores and team medians as they were (frozen when final).")
    )
    growth_items = serializers.JSONField(
        read_only=True, help_text=_("Training, certifications and mentoring: [{kind, title, date}].")
    )
    status = serializers.CharField(read_only=True, help_text=_("draft, final or acknowledged."))

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "period",
            "agent",
            "agent_name",
            "status",
            "composite",
            "band",
            "snapshot",
            "growth_items",
            "strengths",
            "improvements",
            "training_plan",
            "agent_comment",
            "acknowledged_at",
            "version",
        ]

    def get_composite(self, appraisal: Appraisal) -> float | None:
        return (appraisal.snapshot.get("score") or {}).get("composite")

    def get_band(self, appraisal: Appraisal) -> str | None:
        band = (appraisal.snapshot.get("score") or {}).get("band")
        return gettext(band) if band else None


def readable_appraisals(user) -> QuerySet[Appraisal]:
    """``may_view_appraisal`` as one filter: the teams the user manages, and their own final ones."""
    own = Q(agent=user) & ~Q(status=AppraisalStatus.DRAFT)
    return Appraisal.objects.filter(own | Q(period__team__in=managed_teams(user).values("pk")))


@extend_schema_view(
    list=extend_schema(
        summary=_("Appraisals: your own final ones, and (managers) your teams'"),
        responses={200: AppraisalSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(summary=_("One appraisal"), responses={200: AppraisalSerializer, **READ_ERRORS}),
)
class AppraisalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AppraisalSerializer
    permission_classes = [WorksTickets]
    filter_backends: list = []
    pagination_class = TicketPagination

    def get_queryset(self) -> QuerySet[Appraisal]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator, without a user
            return Appraisal.objects.none()
        return readable_appraisals(self.request.user).select_related("period", "agent")
