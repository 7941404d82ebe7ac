"""Badges and the queue's rows, written in Python.

The queue shows 50 rows on every page load; through the template engine each row cost more
than the SQL that fetched the whole page (per row two ``{% url %}``, a ``blocktranslate``, an
inclusion tag for the SLA badge and some 30 variable lookups). Here the URL is reversed once
per page, the status labels are translated once per page, and every value from the database goes
through ``escape``. Dates are Django's own formatting (``dateformat.format`` with the language's
``SHORT_DATETIME_FORMAT``, as the ``date`` filter) and SLA badges tickets/sla/badges.py's
``badge_for``; nothing is kept between requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy

from tickets.models import Status, Ticket, format_reference
from tickets.sla.badges import Badge, badge_for

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "on_hold": "text-bg-secondary",
    "resolved": "text-bg-success",
}
PRIORITY_CLASSES = {1: "text-bg-danger", 2: "text-bg-warning"}
# The classes of tickets/_sla_badge.html (tests/tickets/test_queues.py compares the two).
SLA_CLASSES = {"overdue": "text-bg-danger", "warning": "text-bg-warning", "ok": "text-bg-success"}
SLA_OTHER_CLASSES = "text-bg-light border text-muted fw-normal"


@register.simple_tag
def status_badge(ticket: Ticket) -> SafeString:
    css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
    return format_html('<span class="badge {}" data-testid="status">{}</span>', css, ticket.get_status_display())


def sla_badge_html(badge: Badge) -> str:
    """tickets/_sla_badge.html as a string: nothing when the badge has no label."""
    if not badge.label:
        return ""
    css = SLA_CLASSES.get(badge.state, SLA_OTHER_CLASSES)
    return (
        f'<span class="badge {css}" data-testid="sla-badge" data-sla-state="{escape(badge.state)}">'
        f"{escape(str(badge.label))}</span>"
    )


def _local_date(value: datetime | None, date_format: str, zone: tzinfo) -> str:
    """What ``{{ value|date:"SHORT_DATETIME_FORMAT" }}`` prints, given that format and time zone.

    ``formats.date_format`` looks the format up again on every call; a page of 50 rows looks
    it and the reader's time zone up once and formats each date with the same Django function.
    """
    return "" if value is None else escape(dateformat.format(timezone.localtime(value, zone), date_format))


# "Breaching soon" sorted by due time: a heading row where the rows pass from one group to the next.
DUE_GROUPS = {"overdue": gettext_lazy("Overdue"), "soon": gettext_lazy("Due soon")}


def _due_heading(group: str) -> str:
    return (
        f'<tr class="table-light" data-due-group="{group}" data-testid="due-group-{group}">'
        f'<th colspan="10" scope="colgroup" class="small text-uppercase">{escape(str(DUE_GROUPS[group]))}</th></tr>'
    )


@register.simple_tag
def queue_rows(tickets: Sequence[Ticket], due_groups: dict | None = None) -> SafeString:
    """The ``<tr>`` of each ticket of a queue page (the columns of templates/tickets/queue.html).

    ``tickets`` come from ``queues.page``, with the names of their people, team and tags.
    ``due_groups`` (``{"now": …, "before": "overdue" | "soon" | None}``), for rows in due
    order: a heading before the first overdue row and the first row still due, unless the
    previous page ended in that group already.
    """
    if not tickets:
        return format_html('<tr><td colspan="10" class="text-muted">{}</td></tr>', gettext("No tickets here."))
    # Every ticket's URL is this one with its reference in place of the marker.
    url_before, url_after = (escape(part) for part in reverse("tickets:agent_ticket", args=["~"]).rsplit("~", 1))
    status_labels = {value: escape(str(label)) for value, label in Status.choices}
    # Looked up once per page, not once per row: the language is the same for all 50.
    select_label = gettext("Select %(reference)s")
    date_format, zone = get_format("SHORT_DATETIME_FORMAT"), timezone.get_current_timezone()
    now = timezone.now()
    rows = []
    group = due_groups["before"] if due_groups else None
    for ticket in tickets:
        if due_groups and ticket.sla_next_due_at is not None:
            row_group = "overdue" if ticket.sla_next_due_at <= due_groups["now"] else "soon"
            if row_group != group:
                rows.append(_due_heading(row_group))
                group = row_group
        reference = format_reference(ticket.pk)  # "HD-" and digits: nothing to escape
        url = f"{url_before}{reference}{url_after}"
        select = escape(select_label % {"reference": reference})
        tag_badges = "".join(
            f' <span class="badge rounded-pill text-bg-light border fw-normal">{escape(name)}</span>'
            for name in ticket.tag_names
        )
        status_css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
        status_label = status_labels.get(ticket.status) or escape(ticket.status)
        priority_css = PRIORITY_CLASSES.get(ticket.priority, "text-bg-light border")
        requester, team, assignee = ticket.requester_name, ticket.team_name, ticket.assignee_name
        subject = escape(ticket.subject)
        rows.append(
            f'<tr data-queue-row data-href="{url}">'
            f'<td class="queue-select"><input class="form-check-input" type="checkbox" name="tickets" '
            f'value="{ticket.pk}" aria-label="{select}"></td>'
            f'<td class="queue-ref"><a href="{url}">{reference}</a></td>'
            # Cut to one line on a wide screen (static/css/helpdesk.css): the title shows all of it.
            f'<td class="queue-subject" title="{subject}">{subject}{tag_badges}</td>'
            f'<td class="queue-status"><span class="badge {status_css}" data-testid="status">{status_label}</span></td>'
            f'<td class="queue-sla">{sla_badge_html(badge_for(ticket, now))}</td>'
            f'<td class="queue-priority"><span class="badge {priority_css}">P{ticket.priority}</span></td>'
            # "—" for a missing team or assignee; a requester always has a name or an address.
            f'<td class="queue-requester small">{escape(requester) if requester else ""}</td>'
            f'<td class="queue-team small">{escape(team) if team else "—"}</td>'
            f'<td class="queue-assignee small">{escape(assignee) if assignee else "—"}</td>'
            f'<td class="queue-updated small">{_local_date(ticket.updated_at, date_format, zone)}</td>'
            "</tr>"
        )
    # Safe: every value from the database went through escape().
    return mark_safe("\n".join(rows))


@register.simple_tag
def select_options(choices) -> SafeString:
    """The ``<option>`` of a select's ``(value, label)`` choices, none selected (the bulk bar).

    A loop in the template cost ~10 µs an option, and the assignee list names every agent.
    """
    return mark_safe(
        "".join(f'<option value="{escape(str(value))}">{escape(str(label))}</option>' for value, label in choices)
    )


@register.simple_tag
def queue_views(views: Sequence[tuple], current: str, kept_query: str) -> SafeString:
    """The sidebar's links to each view with its count (``None``: not counted), in Python.

    Seven links of some ten template nodes each cost more than the page's whole chrome.
    """
    kept = f"&amp;{escape(kept_query)}" if kept_query else ""
    # Without thousand separators Django's localize() writes an integer as it is.
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    items = []
    for key, label, count in views:
        key, text = escape(str(key)), escape(str(label))
        active = key == current
        badge = ""
        if count is not None:
            badge = (
                f'<span class="badge {"text-bg-light" if active else "text-bg-secondary"}" '
                f'data-testid="count-{key}">{escape(number(count))}</span>'
            )
        items.append(
            f"""        <li class="nav-item">
          <a class="nav-link d-flex justify-content-between gap-2{" active" if active else ""}"
             href="?view={key}{kept}"{' aria-current="page"' if active else ""}>
            <span>{text}</span>{badge}
          </a>
        </li>
"""
        )
    # Safe: every value above went through escape().
    return mark_safe("".join(items))


@register.simple_tag
def queue_pager(view: str, kept_query: str, after: str | None, next_cursor: str | None) -> SafeString:
    """The links to the first page (when not on it) and to the next one (when there is one)."""
    here = f"?view={escape(str(view))}{f'&amp;{escape(kept_query)}' if kept_query else ''}"
    links = []
    if after:
        links.append(f'<a class="btn btn-sm btn-outline-secondary" href="{here}">{escape(gettext("First page"))}</a>')
    if next_cursor:
        links.append(
            f'<a class="btn btn-sm btn-outline-primary" data-testid="next-page" '
            f'href="{here}&amp;after={escape(next_cursor)}">{escape(gettext("Next page"))}</a>'
        )
    # Safe: every value above went through escape().
    return mark_safe("".join(links))
