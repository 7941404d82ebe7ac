from django.contrib import admin

from escalation.models import EscalationRule, RuleFiring


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "trigger", "threshold", "sla_target", "updated_at"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(RuleFiring)
class RuleFiringAdmin(admin.ModelAdmin):
    """Read-only: the record of what fired; changing it would make a rule fire again or never."""

    list_display = ["rule", "ticket", "trigger_key", "fired_at"]
    list_filter = ["rule"]
    raw_id_fields = ["ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
