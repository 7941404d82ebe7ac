"""Knowledge base: articles, their versions and reviews, votes, ticket links and deflection.

Articles reuse the ticket categories and tags, so that an article written from a ticket lands
in the category the ticket had, and a manager sees the same tree on both sides.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal (staff only)")


class Language(models.TextChoices):
    # The same codes as settings.LANGUAGES, so that a reader's language picks articles directly.
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("summary"), max_length=500, blank=True, help_text=_("One or two sentences shown in search results.")
    )
    body = models.TextField(_("body"), max_length=100_000, help_text=_("Markdown."))
    body_html = models.TextField(editable=False, default="")
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    tags = models.ManyToManyField("tickets.Tag", verbose_name=_("tags"), blank=True, related_name="articles")
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.EN)
    # Articles sharing a group are translations of each other (at most one per language).
    translation_group = models.UUIDField(default=uuid.uuid4, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="articles"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_articles",
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The number of the latest ArticleVersion; a form carries it so that a stale save is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    view_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    helpful_count = models.PositiveIntegerField(default=0, editable=False)
    unhelpful_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    # Title, summary and body segmented by jieba (Chinese words space-separated): what the
    # vector is built from, and what ts_headline cuts snippets out of.
    search_text = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="article_one_translation_per_language"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            GinIndex(OpClass(Lower("title"), name="gin_trgm_ops"), name="article_title_trgm_idx"),
            models.Index(
                fields=["category", "-published_at"],
                name="article_published_idx",
                condition=Q(status="published"),
            ),
            models.Index(fields=["status", "-updated_at"], name="article_status_idx"),
            models.Index(fields=["author", "status"], name="article_author_idx"),
            models.Index(fields=["translation_group"], name="article_translation_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleVersion(models.Model):
    """A saved state of an article's text; written on every save that changes it. Never edited."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    body = models.TextField(max_length=100_000)
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to the author")
    ARCHIVED = "archived", _("Archived")
    RESTORED = "restored", _("Restored from archive")


class ArticleReview(models.Model):
    """One step of the review workflow; the history of an article's status, and a KPI input."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    version = models.PositiveIntegerField()
    comment = models.TextField(_("comment"), max_length=5_000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "-created_at"], name="article_review_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.decision}"


class ArticleVote(models.Model):
    """ "Was this helpful?": one vote per signed-in user, or per browser for anonymous readers."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    browser_key = models.CharField(max_length=64, blank=True, default="")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"], condition=Q(user__isnull=False), name="article_vote_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["article", "browser_key"],
                condition=Q(user__isnull=True),
                name="article_vote_once_per_browser",
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(browser_key=""), name="article_vote_has_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class ArticleTicketLink(models.Model):
    """An article used on a ticket: counts as reuse for the article's author."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="article_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="article_ticket_link_unique"),
        ]
        indexes = [models.Index(fields=["ticket"], name="article_link_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.ticket_id}"


class SearchSource(models.TextChoices):
    KB = "kb", _("Knowledge base search")
    SUBMIT = "submit", _("Request form suggestions")
    AGENT = "agent", _("Agent article search")


class KnowledgeSearch(models.Model):
    """A search someone ran; those with no result are the content gaps managers look at."""

    query = models.CharField(max_length=200)
    # Lower-cased with spaces collapsed: how the same question typed twice is grouped.
    normalised = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=SearchSource.choices)
    language = models.CharField(max_length=10, blank=True)
    result_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at", "normalised"], name="kb_search_gap_idx", condition=Q(result_count=0)),
        ]

    def __str__(self) -> str:
        return self.query


class DeflectionOutcome(models.TextChoices):
    SOLVED = "solved", _("Solved by the article, no ticket")
    SUBMITTED = "submitted", _("Read the article, submitted anyway")


class DeflectionEvent(models.Model):
    """A requester on the request form who opened a suggested article, and what they did next."""

    outcome = models.CharField(max_length=10, choices=DeflectionOutcome.choices)
    query = models.CharField(max_length=200, blank=True)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["created_at", "outcome"], name="deflection_period_idx")]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.query}"
