from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditEntry
from accounts.models import Organisation, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["email", "full_name"]
    list_select_related = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "role", "organisation", "language", "time_zone"]}),
        (_("Status"), {"fields": ["is_active", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "shares_tickets"]
    search_fields = ["name", "domain"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "tier", "time_zone"]
    list_filter = ["tier"]
    search_fields = ["name", "name_zh_hans"]
    filter_horizontal = ["members", "managers"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only, even for superusers: the log is append-only (a database trigger says so too)."""

    list_display = ["at", "actor_label", "action", "target", "ip_address"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["actor_email", "target"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    show_full_result_count = False
    fields = [
        "at", "actor", "actor_email", "action", "target_user", "target_team", "target_token", "target",
        "before", "after", "ip_address", "request_id",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("actor"), ordering="actor_email")
    def actor_label(self, entry: AuditEntry) -> str:
        return entry.actor_label

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
