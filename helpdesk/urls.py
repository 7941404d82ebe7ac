from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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
    path("manage/", include("escalation.urls")),
    path("kb/", include("knowledge.urls_public")),
    path("agent/kb/", include("knowledge.urls_agent")),
    path("", include("tickets.urls")),
    path("agent/templates/", include("canned.urls")),
    path("api/", include("tickets.api_urls")),
    path("api/", include("knowledge.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler403 = "helpdesk.views.permission_denied"
handler404 = "helpdesk.views.page_not_found"
handler500 = "helpdesk.views.server_error"
