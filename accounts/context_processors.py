"""The navigation each role sees; later apps add their entries here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    url_name: str


# The items of each kind of user, per script prefix: the URLs never change while the process
# runs, and the labels are lazy (translated when the page is drawn). Six reverse() calls less
# on every page.
_ITEMS: dict[tuple, tuple[NavItem, ...]] = {}


def _items_for(user) -> tuple[NavItem, ...]:
    if not user.is_authenticated:
        kind = ("anonymous",)
    elif not user.works_tickets:
        kind = ("requester",)
    else:
        kind = ("staff", user.has_role(Role.MANAGER), user.has_role(Role.ADMIN))
    key = (*kind, get_script_prefix())
    items = _ITEMS.get(key)
    if items is None:
        items = _ITEMS[key] = tuple(_build_items(user))
    return items


def _build_items(user) -> list[NavItem]:
    if not user.is_authenticated:
        return [
            NavItem(_("Help centre"), reverse("kb:home"), "kb:home"),
            NavItem(_("Submit a request"), reverse("tickets:submit"), "tickets:submit"),
        ]
    if not user.works_tickets:
        return [
            NavItem(_("My requests"), reverse("tickets:my_tickets"), "tickets:my_tickets"),
            NavItem(_("New request"), reverse("tickets:submit"), "tickets:submit"),
            NavItem(_("Help centre"), reverse("kb:home"), "kb:home"),
        ]
    items = [
        NavItem(_("Home"), reverse("home"), "home"),
        NavItem(_("Queues"), reverse("tickets:agent_queue"), "tickets:agent_queue"),
        NavItem(_("Knowledge base"), reverse("kb_agent:list"), "kb_agent:list"),
        NavItem(_("Reply templates"), reverse("canned:list"), "canned:list"),
        NavItem(_("Teams"), reverse("accounts:teams"), "accounts:teams"),
        NavItem(_("API"), reverse("api-docs"), "api-docs"),
    ]
    if user.has_role(Role.MANAGER):
        items.append(NavItem(_("SLA policies"), reverse("escalation:policy_list"), "escalation:policy_list"))
        items.append(NavItem(_("Calendars"), reverse("escalation:calendar_list"), "escalation:calendar_list"))
        items.append(NavItem(_("Escalation rules"), reverse("escalation:rule_list"), "escalation:rule_list"))
        items.append(NavItem(_("SLA breaches"), reverse("escalation:breach_list"), "escalation:breach_list"))
        items.append(NavItem(_("Deflection"), reverse("kb_manage:deflection"), "kb_manage:deflection"))
    if user.has_role(Role.ADMIN):
        items.append(NavItem(_("Administration"), reverse("admin:index"), "admin:index"))
    return items


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    return {"nav_items": _items_for(user), "nav_current": current}
