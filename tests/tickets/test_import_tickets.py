"""manage.py import_tickets: history from another helpdesk, replayed through the services (SPEC §10)."""

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, Role, Team, User
from escalation.policy_services import policy_create
from notifications.models import OutboxEmail
from tickets.event_checks import event_log_problems
from tickets.facts import mismatches
from tickets.importing import import_file, read_lines
from tickets.models import Category, EventKind, Status, Ticket, TicketEvent
from tickets.search import refresh_search_vectors
from tickets.services import ticket_create
from tickets.sla.models import BusinessCalendar

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=CST)  # a Thursday morning in Shanghai


def at(minutes: float = 0, days: int = 0) -> datetime:
    return T0 + timedelta(days=days, minutes=minutes)


def iso(minutes: float = 0, days: int = 0) -> str:
    return at(minutes, days).isoformat()


def line(ref: str = "EXT-1001", events: list | None = None, **fields) -> dict:
    return {
        "ref": ref,
        "subject": "Printer offline",
        "description": "The printer on floor 3 shows offline.",
        "requester": {"email": "alice@acme.example", "name": "Alice Smith", "organisation": "Acme"},
        "channel": "web",
        "type": "incident",
        "impact": 3,
        "urgency": 2,
        "team": "Service Desk",
        "created_at": iso(),
        "events": events or [],
        **fields,
    }


def write(tmp_path, *lines, name: str = "history.jsonl"):
    """Dicts become JSON lines; strings are written as they are (for broken lines)."""
    path = tmp_path / name
    path.write_text("".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in lines))
    return path


def kinds(ticket: Ticket, *, sla: bool = False) -> list[tuple[str, datetime]]:
    events = TicketEvent.objects.filter(ticket=ticket).order_by("seq")
    return [(e.kind, e.created_at) for e in events if sla or not e.kind.startswith("sla_")]


FULL_HISTORY = [
    {"at": iso(5), "type": "assigned", "agent": "carol@helpdesk.example"},
    {"at": iso(10), "type": "reply", "author": "carol@helpdesk.example", "body": "Is it switched on?"},
    {"at": iso(20), "type": "note", "author": "carol@helpdesk.example", "body": "Probably the network port."},
    {"at": iso(30), "type": "status", "by": "carol@helpdesk.example", "to": "pending"},
    {"at": iso(60), "type": "reply", "author": "alice@acme.example", "body": "Yes, it is on."},
    {"at": iso(90), "type": "escalated", "by": "carol@helpdesk.example", "to_team": "Network", "note": "Port dead."},
    {"at": iso(120), "type": "assigned", "agent": "dave@helpdesk.example"},
    {"at": iso(180), "type": "resolved", "by": "dave@helpdesk.example", "code": "fixed", "summary": "New port."},
    {"at": iso(days=1), "type": "reopened", "by": "alice@acme.example"},
    {"at": iso(60, days=1), "type": "resolved", "by": "dave@helpdesk.example", "code": "fixed", "summary": "Cable."},
    {"at": iso(120, days=1), "type": "csat", "score": 4, "comment": "Quick, thanks."},
    {"at": iso(days=9), "type": "closed"},
]


@pytest.fixture
def desk(alice, carol, dave, service_desk, network_team):
    """The personas, their teams and the Hardware category an import refers to."""
    return Category.objects.create(name="Hardware")


@pytest.fixture
def standard_policy(db):
    calendar = BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)
    return policy_create(
        name="Standard", calendar=calendar, first_response_minutes=60, resolution_minutes=240, acting_user=None
    )


def test_a_full_history_is_replayed_with_its_times(tmp_path, desk, alice, carol, dave, standard_policy):
    path = write(tmp_path, line(events=FULL_HISTORY, category="Hardware", complexity=2))

    summary = import_file(path)

    assert (summary.imported, summary.skipped, summary.failed, summary.errors) == (1, 0, 0, [])
    ticket = Ticket.objects.get(external_reference="EXT-1001")
    assert kinds(ticket) == [
        (EventKind.CREATED, at()),
        (EventKind.COMPLEXITY_CHANGED, at()),
        (EventKind.ASSIGNED, at(5)),
        (EventKind.STATUS_CHANGED, at(5)),  # new → open
        (EventKind.REPLIED, at(10)),
        (EventKind.NOTE_ADDED, at(20)),
        (EventKind.STATUS_CHANGED, at(30)),  # open → pending
        (EventKind.REPLIED, at(60)),
        (EventKind.STATUS_CHANGED, at(60)),  # the requester's reply: pending → open
        (EventKind.ESCALATED, at(90)),
        (EventKind.TEAM_CHANGED, at(90)),
        (EventKind.ASSIGNED, at(90)),  # carol is not in Network: unassigned
        (EventKind.ASSIGNED, at(120)),
        (EventKind.RESOLVED, at(180)),
        (EventKind.REOPENED, at(days=1)),
        (EventKind.RESOLVED, at(60, days=1)),
        (EventKind.SATISFACTION, at(120, days=1)),
        (EventKind.CLOSED, at(days=9)),
    ]
    assert (ticket.status, ticket.channel, ticket.type, ticket.category, ticket.complexity) == (
        Status.CLOSED,
        "web",
        "incident",
        desk,
        2,
    )
    assert (ticket.requester, ticket.team.name, ticket.assignee) == (alice, "Network", dave)
    assert (ticket.first_response_at, ticket.first_resolved_at, ticket.resolved_at, ticket.closed_at) == (
        at(10),
        at(180),
        at(60, days=1),
        at(days=9),
    )
    assert (ticket.reopen_count, ticket.escalation_count, ticket.reassignment_count) == (1, 1, 1)
    # The fact columns are what a replay of the event log gives, and the log is consistent.
    assert mismatches(ticket) == {}
    assert event_log_problems(Ticket.objects.filter(pk=ticket.pk)) == []
    created = ticket.events.get(kind=EventKind.CREATED)
    assert created.actor == alice
    escalation = ticket.escalations.get()
    assert (escalation.escalated_by, escalation.to_team.name, escalation.symptoms) == (carol, "Network", "Port dead.")
    answer = ticket.satisfaction_answers.get()
    assert (answer.score, answer.comment, answer.resolved_by) == (4, "Quick, thanks.", dave)


def test_the_sla_policy_applies_and_the_first_response_is_measured(tmp_path, desk, standard_policy):
    events = [
        {"at": iso(5), "type": "assigned", "agent": "carol@helpdesk.example"},
        {"at": iso(10), "type": "reply", "author": "carol@helpdesk.example", "body": "On it."},
    ]
    import_file(write(tmp_path, line(events=events)))

    ticket = Ticket.objects.get(external_reference="EXT-1001")
    assert ticket.sla_policy == standard_policy
    policy_changed = ticket.events.get(kind=EventKind.SLA_POLICY_CHANGED)
    assert (policy_changed.created_at, policy_changed.new_value["name"]) == (at(), "Standard")
    met = ticket.events.get(kind=EventKind.SLA_MET)
    assert (met.created_at, met.new_value["target"], met.new_value["met"]) == (at(10), "first_response", True)


def test_importing_the_same_file_twice_changes_nothing(tmp_path, desk):
    path = write(tmp_path, line("EXT-1", events=FULL_HISTORY), line("EXT-2"), line("EXT-3", events=FULL_HISTORY[:2]))
    first = import_file(path)
    counts = (Ticket.objects.count(), TicketEvent.objects.count(), OutboxEmail.objects.count())

    again = import_file(path)

    assert (first.imported, first.skipped) == (3, 0)
    assert (again.imported, again.skipped, again.failed) == (0, 3, 0)
    assert (Ticket.objects.count(), TicketEvent.objects.count(), OutboxEmail.objects.count()) == counts


def test_history_sends_no_email(tmp_path, desk):
    summary = import_file(write(tmp_path, line(events=FULL_HISTORY)))

    assert summary.imported == 1
    assert TicketEvent.objects.filter(kind=EventKind.RESOLVED).exists()  # the history went in ...
    assert not OutboxEmail.objects.exists()  # ... and nobody heard of it, not even as a sent row

    # The same service outside an import still queues its e-mail: the silence ended with the import.
    requester = Ticket.objects.get().requester
    ticket = ticket_create(requester=requester, subject="Again", description="Still broken.", acting_user=requester)
    assert OutboxEmail.objects.filter(ticket=ticket, to=requester.email).exists()


def test_create_missing_creates_agents_requesters_teams_and_categories(tmp_path, db):
    events = [
        {"at": iso(5), "type": "assigned", "agent": "nina@helpdesk.example"},
        {"at": iso(10), "type": "reply", "author": "nina@helpdesk.example", "body": "Looking."},
        {"at": iso(20), "type": "escalated", "by": "nina@helpdesk.example", "to_team": "Printing", "note": "Toner."},
        {"at": iso(30), "type": "assigned", "agent": "paul@helpdesk.example"},
        {"at": iso(40), "type": "resolved", "by": "paul@helpdesk.example", "code": "fixed", "summary": "Done."},
    ]
    data = line(
        events=events,
        requester={"email": "Zoe@Initech.example", "name": "Zoe Lin", "organisation": "Initech"},
        team="Field Service",
        category="Hardware › Printers",
    )
    path = write(tmp_path, data)

    refused = import_file(path)
    assert (refused.imported, refused.failed) == (0, 1)
    assert "unknown requester zoe@initech.example" in refused.errors[0][1]
    assert not User.objects.exists() and not Team.objects.exists() and not Category.objects.exists()

    summary = import_file(path, create_missing=True)

    assert (summary.imported, summary.failed) == (1, 0), summary.errors
    zoe = User.objects.get(email="zoe@initech.example")
    assert (zoe.role, zoe.full_name, zoe.organisation.name, zoe.has_usable_password()) == (
        Role.REQUESTER,
        "Zoe Lin",
        "Initech",
        False,
    )
    nina, paul = User.objects.get(email="nina@helpdesk.example"), User.objects.get(email="paul@helpdesk.example")
    assert (nina.role, nina.has_usable_password(), paul.role) == (Role.AGENT, False, Role.AGENT)
    field_service, printing = Team.objects.get(name="Field Service"), Team.objects.get(name="Printing")
    assert (field_service.tier, printing.tier) == (Team.Tier.SERVICE_DESK, Team.Tier.SERVICE_DESK)
    # Each new agent joins the team the ticket was with when they first acted on it.
    assert list(field_service.members.all()) == [nina]
    assert list(printing.members.all()) == [paul]
    printers = Category.objects.get(name="Printers")
    assert printers.parent.name == "Hardware" and printers.parent.parent is None
    ticket = Ticket.objects.get(external_reference="EXT-1001")
    assert (ticket.requester, ticket.category, ticket.status, ticket.assignee) == (zoe, printers, "resolved", paul)


def test_create_missing_finds_what_exists(tmp_path, desk, alice, carol):
    people = set(User.objects.values_list("email", flat=True))
    events = [{"at": iso(5), "type": "assigned", "agent": "carol@helpdesk.example"}]
    import_file(write(tmp_path, line(events=events, category="Hardware")), create_missing=True)

    assert set(User.objects.values_list("email", flat=True)) == people
    assert (Category.objects.count(), Organisation.objects.count(), Team.objects.count()) == (1, 1, 2)


def test_a_requester_reply_reopens_a_pending_ticket(tmp_path, desk, alice):
    events = [
        {"at": iso(5), "type": "assigned", "agent": "carol@helpdesk.example"},
        {"at": iso(10), "type": "status", "by": "carol@helpdesk.example", "to": "pending"},
        {"at": iso(50), "type": "reply", "author": "alice@acme.example", "body": "Here is the photo."},
    ]
    import_file(write(tmp_path, line(events=events)))

    ticket = Ticket.objects.get(external_reference="EXT-1001")
    last = ticket.events.filter(kind=EventKind.STATUS_CHANGED).order_by("seq").last()
    assert (last.old_value, last.new_value, last.actor, last.created_at) == ("pending", "open", alice, at(50))
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is None  # a requester's reply is not a response


def test_a_closed_event_with_no_actor_is_an_automatic_close(tmp_path, desk, alice):
    resolved = [
        {"at": iso(5), "type": "assigned", "agent": "carol@helpdesk.example"},
        {"at": iso(10), "type": "resolved", "by": "carol@helpdesk.example", "code": "fixed", "summary": "Done."},
    ]
    path = write(
        tmp_path,
        line("AUTO", events=[*resolved, {"at": iso(days=8), "type": "closed"}]),
        line("BY-ALICE", events=[*resolved, {"at": iso(60), "type": "closed", "by": "alice@acme.example"}]),
    )
    import_file(path)

    automatic = Ticket.objects.get(external_reference="AUTO").events.get(kind=EventKind.CLOSED)
    by_alice = Ticket.objects.get(external_reference="BY-ALICE").events.get(kind=EventKind.CLOSED)
    assert (automatic.actor, automatic.new_value["automatic"], automatic.created_at) == (None, True, at(days=8))
    assert (by_alice.actor, by_alice.new_value["automatic"]) == (alice, False)


def test_a_monitoring_alert_is_created_by_no_one(tmp_path, desk):
    import_file(write(tmp_path, line(channel="monitoring")))

    created = Ticket.objects.get(external_reference="EXT-1001").events.get(kind=EventKind.CREATED)
    assert (created.actor, created.new_value["channel"]) == (None, "monitoring")


def _event(minutes: float, **fields) -> dict:
    return {"at": iso(minutes), **fields}


ASSIGN = _event(5, type="assigned", agent="carol@helpdesk.example")
RESOLVE = _event(10, type="resolved", by="carol@helpdesk.example", code="fixed", summary="Done.")
CLOSE = _event(20, type="closed", by="carol@helpdesk.example")

BAD_LINES = {
    "invalid JSON": ('{"ref": "BAD", "subject": ', "invalid JSON"),
    "not an object": ('["BAD"]', "expected a JSON object"),
    "missing subject": ({k: v for k, v in line("BAD").items() if k != "subject"}, "missing required field 'subject'"),
    "missing requester": (line("BAD", requester=None), "missing required field 'requester'"),
    "missing event time": (line("BAD", events=[{"type": "note", "author": "x@y", "body": "b"}]), "'at'"),
    "unknown event type": (line("BAD", events=[_event(5, type="teleported")]), "unknown event type 'teleported'"),
    "events out of order": (
        line("BAD", events=[_event(30, type="note", author="carol@helpdesk.example", body="b"), ASSIGN]),
        "event 2 (assigned): at 2026-10-01T09:05:00+08:00 is before the event preceding it",
    ),
    "reply before creation": (
        line("BAD", events=[_event(-5, type="reply", author="alice@acme.example", body="Hello?")]),
        "event 1 (reply): at 2026-10-01T08:55:00+08:00 is before the ticket was created",
    ),
    "csat score out of range": (
        line("BAD", events=[ASSIGN, RESOLVE, _event(20, type="csat", score=9)]),
        "event 3 (csat): score must be from 1 to 5, not 9",
    ),
    "csat without resolution": (
        line("BAD", events=[ASSIGN, _event(20, type="csat", score=4)]),
        "event 2 (csat): a satisfaction answer needs a resolution before it",
    ),
    "unknown agent": (
        line("BAD", events=[_event(5, type="assigned", agent="ghost@helpdesk.example")]),
        "event 1 (assigned): unknown agent ghost@helpdesk.example",
    ),
    "unknown team": (line("BAD", team="Nowhere"), "unknown team 'Nowhere'"),
    "unknown category": (line("BAD", category="Furniture"), "unknown category 'Furniture'"),
    "impossible transition": (
        line("BAD", events=[ASSIGN, RESOLVE, _event(20, type="status", by="carol@helpdesk.example", to="pending")]),
        "event 3 (status): A ticket that is “Resolved” cannot be set to “Pending",
    ),
    "not allowed to act": (
        line("BAD", events=[_event(5, type="assigned", agent="dave@helpdesk.example")]),
        "event 1 (assigned): permission denied: dave@helpdesk.example",
    ),
    "status outside open/pending/on hold": (
        line("BAD", events=[ASSIGN, _event(20, type="status", by="carol@helpdesk.example", to="resolved")]),
        "'to' must be one of open, pending, on_hold",
    ),
    "service refuses a value": (line("BAD", events=[ASSIGN, {**RESOLVE, "code": "magic"}]), "Choose a resolution code"),
    "created_at without time zone": (line("BAD", created_at="2026-10-01T09:00:00"), "without a time zone"),
    "event time without time zone": (
        line("BAD", events=[{**ASSIGN, "at": "2026-10-01T09:05:00"}]),
        "event 1 (assigned) 'at': timestamp without a time zone",
    ),
    "reply to a closed ticket": (
        line("BAD", events=[ASSIGN, RESOLVE, CLOSE, _event(30, type="reply", author="alice@acme.example", body="Hi")]),
        "would open a follow-up",
    ),
}


@pytest.mark.parametrize("bad, reason", BAD_LINES.values(), ids=BAD_LINES.keys())
def test_a_bad_line_is_reported_and_the_others_go_in(tmp_path, desk, bad, reason):
    path = write(tmp_path, line("GOOD-1", events=[ASSIGN]), bad, line("GOOD-2", events=[ASSIGN, RESOLVE]))

    summary = import_file(path)

    assert (summary.imported, summary.skipped, summary.failed) == (2, 0, 1)
    [(number, message)] = summary.errors
    assert number == 2
    assert reason in message
    assert set(Ticket.objects.values_list("external_reference", flat=True)) == {"GOOD-1", "GOOD-2"}
    # Nothing of the bad line is left: the ticket, its events, its e-mails went with it.
    assert TicketEvent.objects.exclude(ticket__external_reference__startswith="GOOD-").count() == 0
    assert not OutboxEmail.objects.exclude(ticket__external_reference__startswith="GOOD-").exists()


def test_a_failing_line_leaves_none_of_what_it_created(tmp_path, db):
    """With --create-missing, a line that fails late takes its new people, team and category along."""
    bad = line(
        events=[
            _event(5, type="assigned", agent="nina@helpdesk.example"),
            _event(10, type="resolved", by="nina@helpdesk.example", code="fixed", summary="Done."),
            _event(20, type="status", by="nina@helpdesk.example", to="pending"),
        ],
        category="Hardware",
    )
    summary = import_file(write(tmp_path, bad), create_missing=True)

    assert summary.failed == 1
    assert not (User.objects.exists() or Team.objects.exists() or Category.objects.exists())
    assert not (Ticket.objects.exists() or Organisation.objects.exists())


def test_what_a_failed_line_created_is_created_again_by_a_later_line(tmp_path, db):
    """Names are looked up once per file, but a rolled-back line's new agent, team and category
    are not handed to the next line: it creates them again."""
    fails = line(
        "BAD",
        events=[
            _event(5, type="assigned", agent="nina@helpdesk.example"),
            _event(10, type="resolved", by="nina@helpdesk.example", code="fixed", summary="Done."),
            _event(20, type="status", by="nina@helpdesk.example", to="pending"),
        ],
        category="Hardware › Printers",
    )
    works = line(
        "GOOD", events=[_event(5, type="assigned", agent="nina@helpdesk.example")], category="Hardware › Printers"
    )

    summary = import_file(write(tmp_path, fails, works), create_missing=True)

    assert (summary.imported, summary.failed) == (1, 1), summary.errors
    ticket = Ticket.objects.get(external_reference="GOOD")
    nina = User.objects.get(email="nina@helpdesk.example")
    assert (ticket.assignee, ticket.team.name, ticket.category.name, ticket.requester.organisation.name) == (
        nina,
        "Service Desk",
        "Printers",
        "Acme",
    )
    assert list(ticket.team.members.all()) == [nina]


def _queries_matching(queries: list[dict], *words: str) -> int:
    return sum(all(word in query["sql"] for word in words) for query in queries)


def test_a_line_reads_the_policies_once_and_indexes_its_thread_once(tmp_path, desk, standard_policy):
    """The services refresh the clocks and the search vector at every step; a replayed line needs
    each only once, and the names it gives only once per file."""
    path = write(tmp_path, line("EXT-1", events=FULL_HISTORY), line("EXT-2", events=FULL_HISTORY))

    with CaptureQueriesContext(connection) as queries:
        summary = import_file(path)

    assert (summary.imported, summary.failed) == (2, 0), summary.errors
    assert _queries_matching(queries.captured_queries, 'FROM "escalation_slapolicy"') == 2
    assert _queries_matching(queries.captured_queries, "SET search_vector") == 2
    assert _queries_matching(queries.captured_queries, 'FROM "accounts_user"', "carol@helpdesk.example") == 1
    assert _queries_matching(queries.captured_queries, 'FROM "accounts_team"', "Network") == 1
    for ticket in Ticket.objects.all():
        # The vector written once at the end covers every reply and note, as a fresh one would.
        indexed = ticket.search_vector
        refresh_search_vectors([ticket.pk])
        ticket.refresh_from_db(fields=["search_vector"])
        assert "port" in indexed and indexed == ticket.search_vector
        assert mismatches(ticket) == {}
        assert ticket.sla_policy == standard_policy


def test_a_line_over_50_mb_is_rejected_without_reading_it_whole(tmp_path, desk):
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as out:
        out.write(json.dumps(line("GOOD-1")).encode() + b"\n")
        out.write(b'{"ref": "HUGE", "description": "')
        block = b"x" * (1024 * 1024)
        for _ in range(51):
            out.write(block)
        out.write(b'"}\n')
        out.write(json.dumps(line("GOOD-2")).encode() + b"\n")

    summary = import_file(path)

    assert (summary.imported, summary.failed) == (2, 1)
    assert summary.errors == [(2, f"line longer than {50 * 1024 * 1024} bytes")]


def test_an_over_long_line_is_skipped_in_chunks_to_its_end():
    stream = io.BytesIO(b"short\n" + b"y" * 25 + b"\nlast")

    assert list(read_lines(stream, max_line_bytes=10)) == [(1, b"short\n"), (2, None), (3, b"last")]


def test_a_line_of_exactly_the_limit_is_read():
    stream = io.BytesIO(b"0123456789\n0123456789")

    assert list(read_lines(stream, max_line_bytes=10)) == [(1, b"0123456789\n"), (2, b"0123456789")]


def test_blank_lines_are_ignored(tmp_path, desk):
    path = write(tmp_path, line("GOOD-1"), "", "   ", line("GOOD-2"))

    summary = import_file(path)

    assert (summary.imported, summary.skipped, summary.failed) == (2, 0, 0)


def test_the_command_reports_line_numbers_and_fails_when_a_line_failed(tmp_path, desk):
    path = write(tmp_path, line("GOOD-1"), "not json", line("GOOD-2"), line("GOOD-1"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 line"):
        call_command("import_tickets", str(path), stdout=out, stderr=err)

    assert err.getvalue().startswith("line 2: invalid JSON")
    assert out.getvalue().strip() == "2 imported, 1 skipped (already imported), 1 failed."


def test_the_command_succeeds_on_a_clean_file(tmp_path, db):
    path = write(tmp_path, line("GOOD-1", team="Desk", category="Hardware"))
    out = io.StringIO()

    call_command("import_tickets", str(path), "--create-missing", stdout=out, stderr=io.StringIO())

    assert out.getvalue().strip() == "1 imported, 0 skipped (already imported), 0 failed."
    assert Ticket.objects.get().team.name == "Desk"


def test_the_command_prints_the_counts_every_n_lines(tmp_path, desk):
    path = write(tmp_path, line("GOOD-1"), line("GOOD-2"), "not json", line("GOOD-1"), line("GOOD-3"))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_tickets", str(path), "--progress-every", "2", stdout=io.StringIO(), stderr=err)

    progress = [text for text in err.getvalue().splitlines() if "lines read" in text]
    assert [text.split(" (")[0] for text in progress] == [
        "2 lines read: 2 imported, 0 skipped, 0 failed",
        "4 lines read: 2 imported, 1 skipped, 1 failed",
    ]
    assert all(text.endswith("tickets/s)") for text in progress)


def test_progress_every_0_prints_no_counts_and_a_negative_number_is_refused(tmp_path, desk):
    path = write(tmp_path, line("GOOD-1"), line("GOOD-2"))
    err = io.StringIO()

    call_command("import_tickets", str(path), "--progress-every", "0", stdout=io.StringIO(), stderr=err)

    assert err.getvalue() == ""
    with pytest.raises(CommandError, match="--progress-every"):
        call_command("import_tickets", str(path), "--progress-every", "-1", stdout=io.StringIO(), stderr=err)
    assert Ticket.objects.count() == 2
