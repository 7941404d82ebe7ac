"""Which SLA policy applies to a ticket: the first active one, in order, whose conditions match."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

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


_cache: dict[tuple, list[PolicyConditions]] = {}


def active_policies() -> list[PolicyConditions]:
    """All active policies with their conditions, kept per process until any policy changes.

    One cheap query tells whether the cached list is still current: the policy services bump
    ``updated_at`` on every change, conditions included; the highest id tells a new policy from
    one deleted and made again at the same instant (tests with a frozen clock do that).
    """
    version = tuple(
        SlaPolicy.objects.aggregate(changed=Max("updated_at"), count=Count("id"), newest=Max("id")).values()
    )
    cached = _cache.get(version)
    if cached is None:
        _cache.clear()
        cached = _cache[version] = _load_policies()
    return cached


def _load_policies() -> list[PolicyConditions]:
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("categories", "organisations", "teams")
        .order_by("position", "id")
    )
    return [
        PolicyConditions(
            policy=policy,
            priorities=frozenset(int(p) for p in policy.priorities),
            types=frozenset(policy.types),
            categories=frozenset(c.pk for c in policy.categories.all()),
            organisations=frozenset(o.pk for o in policy.organisations.all()),
            teams=frozenset(t.pk for t in policy.teams.all()),
        )
        for policy in policies
    ]


def matching_policy(ticket, policies: list[PolicyConditions] | None = None) -> SlaPolicy | None:
    for conditions in active_policies() if policies is None else policies:
        if conditions.matches(ticket):
            return conditions.policy
    return None
