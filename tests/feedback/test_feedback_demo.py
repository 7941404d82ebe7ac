"""The demo feedback items: through the services, counted, in every status, idempotent, silent."""

import pytest

from accounts.demo import seed_accounts
from feedback.demo import ITEMS, seed_feedback
from feedback.models import FeedbackItem, FeedbackShippedNotice, FeedbackStatus, ProductArea
from feedback.selectors import items_counted
from notifications.models import OutboxEmail
from tickets.demo import seed_tickets

pytestmark = pytest.mark.django_db


def test_seeding_creates_counted_items_once_and_sends_nothing():
    seed_accounts()
    seed_tickets(count=40)
    emails_before = OutboxEmail.objects.count()

    assert seed_feedback() == len(ITEMS)
    assert seed_feedback() == 0

    assert FeedbackItem.objects.count() == len(ITEMS)
    assert ProductArea.objects.filter(name="Reports", name_zh_hans="报表").exists()
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(FeedbackStatus.values)
    admin_view = {item.title: item for item in items_counted(FeedbackItem.objects.first().raised_by)}
    excel = admin_view["Export reports to Excel"]
    assert excel.ticket_count == 6 and 1 <= excel.requester_count <= 6
    assert FeedbackShippedNotice.objects.filter(item=excel).count() == excel.requester_count
    assert OutboxEmail.objects.count() == emails_before
