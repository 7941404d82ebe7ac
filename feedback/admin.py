from django.contrib import admin

from feedback.models import FeedbackItem, FeedbackLink, FeedbackStatusChange, ProductArea


class FeedbackLinkInline(admin.TabularInline):
    model = FeedbackLink
    extra = 0
    raw_id_fields = ["ticket", "linked_by"]


class FeedbackStatusChangeInline(admin.TabularInline):
    model = FeedbackStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["old_status", "new_status", "changed_by", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "status", "raised_by", "team", "created_at"]
    list_filter = ["status", "area", "team"]
    search_fields = ["title"]
    raw_id_fields = ["raised_by"]
    inlines = [FeedbackLinkInline, FeedbackStatusChangeInline]


@admin.register(ProductArea)
class ProductAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh_hans", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_zh_hans"]
