"""Knowledge-base URLs (manage)."""

from django.urls import path  # noqa: F401

app_name = "kb_manage"

urlpatterns: list = []
