from django.urls import path

from monitoring import views

urlpatterns = [
    path("alerts/", views.PlainAlertView.as_view(), name="api-alerts"),
    path("alerts/alertmanager", views.AlertmanagerView.as_view(), name="api-alerts-alertmanager"),
]
