"""Two identical posts at the same moment open one ticket."""

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from monitoring.models import Alert
from monitoring.services import alert_source_create
from tests.factories import TeamFactory
from tests.monitoring.conftest import PLAIN_URL
from tickets.models import Ticket

DISK = {"fingerprint": "disk-db1", "severity": "critical", "summary": "Disk almost full on db1", "status": "firing"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_posts_open_one_ticket():
    _, raw = alert_source_create("Prometheus", TeamFactory(name="Operations"))
    start = threading.Barrier(2)
    statuses = []

    def poster():
        try:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            start.wait()
            statuses.append(api.post(PLAIN_URL, DISK, format="json").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poster) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    assert Ticket.objects.count() == 1
    assert Alert.objects.get().fire_count == 2
