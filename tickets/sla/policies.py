"""Which SLA policy applies to a ticket: the first active one, in order, whose conditions match."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, Value

from tickets.sla.models import SlaPolicy


@dataclass(frozen=True)
class PolicyConditions:
    policy: SlaPolicy
    priorities: frozenset[int]
    types: frozenset[str]
    categories: frozenset[int]
    organisations: frozenset[int]
    teams: frozenset[int]

    def matches(self, ticket) -> bool:
        checks = (
            (self.priorities, ticket.priority),
            (self.types, ticket.type),
            (self.categories, ticket.category_id),
            (self.organisations, ticket.organisation_id),
            (self.teams, ticket.team_id),
        )
        return all(not allowed or value in allowed for allowed, value in checks)


# Set inside policies_read_once(): the policies read by its first clock refresh.
_read_once: ContextVar[list[list[PolicyConditions]] | None] = ContextVar("sla_policies_read_once", default=None)


@contextmanager
def policies_read_once() -> Iterator[None]:
    """Inside this block the active policies are read at the first clock refresh only.

    For one transaction that replays a whole ticket history (the import): its services refresh
    the clocks at every step, and the policies cannot usefully change in those milliseconds.
    """
    token = _read_once.set([])
    try:
        yield
    finally:
        _read_once.reset(token)


def active_policies() -> list[PolicyConditions]:
    """All active policies in order with their conditions: one query, its joins' ids aggregated.

    Read on every clock refresh rather than kept per process: policies are few, and a change
    made in the manager's page applies to the very next ticket in every process. Only inside
    :func:`policies_read_once` is the first read reused.
    """
    held = _read_once.get()
    if held:
        return held[0]
    policies = _read_policies()
    if held is not None:
        held.append(policies)
    return policies


def _read_policies() -> list[PolicyConditions]:
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .annotate(
            category_ids=_ids("categories"),
            organisation_ids=_ids("organisations"),
            team_ids=_ids("teams"),
        )
        .order_by("position", "id")
    )
    return [
        PolicyConditions(
            policy=policy,
            priorities=frozenset(int(p) for p in policy.priorities),
            types=frozenset(policy.types),
            categories=frozenset(policy.category_ids),
            organisations=frozenset(policy.organisation_ids),
            teams=frozenset(policy.team_ids),
        )
        for policy in policies
    ]


def _ids(relation: str) -> ArrayAgg:
    return ArrayAgg(f"{relation}__id", distinct=True, filter=Q(**{f"{relation}__isnull": False}), default=Value([]))


def matching_policy(ticket, policies: list[PolicyConditions] | None = None) -> SlaPolicy | None:
    for conditions in active_policies() if policies is None else policies:
        if conditions.matches(ticket):
            return conditions.policy
    return None
