"""Badges and the queue's rows, drawn in Python.

The queue shows 50 rows on every page load; through the template engine each row cost more
than the SQL that fetched the whole page (per row two ``{% url %}``, a ``blocktranslate``, an
inclusion tag for the SLA badge and some 30 variable lookups). Here the URL is reversed once,
the translated texts are looked up once per page, and every value from the database goes
through ``escape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from escalation.badges import Badge, badge_for
from tickets.models import Status, Ticket

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "on_hold": "text-bg-secondary",
    "resolved": "text-bg-success",
}
PRIORITY_CLASSES = {1: "text-bg-danger", 2: "text-bg-warning"}
# The classes of escalation/_sla_badge.html (tests/tickets/test_queues.py compares the two).
SLA_CLASSES = {"overdue": "text-bg-danger", "warning": "text-bg-warning", "ok": "text-bg-success"}
SLA_OTHER_CLASSES = "text-bg-light border text-muted fw-normal"


@register.simple_tag
def status_badge(ticket: Ticket) -> SafeString:
    css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
    return format_html('<span class="badge {}" data-testid="status">{}</span>', css, ticket.get_status_display())


@register.simple_tag
def priority_badge(ticket: Ticket) -> SafeString:
    css = PRIORITY_CLASSES.get(ticket.priority, "text-bg-light border")
    return format_html('<span class="badge {}">P{}</span>', css, ticket.priority)


def sla_badge_html(badge: Badge) -> str:
    """escalation/_sla_badge.html as a string: nothing when the badge has no label."""
    if not badge.label:
        return ""
    css = SLA_CLASSES.get(badge.state, SLA_OTHER_CLASSES)
    return (
        f'<span class="badge {css}" data-testid="sla-badge" data-sla-state="{escape(badge.state)}">'
        f"{escape(str(badge.label))}</span>"
    )


@register.simple_tag
def queue_rows(tickets: Sequence[Ticket]) -> SafeString:
    """The ``<tr>`` of each ticket of a queue page (the columns of templates/tickets/queue.html).

    ``tickets`` come from ``queues.page``, with the names of their people, team and tags.
    """
    if not tickets:
        return format_html('<tr><td colspan="10" class="text-muted">{}</td></tr>', gettext("No tickets here."))
    # Every ticket's URL is this one with its reference in place of the marker.
    url_before, url_after = reverse("tickets:agent_ticket", kwargs={"reference": "~"}).rsplit("~", 1)
    url_before, url_after = escape(url_before), escape(url_after)
    select_label = gettext("Select %(reference)s")
    status_labels = {value: escape(str(label)) for value, label in Status.choices}
    date_pattern = get_format("SHORT_DATETIME_FORMAT")
    now = timezone.now()
    rows = []
    for ticket in tickets:
        reference = ticket.reference  # "HD-" and digits: nothing to escape
        url = f"{url_before}{reference}{url_after}"
        tags = "".join(
            f' <span class="badge rounded-pill text-bg-light border fw-normal">{escape(name)}</span>'
            for name in ticket.tag_names
        )
        status_css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
        status_label = status_labels.get(ticket.status) or escape(ticket.status)
        priority_css = PRIORITY_CLASSES.get(ticket.priority, "text-bg-light border")
        rows.append(
            f'<tr data-queue-row data-href="{url}">'
            f'<td><input class="form-check-input" type="checkbox" name="tickets" value="{ticket.pk}" '
            f'aria-label="{escape(select_label % {"reference": reference})}"></td>'
            f'<td class="text-nowrap"><a href="{url}">{reference}</a></td>'
            f"<td>{escape(ticket.subject)}{tags}</td>"
            f'<td><span class="badge {status_css}" data-testid="status">{status_label}</span></td>'
            f'<td class="text-nowrap">{sla_badge_html(badge_for(ticket, now))}</td>'
            f'<td class="text-nowrap"><span class="badge {priority_css}">P{ticket.priority}</span></td>'
            f'<td class="d-none d-md-table-cell small">{escape(ticket.requester_name)}</td>'
            f'<td class="d-none d-lg-table-cell small">{_or_dash(ticket.team_name)}</td>'
            f'<td class="d-none d-lg-table-cell small">{_or_dash(ticket.assignee_name)}</td>'
            f'<td class="d-none d-md-table-cell small text-nowrap">{_local_date(ticket.updated_at, date_pattern)}</td>'
            "</tr>"
        )
    # Safe: every value from the database above went through escape().
    return mark_safe("\n".join(rows))


def _or_dash(name: str | None) -> str:
    return escape(name) if name else "—"


def _local_date(value: datetime | None, pattern: str) -> str:
    """What ``{{ value|date:"SHORT_DATETIME_FORMAT" }}`` prints, in the active time zone."""
    if value is None:
        return ""
    return escape(format_date(timezone.localtime(value), pattern))
