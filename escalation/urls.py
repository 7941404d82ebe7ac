from django.urls import path

from escalation import views

app_name = "escalation"

urlpatterns = [
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/holidays/", views.holiday_new, name="holiday_new"),
    path("calendars/<int:pk>/holidays/import/", views.holiday_import, name="holiday_import"),
    path("calendars/<int:pk>/holidays/<int:holiday_pk>/delete/", views.holiday_delete, name="holiday_delete"),
]
