from django.urls import path

from escalation import breach_views, policy_views, rule_views, views

app_name = "escalation"

urlpatterns = [
    path("calendars/", views.calendar_list, name="calendar_list"),
    path("calendars/new/", views.calendar_new, name="calendar_new"),
    path("calendars/<int:pk>/", views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/holidays/", views.holiday_new, name="holiday_new"),
    path("calendars/<int:pk>/holidays/import/", views.holiday_import, name="holiday_import"),
    path("calendars/<int:pk>/holidays/<int:holiday_pk>/delete/", views.holiday_delete, name="holiday_delete"),
]

urlpatterns += [
    path("sla-policies/", policy_views.policy_list, name="policy_list"),
    path("sla-policies/new/", policy_views.policy_new, name="policy_new"),
    path("sla-policies/<int:pk>/", policy_views.policy_edit, name="policy_edit"),
    path("sla-policies/<int:pk>/move/<str:direction>/", policy_views.policy_move, name="policy_move"),
    path("sla-policies/<int:pk>/deactivate/", policy_views.policy_deactivate, name="policy_deactivate"),
    path("sla-policies/<int:pk>/activate/", policy_views.policy_activate, name="policy_activate"),
]

urlpatterns += [
    path("escalation-rules/", rule_views.rule_list, name="rule_list"),
    path("escalation-rules/new/", rule_views.rule_new, name="rule_new"),
    path("escalation-rules/<int:pk>/", rule_views.rule_edit, name="rule_edit"),
    path("escalation-rules/<int:pk>/deactivate/", rule_views.rule_deactivate, name="rule_deactivate"),
    path("escalation-rules/<int:pk>/activate/", rule_views.rule_activate, name="rule_activate"),
    path("breaches/", breach_views.breach_list, name="breach_list"),
]
