"""Knowledge-base URLs (manage): the deflection and content-gap report."""

from django.urls import path

from knowledge.views import manage

app_name = "kb_manage"

urlpatterns = [
    path("deflection/", manage.deflection, name="deflection"),
    path("deflection/gaps.csv", manage.gaps_csv, name="gaps_csv"),
]
