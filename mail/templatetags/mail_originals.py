"""``{% ticket_emails ticket as emails %}``: the e-mails of a ticket, for the agent page's link box."""

from django import template

from mail.selectors import ticket_emails as emails_of

register = template.Library()


@register.simple_tag
def ticket_emails(ticket) -> list:
    # Only e-mail tickets can have any: other channels' pages run no query.
    if ticket is None or ticket.channel != "email":
        return []
    return emails_of(ticket.pk)
