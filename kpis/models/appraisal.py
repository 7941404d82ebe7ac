"""Appraisal: scorecards per team, ticket quality reviews, appraisal periods with frozen snapshots.

What the figures mean is in docs/kpis.md; how an item scores is ``kpis/scoring.py``. A final
appraisal keeps its figures in ``Appraisal.snapshot``: later events, refreshes or scorecard
edits never change it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpis.models.figures import Period


def default_bands() -> list[dict]:
    """Rating bands, best first: a composite score at or above ``min`` earns the label."""
    return [
        {"min": 90, "label": "Outstanding"},
        {"min": 75, "label": "Exceeds expectations"},
        {"min": 60, "label": "Meets expectations"},
        {"min": 40, "label": "Needs improvement"},
        {"min": 0, "label": "Unsatisfactory"},
    ]


class Scorecard(models.Model):
    """The items a team is appraised on; the one without a team applies to teams without their own."""

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scorecard",
    )
    name = models.CharField(_("name"), max_length=120)
    bands = models.JSONField(_("rating bands"), default=default_bands)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            # At most one default scorecard (team null): NULLs compare equal here.
            models.UniqueConstraint(fields=["team"], name="scorecard_one_per_team", nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class ScorecardItem(models.Model):
    """One metric of a scorecard: 0 points at ``floor``, 100 at ``target``, linear between, capped."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="items"
    )
    metric = models.CharField(_("metric"), max_length=40)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=[MinValueValidator(1)])
    target = models.FloatField(_("target"))
    floor = models.FloatField(_("floor"))
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    min_sample = models.PositiveIntegerField(
        _("minimum sample"), default=5, help_text=_("Fewer samples than this: “not enough data”.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "metric"], name="scorecard_item_once"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="scorecard_item_weight_positive"),
            # A target on the wrong side of the floor would score backwards.
            models.CheckConstraint(
                condition=(Q(direction="higher", target__gt=models.F("floor")))
                | Q(direction="lower", target__lt=models.F("floor")),
                name="scorecard_item_target_beyond_floor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard}: {self.metric}"


class ReviewerAppointment(models.Model):
    """A senior agent a manager appointed to review a team's tickets (managers review anyway)."""

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="+"
    )
    appointed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("appointed"), auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer appointment")
        verbose_name_plural = _("reviewer appointments")
        constraints = [models.UniqueConstraint(fields=["team", "reviewer"], name="reviewer_once_per_team")]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews {self.team}"


class ReviewReason(models.TextChoices):
    RANDOM = "random", _("Random sample")
    LOW_CSAT = "low_csat", _("Low satisfaction score")


class QualityReview(models.Model):
    """A resolution drawn for review, and (once done) the reviewer's scores; one per resolution."""

    resolution_event = models.OneToOneField(
        "tickets.TicketEvent", on_delete=models.PROTECT, related_name="quality_review"
    )
    ticket = models.ForeignKey("tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="quality_reviews"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The local day of the resolution: which period's appraisal the review belongs to.
    day = models.DateField(_("resolved on"))
    reason = models.CharField(_("reason"), max_length=10, choices=ReviewReason.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accuracy = models.PositiveSmallIntegerField(
        _("accuracy"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    professionalism = models.PositiveSmallIntegerField(
        _("professionalism"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    empathy = models.PositiveSmallIntegerField(
        _("empathy"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    completeness = models.PositiveSmallIntegerField(
        _("completeness"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=5_000, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    agent_reply = models.TextField(_("agent's reply"), max_length=5_000, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    created_at = models.DateTimeField(_("drawn"))

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        indexes = [models.Index(fields=["agent", "day"], name="quality_review_agent_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True)
                | Q(
                    accuracy__range=(1, 5),
                    professionalism__range=(1, 5),
                    empathy__range=(1, 5),
                    completeness__range=(1, 5),
                ),
                name="quality_review_scored_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"review of resolution {self.resolution_event_id}"

    @property
    def score(self) -> float | None:
        """The mean of the four scores, 1–5; None until reviewed."""
        if self.reviewed_at is None:
            return None
        return (self.accuracy + self.professionalism + self.empathy + self.completeness) / 4


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CALCULATED = "calculated", _("Calculated")
    IN_REVIEW = "in_review", _("In review")
    FINAL = "final", _("Final")


class AppraisalPeriod(models.Model):
    """A team's month or quarter of appraisal: open → calculated → in review → final."""

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(
        _("period"),
        max_length=8,
        choices=[(Period.MONTH, Period.MONTH.label), (Period.QUARTER, Period.QUARTER.label)],
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=12, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["-start", "team"]
        verbose_name = _("appraisal period")
        verbose_name_plural = _("appraisal periods")
        constraints = [models.UniqueConstraint(fields=["team", "period", "start"], name="appraisal_period_once")]

    def __str__(self) -> str:
        return f"{self.team} {self.start:%Y-%m} ({self.period})"


class AppraisalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class GrowthKind(models.TextChoices):
    TRAINING = "training", _("Training")
    CERTIFICATION = "certification", _("Certification")
    MENTORING = "mentoring", _("Mentoring")
    OTHER = "other", _("Other")


class Appraisal(models.Model):
    """One agent's appraisal in a period. ``snapshot`` holds every figure and score shown."""

    period = models.ForeignKey(
        AppraisalPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="appraisals"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="appraisals"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AppraisalStatus.choices, default=AppraisalStatus.DRAFT
    )
    # {"computed_at", "scorecard": {...}, "values": {...}, "items": [...], "composite", "band"}
    snapshot = models.JSONField(_("figures"), default=dict)
    # [{"kind": GrowthKind, "title": str, "date": "YYYY-MM-DD"}]: the growth dimension.
    growth_items = models.JSONField(_("growth items"), default=list, blank=True)
    strengths = models.TextField(_("strengths"), max_length=10_000, blank=True)
    improvements = models.TextField(_("areas to improve"), max_length=10_000, blank=True)
    training_plan = models.TextField(_("training plan"), max_length=10_000, blank=True)
    agent_comment = models.TextField(_("agent's comment"), max_length=10_000, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period", "agent"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        constraints = [models.UniqueConstraint(fields=["period", "agent"], name="appraisal_once_per_period")]

    def __str__(self) -> str:
        return f"{self.agent} in {self.period}"


class AppraisalStep(models.Model):
    """Who moved a period or an appraisal on, and when: the appraisal's own audit trail."""

    period = models.ForeignKey(AppraisalPeriod, on_delete=models.CASCADE, related_name="steps")
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, null=True, blank=True, related_name="steps")
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
