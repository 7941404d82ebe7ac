"""Appraisal periods: open → calculated → in review → final, then each agent acknowledges.

Every change goes through one function here (``period_open``, ``period_calculate``,
``period_start_review``, ``appraisal_update``, ``period_finalize``, ``appraisal_acknowledge``),
which checks who may do it, locks the row, writes inside one transaction and records an
``AppraisalStep`` (action, actor, time, detail). ``acting_user=None`` means the system (the beat
task). Who may see what is answered by ``may_manage_period`` and ``may_view_appraisal`` only.

An appraisal's ``snapshot`` holds everything its pages show: the scorecard as it was, the
agent's figures, the score of each item and the team's medians. It is refreshed while the period
is open to change and written a last time when the period is finalised; after that no function
here writes it again, so later events, refreshes and scorecard edits never alter a final
appraisal (docs/kpis.md, "Appraisal periods").
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from accounts.models import Team, User
from accounts.permissions import managed_teams, manages_team
from helpdesk.errors import ApplicationError, ConflictError
from kpis.metrics import METRICS
from kpis.models import (
    Appraisal,
    AppraisalPeriod,
    AppraisalStatus,
    AppraisalStep,
    Dimension,
    GrowthKind,
    Period,
    PeriodFigure,
    PeriodStatus,
)
from kpis.rollups import period_end, period_start
from kpis.scorecards import rules_of, scorecard_for
from kpis.scoring import ItemRule, score

# The labels of the default rating bands (kpis.models.appraisal.default_bands), for the catalogue:
# bands are data, translated where they are shown when the catalogue knows them.
BAND_LABELS = (
    gettext_noop("Outstanding"),
    gettext_noop("Exceeds expectations"),
    gettext_noop("Meets expectations"),
    gettext_noop("Needs improvement"),
    gettext_noop("Unsatisfactory"),
)


class Action:
    """``AppraisalStep.action`` values."""

    OPENED = "opened"
    CALCULATED = "calculated"
    REVIEW_STARTED = "review_started"
    UPDATED = "updated"
    FINALIZED = "finalized"
    ACKNOWLEDGED = "acknowledged"


# --- who may do what ------------------------------------------------------------------------


def may_manage_period(user: User | None, period: AppraisalPeriod) -> bool:
    """Managers of the period's team (and admins) see every appraisal of it and move it on."""
    return bool(user and user.is_authenticated and user.is_active and manages_team(user, period.team))


def may_view_appraisal(user: User | None, appraisal: Appraisal) -> bool:
    """The team's managers always; the agent once the appraisal is final (drafts are work in progress)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if may_manage_period(user, appraisal.period):
        return True
    return appraisal.agent_id == user.pk and appraisal.status != AppraisalStatus.DRAFT


def _require_manager(user: User | None, team: Team) -> None:
    """``None`` is the system (the beat task); anyone else must manage the team."""
    if user is not None and not (user.is_active and manages_team(user, team)):
        raise PermissionDenied


# --- selectors ------------------------------------------------------------------------------


def periods_for_manager(user: User) -> QuerySet[AppraisalPeriod]:
    return AppraisalPeriod.objects.filter(team__in=managed_teams(user)).select_related("team")


def appraisals_for_agent(user: User) -> QuerySet[Appraisal]:
    """The agent's own appraisals that are final or acknowledged, newest period first."""
    return (
        Appraisal.objects.filter(agent=user)
        .exclude(status=AppraisalStatus.DRAFT)
        .select_related("period__team")
        .order_by("-period__start", "-id")
    )


def period_steps(period: AppraisalPeriod) -> QuerySet[AppraisalStep]:
    return period.steps.select_related("actor", "appraisal__agent")


# --- computing a snapshot -------------------------------------------------------------------


def _months(period: AppraisalPeriod) -> int:
    return 3 if period.period == Period.QUARTER else 1


def _rules_from_snapshot(snapshot: dict) -> list[ItemRule]:
    return [ItemRule(**item) for item in snapshot["scorecard"]["items"]]


def _review_values(agent_ids: Iterable[int], period: AppraisalPeriod) -> dict[int, dict[str, Any]]:
    """``review_score`` (the mean of the reviews' scores) and ``reviews`` per agent, in the period."""
    from kpis.reviews import review_scores_for

    return {
        agent_id: {"review_score": mean, "reviews": count}
        for agent_id, (mean, count) in review_scores_for(agent_ids, period.start, period.end).items()
    }


def _calculate(period: AppraisalPeriod, now: datetime) -> list[Appraisal]:
    """Create or refresh the appraisal of every active agent in the team; growth and notes kept."""
    scorecard = scorecard_for(period.team)
    if scorecard is None:
        raise ApplicationError(_("No scorecard applies to this team: add one first."))
    rules = rules_of(scorecard)
    agents = list(period.team.members.staff().order_by("pk"))
    figures = {
        figure.key: figure.values
        for figure in PeriodFigure.objects.filter(
            period=period.period, start=period.start, dimension=Dimension.AGENT, key__in=[a.pk for a in agents]
        )
    }
    reviews = _review_values([agent.pk for agent in agents], period)
    existing = {appraisal.agent_id: appraisal for appraisal in period.appraisals.select_for_update()}
    values_of: dict[int, dict] = {}
    for agent in agents:
        appraisal = existing.get(agent.pk)
        values = {**figures.get(agent.pk, {}), "review_score": None, "reviews": 0}
        values.update(reviews.get(agent.pk, {}))
        values["growth_items"] = len(appraisal.growth_items) if appraisal else 0
        values_of[agent.pk] = values
    medians = {}
    for rule in rules:
        present = [values[rule.metric] for values in values_of.values() if values.get(rule.metric) is not None]
        medians[rule.metric] = statistics.median(present) if present else None
    shared = {
        "computed_at": now.isoformat(),
        "period": {"kind": period.period, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "scorecard": {
            "name": scorecard.name,
            "bands": list(scorecard.bands),
            "items": [asdict(rule) for rule in rules],
        },
        "team_median": medians,
    }
    result = []
    for agent in agents:
        values = values_of[agent.pk]
        snapshot = {
            **shared,
            "values": values,
            "score": score(rules, values, scorecard.bands, months=_months(period)).as_dict(),
        }
        appraisal = existing.get(agent.pk)
        if appraisal is None:
            appraisal = Appraisal.objects.create(period=period, agent=agent, snapshot=snapshot)
        else:
            appraisal.snapshot = snapshot
            appraisal.version += 1
            appraisal.save(update_fields=["snapshot", "version"])
        result.append(appraisal)
    return result


def _rescore(appraisal: Appraisal) -> None:
    """Score the snapshot again with its own scorecard after the growth items changed."""
    snapshot = appraisal.snapshot
    values = {**snapshot["values"], "growth_items": len(appraisal.growth_items)}
    rules = _rules_from_snapshot(snapshot)
    bands = snapshot["scorecard"]["bands"]
    snapshot["values"] = values
    snapshot["score"] = score(rules, values, bands, months=_months(appraisal.period)).as_dict()


# --- the workflow ---------------------------------------------------------------------------


def _lock_period(period: AppraisalPeriod) -> AppraisalPeriod:
    # Locks the period row only; the team row is read, not locked.
    return AppraisalPeriod.objects.select_for_update(of=("self",)).select_related("team").get(pk=period.pk)


def _lock_appraisal(appraisal: Appraisal) -> Appraisal:
    # The period row is locked too, so that a change queues behind a finalisation and then sees it.
    return (
        Appraisal.objects.select_for_update(of=("self", "period"))
        .select_related("period__team", "agent")
        .get(pk=appraisal.pk)
    )


def _step(
    period: AppraisalPeriod,
    action: str,
    *,
    actor: User | None,
    at: datetime,
    appraisal: Appraisal | None = None,
    **detail: Any,
) -> AppraisalStep:
    return AppraisalStep.objects.create(
        period=period, appraisal=appraisal, action=action, actor=actor, at=at, detail=detail
    )


def _move(period: AppraisalPeriod, to: str) -> dict[str, str]:
    old = period.status
    period.status = to
    period.save(update_fields=["status"])
    return {"from": old, "to": to}


def _refuse_final(period: AppraisalPeriod) -> None:
    if period.status == PeriodStatus.FINAL:
        raise ConflictError(_("This appraisal period is final: its figures can no longer change."))


@transaction.atomic
def period_open(team: Team, period_kind: str, start: date, *, acting_user: User) -> AppraisalPeriod:
    """Open the month or quarter that contains ``start`` (moved to its first day) for ``team``."""
    _require_manager(acting_user, team)
    if period_kind not in (Period.MONTH, Period.QUARTER):
        raise ApplicationError(_("An appraisal period is a month or a quarter."))
    first = period_start(period_kind, start)
    if AppraisalPeriod.objects.filter(team=team, period=period_kind, start=first).exists():
        raise ConflictError(_("This team already has an appraisal period for %(start)s.") % {"start": first})
    now = timezone.now()
    period = AppraisalPeriod.objects.create(
        team=team, period=period_kind, start=first, end=period_end(period_kind, first), created_at=now
    )
    _step(period, Action.OPENED, actor=acting_user, at=now, kind=period_kind, start=first.isoformat())
    return period


@transaction.atomic
def period_calculate(period: AppraisalPeriod, *, acting_user: User | None = None) -> AppraisalPeriod:
    """Compute (or compute again) every agent's snapshot; an open period becomes calculated."""
    period = _lock_period(period)
    _require_manager(acting_user, period.team)
    _refuse_final(period)
    now = timezone.now()
    appraisals = _calculate(period, now)
    detail: dict[str, Any] = {"appraisals": len(appraisals)}
    if period.status == PeriodStatus.OPEN:
        detail.update(_move(period, PeriodStatus.CALCULATED))
    _step(period, Action.CALCULATED, actor=acting_user, at=now, **detail)
    return period


@transaction.atomic
def period_start_review(period: AppraisalPeriod, *, acting_user: User) -> AppraisalPeriod:
    """Calculated → in review: the manager may now add growth items and notes."""
    period = _lock_period(period)
    _require_manager(acting_user, period.team)
    if period.status != PeriodStatus.CALCULATED:
        raise ConflictError(_("Only a calculated appraisal period can go into review."))
    now = timezone.now()
    _step(period, Action.REVIEW_STARTED, actor=acting_user, at=now, **_move(period, PeriodStatus.IN_REVIEW))
    return period


def _clean_growth_items(items: Sequence[dict]) -> list[dict]:
    cleaned = []
    for item in items:
        kind, title = item.get("kind"), str(item.get("title") or "").strip()
        day = item.get("date")
        if kind not in GrowthKind.values or not title:
            raise ApplicationError(_("Each growth item needs a kind and a title."))
        if isinstance(day, date):
            day = day.isoformat()
        elif day:
            try:
                day = date.fromisoformat(str(day)).isoformat()
            except ValueError as error:
                raise ApplicationError(_("A growth item's date must be a valid date.")) from error
        cleaned.append({"kind": kind, "title": title[:200], "date": day or None})
    return cleaned


@transaction.atomic
def appraisal_update(
    appraisal: Appraisal,
    *,
    growth_items: Sequence[dict],
    strengths: str,
    improvements: str,
    training_plan: str,
    acting_user: User,
    expected_version: int | None = None,
) -> Appraisal:
    """The manager's part while the period is in review; the growth item's points follow."""
    appraisal = _lock_appraisal(appraisal)
    _require_manager(acting_user, appraisal.period.team)
    if appraisal.period.status != PeriodStatus.IN_REVIEW:
        raise ConflictError(_("Growth items and notes can be changed only while the period is in review."))
    if expected_version is not None and expected_version != appraisal.version:
        raise ConflictError(
            _("Someone else changed this appraisal while you were editing it. Reload the page to see their change."),
            extra={"current_version": appraisal.version},
        )
    new = {
        "growth_items": _clean_growth_items(growth_items),
        "strengths": strengths.strip(),
        "improvements": improvements.strip(),
        "training_plan": training_plan.strip(),
    }
    changed = [name for name, value in new.items() if getattr(appraisal, name) != value]
    if not changed:
        return appraisal
    old_growth = len(appraisal.growth_items)
    for name, value in new.items():
        setattr(appraisal, name, value)
    _rescore(appraisal)
    appraisal.version += 1
    appraisal.save(update_fields=[*new, "snapshot", "version"])
    detail: dict[str, Any] = {"changed": changed}
    if "growth_items" in changed:
        detail["growth_items"] = {"old": old_growth, "new": len(appraisal.growth_items)}
    _step(appraisal.period, Action.UPDATED, actor=acting_user, at=timezone.now(), appraisal=appraisal, **detail)
    return appraisal


@transaction.atomic
def period_finalize(period: AppraisalPeriod, *, acting_user: User) -> AppraisalPeriod:
    """In review → final: every snapshot is computed a last time and frozen with its appraisal."""
    period = _lock_period(period)
    _require_manager(acting_user, period.team)
    if period.status != PeriodStatus.IN_REVIEW:
        raise ConflictError(_("Only an appraisal period in review can be finalised."))
    now = timezone.now()
    appraisals = _calculate(period, now)
    for appraisal in appraisals:
        appraisal.status = AppraisalStatus.FINAL
        appraisal.save(update_fields=["status"])
    move = _move(period, PeriodStatus.FINAL)
    _step(period, Action.FINALIZED, actor=acting_user, at=now, appraisals=len(appraisals), **move)
    return period


@transaction.atomic
def appraisal_acknowledge(
    appraisal: Appraisal, *, comment: str, acting_user: User, expected_version: int | None = None
) -> Appraisal:
    """The agent has read their final appraisal; their comment stays with it."""
    appraisal = _lock_appraisal(appraisal)
    if acting_user.pk != appraisal.agent_id:
        raise PermissionDenied
    if appraisal.status == AppraisalStatus.ACKNOWLEDGED:
        raise ConflictError(_("You have already acknowledged this appraisal."))
    if appraisal.status != AppraisalStatus.FINAL:
        raise ConflictError(_("An appraisal can be acknowledged only once it is final."))
    if expected_version is not None and expected_version != appraisal.version:
        raise ConflictError(_("This appraisal changed while you were reading it. Reload the page."))
    now = timezone.now()
    appraisal.status = AppraisalStatus.ACKNOWLEDGED
    appraisal.agent_comment = comment.strip()
    appraisal.acknowledged_at = now
    appraisal.version += 1
    appraisal.save(update_fields=["status", "agent_comment", "acknowledged_at", "version"])
    _step(appraisal.period, Action.ACKNOWLEDGED, actor=acting_user, at=now, appraisal=appraisal)
    return appraisal


def calculate_due_periods(now: datetime | None = None) -> int:
    """The beat task's work: calculate the open periods whose last day has passed in the team's time zone."""
    now = now or timezone.now()
    done = 0
    candidates = AppraisalPeriod.objects.filter(status=PeriodStatus.OPEN, end__lt=now.date() + timedelta(days=1))
    for period in candidates.select_related("team"):
        if timezone.localtime(now, period.team.time_zone).date() > period.end:
            period_calculate(period, acting_user=None)
            done += 1
    return done


# --- what the pages show --------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return _("%(minutes)s min") % {"minutes": round(seconds / 60)}
    return pgettext("kpi dashboard", "%(hours)s h") % {"hours": f"{seconds / 3600:.1f}"}


def period_label(period: AppraisalPeriod) -> str:
    """ "October 2026" or "Q4 2026", in the active language."""
    if period.period == Period.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": (period.start.month - 1) // 3 + 1, "year": period.start.year}
    return formats.date_format(period.start, "YEAR_MONTH_FORMAT")


def display_value(metric: str, value: float | None) -> str:
    """A metric's value as a reader expects it: hours and minutes, percentages, scores."""
    if value is None:
        return "–"
    unit = METRICS[metric].unit if metric in METRICS else "count"
    if unit == "seconds":
        return _duration(float(value))
    if unit == "rate":
        return f"{float(value) * 100:.1f} %"
    if unit == "score":
        return f"{float(value):.2f}"
    return f"{float(value):g}"


def appraisal_sheet(appraisal: Appraisal) -> dict[str, Any]:
    """Everything an appraisal page or its PDF shows, read from the snapshot alone.

    Each item carries what explains its points: the value and its sample, the target and floor
    (scaled for a quarter), the points, the weight and its share after redistribution, and the
    points it adds to the composite.
    """
    snapshot = appraisal.snapshot or {}
    result = snapshot.get("score") or {"items": [], "composite": None, "band": None}
    minimum = {item["metric"]: item["min_sample"] for item in snapshot.get("scorecard", {}).get("items", [])}
    medians = snapshot.get("team_median", {})
    rows = []
    for item in result["items"]:
        metric = item["metric"]
        known = METRICS.get(metric)
        rows.append(
            {
                "metric": metric,
                "label": known.label if known else metric,
                "area": known.area if known else "",
                "value": display_value(metric, item["value"]),
                "sample": item["sample"],
                "min_sample": minimum.get(metric),
                "enough_data": item["enough_data"],
                "target": display_value(metric, item["target"]),
                "floor": display_value(metric, item["floor"]),
                "points": item["points"],
                "weight": item["weight"],
                "share": item["share"] * 100,
                "contribution": (item["points"] or 0) * item["share"],
                "median": display_value(metric, medians.get(metric)),
            }
        )
    band = result.get("band")
    return {
        "rows": rows,
        # None: not enough data — the items with enough data carry less than half of the weight
        # (kpis.scoring.MIN_WEIGHT_WITH_DATA); the snapshot keeps the composite as it was scored.
        "composite": result.get("composite"),
        "band": _(band) if band else None,
        "weight_with_data": sum(item["weight"] for item in result["items"] if item["enough_data"]),
        "total_weight": sum(item["weight"] for item in result["items"]),
        "scorecard": snapshot.get("scorecard", {}).get("name", ""),
        "computed_at": datetime.fromisoformat(snapshot["computed_at"]) if snapshot.get("computed_at") else None,
    }
