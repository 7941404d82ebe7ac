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


@dataclass(frozen=True)
class Navigation:
    items: tuple[NavItem, ...]
    manage: tuple[NavItem, ...] = ()


# The items of each kind of user, per script prefix: the URLs never change while the process
# runs, and the labels are lazy (translated when the page is drawn). Six reverse() calls less
# on every page.
_NAVIGATION: dict[tuple, Navigation] = {}


def _navigation_for(user) -> Navigation:
    if not user.is_authenticated:
        kind = ("anonymous",)
    elif not user.works_tickets:
        kind = ("requester",)
    else:
        kind = ("staff", user.has_role(Role.MANAGER), user.has_role(Role.ADMIN))
    key = (*kind, get_script_prefix())
    found = _NAVIGATION.get(key)
    if found is None:
        found = _NAVIGATION[key] = _build(user)
    return found


def _build(user) -> Navigation:
    if not user.is_authenticated:
        return Navigation(
            (
                NavItem(_("Help centre"), reverse("kb:home"), "kb:home"),
                NavItem(_("Submit a request"), reverse("tickets:submit"), "tickets:submit"),
            )
        )
    if not user.works_tickets:
        return Navigation(
            (
                NavItem(_("My requests"), reverse("tickets:my_tickets"), "tickets:my_tickets"),
                NavItem(_("New request"), reverse("tickets:submit"), "tickets:submit"),
                NavItem(_("Help centre"), reverse("kb:home"), "kb:home"),
            )
        )
    # The brand on the left leads home; the bar keeps the places agents work in.
    items = (
        NavItem(_("Queues"), reverse("tickets:agent_queue"), "tickets:agent_queue"),
        NavItem(_("New ticket"), reverse("tickets:agent_new_ticket"), "tickets:agent_new_ticket"),
        NavItem(_("Knowledge base"), reverse("kb_agent:list"), "kb_agent:list"),
        NavItem(_("Reply templates"), reverse("canned:list"), "canned:list"),
        NavItem(_("Feedback"), reverse("feedback:list"), "feedback:list"),
        NavItem(_("Teams"), reverse("accounts:teams"), "accounts:teams"),
        NavItem(_("My figures"), reverse("kpis_dashboards:agent"), "kpis_dashboards:agent"),
    )
    # The API's documentation is linked from Preferences → API tokens, where tokens are made.
    # A manager's pages go into one "Manage" menu, so that the bar fits a laptop screen.
    manage: list[NavItem] = []
    if user.has_role(Role.MANAGER):
        manage += [
            NavItem(_("KPI dashboard"), reverse("kpis_dashboards:manager"), "kpis_dashboards:manager"),
            NavItem(_("Appraisals"), reverse("kpis_appraisal:period_list"), "kpis_appraisal:period_list"),
            NavItem(_("Quality reviews"), reverse("kpis_reviews:queue"), "kpis_reviews:queue"),
            NavItem(_("Scorecards"), reverse("kpis_reviews:scorecards"), "kpis_reviews:scorecards"),
            NavItem(_("SLA policies"), reverse("escalation:policy_list"), "escalation:policy_list"),
            NavItem(_("Calendars"), reverse("escalation:calendar_list"), "escalation:calendar_list"),
            NavItem(_("Escalation rules"), reverse("escalation:rule_list"), "escalation:rule_list"),
            NavItem(_("SLA breaches"), reverse("escalation:breach_list"), "escalation:breach_list"),
            NavItem(_("Maintenance plans"), reverse("maintenance:plan_list"), "maintenance:plan_list"),
            NavItem(_("Ticket spikes"), reverse("incidents:spike_list"), "incidents:spike_list"),
            NavItem(_("Deflection"), reverse("kb_manage:deflection"), "kb_manage:deflection"),
            NavItem(_("Held and failed e-mails"), reverse("mail:review_list"), "mail:review_list"),
        ]
    if user.has_role(Role.ADMIN):
        manage.append(NavItem(_("Audit log"), reverse("accounts:audit_log"), "accounts:audit_log"))
        manage.append(NavItem(_("Administration"), reverse("admin:index"), "admin:index"))
    return Navigation(items, tuple(manage))


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": ()}
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    found = _navigation_for(user)
    return {
        "nav_items": found.items,
        "nav_manage": found.manage,
        "nav_manage_current": any(item.url_name == current for item in found.manage),
        "nav_current": current,
    }
