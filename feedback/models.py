"""Feedback items: what requesters struggle with, organised and counted for product teams (spec §7).

Agents raise an item (from a ticket or on their own); more tickets link to it as they come.
Raising one counts as contribution in the KPIs ("feedback items raised", docs/kpis.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.names import LocalizedName


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    SHIPPED = "shipped", _("Shipped")
    DECLINED = "declined", _("Declined")


class ProductArea(LocalizedName, models.Model):
    """The part of the product a need concerns ("Reports", "Mobile app"); managed in the admin."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product area")
        verbose_name_plural = _("product areas")

    def __str__(self) -> str:
        return self.display_name


class FeedbackItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=20_000, blank=True)
    area = models.ForeignKey(
        ProductArea,
        verbose_name=_("product area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    status = models.CharField(_("status"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    # The raiser's team then: team figures count it there, whatever teams they join later.
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    tickets = models.ManyToManyField("tickets.Ticket", through="FeedbackLink", related_name="feedback_items")
    created_at = models.DateTimeField(_("raised"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        indexes = [models.Index(fields=["raised_by", "created_at"], name="feedback_raiser_idx")]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="feedback_title_not_empty")]

    def __str__(self) -> str:
        return self.title


class FeedbackLink(models.Model):
    """A ticket that shows the need: counts of tickets and distinct requesters come from these."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "ticket"], name="feedback_link_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.item_id}"


class FeedbackStatusChange(models.Model):
    """Who moved an item from one status to another, and when: the item's history."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=16, choices=FeedbackStatus.choices)
    new_status = models.CharField(max_length=16, choices=FeedbackStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.old_status} → {self.new_status}"


class FeedbackShippedNotice(models.Model):
    """A requester told that the item shipped: told once, however often it ships again."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="shipped_notices")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The ticket the e-mail linked to (one of theirs on the item).
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "requester"], name="feedback_shipped_told_once")]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.requester_id}"
