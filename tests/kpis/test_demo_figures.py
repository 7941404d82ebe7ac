"""On the demo desk: the rollups equal the export for every agent, team and month."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from kpis.export import export_figures
from kpis.models import Dimension, Period, PeriodFigure
from kpis.rollups import period_end, refresh_full
from kpis.verify import differences


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        refresh_full()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def test_the_demo_desk_has_figures_for_every_dimension(seeded):
    for dimension in Dimension.values:
        assert PeriodFigure.objects.filter(period=Period.MONTH, dimension=dimension).exists(), dimension
    desk = PeriodFigure.objects.filter(period=Period.MONTH, dimension=Dimension.DESK)
    assert sum(figure.values["tickets_resolved"] for figure in desk) > 300
    values = max(desk, key=lambda figure: figure.values["tickets_resolved"]).values
    assert 0 < values["fcr_rate"] < 1
    assert values["frt_median_s"] > 0 and values["frt_p90_s"] >= values["frt_median_s"]
    assert values["csat_answers"] > 0 and 1 <= values["csat_mean"] <= 5
    assert values["sla_resolution_due"] > 0


@pytest.mark.parametrize("by", ["agent", "team"])
def test_monthly_rollups_equal_the_export(seeded, by):
    months = sorted(set(PeriodFigure.objects.filter(period=Period.MONTH).values_list("start", flat=True)))
    assert len(months) >= 3
    for start in months:
        exported = export_figures(start, period_end(Period.MONTH, start), by)
        stored = {
            figure.key: figure.values
            for figure in PeriodFigure.objects.filter(period=Period.MONTH, dimension=by, start=start)
        }
        assert stored.keys() == exported.keys()
        for key, values in stored.items():
            different = {
                name: (value, exported[key][name]) for name, value in values.items() if value != exported[key][name]
            }
            assert values == pytest.approx(exported[key], nan_ok=True), (start, key, different)


def test_kpi_verify_is_clean_on_the_demo_desk(seeded):
    assert differences() == []
