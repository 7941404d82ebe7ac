from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import FailingAddress, OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "to", "subject", "created_at", "sent_at", "attempts", "failed_at"]
    list_filter = ["kind", "language"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    """Bounced addresses; deleting a row (or the action) lets the outbox write to it again."""

    list_display = ["address", "failures", "first_failed_at", "last_failed_at", "reason"]
    search_fields = ["address"]
    readonly_fields = [f.name for f in FailingAddress._meta.fields]
    actions = ["clear_marks"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Clear the mark: send to these addresses again"), permissions=["delete"])
    def clear_marks(self, request, queryset) -> None:
        count, _deleted = queryset.delete()
        self.message_user(
            request,
            ngettext("%(count)d address cleared.", "%(count)d addresses cleared.", count) % {"count": count},
            messages.SUCCESS,
        )
