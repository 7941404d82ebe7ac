"""The metrics a scorecard can use: what each means, which way is better, what counts as a sample.

Values come from ``PeriodFigure.values`` (docs/kpis.md), except two that are the appraisal's
own: ``review_score`` (the mean of the period's ticket quality reviews) and ``growth_items`` (the
training, certifications and mentoring a manager records).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Area:
    EFFICIENCY = _("Efficiency")
    QUALITY = _("Quality and satisfaction")
    WORKLOAD = _("Workload and contribution")
    GROWTH = _("Growth")


@dataclass(frozen=True)
class Metric:
    key: str
    label: Promise
    area: Promise
    unit: str  # "seconds", "rate", "count", "score"
    higher_is_better: bool
    # The count in PeriodFigure.values this metric is measured over; None: always enough.
    sample: str | None
    # Counts grow with the length of the period: targets are per month, three times for a quarter.
    per_month: bool = False


METRICS = {
    metric.key: metric
    for metric in [
        Metric("frt_median_s", _("First response time (median)"), Area.EFFICIENCY, "seconds", False, "frt_count"),
        Metric(
            "resolution_final_median_s",
            _("Resolution time (median)"),
            Area.EFFICIENCY,
            "seconds",
            False,
            "tickets_resolved",
        ),
        Metric(
            "resolution_final_business_median_s",
            _("Resolution time in business hours (median)"),
            Area.EFFICIENCY,
            "seconds",
            False,
            "tickets_resolved",
        ),
        Metric("fcr_rate", _("First-contact resolution"), Area.EFFICIENCY, "rate", True, "tickets_resolved"),
        Metric(
            "sla_response_rate", _("SLA attainment: first response"), Area.EFFICIENCY, "rate", True, "sla_response_due"
        ),
        Metric(
            "sla_resolution_rate",
            _("SLA attainment: resolution"),
            Area.EFFICIENCY,
            "rate",
            True,
            "sla_resolution_due",
        ),
        Metric("csat_positive_rate", _("Satisfied requesters (CSAT 4–5)"), Area.QUALITY, "rate", True, "csat_answers"),
        Metric("csat_mean", _("Mean satisfaction score"), Area.QUALITY, "score", True, "csat_answers"),
        Metric("reopen_rate", _("Reopen rate"), Area.QUALITY, "rate", False, "resolutions"),
        Metric("recurrence_rate", _("Recurrence rate"), Area.QUALITY, "rate", False, "tickets_resolved"),
        Metric("review_score", _("Ticket quality review score"), Area.QUALITY, "score", True, "reviews"),
        Metric("tickets_resolved", _("Tickets resolved"), Area.WORKLOAD, "count", True, None, per_month=True),
        Metric(
            "weighted_workload", _("Complexity-weighted workload"), Area.WORKLOAD, "count", True, None, per_month=True
        ),
        Metric("requesters_served", _("Requesters served"), Area.WORKLOAD, "count", True, None, per_month=True),
        Metric(
            "maintenance_on_time",
            _("Maintenance runs done on time"),
            Area.WORKLOAD,
            "count",
            True,
            None,
            per_month=True,
        ),
        Metric("articles_published", _("Articles published"), Area.WORKLOAD, "count", True, None, per_month=True),
        Metric("article_reuse", _("Article reuse"), Area.WORKLOAD, "count", True, None, per_month=True),
        Metric("feedback_raised", _("Feedback items raised"), Area.WORKLOAD, "count", True, None, per_month=True),
        Metric("growth_items", _("Training, certifications, mentoring"), Area.GROWTH, "count", True, None),
    ]
}
