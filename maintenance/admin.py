from django.contrib import admin

from maintenance.models import MaintenancePlan, MaintenanceRun


class MaintenanceRunInline(admin.TabularInline):
    model = MaintenanceRun
    extra = 0
    fields = ["scheduled_for", "due_at", "ticket", "opened_at", "failure"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "schedule_kind", "active", "created_at"]
    list_filter = ["active", "schedule_kind", "team"]
    search_fields = ["title", "description"]
    raw_id_fields = ["assignee", "created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [MaintenanceRunInline]


@admin.register(MaintenanceRun)
class MaintenanceRunAdmin(admin.ModelAdmin):
    list_display = ["plan", "scheduled_for", "due_at", "ticket", "opened_at"]
    list_filter = ["plan__team"]
    raw_id_fields = ["ticket"]
    readonly_fields = ["plan", "scheduled_for", "due_at", "opened_at"]
