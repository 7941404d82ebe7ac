"""A small imported history (tests/data/history_small.jsonl): the export equals figures worked
out by hand and by an independent calculation (tests/data/history_small_expected.py), the
rollups equal the export, and the imported tickets' facts and event snapshots agree with their
event logs.

Network's time zone is set to Europe/Berlin after the import (the importer creates teams in
UTC): the periods of its events are Berlin days, across the CEST→CET change of 2026-10-25.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.models import Team, User
from kpis.export import export_figures
from kpis.rollups import refresh_full
from kpis.verify import differences
from tests.data import history_small_expected as expected
from tickets.event_checks import event_log_problems
from tickets.facts import tickets_with_mismatches
from tickets.models import Ticket

CASES = [(month, by) for month in expected.PERIODS for by in ("agent", "team")]


@pytest.fixture(scope="module")
def _imported_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        errors = StringIO()
        try:
            call_command("import_tickets", str(expected.PATH), "--create-missing", stdout=StringIO(), stderr=errors)
        except CommandError as exc:
            raise AssertionError(f"{exc}\n{errors.getvalue()}") from exc
        for name, zone in expected.ZONES.items():
            Team.objects.filter(name=name).update(time_zone=zone)
        refresh_full()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def imported(_imported_once, db):
    return None


def _ids(by: str) -> dict[int, str]:
    if by == "agent":
        emails = [expected.A1, expected.A2, expected.A3, expected.A4]
        return {user.pk: user.email for user in User.objects.filter(email__in=emails)}
    return dict(Team.objects.filter(name__in=expected.ZONES).values_list("pk", "name"))


def _exported(month: str, by: str) -> dict[str, dict]:
    """The export for the month, keyed by agent e-mail or team name, on the metrics we expect."""
    first_day, last_day = expected.PERIODS[month]
    names = _ids(by)
    figures = export_figures(first_day, last_day, by)
    assert set(figures) <= set(names), f"keys the file does not have: {set(figures) - set(names)}"
    return {
        names[key]: {
            metric: None if values.get(metric) is None else float(values[metric]) for metric in expected.METRICS
        }
        for key, values in figures.items()
    }


def _differences(got: dict[str, dict], want: dict[str, dict]) -> list[tuple]:
    found = []
    for name in sorted(set(got) | set(want)):
        for metric in expected.METRICS:
            mine, theirs = got.get(name, {}).get(metric), want.get(name, {}).get(metric)
            if mine is None or theirs is None:
                if mine is not theirs:
                    found.append((name, metric, mine, theirs))
            elif theirs != pytest.approx(mine, rel=1e-9, abs=1e-6):
                found.append((name, metric, mine, theirs))
    return found


def _listed(title: str, found: list) -> str:
    return "\n".join([title, *map(str, found)])


def test_every_line_is_imported(imported):
    refs = set(Ticket.objects.exclude(external_reference=None).values_list("external_reference", flat=True))
    assert len(refs) == 47
    assert {f"EXT-{number}" for number in range(2001, 2048)} == refs


def test_the_hand_figures_equal_the_independent_calculation():
    """Guards the expectations themselves: two ways of working them out agree."""
    for (month, by), hand in expected.HAND.items():
        first_day, last_day = expected.PERIODS[month]
        found = _differences(hand, expected.compute(first_day, last_day, by))
        assert not found, _listed(f"{month} by {by}: (name, metric, by hand, calculated)", found)


@pytest.mark.parametrize(("month", "by"), CASES)
def test_the_export_equals_the_hand_figures(imported, month, by):
    found = _differences(_exported(month, by), expected.HAND[(month, by)])
    assert not found, _listed("(name, metric, exported, by hand)", found)


@pytest.mark.parametrize(("month", "by"), CASES)
def test_the_export_equals_the_independent_calculation(imported, month, by):
    first_day, last_day = expected.PERIODS[month]
    found = _differences(_exported(month, by), expected.compute(first_day, last_day, by))
    assert not found, _listed("(name, metric, exported, calculated)", found)


def test_the_rollups_equal_the_export(imported):
    found = differences()
    assert not found, _listed("stored vs recomputed", found)


def test_the_imported_facts_and_snapshots_agree_with_the_event_logs(imported):
    assert tickets_with_mismatches(Ticket.objects.all()) == []
    assert event_log_problems(Ticket.objects.all()) == []
