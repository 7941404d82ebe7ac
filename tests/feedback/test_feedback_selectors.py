"""The list of items: counted in SQL, filtered, sorted, paged, in one query."""

import datetime as dt

import pytest

from feedback import selectors
from feedback.models import ProductArea
from feedback.selectors import ItemFilters, items_counted, items_page
from feedback.services import feedback_change_status, feedback_link, feedback_raise
from tickets.services import ticket_create

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


def _ticket(requester, subject):
    return ticket_create(requester=requester, subject=subject, description="…", acting_user=requester)


@pytest.fixture
def items(alice, bob, carol, service_desk):
    """excel: 3 tickets from 2 requesters; dark: 2 tickets from 2 requesters; fax: none."""
    reports = ProductArea.objects.create(name="Reports")
    excel = feedback_raise("Export to Excel", "Weekly figures", area=reports, acting_user=carol, at=T0)
    dark = feedback_raise("Dark mode", acting_user=carol, at=T0 + dt.timedelta(days=1))
    fax = feedback_raise("Fax to e-mail", acting_user=carol, at=T0 + dt.timedelta(days=2))
    for requester, subject in [(alice, "Excel 1"), (alice, "Excel 2"), (bob, "Excel 3")]:
        feedback_link(excel, _ticket(requester, subject), acting_user=carol)
    for requester, subject in [(alice, "Too bright"), (bob, "Eyes hurt")]:
        feedback_link(dark, _ticket(requester, subject), acting_user=carol)
    feedback_change_status(fax, "declined", acting_user=carol)
    return {"excel": excel, "dark": dark, "fax": fax, "reports": reports}


def _titles(user, **filters):
    return [item.title for item in items_counted(user, ItemFilters(**filters))]


def test_each_item_carries_its_ticket_and_distinct_requester_counts(carol, items):
    counted = {item.title: (item.ticket_count, item.requester_count) for item in items_counted(carol)}
    assert counted == {"Export to Excel": (3, 2), "Dark mode": (2, 2), "Fax to e-mail": (0, 0)}


def test_the_list_sorts_by_tickets_requesters_or_newest(carol, items):
    assert _titles(carol) == ["Fax to e-mail", "Dark mode", "Export to Excel"]
    assert _titles(carol, sort="tickets") == ["Export to Excel", "Dark mode", "Fax to e-mail"]
    # Equal requester counts: the one with more tickets first.
    assert _titles(carol, sort="requesters") == ["Export to Excel", "Dark mode", "Fax to e-mail"]


def test_the_list_filters_by_status_area_and_words(carol, items):
    assert _titles(carol, status="declined") == ["Fax to e-mail"]
    assert _titles(carol, area=items["reports"].pk) == ["Export to Excel"]
    assert _titles(carol, q="weekly EXCEL") == ["Export to Excel"]
    assert _titles(carol, q="excel dark") == []
    assert _titles(carol, q="100%") == []


def test_filters_from_a_query_string_drop_what_they_do_not_understand():
    filters = ItemFilters.from_query({"status": "done", "area": "x1", "sort": "random", "q": "  a   b "})
    assert filters == ItemFilters(status="", area=None, q="a b", sort="newest")


def test_requesters_see_no_items(alice, items):
    assert _titles(alice) == []


def test_pages_hold_page_size_items_and_know_whether_more_follow(carol, service_desk, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    for number in range(5):
        feedback_raise(f"Need {number}", acting_user=carol, at=T0 + dt.timedelta(hours=number))

    first = items_page(carol, ItemFilters(), 1)
    last = items_page(carol, ItemFilters(), 3)

    assert [item.title for item in first.items] == ["Need 4", "Need 3"]
    assert (first.has_previous, first.has_next) == (False, True)
    assert [item.title for item in last.items] == ["Need 0"]
    assert (last.has_previous, last.has_next) == (True, False)


def test_a_page_of_the_list_is_one_query(carol, items, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = items_page(carol, ItemFilters(sort="requesters"), 1)
        [(item.area, item.raised_by.full_name, item.ticket_count) for item in page.items]


def test_linked_tickets_show_only_those_the_reader_may_see(carol, dave, items, network_team):
    seen = selectors.linked_tickets(carol, selectors.item_for(carol, items["excel"].pk))
    hidden = selectors.linked_tickets(dave, selectors.item_for(dave, items["excel"].pk))

    assert (len(seen.links), seen.hidden) == (3, 0)
    assert (len(hidden.links), hidden.hidden) == (0, 3)
