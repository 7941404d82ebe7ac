"""Scorecard arithmetic: linear points between floor and target, weights shared out, bands."""

import pytest

from kpis.models import Scorecard
from kpis.scorecards import rules_of, scorecard_for
from kpis.scoring import ItemRule, points, score

BANDS = [{"min": 90, "label": "Outstanding"}, {"min": 60, "label": "Meets"}, {"min": 0, "label": "Below"}]


def test_points_are_linear_between_floor_and_target_and_capped():
    assert points(0.75, target=0.75, floor=0.40, higher_is_better=True) == 100
    assert points(0.575, target=0.75, floor=0.40, higher_is_better=True) == pytest.approx(50)
    assert points(0.95, target=0.75, floor=0.40, higher_is_better=True) == 100
    assert points(0.10, target=0.75, floor=0.40, higher_is_better=True) == 0
    # Lower is better: 30 minutes is the target, 4 hours the floor.
    assert points(1800, target=1800, floor=14400, higher_is_better=False) == 100
    assert points(8100, target=1800, floor=14400, higher_is_better=False) == pytest.approx(50)
    assert points(20000, target=1800, floor=14400, higher_is_better=False) == 0


def test_an_item_without_enough_samples_shares_its_weight_out():
    rules = [
        ItemRule("fcr_rate", 20, 0.75, 0.40, True, 5),
        ItemRule("csat_positive_rate", 30, 0.90, 0.60, True, 5),
        ItemRule("reopen_rate", 50, 0.03, 0.15, False, 5),
    ]
    values = {
        "fcr_rate": 0.75,  # 100 points
        "tickets_resolved": 10,
        "csat_positive_rate": 0.75,  # 50 points
        "csat_answers": 6,
        "reopen_rate": 0.0,
        "resolutions": 2,  # below the minimum of 5: not enough data
    }

    result = score(rules, values, BANDS)

    fcr, csat, reopen = result.items
    assert (reopen.enough_data, reopen.points, reopen.share) == (False, None, 0.0)
    assert (fcr.share, csat.share) == (pytest.approx(0.4), pytest.approx(0.6))
    assert result.composite == pytest.approx(100 * 0.4 + 50 * 0.6)
    assert result.band == "Meets"


def test_nothing_to_judge_gives_no_composite():
    result = score([ItemRule("fcr_rate", 20, 0.75, 0.40, True, 5)], {"fcr_rate": None}, BANDS)
    assert (result.composite, result.band, result.items[0].enough_data) == (None, None, False)


def test_count_targets_are_per_month_and_triple_for_a_quarter():
    rule = ItemRule("weighted_workload", 10, 60, 10, True, 0)
    assert score([rule], {"weighted_workload": 60}, BANDS).composite == 100
    # A quarter: floor 30, target 180; 60 is a fifth of the way.
    assert score([rule], {"weighted_workload": 60}, BANDS, months=3).composite == pytest.approx(20)


def test_the_default_scorecard_is_balanced_and_applies_to_teams_without_their_own(db, service_desk):
    default = scorecard_for(service_desk)
    assert default.team is None
    rules = rules_of(default)
    assert sum(rule.weight for rule in rules) == 100
    from kpis.metrics import METRICS, Area

    by_area = {}
    for rule in rules:
        by_area[str(METRICS[rule.metric].area)] = by_area.get(str(METRICS[rule.metric].area), 0) + rule.weight
    assert by_area == {str(Area.EFFICIENCY): 40, str(Area.QUALITY): 40, str(Area.WORKLOAD): 15, str(Area.GROWTH): 5}
    # Speed alone cannot win: perfect times with poor quality stay below "meets expectations".
    fast_but_sloppy = {
        "resolution_final_median_s": 600,
        "frt_median_s": 60,
        "frt_count": 50,
        "fcr_rate": 0.2,
        "tickets_resolved": 50,
        "sla_resolution_rate": 1.0,
        "sla_resolution_due": 50,
        "csat_positive_rate": 0.5,
        "csat_answers": 20,
        "reopen_rate": 0.3,
        "resolutions": 50,
        "review_score": 2.5,
        "reviews": 5,
        "weighted_workload": 60,
        "article_reuse": 0,
        "growth_items": 0,
    }
    assert score(rules, fast_but_sloppy, default.bands).composite < 60

    own = Scorecard.objects.create(team=service_desk, name="Desk")
    assert scorecard_for(service_desk) == own


def test_items_with_data_carrying_less_than_half_the_weight_give_no_composite():
    rules = [
        ItemRule("fcr_rate", 20, 0.75, 0.40, True, 5),
        ItemRule("csat_positive_rate", 30, 0.90, 0.60, True, 5),
        ItemRule("reopen_rate", 50, 0.03, 0.15, False, 5),
    ]
    # Only FCR (20 of 100) has enough data.
    values = {"fcr_rate": 0.75, "tickets_resolved": 10, "csat_positive_rate": 1.0, "csat_answers": 2}

    result = score(rules, values, BANDS)

    assert (result.composite, result.band, result.enough_data) == (None, None, False)
    fcr, csat, reopen = result.items
    # The item with data still shows its points; nothing has a share of a composite there is not.
    assert (fcr.enough_data, fcr.points, fcr.share) == (True, 100, 0.0)
    assert (csat.enough_data, reopen.enough_data) == (False, False)
    assert result.as_dict()["composite"] is None and set(result.as_dict()) == {"items", "composite", "band"}


def test_a_new_agent_on_the_default_scorecard_has_not_enough_data_not_zero(db, service_desk):
    default = scorecard_for(service_desk)
    # Two tickets resolved: only the items without a minimum sample (workload, article reuse,
    # growth: 20 of 100) have data, and they would all score 0.
    new_agent = {
        "tickets_resolved": 2,
        "resolutions": 2,
        "frt_count": 2,
        "frt_median_s": 600,
        "resolution_final_median_s": 1800,
        "fcr_rate": 1.0,
        "reopen_rate": 0.0,
        "weighted_workload": 2,
        "article_reuse": 0,
        "growth_items": 0,
    }
    result = score(rules_of(default), new_agent, default.bands)
    assert (result.composite, result.band) == (None, None)
    assert {item.metric for item in result.items if item.enough_data} == {
        "weighted_workload",
        "article_reuse",
        "growth_items",
    }
