"""Knowledge-base URLs (agent)."""

from django.urls import path  # noqa: F401

app_name = "kb_agent"

urlpatterns: list = []
