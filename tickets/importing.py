"""Import ticket history from another helpdesk: one JSON object per line (SPEC §10, docs/tickets.md).

Every line is replayed through the same services live use calls, each with ``at=`` the time the
history gives, so the event log, the fact columns and the SLA clocks come out exactly as if the
tickets had been worked here. One transaction per line: a bad line leaves nothing of itself
behind and the others still go in. ``ref`` is kept as ``Ticket.external_reference``; a line whose
ref is already there is skipped, so importing a file twice changes nothing.

:func:`parse_ticket` checks a line's shape without touching the database, :func:`import_line`
writes one line, :func:`import_file` reads a file and keeps the count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Organisation, Role, Team, User
from helpdesk.errors import ApplicationError
from notifications.outbox import silenced
from tickets.models import Category, Channel, EventKind, Status, Ticket, TicketEvent, TicketType
from tickets.notifications import survey_token
from tickets.search import search_refresh_once
from tickets.services import (
    satisfaction_answer,
    ticket_add_note,
    ticket_assign,
    ticket_change_complexity,
    ticket_change_status,
    ticket_close,
    ticket_create,
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
)
from tickets.services.escalation import ticket_escalate
from tickets.sla.policies import policies_read_once

# A longer line is refused unread: nobody's ticket is 50 MB, and json.loads would need several
# times that in memory.
MAX_LINE_BYTES = 50 * 1024 * 1024
# How much of an over-long line is read at a time while skipping to its end.
SKIP_CHUNK = 1024 * 1024

REF_MAX = 100  # Ticket.external_reference
# The separator of a category path ("Hardware › Printers"), as Category.__str__ writes it.
CATEGORY_SEPARATOR = "›"
# Tickets these channels open have no person behind them: the created event has no actor.
SYSTEM_CHANNELS = frozenset({Channel.MONITORING, Channel.SCHEDULED})
STATUS_TARGETS = frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD})

# Per event type: the fields it must carry (besides "at" and "type").
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "assigned": ("agent",),
    "reply": ("author", "body"),
    "note": ("author", "body"),
    "status": ("by", "to"),
    "escalated": ("by", "to_team", "note"),
    "resolved": ("by", "code", "summary"),
    "reopened": ("by",),
    "closed": (),
    "csat": ("score",),
}


class LineRejected(Exception):
    """This line cannot be imported; the message says why (the caller adds the line number)."""


@dataclass(frozen=True)
class ImportEvent:
    type: str
    at: datetime
    data: dict[str, Any]
    number: int  # 1-based position in the line's "events", for messages


@dataclass(frozen=True)
class TicketRecord:
    """One line, checked: times parsed and in order, every event complete."""

    ref: str
    subject: str
    description: str
    requester: dict[str, str]
    created_at: datetime
    channel: str
    type: str
    category: str | None
    impact: int | None
    urgency: int | None
    complexity: int | None
    team: str | None
    events: list[ImportEvent]


@dataclass(frozen=True)
class ImportResult:
    ref: str
    ticket: Ticket | None  # None when skipped
    skipped: bool = False


@dataclass
class ImportSummary:
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


# --- Reading the line -------------------------------------------------------------------------


def _text(data: dict, key: str, where: str = "", *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise LineRejected(f"{where}missing required field {key!r}")
        return None
    if not isinstance(value, str):
        raise LineRejected(f"{where}{key!r} must be a string")
    return value.strip()


def _number(data: dict, key: str, where: str = "") -> int | None:
    value = data.get(key)
    if value is None:
        return None
    # bool is an int to Python, never to a person writing JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineRejected(f"{where}{key!r} must be a whole number")
    return value


def _moment(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise LineRejected(f"{what}: missing or not a timestamp")
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise LineRejected(f"{what}: not an ISO 8601 timestamp: {value!r}") from exc
    if at.tzinfo is None or at.utcoffset() is None:
        # A naive time would be read in the server's zone: hours off, silently.
        raise LineRejected(f"{what}: timestamp without a time zone: {value!r}")
    return at


def _event(raw: Any, number: int, previous: datetime, created_at: datetime, resolved: bool) -> ImportEvent:
    where = f"event {number}: "
    if not isinstance(raw, dict):
        raise LineRejected(f"{where}expected a JSON object")
    kind = raw.get("type")
    if kind not in EVENT_FIELDS:
        raise LineRejected(f"{where}unknown event type {kind!r}")
    where = f"event {number} ({kind}): "
    at = _moment(raw.get("at"), f"event {number} ({kind}) 'at'")
    if at < created_at:
        raise LineRejected(f"{where}at {raw['at']} is before the ticket was created")
    if at < previous:
        raise LineRejected(f"{where}at {raw['at']} is before the event preceding it (events must be in time order)")
    for key in EVENT_FIELDS[kind]:
        if key != "score":
            _text(raw, key, where)
    for key in ("by", "comment", "symptoms", "tried", "diagnostics"):
        _text(raw, key, where, required=False)
    if kind == "status" and raw["to"] not in STATUS_TARGETS:
        raise LineRejected(f"{where}'to' must be one of open, pending, on_hold, not {raw['to']!r}")
    if kind == "csat":
        score = _number(raw, "score", where)
        if score is None:
            raise LineRejected(f"{where}missing required field 'score'")
        if not 1 <= score <= 5:
            raise LineRejected(f"{where}score must be from 1 to 5, not {score}")
        if not resolved:
            raise LineRejected(f"{where}a satisfaction answer needs a resolution before it")
    return ImportEvent(type=kind, at=at, data=raw, number=number)


def parse_ticket(data: Any) -> TicketRecord:
    """Check one decoded line without touching the database; raise :class:`LineRejected`."""
    if not isinstance(data, dict):
        raise LineRejected("expected a JSON object")
    ref = _text(data, "ref")
    if len(ref) > REF_MAX:
        raise LineRejected(f"'ref' can be at most {REF_MAX} characters long")
    requester = data.get("requester")
    if not isinstance(requester, dict):
        raise LineRejected("missing required field 'requester' (an object with 'email')")
    email = _text(requester, "email", "requester: ")
    if "@" not in email:
        raise LineRejected(f"requester: not an e-mail address: {email!r}")
    created_at = _moment(data.get("created_at"), "'created_at'")
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise LineRejected("'events' must be a list")
    events: list[ImportEvent] = []
    previous, resolved = created_at, False
    for number, raw in enumerate(raw_events, start=1):
        event = _event(raw, number, previous, created_at, resolved)
        events.append(event)
        previous, resolved = event.at, resolved or event.type == "resolved"
    return TicketRecord(
        ref=ref,
        subject=_text(data, "subject"),
        description=_text(data, "description"),
        requester={
            "email": email.lower(),
            "name": _text(requester, "name", "requester: ", required=False) or "",
            "organisation": _text(requester, "organisation", "requester: ", required=False) or "",
        },
        created_at=created_at,
        channel=_text(data, "channel", required=False) or Channel.WEB,
        type=_text(data, "type", required=False) or TicketType.INCIDENT,
        category=_text(data, "category", required=False),
        impact=_number(data, "impact"),
        urgency=_number(data, "urgency"),
        complexity=_number(data, "complexity"),
        team=_text(data, "team", required=False),
        events=events,
    )


# --- Finding (or creating) the people, teams and categories a line names ------------------------


class _Directory:
    """Finds the people, teams and categories lines name; with ``create_missing`` creates what is missing.

    One directory serves one :func:`import_file` run, so a name is looked up once per file, not
    once per event: a file of thousands of tickets names a few dozen agents and teams. What a
    line creates is written inside that line's transaction; if the line is refused, :meth:`forget`
    drops everything the line looked up or created, so nothing rolled back is handed to a later line.
    """

    def __init__(self, *, create_missing: bool) -> None:
        self.create_missing = create_missing
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.categories: dict[str, Category] = {}
        self.organisations: dict[str, Organisation] = {}
        self._this_line: list[tuple[dict, str]] = []

    def _keep(self, store: dict, key: str, value: Any) -> Any:
        store[key] = value
        self._this_line.append((store, key))
        return value

    def line_imported(self) -> None:
        """The line committed: what it found or created stays true for the rest of the file."""
        self._this_line = []

    def forget(self) -> None:
        """The line was rolled back: what it created is gone, so it must be looked up again."""
        for store, key in self._this_line:
            store.pop(key, None)
        self._this_line = []

    def requester(self, person: dict[str, str]) -> User:
        email = person["email"]
        if email in self.users:
            return self.users[email]
        # With its organisation: ticket_create reads whether the organisation shares tickets.
        user = User.objects.select_related("organisation").filter(email__iexact=email).first()
        if user is None:
            if not self.create_missing:
                raise LineRejected(f"unknown requester {email} (use --create-missing to create it)")
            user = User(
                email=email,
                full_name=person["name"] or email.split("@")[0],
                role=Role.REQUESTER,
                organisation=self.organisation(person["organisation"]) if person["organisation"] else None,
            )
            user.set_unusable_password()
            user.save()
        return self._keep(self.users, email, user)

    def organisation(self, name: str) -> Organisation:
        if name not in self.organisations:
            self._keep(self.organisations, name, Organisation.objects.get_or_create(name=name)[0])
        return self.organisations[name]

    def person(self, email: str, ticket: Ticket, where: str) -> User:
        """Whoever acts in an event; someone unknown is a new agent of the ticket's current team.

        The ticket's current team, not the line's: an agent who first appears after an
        escalation works in the receiving team, and only its members may act on the ticket.
        """
        email = email.strip().lower()
        if email in self.users:
            return self.users[email]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            if not self.create_missing:
                raise LineRejected(f"{where}unknown agent {email} (use --create-missing to create it)")
            user = User(email=email, full_name=email.split("@")[0], role=Role.AGENT)
            user.set_unusable_password()
            user.save()
            if ticket.team_id is not None:
                ticket.team.members.add(user)
        return self._keep(self.users, email, user)

    def team(self, name: str, where: str = "") -> Team:
        if name in self.teams:
            return self.teams[name]
        team = Team.objects.filter(name=name).first()
        if team is None:
            if not self.create_missing:
                raise LineRejected(f"{where}unknown team {name!r} (use --create-missing to create it)")
            team = Team.objects.create(name=name, tier=Team.Tier.SERVICE_DESK)
        return self._keep(self.teams, name, team)

    def category(self, path: str) -> Category:
        """A top-level category by name, or a path through the tree: "Hardware › Printers"."""
        if path in self.categories:
            return self.categories[path]
        category = None
        for name in (part.strip() for part in path.split(CATEGORY_SEPARATOR)):
            if not name:
                raise LineRejected(f"not a category path: {path!r}")
            found = Category.objects.filter(parent=category, name=name).first()
            if found is None:
                if not self.create_missing:
                    raise LineRejected(f"unknown category {path!r} (use --create-missing to create it)")
                found = Category.objects.create(parent=category, name=name)
            category = found
        return self._keep(self.categories, path, category)


# --- Writing the line ---------------------------------------------------------------------------


def _latest_resolution(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket, kind=EventKind.RESOLVED).order_by("-created_at", "-id").first()


def _apply(ticket: Ticket, event: ImportEvent, directory: _Directory) -> Ticket:
    """One history event through the service live use calls for it; returns the ticket as it now is."""
    data, at = event.data, event.at
    where = f"event {event.number} ({event.type}): "

    def person(key: str) -> User:
        return directory.person(data[key], ticket, where)

    match event.type:
        case "assigned":
            # The history names the agent, not who dispatched: agents pick from the queue themselves.
            agent = person("agent")
            return ticket_assign(ticket, agent, acting_user=agent, at=at)
        case "reply":
            result = ticket_reply(ticket, data["body"], acting_user=person("author"), at=at)
            if result.follow_up is not None:
                # Live, this reply opens a new linked ticket; history has that one as its own line.
                raise LineRejected(f"{where}the ticket is closed; a reply now would open a follow-up ticket")
            return result.ticket
        case "note":
            ticket_add_note(ticket, data["body"], acting_user=person("author"), at=at)
            return ticket
        case "status":
            return ticket_change_status(ticket, data["to"], acting_user=person("by"), at=at)
        case "escalated":
            note = data["note"].strip()
            # The source helpdesk kept one note; the handover wants three parts, each non-empty.
            ticket_escalate(
                ticket,
                to_team=directory.team(data["to_team"].strip(), where),
                symptoms=(data.get("symptoms") or note),
                tried=(data.get("tried") or note),
                diagnostics=(data.get("diagnostics") or note),
                acting_user=person("by"),
                at=at,
            )
            ticket.refresh_from_db()
            return ticket
        case "resolved":
            return ticket_resolve(ticket, code=data["code"], summary=data["summary"], acting_user=person("by"), at=at)
        case "reopened":
            return ticket_reopen(ticket, acting_user=person("by"), at=at)
        case "closed":
            # No one named: the automatic close of a resolved ticket (auto_close_resolved).
            actor = person("by") if data.get("by") else None
            return ticket_close(ticket, acting_user=actor, at=at)
        case "csat":
            # The signed link the resolution e-mail carried, as the requester would have clicked it.
            token = survey_token(_latest_resolution(ticket))
            satisfaction_answer(token, score=data["score"], comment=data.get("comment") or "", at=at)
            return ticket
    raise AssertionError(event.type)  # parse_ticket let through only the types above


def _refused(where: str, exc: Exception, actor: str | None = None) -> LineRejected:
    if isinstance(exc, PermissionDenied):
        # Mostly an agent acting on a ticket of a team they are not in.
        who = actor or "the actor"
        return LineRejected(f"{where}permission denied: {who} may not do this to the ticket at this point")
    return LineRejected(f"{where}{getattr(exc, 'message', exc)}")


def import_line(data: Any, *, create_missing: bool = False, directory: _Directory | None = None) -> ImportResult:
    """Import one decoded line, all of it or nothing; raise :class:`LineRejected` to refuse it.

    ``directory``: the names earlier lines of the same file looked up (:func:`import_file`); it
    decides whether missing ones are created, and ``create_missing`` is then not read.
    """
    record = parse_ticket(data)
    if directory is None:
        directory = _Directory(create_missing=create_missing)
    try:
        result = _write(record, directory)
    except BaseException:
        directory.forget()
        raise
    directory.line_imported()
    return result


def _write(record: TicketRecord, directory: _Directory) -> ImportResult:
    # History: the services would queue the e-mails live use sends; nobody should hear of it now.
    # The SLA policies are read once and the search vector written once for the whole line (its
    # services would each do it again), inside the line's transaction.
    with silenced(), transaction.atomic(), search_refresh_once(), policies_read_once():
        if Ticket.objects.filter(external_reference=record.ref).exists():
            return ImportResult(ref=record.ref, ticket=None, skipped=True)
        requester = directory.requester(record.requester)
        fields: dict[str, Any] = {"impact": record.impact, "urgency": record.urgency}
        try:
            ticket = ticket_create(
                requester=requester,
                subject=record.subject,
                description=record.description,
                acting_user=None if record.channel in SYSTEM_CHANNELS else requester,
                category=directory.category(record.category) if record.category else None,
                type=record.type,
                channel=record.channel,
                team=directory.team(record.team) if record.team else None,
                external_reference=record.ref,
                at=record.created_at,
                **{key: value for key, value in fields.items() if value is not None},
            )
            if record.complexity is not None:
                ticket = ticket_change_complexity(ticket, record.complexity, acting_user=None, at=record.created_at)
        except (ApplicationError, PermissionDenied) as exc:
            raise _refused("", exc) from exc
        for event in record.events:
            try:
                ticket = _apply(ticket, event, directory)
            except (ApplicationError, PermissionDenied) as exc:
                actor = event.data.get("by") or event.data.get("author") or event.data.get("agent")
                raise _refused(f"event {event.number} ({event.type}): ", exc, actor) from exc
    return ImportResult(ref=record.ref, ticket=ticket)


# --- Reading the file ---------------------------------------------------------------------------


def read_lines(stream: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` for each line; ``None`` instead of the bytes for an over-long one.

    An over-long line is read at most ``max_line_bytes`` + 1 bytes at a time, the rest skipped
    in chunks: memory stays bounded however long the line.
    """
    number = 0
    while True:
        chunk = stream.readline(max_line_bytes + 1)
        if not chunk:
            return
        number += 1
        ended = chunk.endswith(b"\n")
        if len(chunk) - (1 if ended else 0) <= max_line_bytes:
            yield number, chunk
            continue
        while not ended:
            rest = stream.readline(SKIP_CHUNK)
            ended = not rest or rest.endswith(b"\n")
        yield number, None


def import_file(
    source: str | Path | BinaryIO,
    *,
    create_missing: bool = False,
    max_line_bytes: int = MAX_LINE_BYTES,
    on_error: Callable[[int, str], None] | None = None,
    on_progress: Callable[[int, ImportSummary], None] | None = None,
    progress_every: int = 1000,
) -> ImportSummary:
    """Import every line of ``source`` (a path or a binary stream); a bad line is counted and skipped.

    ``on_error(line_number, reason)`` hears of each failure as it happens, and
    ``on_progress(line_number, summary)`` of the counts after every ``progress_every`` lines
    (0: never), so a long import reports as it goes.
    """
    summary = ImportSummary()
    directory = _Directory(create_missing=create_missing)
    # A path is opened and closed here; a stream is the caller's to close.
    with open(source, "rb") if isinstance(source, str | Path) else nullcontext(source) as stream:
        for number, raw in read_lines(stream, max_line_bytes):
            _count_line(number, raw, directory, summary, max_line_bytes, on_error)
            if on_progress is not None and progress_every > 0 and number % progress_every == 0:
                on_progress(number, summary)
    return summary


def _count_line(
    number: int,
    raw: bytes | None,
    directory: _Directory,
    summary: ImportSummary,
    max_line_bytes: int,
    on_error: Callable[[int, str], None] | None,
) -> None:
    """Import one line of the file and add it to ``summary``: imported, skipped or failed."""
    try:
        if raw is None:
            raise LineRejected(f"line longer than {max_line_bytes} bytes")
        if not raw.strip():
            return  # a blank line, e.g. at the end of the file
        try:
            data = json.loads(raw)
        except ValueError as exc:  # also a UnicodeDecodeError
            raise LineRejected(f"invalid JSON: {exc}") from exc
        result = import_line(data, directory=directory)
    except LineRejected as exc:
        summary.failed += 1
        summary.errors.append((number, str(exc)))
        if on_error is not None:
            on_error(number, str(exc))
        return
    if result.skipped:
        summary.skipped += 1
    else:
        summary.imported += 1
