"""Ticket quality reviews: resolutions drawn for review, the reviewer's scores, the agent's reply.

Each period ``draw_reviews`` draws, per agent, a random sample of the resolutions they recorded
(``KPI_REVIEW_SAMPLE_SIZE``, 5) plus every resolution the requester rated 1 or 2. A manager of
the resolution's team, an admin, or a senior agent the manager appointed scores it 1–5 on
accuracy, professionalism, empathy and completeness; the agent reads the review and may reply.
The mean of the four scores is the ``review_score`` scorecard metric (``review_score_for``).

Who may do what is answered here only: ``may_review``, ``may_view_review``, ``may_reply`` and
``may_appoint_reviewers``. Every change goes through one function (``review_submit``,
``review_reply``, ``review_draw``, ``reviewer_appoint``, ``reviewer_remove``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from accounts.permissions import managed_teams, manages_team
from helpdesk.errors import ApplicationError, ConflictError
from kpis.facts import STAFF_ROLES, local_day
from kpis.models import QualityReview, ReviewerAppointment
from tickets.models import ResolutionCode, SatisfactionAnswer
from tickets.selectors import request_attachments, thread

# The four scores of a review, in the order the form asks for them.
SCORES = ("accuracy", "professionalism", "empathy", "completeness")
# A satisfaction answer at or below this always brings its resolution up for review.
LOW_CSAT_SCORE = 2
# One manager's draw covers at most a quarter: a larger range is almost certainly a typo.
MAX_DRAW_DAYS = 92


def sample_size_setting() -> int:
    return int(getattr(settings, "KPI_REVIEW_SAMPLE_SIZE", 5))


# --- who may do what ------------------------------------------------------------------------


def _active(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def reviewable_teams(user: User | None) -> QuerySet[Team]:
    """The teams whose resolutions ``user`` reviews: managed ones, and those they were appointed to.

    An appointment counts while the reviewer is still an agent in the team.
    """
    if not (_active(user) and user.works_tickets):
        return Team.objects.none()
    if user.has_role(Role.ADMIN):
        return Team.objects.all()
    condition = Q(pk__in=ReviewerAppointment.objects.filter(reviewer=user, team__members=user).values("team_id"))
    if user.has_role(Role.MANAGER):
        condition |= Q(pk__in=Team.managers.through.objects.filter(user=user).values("team_id"))
    return Team.objects.filter(condition)


def may_review(user: User | None, review: QualityReview) -> bool:
    """Score it: a reviewer of its team (managers, admins, appointees), never the reviewed agent."""
    if not _active(user) or review.agent_id == user.pk:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return review.team_id is not None and reviewable_teams(user).filter(pk=review.team_id).exists()


def may_view_review(user: User | None, review: QualityReview) -> bool:
    """Its reviewers; the agent once it has been reviewed (a drawn one is not a judgement yet)."""
    if not _active(user):
        return False
    if review.agent_id == user.pk:
        return review.reviewed_at is not None
    return may_review(user, review)


def may_reply(user: User | None, review: QualityReview) -> bool:
    return _active(user) and review.agent_id == user.pk and review.reviewed_at is not None


def may_appoint_reviewers(user: User | None, team: Team) -> bool:
    return _active(user) and manages_team(user, team)


# --- selectors ------------------------------------------------------------------------------


def review_queue(
    user: User,
    *,
    done: bool = False,
    team: Team | None = None,
    agent: User | None = None,
    reason: str | None = None,
) -> QuerySet[QualityReview]:
    """The reviews ``user`` may score (pending, or ``done``), oldest resolution first when pending."""
    reviews = QualityReview.objects.filter(reviewed_at__isnull=not done).exclude(agent=user)
    if not user.has_role(Role.ADMIN):  # admins also see resolutions of tickets without a team
        reviews = reviews.filter(team__in=reviewable_teams(user))
    reviews = reviews.select_related("ticket", "agent", "team", "reviewer")
    if team is not None:
        reviews = reviews.filter(team=team)
    if agent is not None:
        reviews = reviews.filter(agent=agent)
    if reason:
        reviews = reviews.filter(reason=reason)
    return reviews.order_by("-reviewed_at", "-id") if done else reviews.order_by("day", "id")


def reviewed_agents(user: User) -> QuerySet[User]:
    """The agents with reviews in ``user``'s queue: the choices of the queue's agent filter."""
    return User.objects.filter(
        pk__in=QualityReview.objects.filter(team__in=reviewable_teams(user)).exclude(agent=user).values("agent_id")
    )


def reviews_for_agent(user: User) -> QuerySet[QualityReview]:
    """The agent's own reviews that have been scored, newest first."""
    return (
        QualityReview.objects.filter(agent=user, reviewed_at__isnull=False)
        .select_related("ticket", "team", "reviewer")
        .order_by("-day", "-id")
    )


def review_scores_for(agent_ids: Iterable[int], first_day: date, last_day: date) -> dict[int, tuple[float, int]]:
    """Per agent: the mean score (1–5) of their reviewed reviews whose resolution day is in the
    range, and how many there are: the ``review_score`` metric and its sample ``reviews``.
    Agents without a reviewed review are missing."""
    total = F("accuracy") + F("professionalism") + F("empathy") + F("completeness")
    rows = (
        QualityReview.objects.filter(
            agent_id__in=list(agent_ids), day__range=(first_day, last_day), reviewed_at__isnull=False
        )
        .values("agent_id")
        .annotate(mean=Avg(Cast(total, FloatField()) / 4.0), count=Count("id"))
    )
    return {row["agent_id"]: (float(row["mean"]), row["count"]) for row in rows}


def review_score_for(agent_id: int, first_day: date, last_day: date) -> tuple[float | None, int]:
    return review_scores_for([agent_id], first_day, last_day).get(agent_id, (None, 0))


def review_score(agent: User, first_day: date, last_day: date) -> tuple[float | None, int]:
    return review_score_for(agent.pk, first_day, last_day)


def review_ticket_summary(review: QualityReview) -> dict[str, Any]:
    """What a reviewer reads: the thread (public replies and notes), the resolution, the CSAT answer."""
    event = review.resolution_event
    value = event.new_value if isinstance(event.new_value, dict) else {}
    code = value.get("code") or ""
    return {
        "thread": thread(review.ticket, include_internal=True),
        "request_files": request_attachments(review.ticket),
        "resolved_at": event.created_at,
        "resolution_code": ResolutionCode(code).label if code in ResolutionCode.values else code,
        "resolution_summary": value.get("summary") or "",
        "satisfaction": SatisfactionAnswer.objects.filter(resolution_event_id=review.resolution_event_id).first(),
    }


def appointments_for_manager(user: User) -> QuerySet[ReviewerAppointment]:

    return (
        ReviewerAppointment.objects.filter(team__in=managed_teams(user))
        .select_related("team", "reviewer", "appointed_by")
        .order_by("team__name", "reviewer__full_name")
    )


def appointable_agents(teams: QuerySet[Team]) -> QuerySet[User]:
    """Active agents (and above) who are members of one of ``teams``."""
    return User.objects.filter(
        is_active=True, role__in=[Role.AGENT, Role.MANAGER, Role.ADMIN], teams__in=teams
    ).distinct()


# --- drawing --------------------------------------------------------------------------------

# One statement: the resolutions of the range that have no review yet; those rated low are all
# drawn, of the rest a random sample per agent, topped up to the sample size. Ranking by
# md5(seed || id) makes a draw repeatable for a given seed. The advisory lock keeps two draws
# from both topping up the same agent.
_DRAW_SQL = """
WITH resolution AS (
    SELECT event.id AS event_id, event.ticket_id, event.actor_id AS agent_id, event.team_id,
           {day} AS day, answer.score AS csat
    FROM tickets_ticketevent AS event
    JOIN accounts_user AS agent ON agent.id = event.actor_id
    LEFT JOIN accounts_team AS team ON team.id = event.team_id
    LEFT JOIN tickets_satisfactionanswer AS answer ON answer.resolution_event_id = event.id
    WHERE event.kind = 'resolved' AND agent.role IN ({staff}) AND {teams}
      AND event.created_at >= %(from_moment)s AND event.created_at < %(to_moment)s
), candidate AS (
    SELECT * FROM resolution
    WHERE day BETWEEN %(first_day)s AND %(last_day)s
      AND NOT EXISTS (SELECT 1 FROM kpis_qualityreview AS done WHERE done.resolution_event_id = resolution.event_id)
), ranked AS (
    SELECT candidate.*, row_number() OVER (
        PARTITION BY agent_id ORDER BY md5(%(seed)s || event_id::text), event_id) AS draw
    FROM candidate
    WHERE csat IS NULL OR csat > %(low)s
), already AS (
    SELECT agent_id, count(*) AS drawn FROM kpis_qualityreview
    WHERE reason = 'random' AND day BETWEEN %(first_day)s AND %(last_day)s
    GROUP BY agent_id
), drawn AS (
    SELECT event_id, ticket_id, agent_id, team_id, day, 'low_csat' AS reason FROM candidate WHERE csat <= %(low)s
    UNION ALL
    SELECT ranked.event_id, ranked.ticket_id, ranked.agent_id, ranked.team_id, ranked.day, 'random'
    FROM ranked LEFT JOIN already USING (agent_id)
    WHERE ranked.draw <= %(size)s - COALESCE(already.drawn, 0)
)
INSERT INTO kpis_qualityreview
    (resolution_event_id, ticket_id, agent_id, team_id, day, reason, comment, agent_reply, created_at)
SELECT event_id, ticket_id, agent_id, team_id, day, reason, '', '', %(now)s FROM drawn
ON CONFLICT (resolution_event_id) DO NOTHING
"""


def draw_reviews(
    first_day: date,
    last_day: date,
    *,
    sample_size: int | None = None,
    seed: int | str | None = None,
    teams: Iterable[int] | None = None,
) -> int:
    """Draw the resolutions of local days ``first_day``–``last_day`` for review; returns how many.

    Per agent (the actor of the ``resolved`` event): up to ``sample_size`` random resolutions in
    the range — counting those drawn at random before — plus every one with a satisfaction
    answer of 1 or 2. Running it again draws nothing new unless new resolutions or low answers
    arrived. ``teams`` (ids) limits the draw to resolutions of those teams. Merged duplicates
    have no ``resolved`` event and are never drawn.
    """
    size = sample_size_setting() if sample_size is None else int(sample_size)
    if size < 0 or last_day < first_day:
        raise ApplicationError(_("Choose a valid range of days and a sample size of 0 or more."))
    team_filter = "TRUE"
    params: dict[str, Any] = {}
    if teams is not None:
        team_ids = [int(team) for team in teams]
        if not team_ids:
            return 0
        team_filter = "event.team_id = ANY(%(team_ids)s)"
        params["team_ids"] = team_ids
    sql = _DRAW_SQL.format(
        day=local_day("event.created_at", "team"),
        staff=", ".join(f"'{role}'" for role in STAFF_ROLES),
        teams=team_filter,
    )
    params.update(
        zone=settings.TIME_ZONE,
        # A coarse bound on the instant (time zones lie within a day of UTC) before the day filter.
        from_moment=datetime.combine(first_day - timedelta(days=1), time.min, tzinfo=UTC),
        to_moment=datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=UTC),
        first_day=first_day,
        last_day=last_day,
        seed=str(seed) if seed is not None else secrets.token_hex(8),
        low=LOW_CSAT_SCORE,
        size=size,
        now=timezone.now(),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('kpis.draw_reviews'))")
        cursor.execute(sql, params)
        return cursor.rowcount


def previous_month(today: date) -> tuple[date, date]:
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def review_draw(first_day: date, last_day: date, *, acting_user: User) -> int:
    """A manager's draw on demand: the resolutions of the teams they manage, in the range."""

    if not (_active(acting_user) and acting_user.has_role(Role.MANAGER)):
        raise PermissionDenied
    if last_day < first_day:
        raise ApplicationError(_("The last day must not be before the first day."), extra={"field": "last_day"})
    if (last_day - first_day).days >= MAX_DRAW_DAYS:
        raise ApplicationError(
            _("Draw at most %(days)s days at a time.") % {"days": MAX_DRAW_DAYS}, extra={"field": "last_day"}
        )
    return draw_reviews(first_day, last_day, teams=managed_teams(acting_user).values_list("pk", flat=True))


# --- reviewing and replying -----------------------------------------------------------------


def _score(name: str, value: Any) -> int:
    labels = {
        "accuracy": _("accuracy"),
        "professionalism": _("professionalism"),
        "empathy": _("empathy"),
        "completeness": _("completeness"),
    }
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5 or str(value).strip() not in {str(number), f"{number}.0"}:
        raise ApplicationError(
            _("Give %(score)s a score from 1 to 5.") % {"score": labels[name]},
            extra={"field": name},
        )
    return number


def _locked(review: QualityReview) -> QualityReview:
    # select_for_update inside the transaction: two reviewers saving at once write one after the other.
    return QualityReview.objects.select_for_update(of=("self",)).select_related("team").get(pk=review.pk)


@transaction.atomic
def review_submit(
    review: QualityReview,
    *,
    accuracy: int,
    professionalism: int,
    empathy: int,
    completeness: int,
    comment: str,
    acting_user: User,
) -> QualityReview:
    """Score a drawn resolution, or change the scores later; the last reviewer and time are kept."""
    review = _locked(review)
    if not may_review(acting_user, review):
        raise PermissionDenied
    scores = {
        name: _score(name, value)
        for name, value in zip(SCORES, (accuracy, professionalism, empathy, completeness), strict=True)
    }
    comment = (comment or "").strip()
    if len(comment) > 5_000:
        raise ApplicationError(_("Keep the comment under 5,000 characters."), extra={"field": "comment"})
    for name, value in scores.items():
        setattr(review, name, value)
    review.comment = comment
    review.reviewer = acting_user
    review.reviewed_at = timezone.now()
    review.save(update_fields=[*SCORES, "comment", "reviewer", "reviewed_at"])
    return review


@transaction.atomic
def review_reply(review: QualityReview, *, text: str, acting_user: User) -> QualityReview:
    """The reviewed agent answers the review (or changes the answer)."""
    review = _locked(review)
    if review.agent_id != getattr(acting_user, "pk", None) or not _active(acting_user):
        raise PermissionDenied
    if review.reviewed_at is None:
        raise ConflictError(_("This ticket has not been reviewed yet."))
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write a reply first."), extra={"field": "text"})
    if len(text) > 5_000:
        raise ApplicationError(_("Keep the reply under 5,000 characters."), extra={"field": "text"})
    review.agent_reply = text
    review.replied_at = timezone.now()
    review.save(update_fields=["agent_reply", "replied_at"])
    return review


# --- reviewers ------------------------------------------------------------------------------


@transaction.atomic
def reviewer_appoint(team: Team, user: User, *, acting_user: User) -> ReviewerAppointment:
    """A manager of ``team`` appoints one of its active agents to review the team's tickets."""
    if not may_appoint_reviewers(acting_user, team):
        raise PermissionDenied
    if not (user.is_active and user.works_tickets and team.members.filter(pk=user.pk).exists()):
        raise ApplicationError(
            _("%(name)s is not an active agent of %(team)s.") % {"name": user, "team": team}, extra={"field": "user"}
        )
    appointment, created = ReviewerAppointment.objects.get_or_create(
        team=team, reviewer=user, defaults={"appointed_by": acting_user}
    )
    if not created:
        raise ConflictError(_("%(name)s already reviews %(team)s.") % {"name": user, "team": team})
    return appointment


@transaction.atomic
def reviewer_remove(team: Team, user: User, *, acting_user: User) -> bool:
    """End an appointment; the reviews already done keep their reviewer. False if there was none."""
    if not may_appoint_reviewers(acting_user, team):
        raise PermissionDenied
    removed, _counts = ReviewerAppointment.objects.filter(team=team, reviewer=user).delete()
    return removed > 0
