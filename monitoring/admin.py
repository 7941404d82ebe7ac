from django.contrib import admin, messages
from django.utils.translation import gettext as _

from monitoring.models import Alert, AlertRoute, AlertSource, Spike
from monitoring.services import new_token, system_requester


class AlertRouteInline(admin.TabularInline):
    model = AlertRoute
    extra = 0


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "auto_resolve", "is_active", "token_prefix"]
    readonly_fields = ["token_prefix", "requester"]
    inlines = [AlertRouteInline]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # As alert_source_create does; the raw token is shown this once and never stored.
        obj.requester = system_requester(obj.name)
        raw = new_token(obj)
        super().save_model(request, obj, form, change)
        messages.warning(request, _("The source's token, shown only now: %(token)s") % {"token": raw})


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["source", "fingerprint", "status", "severity", "fire_count", "ticket", "last_seen_at"]
    list_filter = ["status", "severity", "source"]
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Spike)
class SpikeAdmin(admin.ModelAdmin):
    """Read-only: spikes are opened and ended by the scan (monitoring/spikes.py)."""

    list_display = ["category", "started_at", "ended_at", "tickets_in_window", "baseline", "notified_at", "parent"]
    list_filter = ["ended_at"]
    readonly_fields = [field.name for field in Spike._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
