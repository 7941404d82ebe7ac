"""Appraisal pages: managers under /manage/appraisals/, agents under /agent/me/appraisals/."""

from django.urls import path

from kpis import views_appraisal as views

app_name = "kpis_appraisal"

urlpatterns = [
    path("manage/appraisals/", views.period_list, name="period_list"),
    path("manage/appraisals/<int:pk>/", views.period_detail, name="period_detail"),
    path(
        "manage/appraisals/<int:pk>/<slug:step>/",
        views.period_step,
        name="period_step",
    ),
    path("manage/appraisals/<int:pk>/agents/<int:agent_id>/", views.appraisal_manage, name="appraisal_manage"),
    path(
        "manage/appraisals/<int:pk>/agents/<int:agent_id>/pdf/",
        views.appraisal_manage_pdf,
        name="appraisal_manage_pdf",
    ),
    path("agent/me/appraisals/", views.my_appraisals, name="my_appraisals"),
    path("agent/me/appraisals/<int:pk>/", views.my_appraisal, name="my_appraisal"),
    path("agent/me/appraisals/<int:pk>/pdf/", views.my_appraisal_pdf, name="my_appraisal_pdf"),
]
