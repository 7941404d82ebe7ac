"""The manager's deflection report at /manage/kb/deflection/: exact figures on known data."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from knowledge import reports
from knowledge.models import DeflectionEvent, DeflectionOutcome, KnowledgeSearch, SearchSource
from tests.knowledge.builders import stored
from tickets.models import Channel
from tickets.services import ticket_create

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
REPORT = reverse("kb_manage:deflection")


def _days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _ticket(requester, days_ago, channel=Channel.WEB):
    return ticket_create(
        requester=requester,
        subject="Printer",
        description="Offline",
        acting_user=requester,
        channel=channel,
        at=_days_ago(days_ago),
    )


def _event(outcome, article, days_ago, ticket=None, query="printer"):
    event = DeflectionEvent.objects.create(outcome=outcome, article=article, ticket=ticket, query=query)
    DeflectionEvent.objects.filter(pk=event.pk).update(created_at=_days_ago(days_ago))


def _search(query, result_count, days_ago, source=SearchSource.SUBMIT):
    search = KnowledgeSearch.objects.create(
        query=query, normalised=" ".join(query.lower().split()), source=source, result_count=result_count
    )
    KnowledgeSearch.objects.filter(pk=search.pk).update(created_at=_days_ago(days_ago))


@pytest.fixture
def known_data(time_machine, alice, carol, service_desk):
    time_machine.move_to(NOW, tick=False)
    printer = stored(carol, "Printer shows offline")
    vpn = stored(carol, "Connect to the VPN")
    # Web-form tickets: three in the last 30 days, one 45 days ago; e-mail tickets never count.
    t1, t2, _t3 = _ticket(alice, 1), _ticket(alice, 2), _ticket(alice, 29)
    _ticket(alice, 45)
    _ticket(alice, 3, channel=Channel.EMAIL)
    # Solved: three in the last 30 days (printer twice), two 60 days ago.
    _event(DeflectionOutcome.SOLVED, printer, 1)
    _event(DeflectionOutcome.SOLVED, printer, 5)
    _event(DeflectionOutcome.SOLVED, vpn, 10)
    _event(DeflectionOutcome.SOLVED, vpn, 60)
    _event(DeflectionOutcome.SOLVED, vpn, 60)
    # Submitted anyway: t1 after reading both articles, t2 after reading the printer one.
    _event(DeflectionOutcome.SUBMITTED, printer, 1, ticket=t1)
    _event(DeflectionOutcome.SUBMITTED, vpn, 1, ticket=t1)
    _event(DeflectionOutcome.SUBMITTED, printer, 2, ticket=t2)
    # Content gaps: "vpn slow" three times (two spellings), "coffee machine" once; not gaps:
    # a search that found something, and one from 40 days ago.
    _search("VPN slow", 0, 1)
    _search("vpn  slow", 0, 2)
    _search("vpn slow", 0, 3, source=SearchSource.KB)
    _search("coffee machine", 0, 4)
    _search("printer", 2, 1)
    _search("old question", 0, 40)
    return {"printer": printer, "vpn": vpn}


def test_deflection_figures_for_the_last_30_days(known_data):
    figures = reports.deflection_figures(reports.period_from("30"))

    assert (figures.solved, figures.web_tickets) == (3, 3)
    assert (figures.submitted_anyway, figures.submitted_anyway_tickets) == (3, 2)
    assert figures.rate == 0.5
    assert figures.rate_percent == "50.0 %"


def test_deflection_figures_for_the_last_90_days(known_data):
    figures = reports.deflection_figures(reports.period_from("90"))

    assert (figures.solved, figures.web_tickets) == (5, 4)
    assert figures.rate_percent == "55.6 %"


def test_a_month_period_is_the_calendar_month(known_data):
    period = reports.period_from("2026-05")

    assert (period.start, period.end) == (datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    figures = reports.deflection_figures(period)
    # 1, 2, 5 and 10 days before 20 May are in May; 29 days before is 21 April.
    assert (figures.solved, figures.web_tickets) == (3, 2)


def test_december_ends_at_new_year():
    period = reports.period_from("2025-12")

    assert period.end == datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "13", "abc", "2026-13", "1999-01"])
def test_an_unknown_period_falls_back_to_30_days(value, time_machine):
    time_machine.move_to(NOW, tick=False)

    period = reports.period_from(value)

    assert (period.key, period.start, period.end) == ("30", _days_ago(30), NOW)


def test_no_visitors_means_no_rate(db):
    figures = reports.deflection_figures(reports.period_from("7"))

    assert figures.rate is None and figures.rate_percent == "–"


def test_top_deflecting_articles(known_data):
    rows = reports.top_deflecting_articles(reports.period_from("30"))

    assert [(row["article__title"], row["solved"], row["submitted"]) for row in rows] == [
        ("Printer shows offline", 2, 2),
        ("Connect to the VPN", 1, 1),
    ]


def test_content_gaps_group_spellings_and_count(known_data):
    gaps = reports.content_gaps(reports.period_from("30"))

    assert [(gap["normalised"], gap["count"]) for gap in gaps] == [("vpn slow", 3), ("coffee machine", 1)]
    assert gaps[0]["last_seen"] == _days_ago(1)


def test_content_gaps_of_one_source(known_data):
    gaps = reports.content_gaps(reports.period_from("30"), source=SearchSource.KB)

    assert [(gap["normalised"], gap["count"]) for gap in gaps] == [("vpn slow", 1)]


def test_manager_sees_the_report_in_a_bounded_number_of_queries(
    client, erin, known_data, django_assert_max_num_queries
):
    client.force_login(erin)

    with django_assert_max_num_queries(8):
        response = client.get(REPORT, {"period": "30"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "50.0 %" in page
    assert "Printer shows offline" in page and "vpn slow" in page.lower()
    assert "old question" not in page


def test_admin_sees_the_report(client, ada, db):
    client.force_login(ada)

    assert client.get(REPORT).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_and_agents_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(REPORT).status_code == 403
    assert client.get(reverse("kb_manage:gaps_csv")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(REPORT)

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_content_gaps_csv(client, erin, known_data):
    _search("=HYPERLINK(1)", 0, 1)
    client.force_login(erin)

    response = client.get(reverse("kb_manage:gaps_csv"), {"period": "30"})

    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == "query,normalised,searches,last_seen"
    assert lines[1].split(",")[1:3] == ["vpn slow", "3"]
    assert any(line.startswith("'=HYPERLINK(1)") for line in lines)
    assert len(lines) == 4


def test_the_web_tickets_of_a_period_are_counted_from_their_own_index(known_data):
    from django.db import connection

    from tickets.models import Ticket

    period = reports.period_from("30")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner choose an index
    in_period = Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end, channel=Channel.WEB)

    plan = in_period.order_by().explain()  # as count() asks, without the model's ordering

    # The partial index answers the count alone: no other index, and no filter on channel.
    assert "ticket_web_created_idx" in plan
    assert "Filter" not in plan
