from django import template
from django.utils import timezone

from tickets.sla.badges import badge_for

register = template.Library()


@register.inclusion_tag("tickets/_sla_badge.html")
def sla_badge(ticket):
    return {"badge": badge_for(ticket, timezone.now())}
