"""Read-only views of what the KPI engine computed: nothing here is typed in by hand."""

from django.contrib import admin

from kpis.models import PeriodFigure, RefreshState


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PeriodFigure)
class PeriodFigureAdmin(ReadOnly):
    list_display = ["period", "start", "dimension", "key", "computed_at"]
    list_filter = ["period", "dimension"]
    date_hierarchy = "start"


@admin.register(RefreshState)
class RefreshStateAdmin(ReadOnly):
    list_display = ["last_seq", "refreshed_at", "periods_refreshed_at", "full_refreshed_at"]
