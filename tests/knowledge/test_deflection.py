"""Deflection on /submit/: suggestions while typing, "this solved my problem", submitted anyway."""

import pytest
from django.urls import reverse

from knowledge.models import DeflectionEvent, DeflectionOutcome, KnowledgeSearch, SearchSource, Visibility
from tests.knowledge.builders import stored
from tickets.models import Ticket

SUGGEST = reverse("kb:suggest")
SUBMIT = reverse("tickets:submit")


@pytest.fixture
def printer_articles(carol):
    return {
        "zh": stored(carol, "打印机连接故障排查", "检查网线、电源和驱动程序。", language="zh-hans"),
        "en": stored(carol, "Printer shows offline", "When the printer is offline, restart it."),
        "internal": stored(carol, "Printer admin panel", "printer offline admin", visibility=Visibility.INTERNAL),
    }


def _open_from_form(client, article, query):
    return client.get(reverse("kb:article", args=[article.pk]), {"from": "submit", "q": query})


def _submit(client, subject="Printer offline", **extra):
    data = {"subject": subject, "description": "It does not print.", "impact": "1", "urgency": "1", **extra}
    return client.post(SUBMIT, data)


def test_suggestions_for_a_chinese_subject(client, alice, printer_articles):
    client.force_login(alice)

    response = client.get(SUGGEST, {"subject": "打印机无法连接"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "打印机连接故障排查" in page
    link = reverse("kb:article", args=[printer_articles["zh"].pk]) + "?from=submit&amp;q="
    assert link in page
    # A subject being typed is not a search anyone finished: only the submitted one is recorded.
    assert not KnowledgeSearch.objects.exists()


def test_suggestions_are_public_only_even_for_staff(client, carol, printer_articles):
    client.force_login(carol)

    page = client.get(SUGGEST, {"subject": "printer offline"}).content.decode()

    assert "Printer shows offline" in page
    assert "Printer admin panel" not in page


def test_at_most_five_suggestions(client, carol):
    for number in range(8):
        stored(carol, f"VPN guide {number}", "How to connect to the VPN.")

    response = client.get(SUGGEST, {"subject": "vpn"})

    assert response.content.decode().count('data-testid="kb-suggestion"') == 5


@pytest.mark.parametrize("subject", ["", "pr", "打", "a 打"])
def test_too_short_a_subject_is_neither_searched_nor_logged(client, printer_articles, subject):
    response = client.get(SUGGEST, {"subject": subject})

    assert response.status_code == 200
    assert "kb-suggestion" not in response.content.decode()
    assert not KnowledgeSearch.objects.exists()


def test_two_chinese_characters_are_enough(client, printer_articles):
    response = client.get(SUGGEST, {"subject": "打印"})

    assert "kb-suggestion" in response.content.decode()


def test_a_submitted_subject_with_no_match_is_logged_as_a_content_gap(client, alice, printer_articles):
    client.force_login(alice)
    client.get(SUGGEST, {"subject": "coffee machine"})

    _submit(client, subject="Coffee  machine leaking")

    gap = KnowledgeSearch.objects.get()
    assert (gap.source, gap.result_count, gap.normalised) == (SearchSource.SUBMIT, 0, "coffee machine leaking")


def test_a_submitted_subject_with_matches_is_logged_with_its_count(client, alice, printer_articles):
    client.force_login(alice)

    _submit(client, subject="打印机无法连接")

    search = KnowledgeSearch.objects.get()
    assert (search.source, search.query, search.result_count) == (SearchSource.SUBMIT, "打印机无法连接", 1)


def test_the_submit_form_wires_the_subject_to_suggestions(client, alice):
    client.force_login(alice)

    page = client.get(SUBMIT).content.decode()

    assert f'hx-get="{SUGGEST}"' in page
    assert 'hx-trigger="input changed delay:400ms, keyup changed delay:400ms"' in page
    assert 'id="kb-suggestions"' in page


def test_an_article_opened_from_the_form_offers_solved(client, alice, printer_articles):
    client.force_login(alice)

    page = _open_from_form(client, printer_articles["zh"], "打印机无法连接").content.decode()

    assert "This solved my problem" in page
    assert reverse("kb:deflect_solved", args=[printer_articles["zh"].pk]) in page
    # "I still need help" goes back to the form with the subject typed.
    assert f"{SUBMIT}?subject=%E6%89%93" in page
    # A plain visit does not offer it.
    assert (
        "This solved my problem"
        not in client.get(reverse("kb:article", args=[printer_articles["en"].pk])).content.decode()
    )


def test_solved_records_a_deflection_and_no_ticket(client, alice, printer_articles, service_desk):
    client.force_login(alice)
    _open_from_form(client, printer_articles["zh"], "打印机无法连接")

    response = client.post(reverse("kb:deflect_solved", args=[printer_articles["zh"].pk]))

    assert response.status_code == 302 and response.url == reverse("kb:deflect_thanks")
    assert "No request was created" in client.get(response.url).content.decode()
    event = DeflectionEvent.objects.get()
    assert (event.outcome, event.query, event.article, event.user, event.ticket) == (
        DeflectionOutcome.SOLVED,
        "打印机无法连接",
        printer_articles["zh"],
        alice,
        None,
    )
    assert not Ticket.objects.exists()


def test_solved_twice_counts_once(client, alice, printer_articles):
    client.force_login(alice)
    _open_from_form(client, printer_articles["en"], "printer offline")
    url = reverse("kb:deflect_solved", args=[printer_articles["en"].pk])

    client.post(url)
    client.post(url)

    assert DeflectionEvent.objects.count() == 1


def test_solved_without_opening_from_the_form_counts_nothing(client, alice, printer_articles):
    client.force_login(alice)
    client.get(reverse("kb:article", args=[printer_articles["en"].pk]))

    client.post(reverse("kb:deflect_solved", args=[printer_articles["en"].pk]))

    assert not DeflectionEvent.objects.exists()


def test_a_guest_can_be_deflected_too(client, printer_articles):
    _open_from_form(client, printer_articles["en"], "printer offline")

    client.post(reverse("kb:deflect_solved", args=[printer_articles["en"].pk]))

    event = DeflectionEvent.objects.get()
    assert (event.outcome, event.user) == (DeflectionOutcome.SOLVED, None)


def test_solved_is_refused_for_an_article_the_reader_may_not_read(client, alice, printer_articles):
    client.force_login(alice)

    response = client.post(reverse("kb:deflect_solved", args=[printer_articles["internal"].pk]))

    assert response.status_code == 404
    assert not DeflectionEvent.objects.exists()


def test_submitting_after_reading_records_one_event_per_opened_article(client, alice, printer_articles, service_desk):
    client.force_login(alice)
    _open_from_form(client, printer_articles["zh"], "打印机无法连接")
    _open_from_form(client, printer_articles["en"], "printer")
    _open_from_form(client, printer_articles["en"], "printer offline")  # opened twice: one event

    response = _submit(client)

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    events = DeflectionEvent.objects.order_by("article_id")
    assert [(e.outcome, e.article_id, e.query, e.ticket, e.user) for e in events] == [
        (DeflectionOutcome.SUBMITTED, printer_articles["zh"].pk, "打印机无法连接", ticket, alice),
        (DeflectionOutcome.SUBMITTED, printer_articles["en"].pk, "printer offline", ticket, alice),
    ]
    # The form's memory is cleared: the next request counts nothing from these articles.
    _submit(client, subject="Another one")
    assert DeflectionEvent.objects.count() == 2


def test_submitting_without_reading_records_nothing(client, alice, printer_articles, service_desk):
    client.force_login(alice)

    _submit(client)

    assert Ticket.objects.count() == 1
    assert not DeflectionEvent.objects.exists()


def test_a_guest_who_read_and_submitted_is_counted_with_the_ticket(client, printer_articles, service_desk):
    _open_from_form(client, printer_articles["en"], "printer offline")

    response = _submit(client, name="Gina Guest", email="gina@example.org")

    assert response.status_code == 200
    event = DeflectionEvent.objects.get()
    ticket = Ticket.objects.get()
    assert (event.outcome, event.ticket, event.user) == (DeflectionOutcome.SUBMITTED, ticket, ticket.requester)


def test_an_invalid_submission_keeps_the_opened_articles(client, alice, printer_articles, service_desk):
    client.force_login(alice)
    _open_from_form(client, printer_articles["en"], "printer offline")

    assert _submit(client, subject="").status_code == 200  # form error
    assert not DeflectionEvent.objects.exists()
    _submit(client)

    assert DeflectionEvent.objects.get().ticket == Ticket.objects.get()


def test_the_form_is_prefilled_from_i_still_need_help(client, alice):
    client.force_login(alice)

    page = client.get(SUBMIT, {"subject": "打印机无法连接"}).content.decode()

    assert 'value="打印机无法连接"' in page


def test_suggest_takes_a_bounded_number_of_queries(client, carol, django_assert_max_num_queries):
    for number in range(8):
        stored(carol, f"VPN guide {number}", "How to connect to the VPN.")

    with django_assert_max_num_queries(4):
        client.get(SUGGEST, {"subject": "vpn guide"})
