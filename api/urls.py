"""``/api/v1/``: every endpoint, the OpenAPI schema and its documentation pages.

The tickets and knowledge routes keep their namespaces (``tickets_api:``, ``knowledge_api:``).
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api import reads, tokens
from api.appraisals import AppraisalViewSet
from api.feedback import FeedbackItemViewSet
from api.incidents import MajorIncidentReplyAllView, SpikeViewSet
from api.kpis import FigureView, KpiExportView, ScorecardViewSet
from api.mail import InboundEmailRawView, InboundEmailViewSet
from api.maintenance import PlanViewSet, RunListView
from api.tickets import TicketViewSet


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@schema(None)
def not_found(request, *args, **kwargs):
    raise NotFound


tickets = SimpleRouter()
tickets.register("tickets", TicketViewSet, basename="ticket")

reference = SimpleRouter()
reference.register("categories", reads.CategoryViewSet, basename="category")
reference.register("teams", reads.TeamViewSet, basename="team")
reference.register("users", reads.UserViewSet, basename="user")
reference.register("organisations", reads.OrganisationViewSet, basename="organisation")
reference.register("reply-templates", reads.ReplyTemplateViewSet, basename="reply-template")
reference.register("sla-policies", reads.SlaPolicyViewSet, basename="sla-policy")
reference.register("calendars", reads.CalendarViewSet, basename="calendar")
reference.register("escalation-rules", reads.EscalationRuleViewSet, basename="escalation-rule")
reference.register("vendors", reads.VendorViewSet, basename="vendor")
reference.register("tokens", tokens.TokenViewSet, basename="token")
reference.register("kpis/scorecards", ScorecardViewSet, basename="scorecard")
reference.register("appraisals", AppraisalViewSet, basename="appraisal")
reference.register("feedback", FeedbackItemViewSet, basename="feedback-item")
reference.register("spikes", SpikeViewSet, basename="spike")
reference.register("mail/inbound", InboundEmailViewSet, basename="inbound-email")
reference.register("maintenance/plans", PlanViewSet, basename="maintenance-plan")

urlpatterns = [
    path("", include((tickets.urls, "tickets_api"))),
    path("", include("knowledge.api_urls")),
    path("", include("monitoring.urls")),
    path("", include((reference.urls, "api"))),
    path("me/", tokens.MeView.as_view(), name="api-me"),
    path(
        "major-incidents/<str:reference>/reply-all/",
        MajorIncidentReplyAllView.as_view(),
        name="api-major-incident-reply-all",
    ),
    path("mail/inbound/<int:pk>/raw", InboundEmailRawView.as_view(), name="api-inbound-email-raw"),
    path("maintenance/runs/", RunListView.as_view(), name="api-maintenance-runs"),
    path("kpis/export", KpiExportView.as_view(), name="api-kpi-export"),
    path("kpis/figures", FigureView.as_view(), name="api-kpi-figures"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Anything else under /api/v1/ is a 404 in the API's error shape, not the HTML page.
    re_path(r"^", not_found),
]
