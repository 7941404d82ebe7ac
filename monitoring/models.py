"""Monitoring sources, their routing table and the alerts they send (spec §7, "Monitoring intake").

An :class:`Alert` row is one incident of one fingerprint: it stays open (``firing``) until the
source reports it resolved, and a later firing of the same fingerprint is a new row and a new
ticket. The partial unique constraint keeps it to one open row per (source, fingerprint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from tickets.models import Ticket


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class AlertSource(models.Model):
    """A monitoring system allowed to post alerts, with its own secret token (stored hashed)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"), help_text=_("Where its alerts go.")
    )
    # The requester of its tickets: an inactive account of its own, created with the source.
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False)
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    auto_resolve = models.BooleanField(
        _("auto-resolve"), default=False, help_text=_("Resolve the ticket when the alert is reported resolved.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")

    def __str__(self) -> str:
        return self.name


class AlertRoute(models.Model):
    """Alerts whose label ``label`` equals ``value`` go to ``team`` instead of the source's team."""

    source = models.ForeignKey(AlertSource, on_delete=models.CASCADE, related_name="routes")
    label = models.CharField(_("label"), max_length=100, default="service")
    value = models.CharField(_("value"), max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("alert route")
        verbose_name_plural = _("alert routes")

    def __str__(self) -> str:
        return f"{self.label}={self.value} → {self.team}"


class Alert(models.Model):
    source = models.ForeignKey(AlertSource, on_delete=models.PROTECT, related_name="alerts")
    fingerprint = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.FIRING)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    summary = models.CharField(max_length=200)
    labels = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="+")
    fire_count = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "fingerprint"],
                condition=Q(status="firing"),
                name="alert_one_open_per_fingerprint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.fingerprint} ({self.status})"


class Spike(models.Model):
    """A category receiving far more tickets than usual (spec §7, "Trends"; monitoring/spikes.py).

    Open while ``ended_at`` is null; the partial unique constraint keeps it to one open spike per
    category, so managers hear of a spike once, and a new one opens only after the last has ended.
    """

    category = models.ForeignKey(
        "tickets.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    started_at = models.DateTimeField(_("started"))
    last_seen_at = models.DateTimeField(_("last seen"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The highest count of the category's tickets in one window while the spike lasted.
    tickets_in_window = models.PositiveIntegerField(_("tickets in the window"))
    # The usual count for the same window of the week, averaged over the previous weeks.
    baseline = models.FloatField(_("usual count"))
    notified_at = models.DateTimeField(_("managers told"), null=True, blank=True)
    parent = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("major incident"),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("ticket spike")
        verbose_name_plural = _("ticket spikes")
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=Q(ended_at__isnull=True), name="spike_one_open_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
