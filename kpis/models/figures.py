"""Facts derived from the event log, and figures per period.

Nothing here is typed in: ``ResponseFact`` and ``ResolutionFact`` are rebuilt from
``TicketEvent`` by ``kpis/facts.py``, ``PeriodFigure`` from the facts by ``kpis/figures.py``.
Deleting every row and running ``manage.py kpi_refresh --full`` gives the same tables back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The facts' foreign keys have no database constraints: they are derived rows, rebuilt from the
# event log, and checking their deferred constraints added ~20 s to a full refresh's commit at
# 200,000 tickets (docs/performance.md).


class ResponseFact(models.Model):
    """A ticket's first public, non-automatic reply by staff: first response time."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    event = models.OneToOneField("tickets.TicketEvent", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    responded_at = models.DateTimeField()
    # The local day (team's time zone) the figures of a period are grouped by.
    day = models.DateField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, db_constraint=False, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.SET_NULL, null=True, db_constraint=False, related_name="+", db_index=False
    )
    frt_s = models.FloatField()
    business_s = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["day"], name="kpi_response_day_idx")]

    def __str__(self) -> str:
        return f"first response on ticket {self.ticket_id}"


class ResolutionFact(models.Model):
    """One ``resolved`` event with everything the resolution metrics need about it."""

    event = models.OneToOneField(
        "tickets.TicketEvent", primary_key=True, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, db_constraint=False, related_name="+")
    seq = models.BigIntegerField()
    resolved_at = models.DateTimeField()
    day = models.DateField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, db_constraint=False, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        "tickets.Category", on_delete=models.SET_NULL, null=True, db_constraint=False, related_name="+", db_index=False
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    ticket_type = models.CharField(max_length=20)
    complexity = models.PositiveSmallIntegerField(null=True)
    is_first = models.BooleanField()
    resolution_s = models.FloatField()
    business_s = models.PositiveIntegerField(null=True)
    escalated_before = models.BooleanField()
    reopened_before = models.BooleanField()
    reassigned_before = models.BooleanField()
    reopened_in_window = models.BooleanField()
    recurred = models.BooleanField()
    answered = models.BooleanField()
    # Maintenance runs: resolved by the run's due time (null for other tickets).
    on_time = models.BooleanField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["day"], name="kpi_resolution_day_idx"),
            models.Index(fields=["ticket", "seq"], name="kpi_resolution_ticket_idx"),
            models.Index(fields=["requester", "resolved_at"], name="kpi_resolution_requester_idx"),
        ]

    def __str__(self) -> str:
        return f"resolution {self.event_id} of ticket {self.ticket_id}"


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Dimension(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM = "team", _("Team")
    CATEGORY = "category", _("Category")
    DESK = "desk", _("Whole desk")


class PeriodFigure(models.Model):
    """The metrics of one period for one agent, team, category or the whole desk (key 0).

    ``values`` holds the metric keys of docs/kpis.md (``tickets_resolved``, ``frt_median_s`` ...).
    """

    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.BigIntegerField()
    values = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "dimension", "key", "start"], name="kpi_figure_once"),
        ]
        indexes = [models.Index(fields=["period", "dimension", "start"], name="kpi_figure_period_idx")]

    def __str__(self) -> str:
        return f"{self.period} {self.start} {self.dimension} {self.key}"


class StalePeriod(models.Model):
    """A week, month or quarter whose figures wait for the next ``refresh_periods`` run.

    The incremental run keeps days current every few minutes and marks the longer periods its
    changes fall in; their medians and p90 need every fact of the period read again, so they
    are recomputed on a slower beat (``KPI_PERIODS_SECONDS``). See kpis/rollups.py.
    """

    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "start"], name="kpi_stale_period_once")]

    def __str__(self) -> str:
        return f"{self.period} {self.start}"


class RefreshState(models.Model):
    """Where the incremental refresh stopped: every event with ``seq`` up to ``last_seq`` is in."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    full_refreshed_at = models.DateTimeField(null=True)
    periods_refreshed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"KPIs up to event {self.last_seq}"


class TeamSnapshot(models.Model):
    """What a team's dashboard shows "as of now" rather than per period, stored by the KPI refresh.

    ``backlog`` counts the open tickets by age bucket (``kpis.snapshots.AGE_BUCKETS``);
    ``arrivals`` is a 7 × 24 grid (weekday, Monday first × local hour) of tickets created for the
    team in the last ``kpis.snapshots.ARRIVAL_WEEKS`` weeks.
    """

    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, primary_key=True, related_name="+")
    backlog = models.JSONField()
    arrivals = models.JSONField()
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"team {self.team_id} as of {self.computed_at:%Y-%m-%d %H:%M}"


class PeriodSection(models.Model):
    """A dashboard section of one period that is not a metric: stored by the rollups (kpis/period_sections.py).

    ``key`` names the section (``escalation_flow`` per team, ``deflection`` for the desk, team None).
    """

    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=32)
    rows = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "key", "team", "start"], name="kpi_section_once", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period} {self.start} team {self.team_id}"
