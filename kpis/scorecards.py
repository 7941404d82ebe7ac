"""Reading scorecards: which one applies to a team, and its items as scoring rules."""

from __future__ import annotations

from accounts.models import Team
from kpis.models import Direction, Scorecard
from kpis.scoring import ItemRule


def scorecard_for(team: Team | None) -> Scorecard | None:
    """The team's own scorecard, else the default one (the scorecard without a team)."""
    if team is not None:
        own = Scorecard.objects.filter(team=team).prefetch_related("items").first()
        if own is not None:
            return own
    return Scorecard.objects.filter(team=None).prefetch_related("items").first()


def rules_of(scorecard: Scorecard) -> list[ItemRule]:
    return [
        ItemRule(
            metric=item.metric,
            weight=item.weight,
            target=item.target,
            floor=item.floor,
            higher_is_better=item.direction == Direction.HIGHER,
            min_sample=item.min_sample,
        )
        for item in scorecard.items.all()
    ]
