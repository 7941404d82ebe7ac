"""Editing scorecards: the default one (admins) and a team's own (its managers).

Every change goes through one function here (``scorecard_create_for_team``, ``scorecard_update``,
``scorecard_item_add``, ``scorecard_item_update``, ``scorecard_item_remove``), which checks
``may_edit_scorecard``, validates with messages a manager can act on (rather than the database's
check constraints) and writes inside one transaction. Final appraisals keep the scorecard they
were scored with in their snapshot, so an edit never changes them.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from accounts.permissions import managed_teams, manages_team
from helpdesk.errors import ApplicationError, ConflictError
from kpis.metrics import METRICS
from kpis.models import Direction, Scorecard, ScorecardItem
from kpis.models.appraisal import default_bands

MAX_WEIGHT = 1_000


# --- who may do what ------------------------------------------------------------------------


def may_view_scorecard(user: User | None, scorecard: Scorecard) -> bool:
    """Managers see the default scorecard (their teams may use it) and their teams' own."""
    if not (user and user.is_authenticated and user.is_active and user.has_role(Role.MANAGER)):
        return False
    return scorecard.team_id is None or manages_team(user, scorecard.team)


def may_edit_scorecard(user: User | None, scorecard: Scorecard) -> bool:
    """Only admins edit the default scorecard; a team's own, its managers (and admins)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if scorecard.team_id is None:
        return user.has_role(Role.ADMIN)
    return manages_team(user, scorecard.team)


def may_create_scorecard(user: User | None, team: Team) -> bool:
    """A team's managers (and admins) give it its own scorecard."""
    return bool(user and user.is_authenticated and user.is_active and manages_team(user, team))


def _require_edit(user: User | None, scorecard: Scorecard) -> None:
    if not may_edit_scorecard(user, scorecard):
        raise PermissionDenied


# --- selectors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamScorecard:
    team: Team
    scorecard: Scorecard | None  # None: the team uses the default


def scorecards_for_manager(user: User) -> tuple[Scorecard | None, list[TeamScorecard]]:
    """The default scorecard and, for each team ``user`` manages, its own scorecard if it has one."""

    default = Scorecard.objects.filter(team=None).first()
    own = {card.team_id: card for card in Scorecard.objects.filter(team__in=managed_teams(user))}
    return default, [TeamScorecard(team, own.get(team.pk)) for team in managed_teams(user).order_by("name")]


@dataclass(frozen=True)
class AreaBalance:
    area: str
    weight: int
    share: float  # of the scorecard's total weight, 0–1


def scorecard_balance(scorecard: Scorecard) -> list[AreaBalance]:
    """The sum of the weights per metric area, in the order areas first appear."""
    weights: OrderedDict[str, int] = OrderedDict()
    for item in scorecard.items.all():
        metric = METRICS.get(item.metric)
        area = str(metric.area) if metric else _("Unknown metric")
        weights[area] = weights.get(area, 0) + item.weight
    total = sum(weights.values())
    return [AreaBalance(area, weight, weight / total if total else 0.0) for area, weight in weights.items()]


# --- validation -----------------------------------------------------------------------------


def _number(value: Any, field: str, message: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise ApplicationError(message, extra={"field": field})
    return number


def _whole(value: Any, field: str, message: str, *, least: int, most: int) -> int:
    number = _number(value, field, message)
    if number != int(number) or not least <= number <= most:
        raise ApplicationError(message, extra={"field": field})
    return int(number)


def validate_item(
    *, metric: str, weight: Any, target: Any, floor: Any, direction: str, min_sample: Any, position: Any
) -> dict[str, Any]:
    """The item's fields, cleaned; a refusal names the field and says what would be accepted."""
    if metric not in METRICS:
        raise ApplicationError(_("Choose one of the listed metrics."), extra={"field": "metric"})
    if direction not in Direction.values:
        raise ApplicationError(_("Choose whether higher or lower is better."), extra={"field": "direction"})
    cleaned = {
        "metric": metric,
        "direction": direction,
        "weight": _whole(
            weight, "weight", _("The weight is a whole number from 1 to %(most)s.") % {"most": MAX_WEIGHT},
            least=1, most=MAX_WEIGHT,
        ),
        "target": _number(target, "target", _("Enter the target as a number.")),
        "floor": _number(floor, "floor", _("Enter the floor as a number.")),
        "min_sample": _whole(
            min_sample, "min_sample", _("The minimum sample is a whole number, 0 or more."), least=0, most=1_000_000
        ),
        "position": _whole(position, "position", _("The order is a whole number, 0 or more."), least=0, most=32_767),
    }  # fmt: skip
    if direction == Direction.HIGHER and not cleaned["target"] > cleaned["floor"]:
        raise ApplicationError(
            _("Higher is better, so the target must be above the floor (0 points at the floor, 100 at the target)."),
            extra={"field": "target"},
        )
    if direction == Direction.LOWER and not cleaned["target"] < cleaned["floor"]:
        raise ApplicationError(
            _("Lower is better, so the target must be below the floor (0 points at the floor, 100 at the target)."),
            extra={"field": "target"},
        )
    return cleaned


def validate_bands(bands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bands sorted best first; distinct whole minimums 0–100, one of them 0, each with a label."""
    cleaned = []
    for band in bands:
        label = str(band.get("label") or "").strip()
        if not label:
            raise ApplicationError(_("Every rating band needs a label."), extra={"field": "bands"})
        if len(label) > 80:
            raise ApplicationError(_("Keep band labels under 80 characters."), extra={"field": "bands"})
        minimum = _whole(
            band.get("min"),
            "bands",
            _("A band's minimum score is a whole number from 0 to 100."),
            least=0,
            most=100,
        )
        cleaned.append({"min": minimum, "label": label})
    minimums = [band["min"] for band in cleaned]
    if len(set(minimums)) != len(minimums):
        raise ApplicationError(_("Two rating bands have the same minimum score."), extra={"field": "bands"})
    if 0 not in minimums:
        raise ApplicationError(
            _("One rating band must start at 0, so that every score has a band."), extra={"field": "bands"}
        )
    return sorted(cleaned, key=lambda band: band["min"], reverse=True)


# --- services -------------------------------------------------------------------------------


def _locked(scorecard: Scorecard) -> Scorecard:
    # Lock the scorecard row: item edits of two managers at once are applied one after the other.
    return Scorecard.objects.select_for_update(of=("self",)).select_related("team").get(pk=scorecard.pk)


def _touch(scorecard: Scorecard) -> None:
    scorecard.save(update_fields=["updated_at"])


@transaction.atomic
def scorecard_create_for_team(team: Team, *, acting_user: User) -> Scorecard:
    """Give ``team`` its own scorecard, a copy of the default one (name, bands and items)."""
    if not may_create_scorecard(acting_user, team):
        raise PermissionDenied
    if Scorecard.objects.filter(team=team).exists():
        raise ConflictError(_("%(team)s already has its own scorecard.") % {"team": team})
    default = Scorecard.objects.filter(team=None).prefetch_related("items").first()
    scorecard = Scorecard.objects.create(
        team=team,
        name=_("%(team)s scorecard") % {"team": team.name},
        bands=list(default.bands) if default else default_bands(),
    )
    if default is not None:
        ScorecardItem.objects.bulk_create(
            ScorecardItem(
                scorecard=scorecard,
                metric=item.metric,
                weight=item.weight,
                target=item.target,
                floor=item.floor,
                direction=item.direction,
                min_sample=item.min_sample,
                position=item.position,
            )
            for item in default.items.all()
        )
    return scorecard


@transaction.atomic
def scorecard_update(scorecard: Scorecard, *, name: str, bands: list[dict[str, Any]], acting_user: User) -> Scorecard:
    """Rename the scorecard and replace its rating bands."""
    scorecard = _locked(scorecard)
    _require_edit(acting_user, scorecard)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ApplicationError(_("Give the scorecard a name of up to 120 characters."), extra={"field": "name"})
    scorecard.name = name
    scorecard.bands = validate_bands(bands)
    scorecard.save(update_fields=["name", "bands", "updated_at"])
    return scorecard


@transaction.atomic
def scorecard_item_add(
    scorecard: Scorecard,
    *,
    metric: str,
    weight: Any,
    target: Any,
    floor: Any,
    direction: str,
    min_sample: Any,
    position: Any = None,
    acting_user: User,
) -> ScorecardItem:
    scorecard = _locked(scorecard)
    _require_edit(acting_user, scorecard)
    if position is None or position == "":
        position = (scorecard.items.aggregate(last=Max("position"))["last"] or 0) + 1
    cleaned = validate_item(
        metric=metric,
        weight=weight,
        target=target,
        floor=floor,
        direction=direction,
        min_sample=min_sample,
        position=position,
    )
    if scorecard.items.filter(metric=metric).exists():
        raise ConflictError(_("This scorecard already has that metric."), extra={"field": "metric"})
    item = ScorecardItem.objects.create(scorecard=scorecard, **cleaned)
    _touch(scorecard)
    return item


@transaction.atomic
def scorecard_item_update(
    item: ScorecardItem,
    *,
    metric: str,
    weight: Any,
    target: Any,
    floor: Any,
    direction: str,
    min_sample: Any,
    position: Any,
    acting_user: User,
) -> ScorecardItem:
    scorecard = _locked(item.scorecard)
    _require_edit(acting_user, scorecard)
    item = ScorecardItem.objects.get(pk=item.pk, scorecard=scorecard)
    cleaned = validate_item(
        metric=metric,
        weight=weight,
        target=target,
        floor=floor,
        direction=direction,
        min_sample=min_sample,
        position=position,
    )
    if scorecard.items.filter(metric=metric).exclude(pk=item.pk).exists():
        raise ConflictError(_("This scorecard already has that metric."), extra={"field": "metric"})
    for field, value in cleaned.items():
        setattr(item, field, value)
    item.save(update_fields=list(cleaned))
    _touch(scorecard)
    return item


@transaction.atomic
def scorecard_item_remove(item: ScorecardItem, *, acting_user: User) -> None:
    scorecard = _locked(item.scorecard)
    _require_edit(acting_user, scorecard)
    ScorecardItem.objects.filter(pk=item.pk, scorecard=scorecard).delete()
    _touch(scorecard)
