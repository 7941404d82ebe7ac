"""Demo tickets: ~600 believable requests over the last 90 days, written through the services.

Every change goes through ``tickets.services`` with ``at=`` in the past, so the event log, the fact
columns, the outbox and the KPIs built on them are exactly what real use would produce. The random
generator is seeded: the same accounts give the same story (relative to the moment of seeding).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.demo import AGENTS, MANAGER, ORGANISATIONS, STAFF_DOMAIN
from accounts.models import Role, Team, User
from notifications.models import OutboxEmail
from tickets.demo_content import DETAILS, ENGINEERING, ISSUES, NETWORK, PHRASES, SERVICE_DESK, Issue
from tickets.models import (
    Category,
    Channel,
    EventKind,
    Impact,
    LinkKind,
    ResolutionCode,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
    Urgency,
)
from tickets.notifications import survey_token
from tickets.services import (
    satisfaction_answer,
    ticket_add_note,
    ticket_assign,
    ticket_change_complexity,
    ticket_change_priority,
    ticket_change_status,
    ticket_change_team,
    ticket_close,
    ticket_create,
    ticket_link,
    ticket_reply,
    ticket_resolve,
)

DEMO_PREFIX = "DEMO-"
DEFAULT_SEED = 20250601
# Requesters work where the service desk sits (accounts/demo.py): their day shapes the arrivals.
REQUESTER_ZONE = ZoneInfo("Asia/Shanghai")


# Several tickets about one disruption within an hour or two; the later ones become duplicates.
OUTAGES = [("vpn_drops", 70), ("erp_error", 41), ("wifi_meeting_room", 12)]  # (issue, days ago)
OUTAGE_SIZE = 7

# Minutes (median) per priority: waiting for triage, for the first reply, for the fix.
TRIAGE = {1: 5, 2: 20, 3: 60, 4: 150}
FIRST_REPLY = {1: 4, 2: 10, 3: 20, 4: 45}
TO_FIX = {1: 150, 2: 420, 3: 900, 4: 2000}
# Arrivals: requesters write in office hours, on weekdays.
HOUR_WEIGHTS = [0.05] * 7 + [0.3, 0.9, 1.6, 1.8, 1.5, 0.7, 1.2, 1.6, 1.5, 1.2, 0.8, 0.4, 0.2, 0.1, 0.1, 0.05, 0.05]
WEEKDAY_WEIGHTS = [1.1, 1.0, 1.0, 0.95, 0.85, 0.12, 0.08]
# How much of the queue each agent picks up (part-timers, team leads with other duties ...).
AGENT_SHARE = {"carol.agent": 1.3, "li.wei": 0.8, "sam.okafor": 0.9, "zhang.min": 0.6, "tom.berg": 0.7}
CSAT_SCORES = ([5, 4, 3, 2, 1], [55, 28, 8, 5, 4])


class _OutOfTime(Exception):
    """The story reached the present: the ticket stays in the state it has now."""


@dataclass
class _Cast:
    requesters: list[User]
    members: dict[str, list[User]]
    teams: dict[str, Team]
    manager: User
    categories: dict[tuple[str, str], Category]


@dataclass
class _Arrival:
    at: datetime
    issue: Issue
    requester: User
    impact: int
    urgency: int
    outage: int | None = None  # index into OUTAGES


@dataclass
class _Seeding:
    rng: random.Random
    cast: _Cast
    end: datetime
    # Outage index -> (main ticket, when it was resolved or None), for the duplicates that follow.
    outages: dict[int, tuple[Ticket, datetime | None]] = field(default_factory=dict)


class _Clock:
    """The time of a ticket's story, moving forward only and never past the present."""

    def __init__(self, rng: random.Random, start: datetime, end: datetime) -> None:
        self.rng, self.now, self.end = rng, start, end

    def wait(self, median_minutes: float, *, zone: ZoneInfo | None = REQUESTER_ZONE, spread: float = 0.8) -> datetime:
        minutes = self.rng.lognormvariate(math.log(median_minutes), spread)
        return self.until(self.now + timedelta(minutes=max(minutes, 0.5)), zone=zone)

    def until(self, at: datetime, *, zone: ZoneInfo | None = None) -> datetime:
        if zone is not None:
            at = _working_time(at, zone, self.rng)
        if at >= self.end:
            raise _OutOfTime
        self.now = max(at, self.now + timedelta(seconds=1))
        return self.now


def _working_time(at: datetime, zone: ZoneInfo, rng: random.Random) -> datetime:
    """``at`` if it falls in office hours in ``zone``, else shortly after the next office day starts."""
    local = at.astimezone(zone)
    if local.weekday() < 5 and 9 <= local.hour < 18:
        return at
    day = local.date() if local.weekday() < 5 and local.hour < 9 else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime.combine(day, time(9), tzinfo=zone) + timedelta(minutes=rng.uniform(0, 50))
    return start.astimezone(UTC)


def _cast() -> _Cast:
    teams = {team.name: team for team in Team.objects.filter(name__in=[SERVICE_DESK, NETWORK, ENGINEERING])}
    agents = {u.email: u for u in User.objects.filter(email__in=[f"{a[0]}@{STAFF_DOMAIN}" for a in AGENTS])}
    members: dict[str, list[User]] = {name: [] for name in teams}
    for login, _name, _language, member_of in AGENTS:  # accounts/demo.py order: deterministic
        for team_name in member_of:
            members[team_name].append(agents[f"{login}@{STAFF_DOMAIN}"])
    requesters = list(
        User.objects.filter(role=Role.REQUESTER, organisation__name__in=[o[0] for o in ORGANISATIONS]).order_by("email")
    )
    categories = {
        (c.parent.name if c.parent_id else c.name, c.name if c.parent_id else ""): c
        for c in Category.objects.select_related("parent")
    }
    return _Cast(
        requesters=requesters,
        members=members,
        teams=teams,
        manager=User.objects.get(email=f"{MANAGER[0]}@{STAFF_DOMAIN}"),
        categories=categories,
    )


def _impact_urgency(rng: random.Random, issue: Issue) -> tuple[int, int]:
    impact = rng.choices([Impact.ORGANISATION, Impact.GROUP, Impact.PERSON], [6, 22, 72])[0]
    if issue.type == TicketType.INCIDENT:
        urgency = rng.choices([Urgency.BLOCKED, Urgency.DEGRADED, Urgency.CAN_WAIT], [30, 50, 20])[0]
    else:
        urgency = rng.choices([Urgency.BLOCKED, Urgency.DEGRADED, Urgency.CAN_WAIT], [8, 37, 55])[0]
        impact = max(impact, Impact.GROUP)  # a request rarely affects the whole organisation
    return int(impact), int(urgency)


def _arrivals(rng: random.Random, cast: _Cast, count: int, days: int, end: datetime) -> list[_Arrival]:
    first = end - timedelta(days=days)
    latest = end - timedelta(minutes=20)
    local_days = [(first + timedelta(days=n)).astimezone(REQUESTER_ZONE).date() for n in range(days + 1)]
    day_weights = [WEEKDAY_WEIGHTS[day.weekday()] for day in local_days]
    arrivals = []
    by_key = {issue.key: issue for issue in ISSUES}
    for index, (key, days_ago) in enumerate(OUTAGES):
        if days_ago >= days:
            continue
        start = _working_time(end - timedelta(days=days_ago), REQUESTER_ZONE, rng)
        for n in range(OUTAGE_SIZE):
            at = start + timedelta(minutes=n * rng.uniform(4, 15))
            if at <= latest:
                impact = Impact.ORGANISATION if n == 0 else Impact.GROUP
                requester = rng.choice(cast.requesters)
                arrivals.append(_Arrival(at, by_key[key], requester, int(impact), int(Urgency.BLOCKED), index))
    while len(arrivals) < count:
        day = rng.choices(local_days, day_weights)[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        local = datetime.combine(day, time(hour), tzinfo=REQUESTER_ZONE) + timedelta(seconds=rng.uniform(0, 3600))
        at = local.astimezone(UTC)
        if not first <= at <= latest:
            continue
        issue = rng.choices(ISSUES, [i.weight for i in ISSUES])[0]
        arrivals.append(_Arrival(at, issue, rng.choice(cast.requesters), *_impact_urgency(rng, issue)))
    return sorted(arrivals, key=lambda a: a.at)


def _language(user: User) -> str:
    return "zh" if user.language.startswith("zh") else "en"


def _details(rng: random.Random, language: str) -> dict[str, str]:
    details = {key: rng.choice(values) for key, values in DETAILS[language].items()}
    return {**details, "floor": str(rng.randint(2, 6)), "desk": f"{rng.randint(1, 40):02d}"}


def _pick_agent(rng: random.Random, members: list[User], language: str, exclude: User | None = None) -> User:
    """Someone in the team; Chinese-speaking requesters mostly get a Chinese-speaking agent."""
    candidates = [m for m in members if m != exclude] or members
    speakers = [m for m in candidates if _language(m) == language]
    if language == "zh" and speakers and rng.random() < 0.7:
        candidates = speakers
    # Uneven shares so that workloads (and so the KPIs) differ between agents, as in real teams.
    weights = [AGENT_SHARE.get(m.email.split("@")[0], 1.0) for m in candidates]
    return rng.choices(candidates, weights)[0]


class _Story:
    """One ticket from arrival to wherever it has got to by now."""

    def __init__(self, seeding: _Seeding, arrival: _Arrival, reference: str) -> None:
        self.rng = seeding.rng
        self.seeding = seeding
        self.cast = seeding.cast
        self.arrival = arrival
        self.reference = reference
        self.requester = arrival.requester
        self.language = _language(arrival.requester)
        self.phrases = PHRASES[self.language]
        self.text = arrival.issue.zh if self.language == "zh" else arrival.issue.en
        self.details = _details(self.rng, self.language)
        self.clock = _Clock(self.rng, arrival.at, seeding.end)
        self.team = SERVICE_DESK
        self.ticket: Ticket
        self.agent: User
        self.resolved_at: datetime

    def play(self) -> None:
        outage = self.arrival.outage
        try:
            self._open()
            if outage is None:
                self._work()
            elif outage in self.seeding.outages:
                self._duplicate(*self.seeding.outages[outage])
            else:
                # The first report of a disruption is worked; the ones after it wait for it.
                self.seeding.outages[outage] = (self.ticket, None)
                self._work()
        except _OutOfTime:
            pass

    # --- helpers ------------------------------------------------------------------------------

    def _say(self, agent: User, text: str) -> str:
        return self.phrases["greeting"].format(name=self.requester.get_short_name(), text=text, agent=agent)

    def _agent_zone(self) -> ZoneInfo | None:
        # P1/P2 are worked around the clock; the rest in the team's office hours.
        return None if self.ticket.priority <= 2 else self.cast.teams[self.team].time_zone

    def _reply(self, text: str, at: datetime) -> None:
        ticket_reply(self.ticket, self._say(self.agent, text), acting_user=self.agent, at=at)

    def _requester_says(self, text: str, at: datetime) -> None:
        ticket_reply(self.ticket, text, acting_user=self.requester, at=at)

    # --- chapters -----------------------------------------------------------------------------

    def _open(self) -> None:
        issue, rng = self.arrival.issue, self.rng
        channel = rng.choices([Channel.WEB, Channel.EMAIL, Channel.PHONE], [55, 30, 15])[0]
        self.agent = _pick_agent(rng, self.cast.members[SERVICE_DESK], self.language)
        self.ticket = ticket_create(
            requester=self.requester,
            subject=rng.choice(self.text.subjects).format(**self.details),
            description=self.text.body.format(**self.details),
            # On the phone the agent types the request in for the caller.
            acting_user=self.agent if channel == Channel.PHONE else self.requester,
            category=self.cast.categories[issue.category],
            impact=self.arrival.impact,
            urgency=self.arrival.urgency,
            type=issue.type,
            channel=channel,
            external_reference=self.reference,
            at=self.arrival.at,
        )
        if channel == Channel.PHONE:
            at = self.clock.wait(2, zone=None)
            ticket_assign(self.ticket, self.agent, acting_user=self.agent, at=at)
        else:
            at = self.clock.wait(TRIAGE[self.ticket.priority], zone=self._agent_zone())
            # Most agents pick from the queue themselves; sometimes the manager dispatches.
            assigner = self.agent if rng.random() < 0.75 else self.cast.manager
            ticket_assign(self.ticket, self.agent, acting_user=assigner, at=at)

    def _duplicate(self, main: Ticket, main_resolved_at: datetime | None) -> None:
        # Stories play one after the other, so the main ticket's whole story is known by now.
        at = self.clock.wait(FIRST_REPLY[self.ticket.priority], zone=None)
        self._reply(self.phrases["outage"].format(reference=main.reference), at)
        # The manager coordinates the major incident and links what belongs to it.
        ticket_link(self.ticket, main, LinkKind.DUPLICATE_OF, acting_user=self.cast.manager, at=at)
        if main_resolved_at is None:
            return
        at = self.clock.until(max(main_resolved_at, self.clock.now) + timedelta(minutes=self.rng.uniform(3, 40)))
        summary = f"{main.reference}: {self.text.fix}"
        self._resolve(at, code=ResolutionCode.DUPLICATE, summary=summary)
        self._after_resolution()

    def _work(self) -> None:
        rng, ticket = self.rng, self.ticket
        recent = self.clock.now > self.seeding.end - timedelta(days=14)
        # Some tickets are still being worked at the end: mostly recent ones, a few old stragglers.
        stalled = rng.random() < (0.4 if recent else 0.07)

        at = self.clock.wait(FIRST_REPLY[ticket.priority], zone=self._agent_zone())
        self._reply(self.text.hint.format(**self.details), at)
        if rng.random() < 0.7:
            complexity = rng.choices([1, 2, 3, 4, 5], [20, 35, 28, 12, 5])[0]
            ticket_change_complexity(ticket, complexity, acting_user=self.agent, at=at)
        if rng.random() < 0.08 and self.arrival.urgency > Urgency.BLOCKED:
            # Talking to the requester shows it is more urgent than the form said.
            ticket_change_priority(ticket, acting_user=self.agent, urgency=self.arrival.urgency - 1, at=at)
        if rng.random() < 0.3:
            at = self.clock.wait(40, zone=self._agent_zone())
            ticket_add_note(ticket, rng.choice(self.phrases["note"]), acting_user=self.agent, at=at)

        specialists = self.arrival.issue.specialists
        if specialists and rng.random() < 0.5:
            self._escalate(specialists)
        elif rng.random() < 0.06:
            self._hand_over()

        if rng.random() < 0.35:
            at = self.clock.wait(60, zone=self._agent_zone())
            self._reply(rng.choice(self.phrases["ask"]), at)
            ticket_change_status(ticket, Status.PENDING, acting_user=self.agent, at=at)
            if stalled and rng.random() < 0.5:
                return  # still waiting on the requester
            at = self.clock.wait(240, spread=1.2)
            self._requester_says(rng.choice(self.phrases["answer"]), at)  # pending → open

        if rng.random() < (0.45 if self.arrival.issue.on_hold_likely else 0.05):
            at = self.clock.wait(90, zone=self._agent_zone())
            hold = self.phrases["hold"].format(case=rng.randint(100000, 999999))
            ticket_add_note(ticket, hold, acting_user=self.agent, at=at)
            ticket_change_status(ticket, Status.ON_HOLD, acting_user=self.agent, at=at)
            if stalled:
                return
            at = self.clock.wait(60 * 24 * 3, zone=self._agent_zone(), spread=0.7)
            ticket_change_status(ticket, Status.OPEN, acting_user=self.agent, at=at)

        if stalled:
            return
        if rng.random() < 0.02:
            # The requester withdraws: no resolution, closed from an active status.
            at = self.clock.wait(300, spread=1.0)
            ticket_close(ticket, acting_user=self.requester, at=at)
            return
        at = self.clock.wait(TO_FIX[ticket.priority], zone=self._agent_zone(), spread=1.0)
        self._resolve(at, code=self.arrival.issue.code)
        self._after_resolution()

    def _escalate(self, team_name: str) -> None:
        at = self.clock.wait(45, zone=self._agent_zone())
        note = self.phrases["escalate"].format(team=team_name)
        ticket_add_note(self.ticket, note, acting_user=self.agent, at=at)
        ticket_change_team(self.ticket, self.cast.teams[team_name], acting_user=self.agent, at=at)
        self.team = team_name
        specialist = _pick_agent(self.rng, self.cast.members[team_name], self.language)
        at = self.clock.wait(60, zone=self._agent_zone())
        ticket_assign(self.ticket, specialist, acting_user=specialist, at=at)
        self.agent = specialist
        at = self.clock.wait(20, zone=self._agent_zone())
        self._reply(self.phrases["takeover"], at)

    def _hand_over(self) -> None:
        other = _pick_agent(self.rng, self.cast.members[self.team], self.language, exclude=self.agent)
        if other == self.agent:
            return
        at = self.clock.wait(600, zone=self._agent_zone())
        manager = self.cast.manager
        ticket_add_note(self.ticket, self.phrases["handover"].format(old=self.agent), acting_user=manager, at=at)
        ticket_assign(self.ticket, other, acting_user=manager, at=at)
        self.agent = other

    def _resolve(self, at: datetime, *, code: str, summary: str = "") -> None:
        ticket_resolve(self.ticket, code=code, summary=summary or self.text.fix, acting_user=self.agent, at=at)
        self.resolved_at = at
        outage = self.seeding.outages.get(self.arrival.outage)
        if outage and outage[0] == self.ticket and outage[1] is None:
            self.seeding.outages[self.arrival.outage] = (self.ticket, at)  # duplicates close after this

    def _after_resolution(self) -> None:
        rng = self.rng
        reopen = rng.random() < 0.1
        self._survey(unhappy=reopen)
        if reopen:
            at = self.clock.wait(60 * 8, spread=1.0)
            window = self.resolved_at + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS) - timedelta(hours=1)
            if at < window:  # a later reply would open a follow-up instead
                self._requester_says(rng.choice(self.phrases["reopen"]), at)  # resolved → open, counted
                at = self.clock.wait(30, zone=self._agent_zone())
                self._reply(self.phrases["reopen_reply"], at)
                at = self.clock.wait(TO_FIX[self.ticket.priority], zone=self._agent_zone(), spread=0.9)
                self._resolve(at, code=self.arrival.issue.code)
                self._survey(unhappy=False)
        if rng.random() < 0.15:
            # The requester confirms the fix and closes it.
            ticket_close(self.ticket, acting_user=self.requester, at=self.clock.wait(120, spread=1.0))
        else:
            # What auto_close_resolved does: the beat task runs every 15 minutes after the wait.
            days = settings.TICKET_AUTO_CLOSE_DAYS
            at = self.resolved_at + timedelta(days=days, minutes=rng.uniform(0, 15))
            ticket_close(self.ticket, acting_user=None, at=self.clock.until(at))

    def _survey(self, *, unhappy: bool) -> None:
        """About 40% of resolutions get a survey answer, mostly 4–5."""
        if self.rng.random() >= 0.4:
            return
        at = self.clock.now + timedelta(minutes=self.rng.lognormvariate(math.log(90), 1.2))
        if at >= self.seeding.end:
            return
        event = TicketEvent.objects.filter(ticket=self.ticket, kind=EventKind.RESOLVED).order_by("-id").first()
        scores, weights = CSAT_SCORES
        if unhappy:
            weights = [20, 25, 25, 15, 15]
        score = self.rng.choices(scores, weights)[0]
        comment = ""
        if self.rng.random() < 0.35:
            comment = self.rng.choice(self.phrases["praise" if score >= 4 else "complaint"])
        # On the story's clock: what happens to the ticket next happens after the answer, as in
        # real use, so the event log's seq order stays its time order.
        satisfaction_answer(survey_token(event), score=score, comment=comment, at=self.clock.until(at))


def demo_tickets() -> QuerySet[Ticket]:
    return Ticket.objects.filter(external_reference__startswith=DEMO_PREFIX)


def seed_tickets(count: int = 600, days: int = 90, seed: int = DEFAULT_SEED, *, now: datetime | None = None) -> int:
    """Create ``count`` demo tickets over the last ``days`` days; none if demo tickets exist.

    Returns how many were created. One transaction: a failure leaves no half-seeded desk behind.
    """
    if demo_tickets().exists():
        return 0
    end = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        cast = _cast()
        seeding = _Seeding(rng=rng, cast=cast, end=end)
        arrivals = _arrivals(rng, cast, count, days, end)
        for number, arrival in enumerate(arrivals, start=1):
            _Story(seeding, arrival, f"{DEMO_PREFIX}{number:04d}").play()
        # The services queued the e-mails real use would send (about five per ticket). Nobody must
        # receive 600 tickets' worth of made-up history on the first `make run`: mark them sent.
        # By ticket id, not through a join on the ticket: the tables' statistics predate this
        # transaction, and with a stale "empty table" estimate the join's UPDATE ... IN (SELECT)
        # plan can degrade to nested sequential scans (it once ran for minutes in a test).
        ticket_ids = list(demo_tickets().values_list("pk", flat=True))
        OutboxEmail.objects.filter(ticket_id__in=ticket_ids, sent_at=None).update(sent_at=end)
    return len(arrivals)
