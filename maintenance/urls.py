from django.urls import path

from maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("runs/", views.run_list, name="run_list"),
    path("new/", views.plan_new, name="plan_new"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
]
