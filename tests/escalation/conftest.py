from datetime import time

import pytest

from escalation.services import calendar_create
from tickets.sla.working_hours import Interval


def office_hours(*days: int, start: time = time(9), end: time = time(17)) -> list[Interval]:
    return [Interval(day, start, end) for day in days or range(5)]


@pytest.fixture
def berlin_office(db):
    """Mon–Fri 09:00–17:00 in Europe/Berlin."""
    return calendar_create("Berlin office", "Europe/Berlin", intervals=office_hours(), acting_user=None)
