"""The outbox: e-mails written in the same transaction as the change that causes them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxEmail(models.Model):
    """One e-mail, rendered in its recipient's language when the change happened.

    A sweep claims a few due rows at a time (``SELECT … FOR UPDATE SKIP LOCKED``) by moving
    ``next_attempt_at`` forward (the lease) and writing its ``claim_token``; every later write
    about the row is conditional on that token, so a sweep whose lease ran out and was taken over
    cannot mark or reschedule a row that is no longer its own. ``sent_at`` marks delivery.
    """

    kind = models.CharField(max_length=40)
    to = models.EmailField()
    language = models.CharField(max_length=16)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.UUIDField(null=True, blank=True, help_text="The sweep holding the row until next_attempt_at.")
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Gave up after the last attempt.")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
            models.Index(fields=["ticket", "created_at"], name="outbox_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"


class FailingAddress(models.Model):
    """An address mail to which bounced: the outbox sends it nothing until an agent clears it.

    Written by the e-mail import when a delivery status notification comes back
    (``notifications.suppression.mark_failing``); one row per address, compared in lower case.
    """

    address = models.EmailField(unique=True, help_text="Stored in lower case.")
    reason = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_failed_at"]
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")

    def __str__(self) -> str:
        return self.address
