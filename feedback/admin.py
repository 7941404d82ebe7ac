from django.contrib import admin

from feedback.models import FeedbackItem, FeedbackLink


class FeedbackLinkInline(admin.TabularInline):
    model = FeedbackLink
    extra = 0
    raw_id_fields = ["ticket", "linked_by"]


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "raised_by", "team", "created_at"]
    list_filter = ["status", "team"]
    search_fields = ["title"]
    raw_id_fields = ["raised_by"]
    inlines = [FeedbackLinkInline]
