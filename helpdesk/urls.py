from django.contrib import admin
from django.urls import include, path

from helpdesk import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("manage/kb/", include("knowledge.urls_manage")),
    # KPIs: dashboards (/manage/kpis/, /agent/me/), appraisals, reviews and scorecards.
    path("", include("kpis.urls_dashboards")),
    path("", include("kpis.urls_appraisal")),
    path("", include("kpis.urls_reviews")),
    path("manage/maintenance/", include("maintenance.urls")),
    path("manage/incidents/", include("monitoring.urls_pages")),
    path("agent/feedback/", include("feedback.urls")),
    path("agent/mail/", include("mail.urls")),
    path("manage/", include("escalation.urls")),
    path("kb/", include("knowledge.urls_public")),
    path("agent/kb/", include("knowledge.urls_agent")),
    path("", include("tickets.urls")),
    path("agent/templates/", include("canned.urls")),
    # REST API v1 (spec §8); the unversioned /api/ paths are gone.
    path("api/v1/", include("api.urls")),
]

handler403 = "helpdesk.views.permission_denied"
handler404 = "helpdesk.views.page_not_found"
handler500 = "helpdesk.views.server_error"
