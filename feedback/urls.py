from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("export.csv", views.item_export, name="export"),
    path("new/", views.item_new, name="new"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/status/", views.item_status, name="status"),
    path("<int:pk>/link/", views.item_link, name="link"),
    path("<int:pk>/unlink/<str:reference>/", views.item_unlink, name="unlink"),
    path("record/<str:reference>/", views.record_from_ticket, name="record"),
]
