"""How a scorecard turns figures into points, a composite score and a rating band.

Plain functions over plain values, so that a page, the appraisal snapshot and a test compute a
score the same way, and a reader can check one by hand (docs/kpis.md, "Scorecards").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from kpis.metrics import METRICS


@dataclass(frozen=True)
class ItemRule:
    metric: str
    weight: int
    target: float
    floor: float
    higher_is_better: bool
    min_sample: int


@dataclass(frozen=True)
class ItemScore:
    metric: str
    value: float | None
    sample: int | None
    enough_data: bool
    points: float | None  # 0–100; None with not enough data
    weight: int
    share: float  # the weight's share of the composite after redistribution, 0–1
    target: float
    floor: float


# The items with enough data must carry at least this share of the scorecard's total weight
# for a composite: below it, a new agent's few tickets would decide the whole score.
MIN_WEIGHT_WITH_DATA = 0.5


@dataclass(frozen=True)
class Score:
    items: list[ItemScore]
    composite: float | None  # None: not enough data (items with data carry < half the weight)
    band: str | None

    @property
    def enough_data(self) -> bool:
        return self.composite is not None

    def as_dict(self) -> dict:
        return {"items": [asdict(item) for item in self.items], "composite": self.composite, "band": self.band}


def points(value: float, target: float, floor: float, higher_is_better: bool) -> float:
    """0 at the floor (or beyond it), 100 at the target (or beyond it), linear in between."""
    share = (value - floor) / (target - floor) if higher_is_better else (floor - value) / (floor - target)
    return 100 * min(1.0, max(0.0, share))


def scaled(rule: ItemRule, months: int) -> ItemRule:
    """Targets and floors of counts are per month: a quarter's are three times as high."""
    if not METRICS[rule.metric].per_month or months == 1:
        return rule
    return ItemRule(
        rule.metric, rule.weight, rule.target * months, rule.floor * months, rule.higher_is_better, rule.min_sample
    )


def band_for(composite: float, bands: Sequence[Mapping]) -> str | None:
    for band in sorted(bands, key=lambda band: band["min"], reverse=True):
        if composite >= band["min"]:
            return band["label"]
    return None


def score(
    rules: Sequence[ItemRule], values: Mapping[str, float | None], bands: Sequence[Mapping], *, months: int = 1
) -> Score:
    """Score ``values`` (metric keys and their sample counts) against ``rules``.

    An item with no value or fewer samples than its minimum is "not enough data": it gets no
    points and its weight is shared out among the others in proportion to their weights. When
    the items with enough data carry less than half of the total weight, the composite is "not
    enough data" too: no composite, no band, and no item has a share of it (each item with
    enough data still shows its points).
    """
    judged = []
    for rule in (scaled(rule, months) for rule in rules):
        metric = METRICS[rule.metric]
        value = values.get(rule.metric)
        sample = None if metric.sample is None else int(values.get(metric.sample) or 0)
        enough = value is not None and (sample is None or sample >= rule.min_sample)
        judged.append((rule, value, sample, enough))
    total = sum(rule.weight for rule, _value, _sample, _enough in judged)
    with_data = sum(rule.weight for rule, _value, _sample, enough in judged if enough)
    scored = with_data > 0 and with_data >= MIN_WEIGHT_WITH_DATA * total
    items = []
    composite = 0.0
    for rule, value, sample, enough in judged:
        share = rule.weight / with_data if enough and scored else 0.0
        earned = points(float(value), rule.target, rule.floor, rule.higher_is_better) if enough else None
        if earned is not None:
            composite += earned * share
        items.append(ItemScore(rule.metric, value, sample, enough, earned, rule.weight, share, rule.target, rule.floor))
    if not scored:
        return Score(items, None, None)
    return Score(items, composite, band_for(composite, bands))
