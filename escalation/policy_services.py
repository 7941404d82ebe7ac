"""Every change to SLA policies, and the recalculation of ticket clocks that follows it.

Policies are tried in order and the first active one whose conditions match applies
(``tickets.sla.policies``). A change can move the due times of running tickets or hand tickets
to another policy, so each service queues :func:`escalation.recalculation.policy_recalculate_clocks` once the change is
committed; it runs in a Celery worker (``escalation.tasks``) and tests call it directly.

``acting_user=None`` means the system (a management command, data migration or demo data).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Team, User
from escalation.permissions import require_policy_manager
from escalation.recalculation import request_recalculation
from helpdesk.errors import ApplicationError
from tickets.models import Category, Priority, TicketType
from tickets.sla.models import BusinessCalendar, SlaPolicy

logger = logging.getLogger(__name__)

# Large enough for any real target (about eight years of office hours), small enough that a due
# time is always a date the database can hold.
MAX_TARGET_MINUTES = 1_000_000
# Any constant shared by all policy writers: pg_advisory_xact_lock serialises them (see _serialise).
POLICY_WRITE_LOCK = 0x51A_0001

# The fields a manager sets; conditions are the ones that decide which tickets a policy takes.
CONDITIONS = ("priorities", "types", "categories", "organisations", "teams")
RELATED = {"categories": Category, "organisations": Organisation, "teams": Team}
FIELDS = (
    "name",
    "name_zh_hans",
    "calendar",
    *CONDITIONS,
    "first_response_minutes",
    "resolution_minutes",
    "warning_percent",
    "pause_on_pending",
    "pause_on_hold",
)
# A change to any of these can move due times or hand tickets to another policy; a new name cannot.
CLOCK_INPUTS = frozenset(FIELDS) - {"name", "name_zh_hans"}
DEFAULTS: dict[str, Any] = {
    "name_zh_hans": "",
    "priorities": (),
    "types": (),
    "categories": (),
    "organisations": (),
    "teams": (),
    "warning_percent": 80,
    "pause_on_pending": True,
    "pause_on_hold": False,
}
WHOLE_NUMBER = re.compile(r"^\s*[-+]?\d+\s*$")


# --- validation -------------------------------------------------------------------------------


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and WHOLE_NUMBER.match(value):
        return int(value)
    return None


def _target(value: Any, errors: dict[str, str], field: str, message: str) -> int | None:
    minutes = _whole_number(value)
    if minutes is None or minutes <= 0:
        errors[field] = message
        return None
    if minutes > MAX_TARGET_MINUTES:
        errors[field] = _("A target can be at most %(max)s business minutes.") % {"max": f"{MAX_TARGET_MINUTES:,}"}
        return None
    return minutes


def _related_ids(field: str, values: Iterable, errors: dict[str, str]) -> frozenset[int]:
    ids = frozenset(getattr(value, "pk", value) for value in values or ())
    if len(ids) != RELATED[field].objects.filter(pk__in=ids).count():
        errors[field] = {
            "categories": _("Choose categories from the list."),
            "organisations": _("Choose organisations from the list."),
            "teams": _("Choose teams from the list."),
        }[field]
    return ids


def policy_problems(fields: dict[str, Any], *, excluding: SlaPolicy | None = None) -> dict[str, str]:
    """What the services would refuse in these fields, by field: forms show it all in one go."""
    return _check({**DEFAULTS, **fields}, excluding=excluding)[1]


def _clean(fields: dict[str, Any], *, excluding: SlaPolicy | None = None) -> dict[str, Any]:
    """Check a whole policy; every problem is reported at once, each under its field."""
    cleaned, errors = _check(fields, excluding=excluding)
    if errors:
        raise ApplicationError(" ".join(errors.values()), extra={"errors": errors})
    return cleaned


def _check(fields: dict[str, Any], *, excluding: SlaPolicy | None) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    name = " ".join(str(fields.get("name") or "").split())
    name_max = SlaPolicy._meta.get_field("name").max_length
    if not name:
        errors["name"] = _("Give the policy a name.")
    elif len(name) > name_max:
        errors["name"] = _("A name can be at most %(max)d characters long.") % {"max": name_max}
    else:
        others = SlaPolicy.objects.filter(name__iexact=name)
        if excluding is not None:
            others = others.exclude(pk=excluding.pk)
        if others.exists():
            errors["name"] = _("A policy named “%(name)s” already exists.") % {"name": name}
    cleaned["name"] = name

    name_zh_hans = " ".join(str(fields.get("name_zh_hans") or "").split())
    if len(name_zh_hans) > name_max:
        errors["name_zh_hans"] = _("A name can be at most %(max)d characters long.") % {"max": name_max}
    cleaned["name_zh_hans"] = name_zh_hans

    calendar = fields.get("calendar")
    if not isinstance(calendar, BusinessCalendar) or calendar.pk is None:
        errors["calendar"] = _("Choose the business calendar the targets are counted in.")
    cleaned["calendar"] = calendar

    response = _target(
        fields.get("first_response_minutes"),
        errors,
        "first_response_minutes",
        _("The first-response target must be a whole number of business minutes, greater than zero."),
    )
    resolution = _target(
        fields.get("resolution_minutes"),
        errors,
        "resolution_minutes",
        _("The resolution target must be a whole number of business minutes, greater than zero."),
    )
    if response is not None and resolution is not None and resolution < response:
        errors["resolution_minutes"] = _("The resolution target cannot be shorter than the first-response target.")
    cleaned["first_response_minutes"], cleaned["resolution_minutes"] = response, resolution

    warning = _whole_number(fields.get("warning_percent"))
    if warning is None or not 1 <= warning <= 99:
        errors["warning_percent"] = _("The warning must be a whole percentage from 1 to 99.")
    cleaned["warning_percent"] = warning

    priorities = [_whole_number(p) for p in fields.get("priorities") or ()]
    if any(p not in Priority.values for p in priorities):
        errors["priorities"] = _("Priorities are P1 to P4.")
    cleaned["priorities"] = sorted({p for p in priorities if p is not None})

    types = [str(t) for t in fields.get("types") or ()]
    unknown = sorted(set(types) - set(TicketType.values))
    if unknown:
        errors["types"] = _("Unknown ticket type: %(types)s.") % {"types": ", ".join(unknown)}
    cleaned["types"] = [t for t in TicketType.values if t in types]

    for field in RELATED:
        cleaned[field] = _related_ids(field, fields.get(field), errors)
    cleaned["pause_on_pending"] = bool(fields.get("pause_on_pending"))
    cleaned["pause_on_hold"] = bool(fields.get("pause_on_hold"))
    return cleaned, errors


# --- writing ----------------------------------------------------------------------------------


def _serialise() -> None:
    """Let one policy change at a time through, until its transaction ends.

    ``tickets.sla.policies`` caches the policies under (max(updated_at), count); two changes
    committed side by side could otherwise leave that key where a reader already cached it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [POLICY_WRITE_LOCK])


def _touch(policies: Iterable[SlaPolicy]) -> None:
    """Move max(updated_at) forward, so every process's cached policy list is rebuilt.

    Strictly forward, even when the clock is not (frozen in tests, or stepped back): the cache
    key would not change otherwise. A queryset update, because ``auto_now`` would overwrite it.
    """
    policies = list(policies)
    latest = SlaPolicy.objects.aggregate(latest=Max("updated_at"))["latest"]
    moment = timezone.now()
    if latest is not None and moment <= latest:
        moment = latest + timedelta(microseconds=1)
    SlaPolicy.objects.filter(pk__in=[p.pk for p in policies]).update(updated_at=moment)
    for policy in policies:
        policy.updated_at = moment


def _snapshot(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "name_zh_hans": policy.name_zh_hans,
        "calendar": policy.calendar,
        "priorities": sorted(int(p) for p in policy.priorities),
        "types": list(policy.types),
        **{field: frozenset(getattr(policy, field).values_list("pk", flat=True)) for field in RELATED},
        "first_response_minutes": policy.first_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "warning_percent": policy.warning_percent,
        "pause_on_pending": policy.pause_on_pending,
        "pause_on_hold": policy.pause_on_hold,
    }


def _check_acting_user(acting_user: User | None) -> None:
    if acting_user is not None:
        require_policy_manager(acting_user)


def _lock(policy: SlaPolicy) -> SlaPolicy:
    return SlaPolicy.objects.select_for_update().select_related("calendar").get(pk=policy.pk)


@transaction.atomic
def policy_create(*, acting_user: User | None, **fields: Any) -> SlaPolicy:
    """A new policy, tried after the existing ones (move it up on the list to give it precedence)."""
    _check_acting_user(acting_user)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"policy_create() got unexpected fields: {', '.join(sorted(unknown))}")
    _serialise()
    cleaned = _clean({**DEFAULTS, **fields})
    last = SlaPolicy.objects.aggregate(last=Max("position"))["last"]
    policy = SlaPolicy.objects.create(
        position=0 if last is None else last + 1,
        **{field: value for field, value in cleaned.items() if field not in RELATED},
    )
    for field in RELATED:
        getattr(policy, field).set(cleaned[field])
    _touch([policy])
    _queue_recalculation(policy, acting_user)
    return policy


@transaction.atomic
def policy_update(policy: SlaPolicy, *, acting_user: User | None, **changes: Any) -> SlaPolicy:
    """Change some fields; the policy as a whole must stay valid. Running clocks follow."""
    _check_acting_user(acting_user)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"policy_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _serialise()
    policy = _lock(policy)
    before = _snapshot(policy)
    cleaned = _clean({**before, **changes}, excluding=policy)
    changed = [field for field in FIELDS if cleaned[field] != before[field]]
    if not changed:
        return policy
    scalars = [field for field in changed if field not in RELATED]
    for field in scalars:
        setattr(policy, field, cleaned[field])
    # Every edit is a new version: SLA events name the version that applied (tickets/sla/clocks.py).
    policy.version += 1
    policy.save(update_fields=[*scalars, "version"])
    for field in RELATED.keys() & set(changed):
        getattr(policy, field).set(cleaned[field])
    _touch([policy])
    if CLOCK_INPUTS.intersection(changed):
        calendar_before = before["calendar"] if "calendar" in changed else None
        _queue_recalculation(policy, acting_user, calendar_before=calendar_before)
    return policy


@transaction.atomic
def policy_deactivate(policy: SlaPolicy, *, acting_user: User | None) -> SlaPolicy:
    """Stop using a policy; its tickets fall to the next policy that matches, or lose their clock.

    Policies are deactivated, not deleted: tickets and their SLA history keep pointing at them.
    """
    return _set_active(policy, False, acting_user)


@transaction.atomic
def policy_activate(policy: SlaPolicy, *, acting_user: User | None) -> SlaPolicy:
    return _set_active(policy, True, acting_user)


def _set_active(policy: SlaPolicy, active: bool, acting_user: User | None) -> SlaPolicy:
    _check_acting_user(acting_user)
    _serialise()
    policy = _lock(policy)
    if policy.is_active == active:
        return policy
    policy.is_active = active
    policy.save(update_fields=["is_active"])
    _touch([policy])
    _queue_recalculation(policy, acting_user)
    return policy


@transaction.atomic
def policy_reorder(ordered: Sequence[SlaPolicy | int], *, acting_user: User | None) -> list[SlaPolicy]:
    """Put all policies in this order (the first is tried first).

    The list must name every policy exactly once, so an order read from a stale page cannot drop
    a policy someone else added meanwhile.
    """
    _check_acting_user(acting_user)
    _serialise()
    current = list(SlaPolicy.objects.select_for_update().order_by("position", "id"))
    wanted = [getattr(item, "pk", item) for item in ordered]
    if sorted(wanted) != sorted(p.pk for p in current) or len(set(wanted)) != len(wanted):
        raise ApplicationError(_("The list of policies has changed meanwhile. Reload the page and try again."))
    by_id = {policy.pk: policy for policy in current}
    was_at = {policy.pk: index for index, policy in enumerate(current)}
    renumbered = []
    for position, pk in enumerate(wanted):
        policy = by_id[pk]
        if policy.position != position:
            policy.position = position
            renumbered.append(policy)
    if renumbered:
        SlaPolicy.objects.bulk_update(renumbered, ["position"])
        _touch(renumbered)
    # Only a policy that changed places relative to the others can win or lose tickets.
    for position, pk in enumerate(wanted):
        if was_at[pk] != position:
            _queue_recalculation(by_id[pk], acting_user)
    return [by_id[pk] for pk in wanted]


def policy_move(policy: SlaPolicy, offset: int, *, acting_user: User | None) -> list[SlaPolicy]:
    """Swap a policy with its neighbour: ``offset`` -1 moves it up (tried earlier), +1 down."""
    _check_acting_user(acting_user)
    order = list(SlaPolicy.objects.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(policy.pk)
    other = index + offset
    if offset not in (-1, 1) or not 0 <= other < len(order):
        return list(SlaPolicy.objects.filter(pk__in=order).order_by("position", "id"))
    order[index], order[other] = order[other], order[index]
    return policy_reorder(order, acting_user=acting_user)


# --- recalculating ticket clocks ---------------------------------------------------------------


def _queue_recalculation(
    policy: SlaPolicy, acting_user: User | None, *, calendar_before: BusinessCalendar | None = None
) -> None:
    arguments = {
        "policy_id": policy.pk,
        "acting_user_id": None if acting_user is None else acting_user.pk,
        "calendar_before_id": None if calendar_before is None else calendar_before.pk,
        # Whole seconds, like every moment the clocks store (tickets.sla.clocks.refresh_clocks).
        "changed_at": timezone.now().replace(microsecond=0).isoformat(),
    }
    transaction.on_commit(partial(request_recalculation, **arguments))
