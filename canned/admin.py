from django.contrib import admin

from canned.models import ReplyTemplate


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "team", "updated_at"]
    list_filter = ["team"]
    search_fields = ["title", "body"]
    raw_id_fields = ["owner"]
