"""The staff pages under /agent/feedback/: list, new, detail (edit, status, link, unlink), record from a ticket."""

import csv
import io

import pytest
from django.urls import reverse

from feedback.models import FeedbackItem, FeedbackLink, ProductArea
from feedback.services import feedback_change_status, feedback_link, feedback_raise
from notifications.models import OutboxEmail
from tickets.services import ticket_create

LIST = reverse("feedback:list")


def _ticket(requester, subject="Export to Excel"):
    return ticket_create(requester=requester, subject=subject, description="…", acting_user=requester)


@pytest.fixture
def excel(alice, carol, service_desk):
    return feedback_raise("Export to Excel", "Weekly figures", ticket=_ticket(alice), acting_user=carol)


@pytest.mark.parametrize(
    "name, args",
    [
        ("feedback:list", []),
        ("feedback:new", []),
        ("feedback:export", []),
        ("feedback:detail", ["ITEM"]),
    ],
)
def test_requesters_are_refused_every_page(client, alice, excel, name, args):
    client.force_login(alice)
    url = reverse(name, args=[excel.pk if arg == "ITEM" else arg for arg in args])
    assert client.get(url).status_code == 403


def test_requesters_may_not_post_either(client, alice, excel):
    client.force_login(alice)
    assert client.post(reverse("feedback:status", args=[excel.pk]), {"status": "shipped"}).status_code == 403
    assert client.get(reverse("feedback:record", args=[excel.links.get().ticket.reference])).status_code == 403
    excel.refresh_from_db()
    assert excel.status == "new"


def test_anonymous_readers_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_list_shows_counts_and_links_to_each_item(client, bob, erin, excel):
    feedback_link(excel, _ticket(bob), acting_user=erin)
    client.force_login(erin)

    page = client.get(LIST, {"sort": "tickets"}).content.decode()

    assert reverse("feedback:detail", args=[excel.pk]) in page
    assert 'data-testid="ticket-count">2<' in page and 'data-testid="requester-count">2<' in page


def test_the_list_takes_the_same_queries_for_many_items(
    client, alice, bob, carol, excel, django_assert_max_num_queries
):
    client.force_login(carol)
    client.get(LIST)  # warm the session and the navigation
    area = ProductArea.objects.create(name="Mobile")
    for number in range(30):
        item = feedback_raise(f"Need {number}", area=area, acting_user=carol)
        feedback_link(item, _ticket(alice if number % 2 else bob, f"Subject {number}"), acting_user=carol)

    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"sort": "requesters"})
    assert response.content.decode().count('data-testid="feedback-row"') == 31


def test_bad_filters_are_ignored_rather_than_refused(client, carol, excel):
    client.force_login(carol)
    response = client.get(LIST, {"status": "nonsense", "area": "'; drop", "sort": "x", "page": "-3"})
    assert response.status_code == 200 and "Export to Excel" in response.content.decode()


def test_an_agent_records_an_item_by_hand(client, carol, service_desk):
    area = ProductArea.objects.create(name="Reports")
    client.force_login(carol)

    response = client.post(reverse("feedback:new"), {"title": "Dark mode", "description": "", "area": area.pk})

    item = FeedbackItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("feedback:detail", args=[item.pk])
    assert (item.title, item.area, item.raised_by) == ("Dark mode", area, carol)


def test_a_new_item_without_a_title_or_with_a_strange_area_is_refused_with_messages(client, carol, service_desk):
    client.force_login(carol)

    response = client.post(reverse("feedback:new"), {"title": "  ", "area": "999999"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the feedback item a title." in page and "Choose one of the product areas offered." in page
    assert not FeedbackItem.objects.exists()


def test_the_detail_page_lists_the_linked_tickets(client, alice, carol, excel):
    ticket = excel.links.get().ticket
    client.force_login(carol)

    page = client.get(reverse("feedback:detail", args=[excel.pk])).content.decode()

    assert ticket.reference in page and ticket.subject in page and "Alice Smith" in page
    assert "Weekly figures" in page


def test_another_teams_agent_sees_the_count_but_not_the_ticket(client, dave, excel, network_team):
    ticket = excel.links.get().ticket
    client.force_login(dave)

    page = client.get(reverse("feedback:detail", args=[excel.pk])).content.decode()

    assert ticket.reference not in page and 'data-testid="feedback-hidden-tickets"' in page


def test_an_unknown_item_is_404(client, carol, service_desk):
    client.force_login(carol)
    assert client.get(reverse("feedback:detail", args=[424242])).status_code == 404


def test_editing_an_item_saves_it_or_says_what_is_wrong(client, carol, excel):
    client.force_login(carol)
    url = reverse("feedback:edit", args=[excel.pk])

    refused = client.post(url, {"title": "", "description": "x"})
    saved = client.post(url, {"title": "Excel export of every report", "description": "Monthly too"})

    assert refused.status_code == 400 and "Give the feedback item a title." in refused.content.decode()
    assert saved.status_code == 302
    excel.refresh_from_db()
    assert (excel.title, excel.description, excel.area) == ("Excel export of every report", "Monthly too", None)


def test_marking_shipped_tells_the_requester_once(client, alice, carol, excel):
    client.force_login(carol)
    url = reverse("feedback:status", args=[excel.pk])

    for status in ("shipped", "planned", "shipped"):
        assert client.post(url, {"status": status}).status_code == 302

    assert list(OutboxEmail.objects.filter(kind="feedback_shipped").values_list("to", flat=True)) == [alice.email]
    page = client.get(reverse("feedback:detail", args=[excel.pk])).content.decode()
    assert page.count('data-testid="feedback-history-entry"') == 3


def test_an_unknown_status_is_a_form_error(client, carol, excel):
    client.force_login(carol)
    response = client.post(reverse("feedback:status", args=[excel.pk]), {"status": "done"})
    assert response.status_code == 400 and "Choose one of the statuses offered." in response.content.decode()


def test_linking_by_reference_and_unlinking(client, bob, carol, excel):
    other = _ticket(bob, "Excel please")
    client.force_login(carol)

    bad = client.post(reverse("feedback:link", args=[excel.pk]), {"reference": "HD-999999"})
    linked = client.post(reverse("feedback:link", args=[excel.pk]), {"reference": other.reference.lower()})

    assert bad.status_code == 400 and "No ticket you can see has that reference." in bad.content.decode()
    assert linked.status_code == 302 and FeedbackLink.objects.filter(item=excel, ticket=other).exists()

    unlinked = client.post(reverse("feedback:unlink", args=[excel.pk, other.reference]))
    assert unlinked.status_code == 302 and not FeedbackLink.objects.filter(item=excel, ticket=other).exists()


def test_an_agent_may_not_link_a_ticket_of_another_team(client, dave, excel, network_team, alice):
    other = _ticket(alice, "Another one")
    client.force_login(dave)

    response = client.post(reverse("feedback:link", args=[excel.pk]), {"reference": other.reference})

    assert response.status_code == 400
    assert not FeedbackLink.objects.filter(ticket=other).exists()


def test_the_ticket_page_offers_record_as_feedback(client, alice, carol, service_desk):
    ticket = _ticket(alice)
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert reverse("feedback:record", args=[ticket.reference]) in page


def test_recording_a_ticket_on_a_new_item(client, alice, carol, service_desk):
    ticket = _ticket(alice, "Please add dark mode")
    client.force_login(carol)
    url = reverse("feedback:record", args=[ticket.reference])

    form = client.get(url).content.decode()
    response = client.post(url, {"title": "Dark mode", "description": "From a ticket"})

    assert 'value="Please add dark mode"' in form  # the title starts from the subject
    assert response.status_code == 302 and response["Location"] == reverse(
        "tickets:agent_ticket", args=[ticket.reference]
    )
    item = FeedbackItem.objects.get()
    assert (item.title, list(item.tickets.all())) == ("Dark mode", [ticket])


def test_recording_a_ticket_on_an_item_found_by_search(client, bob, carol, excel):
    ticket = _ticket(bob, "Spreadsheet export")
    client.force_login(carol)
    url = reverse("feedback:record", args=[ticket.reference])

    found = client.get(url, {"q": "excel"}).content.decode()
    response = client.post(url, {"item": str(excel.pk)})

    assert "Export to Excel" in found
    assert response.status_code == 302
    assert set(excel.tickets.all()) == {excel.links.order_by("id").first().ticket, ticket}


def test_recording_on_a_missing_item_says_so(client, bob, carol, excel):
    ticket = _ticket(bob, "Spreadsheet export")
    client.force_login(carol)

    response = client.post(reverse("feedback:record", args=[ticket.reference]), {"item": "99999x"})

    assert response.status_code == 400 and "That feedback item does not exist any more." in response.content.decode()


def test_an_agent_cannot_record_another_teams_ticket(client, alice, dave, network_team, service_desk):
    ticket = _ticket(alice)
    client.force_login(dave)
    assert client.get(reverse("feedback:record", args=[ticket.reference])).status_code == 404
    assert client.post(reverse("feedback:record", args=[ticket.reference]), {"title": "Mine"}).status_code == 404
    assert not FeedbackItem.objects.exists()


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_has_one_row_per_filtered_item_with_formulas_defused(client, bob, carol, erin, excel):
    area = ProductArea.objects.create(name="=HYPERLINK(1)")
    feedback_raise("=cmd|' /C calc'!A0 export", area=area, acting_user=carol)
    feedback_change_status(feedback_raise("Declined export", acting_user=carol), "declined", acting_user=carol)
    feedback_link(excel, _ticket(bob), acting_user=carol)
    client.force_login(erin)

    rows = _csv(client.get(reverse("feedback:export"), {"status": "new", "q": "e", "sort": "tickets"}))

    assert rows[0] == ["title", "area", "status", "tickets", "requesters", "raised_by", "raised_at", "link"]
    by_title = {row[0]: row for row in rows[1:]}
    assert by_title["Export to Excel"][2:6] == ["new", "2", "2", "Carol Nguyen"]
    assert by_title["Export to Excel"][7].endswith(reverse("feedback:detail", args=[excel.pk]))
    assert by_title["'=cmd|' /C calc'!A0 export"][1] == "'=HYPERLINK(1)"
    assert rows[1][0] == "Export to Excel"  # most tickets first, as asked
    assert len(rows) == 3  # the declined one is filtered out


def test_the_export_follows_the_status_filter(client, carol, excel):
    feedback_raise("Dark mode", acting_user=carol)
    client.force_login(carol)
    feedback_change_status(excel, "planned", acting_user=carol)

    rows = _csv(client.get(reverse("feedback:export"), {"status": "planned"}))
    assert [row[0] for row in rows[1:]] == ["Export to Excel"]


def test_the_pages_read_in_chinese_with_the_areas_chinese_name(client, carol, excel):
    area = ProductArea.objects.create(name="Reports", name_zh_hans="报表")
    excel.area = area
    excel.save()
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])
    client.force_login(carol)

    listing = client.get(LIST).content.decode()
    detail = client.get(reverse("feedback:detail", args=[excel.pk])).content.decode()

    assert "反馈事项" in listing and "报表" in listing
    assert "1 张工单" in detail and "1 位请求人" in detail
