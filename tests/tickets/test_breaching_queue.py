"""/agent/?view=breaching: in due order, the overdue apart from the ones still due."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tickets import queues
from tickets.models import Ticket
from tickets.services import ticket_create

QUEUE = reverse("tickets:agent_queue")


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()


@pytest.fixture
def due(alice, carol, service_desk):
    now = timezone.now()
    tickets = {}
    for name, delta in [
        ("soon", timedelta(hours=2)),
        ("long overdue", -timedelta(days=15)),
        ("later", timedelta(hours=30)),
        ("just overdue", -timedelta(hours=1)),
    ]:
        ticket = ticket_create(requester=alice, subject=name, description="…", acting_user=alice)
        Ticket.objects.filter(pk=ticket.pk).update(sla_next_due_at=now + delta)
        tickets[name] = ticket
    return tickets


def _row_order(page: str) -> list[str]:
    """Group headings and subjects as they appear in the table body."""
    body = page.split('<tbody id="queue-rows">')[1].split("</tbody>")[0]
    subject = r'<td class="queue-subject"[^>]*>(long overdue|just overdue|soon|later)'
    return re.findall(r'data-testid="due-group-(\w+)"|' + subject, body)


def test_breaching_soon_is_in_due_order_with_overdue_and_due_soon_apart(client, carol, due):
    client.force_login(carol)

    response = client.get(QUEUE, {"view": "breaching"})

    assert response.context["sort_key"] == "due"
    items = [heading or subject for heading, subject in _row_order(response.content.decode())]
    # Fifteen days overdue is overdue, not "soon"; 30 hours ahead is not in the view at all.
    assert items == ["overdue", "long overdue", "just overdue", "soon", "soon"]
    assert response.context["views"][0][2] == 3


def test_headings_say_overdue_and_due_soon_in_both_languages(client, carol, due):
    client.force_login(carol)
    english = client.get(QUEUE, {"view": "breaching"}).content.decode()
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])
    chinese = client.get(QUEUE, {"view": "breaching"}).content.decode()

    assert ">Overdue</th>" in english and ">Due soon</th>" in english
    assert ">已逾期</th>" in chinese and ">即将到期</th>" in chinese


def test_another_sort_has_no_headings_and_other_views_keep_their_default(client, carol, due):
    client.force_login(carol)

    by_priority = client.get(QUEUE, {"view": "breaching", "sort": "priority"})
    mine = client.get(QUEUE, {"view": "teams"})

    assert "due-group-" not in by_priority.content.decode()
    assert mine.context["sort_key"] == queues.DEFAULT_SORT


def test_a_next_page_starting_inside_a_group_does_not_repeat_its_heading(carol, due):
    condition = queues.view_condition(carol, queues.View.BREACHING)
    cursors = []
    cursor = None
    for _page in range(3):
        result = queues.page(condition, sort_key="due", cursor=cursor, size=1)
        cursor = result.next_cursor
        cursors.append((result.tickets[0], cursor))

    assert [row.subject for row, _cursor in cursors] == ["long overdue", "just overdue", "soon"]
    assert queues.due_groups(None)["before"] is None
    assert queues.due_groups(cursors[0][1])["before"] == "overdue"
    assert queues.due_groups(cursors[1][1])["before"] == "overdue"
    # After the last row there is no next page; a cursor at it would start inside "due soon".
    assert cursors[2][1] is None
    assert queues.due_groups(queues._encode(cursors[2][0], queues.SORTS["due"]))["before"] == "soon"
    assert queues.due_groups("not a cursor")["before"] is None
