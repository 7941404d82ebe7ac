"""The Django admin for installers: look at articles and their history; write through /agent/kb/.

Counters, versions and the search vector are kept by the services (knowledge/authoring.py,
knowledge/reading.py), so they are read-only here: an edit in the admin would skip the version
history and the review workflow.
"""

from django.contrib import admin

from knowledge.models import Article, ArticleReview, ArticleTicketLink, ArticleVersion, DeflectionEvent, KnowledgeSearch


class ArticleVersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ["number", "title", "editor", "note", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class ArticleReviewInline(admin.TabularInline):
    model = ArticleReview
    fields = ["decision", "actor", "version", "comment", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "language", "visibility", "author", "version", "view_count", "updated_at"]
    list_filter = ["status", "language", "visibility", "category"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["author", "reviewer", "source_ticket", "category"]
    readonly_fields = [
        "status",
        "version",
        "view_count",
        "helpful_count",
        "unhelpful_count",
        "translation_group",
        "published_at",
        "created_at",
        "updated_at",
    ]
    exclude = ["body_html", "search_text", "search_vector"]
    inlines = [ArticleVersionInline, ArticleReviewInline]


@admin.register(ArticleTicketLink)
class ArticleTicketLinkAdmin(admin.ModelAdmin):
    list_display = ["article", "ticket", "linked_by", "created_at"]
    raw_id_fields = ["article", "ticket", "linked_by"]


@admin.register(KnowledgeSearch)
class KnowledgeSearchAdmin(admin.ModelAdmin):
    list_display = ["query", "source", "language", "result_count", "created_at"]
    list_filter = ["source", "language"]
    search_fields = ["normalised"]


@admin.register(DeflectionEvent)
class DeflectionEventAdmin(admin.ModelAdmin):
    list_display = ["outcome", "query", "article", "user", "ticket", "created_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["article", "user", "ticket"]
