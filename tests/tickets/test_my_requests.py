"""/my/: every one of a requester's tickets, page after page, and a search box over them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tickets.models import Ticket
from tickets.selectors import requester_page
from tickets.services import ticket_create, ticket_resolve

MY = reverse("tickets:my_tickets")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ticket(requester, subject="Printer offline", *, at=None, **extra):
    return ticket_create(
        requester=requester, subject=subject, description="It blinks red.", acting_user=requester, at=at, **extra
    )


def _references(response) -> list[str]:
    return [ticket.reference for ticket in response.context["tickets"]]


@pytest.fixture
def many(alice, service_desk):
    """60 of Alice's tickets, one a minute, plus two with the same activity time (ties)."""
    tickets = [_ticket(alice, f"Request {n:02d}", at=MONDAY + timedelta(minutes=n)) for n in range(60)]
    tickets += [_ticket(alice, f"Tie {n}", at=MONDAY + timedelta(minutes=30, seconds=30)) for n in range(2)]
    return tickets


def test_my_requests_pages_through_every_ticket_with_an_older_link(client, alice, many):
    client.force_login(alice)
    newest_first = [t.reference for t in Ticket.objects.order_by("-last_public_activity_at", "-id")]

    seen = []
    url = MY
    for _page in range(5):
        response = client.get(url)
        assert response.status_code == 200
        seen += _references(response)
        url = response.context["older_url"]
        if url is None:
            break

    assert seen == newest_first
    assert len(seen) == 62


def test_the_older_link_keeps_the_status_and_the_search(client, alice, many):
    client.force_login(alice)

    response = client.get(MY, {"status": "open", "q": "request"})

    older = response.context["older_url"]
    assert "status=open" in older and "q=request" in older and "before=" in older
    assert 'data-testid="my-older"' in response.content.decode()


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "1.2.3", "-5.3", "99999999999999999.1", "999999999999999999.999999999999", "", "１２.３", "0." * 500],
)
def test_a_bad_cursor_shows_the_first_page_never_an_error(client, alice, many, cursor):
    client.force_login(alice)

    response = client.get(MY, {"before": cursor})

    assert response.status_code == 200
    assert len(_references(response)) == 50


def test_a_cursor_cannot_show_someone_elses_tickets(client, alice, oscar, service_desk):
    _ticket(oscar, "Oscar's secret", at=MONDAY)
    mine = _ticket(alice, "Mine", at=MONDAY - timedelta(days=1))
    client.force_login(alice)

    far_future = f"{int((MONDAY + timedelta(days=365)).timestamp() * 1_000_000)}.999999"
    response = client.get(MY, {"before": far_future})

    assert _references(response) == [mine.reference]


def test_search_finds_old_tickets_by_words_part_of_the_subject_and_reference(client, alice, many):
    oldest = _ticket(alice, "VPN drops every ten minutes", at=MONDAY - timedelta(days=400))
    client.force_login(alice)

    assert _references(client.get(MY, {"q": "vpn"})) == [oldest.reference]
    assert _references(client.get(MY, {"q": "drop"})) == [oldest.reference]  # stemmed: drops
    assert _references(client.get(MY, {"q": "minu"})) == [oldest.reference]  # part of the subject
    assert _references(client.get(MY, {"q": oldest.reference})) == [oldest.reference]
    assert len(_references(client.get(MY, {"q": "Request"}))) == 50


def test_search_in_chinese_falls_back_to_some_of_the_words(client, alice, service_desk):
    ticket = _ticket(alice, "打印机连接故障", at=MONDAY)
    _ticket(alice, "邮箱满了", at=MONDAY)
    client.force_login(alice)

    response = client.get(MY, {"q": "打印机无法连接"})

    assert _references(response) == [ticket.reference]
    assert response.context["page"].some_words


def test_search_never_matches_words_of_internal_notes(client, alice, carol, service_desk):
    from tickets.services import ticket_add_note

    ticket = _ticket(alice, "Laptop slow", at=MONDAY)
    ticket_add_note(ticket, "Probably malware, reimage", acting_user=carol)
    client.force_login(alice)

    assert _references(client.get(MY, {"q": "malware"})) == []


def test_status_filter_and_search_combine(client, alice, carol, service_desk):
    done = _ticket(alice, "Printer jam", at=MONDAY)
    ticket_resolve(done, code="fixed", summary="Cleared.", acting_user=carol)
    still = _ticket(alice, "Printer toner", at=MONDAY)
    client.force_login(alice)

    assert _references(client.get(MY, {"q": "printer", "status": "done"})) == [done.reference]
    assert _references(client.get(MY, {"q": "printer", "status": "open"})) == [still.reference]
    assert set(_references(client.get(MY, {"q": "printer", "status": "bogus"}))) == {done.reference, still.reference}


def test_requester_page_selector_pages_by_size(alice, many):
    first = requester_page(alice, size=10)
    second = requester_page(alice, size=10, cursor=first.next_cursor)

    assert len(first.tickets) == len(second.tickets) == 10
    assert not {t.pk for t in first.tickets} & {t.pk for t in second.tickets}
    assert first.tickets[-1].last_public_activity_at >= second.tickets[0].last_public_activity_at


def test_my_requests_needs_a_sign_in(client):
    response = client.get(MY)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
