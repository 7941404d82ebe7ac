from django.urls import path  # noqa: F401

app_name = "kpis_reviews"

urlpatterns: list = []
