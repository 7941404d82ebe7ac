from django.urls import path

from kpis import views_dashboards

app_name = "kpis_dashboards"

urlpatterns = [
    path("manage/kpis/", views_dashboards.manager, name="manager"),
    path("agent/me/", views_dashboards.agent, name="agent"),
]
