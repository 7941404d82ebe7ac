"""A UNC path arrives as typed: Markdown's backslash escape must not eat the backslashes."""

from django.urls import reverse

from canned.models import ReplyTemplate
from helpdesk.markdown import render_markdown
from tickets.services import ticket_add_note, ticket_create, ticket_reply

PATH = r"\\print01\queue"


def test_render_markdown_keeps_a_unc_path_and_other_escapes_still_work():
    assert PATH in render_markdown(f"Add {PATH} again")
    assert r"C:\Users\alice\Desktop" in render_markdown(r"C:\Users\alice\Desktop")
    # Markdown punctuation can still be escaped: no emphasis here.
    assert render_markdown(r"\*not emphasis\*") == "<p>*not emphasis*</p>"
    assert PATH in render_markdown(f"`{PATH}`")


def test_replies_notes_and_descriptions_keep_the_path(alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="Printer", description=f"I cannot add {PATH}", acting_user=alice)
    reply = ticket_reply(ticket, f"Please add {PATH} again.", acting_user=carol).message
    note = ticket_add_note(ticket, f"Queue {PATH} was paused.", acting_user=carol)

    assert PATH in ticket.description_html
    assert PATH in reply.body_html
    assert PATH in note.body_html


def test_a_template_with_the_path_fills_and_previews_as_typed(client, alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="Printer", description="Jammed", acting_user=alice)
    template = ReplyTemplate.objects.create(title="Printer", body=f"Run {PATH} please", owner=carol)
    client.force_login(carol)

    filled = client.get(
        reverse("tickets:agent_reply_template", args=[ticket.reference]), {"template": template.pk}
    ).content.decode()
    preview = client.post(
        reverse("tickets:agent_reply_preview", args=[ticket.reference]), {"body": filled}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert filled == f"Run {PATH} please"
    assert PATH in preview
