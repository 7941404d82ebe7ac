"""Badges drawn on every queue row: a Python tag, as an include per row costs more than the row."""

from django import template
from django.utils.html import format_html

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "on_hold": "text-bg-secondary",
    "resolved": "text-bg-success",
}
PRIORITY_CLASSES = {1: "text-bg-danger", 2: "text-bg-warning"}


@register.simple_tag
def status_badge(ticket):
    css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
    return format_html('<span class="badge {}" data-testid="status">{}</span>', css, ticket.get_status_display())


@register.simple_tag
def priority_badge(ticket):
    css = PRIORITY_CLASSES.get(ticket.priority, "text-bg-light border")
    return format_html('<span class="badge {}">P{}</span>', css, ticket.priority)
