from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    path("review/", views.review_list, name="review_list"),
    path("<int:pk>/", views.original, name="original"),
    path("<int:pk>/raw/", views.original_raw, name="original_raw"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/reprocess/", views.reprocess, name="reprocess"),
]
