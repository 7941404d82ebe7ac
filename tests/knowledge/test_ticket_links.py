"""Articles used on tickets (reuse), and turning a resolved ticket into a draft article."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from helpdesk.errors import ApplicationError
from knowledge import authoring
from knowledge.models import Article, ArticleTicketLink, KnowledgeSearch, SearchSource
from tests.knowledge.builders import draft, published
from tickets.models import Category, EventKind, TicketEvent
from tickets.services import ticket_create, ticket_resolve, ticket_set_tags


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(
        requester=alice, subject="Printer offline on floor 3", description="It says offline.", acting_user=alice
    )


@pytest.fixture
def article(carol, erin):
    return published(carol, erin, title="Printer shows offline", body="Restart the print spooler.")


def test_linking_is_idempotent_and_counts_once(carol, ticket, article):
    first = authoring.link_article(carol, article, ticket)
    again = authoring.link_article(carol, article, ticket)

    assert first.pk == again.pk and first.linked_by == carol
    assert ArticleTicketLink.objects.filter(article=article, ticket=ticket).count() == 1


def test_linking_and_unlinking_show_in_the_tickets_history_once_each(carol, ticket, article):
    authoring.link_article(carol, article, ticket)
    authoring.link_article(carol, article, ticket)
    authoring.unlink_article(carol, article, ticket)
    authoring.unlink_article(carol, article, ticket)

    events = list(
        TicketEvent.objects.filter(ticket=ticket, kind__startswith="article_")
        .order_by("created_at", "id")
        .values_list("kind", "actor", "new_value", "old_value")
    )
    described = {"article": article.pk, "title": article.title}
    assert events == [
        (EventKind.ARTICLE_LINKED, carol.pk, described, None),
        (EventKind.ARTICLE_UNLINKED, carol.pk, None, described),
    ]


def test_only_agents_working_the_ticket_may_link(alice, dave, ticket, article):
    with pytest.raises(PermissionDenied):
        authoring.link_article(dave, article, ticket)  # another team's agent
    with pytest.raises(PermissionDenied):
        authoring.link_article(alice, article, ticket)  # the requester
    assert not ArticleTicketLink.objects.exists()


def test_an_unpublished_article_cannot_be_linked(carol, ticket):
    with pytest.raises(ApplicationError):
        authoring.link_article(carol, draft(carol), ticket)


def test_unlink_removes_the_link(carol, ticket, article):
    authoring.link_article(carol, article, ticket)
    assert authoring.unlink_article(carol, article, ticket) is True
    assert authoring.unlink_article(carol, article, ticket) is False


def test_link_from_the_ticket_page_and_see_it_there(client, carol, ticket, article):
    client.force_login(carol)

    response = client.post(reverse("kb_agent:link", args=[article.pk]), {"ticket": ticket.reference})

    assert response.status_code == 302 and response["Location"].endswith(
        f"/agent/tickets/{ticket.reference}/#kb-articles"
    )
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()
    assert 'data-testid="ticket-article"' in page and "Printer shows offline" in page
    detail = client.get(reverse("kb_agent:detail", args=[article.pk])).content.decode()
    assert 'data-testid="reuse-count">1<' in detail


def test_link_search_finds_published_articles_and_records_the_search(client, carol, ticket, article):
    client.force_login(carol)
    url = reverse("kb_agent:link_search")

    partial = client.get(url, {"ticket": ticket.reference, "q": "printer offline"}, HTTP_HX_REQUEST="true")
    full = client.get(url, {"ticket": ticket.reference, "q": "printer offline"})

    body = partial.content.decode()
    assert "Printer shows offline" in body and 'data-testid="link-article"' in body and "<html" not in body
    assert "<html" in full.content.decode() and "Printer shows offline" in full.content.decode()
    assert (
        KnowledgeSearch.objects.filter(source=SearchSource.AGENT, query="printer offline", result_count=1).count() == 2
    )


def test_link_search_and_link_refuse_someone_elses_ticket(client, dave, ticket, article):
    client.force_login(dave)
    assert client.get(reverse("kb_agent:link_search"), {"ticket": ticket.reference, "q": "x"}).status_code == 404
    assert client.post(reverse("kb_agent:link", args=[article.pk]), {"ticket": ticket.reference}).status_code == 404
    assert not ArticleTicketLink.objects.exists()


def test_turn_a_resolved_ticket_into_a_prefilled_draft(client, carol, ticket):
    category = Category.objects.create(name="Printers")
    ticket.category = category
    ticket.save(update_fields=["category"])
    ticket_set_tags(ticket, ["printer"], acting_user=carol)
    ticket.refresh_from_db()
    ticket_resolve(ticket, code="fixed", summary="Restarted the **spooler**.", acting_user=carol)
    client.force_login(carol)

    ticket_page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()
    assert f"/agent/kb/new/?ticket={ticket.reference}" in ticket_page

    form = client.get(reverse("kb_agent:new"), {"ticket": ticket.reference})
    assert form.context["form"].initial["title"] == "Printer offline on floor 3"
    assert form.context["form"].initial["body"] == "It says offline.\n\n## Solution\n\nRestarted the **spooler**."
    assert form.context["form"].initial["category"] == category.pk
    assert form.context["form"].initial["tags"] == "printer"

    response = client.post(
        reverse("kb_agent:new"),
        {
            "ticket": ticket.reference,
            "title": "Printer offline",
            "body": "Restart the spooler.",
            "category": category.pk,
            "tags": "printer",
            "visibility": "public",
            "language": "en",
            "version": 1,
        },
    )

    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("kb_agent:detail", args=[article.pk])
    assert article.source_ticket == ticket and article.author == carol and article.status == "draft"
    assert article.category == category


def test_the_turn_into_article_button_is_only_on_resolved_tickets(client, carol, ticket):
    client.force_login(carol)
    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()
    assert 'data-testid="turn-into-article"' not in page


def test_a_ticket_the_agent_cannot_see_cannot_seed_an_article(client, dave, ticket):
    client.force_login(dave)
    assert client.get(reverse("kb_agent:new"), {"ticket": ticket.reference}).status_code == 404
