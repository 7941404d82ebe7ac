"""Full-text search over tickets (tickets/search.py) and the staff search page /agent/search/."""

import os
import subprocess
import sys
import threading

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets import search
from tickets.models import Ticket
from tickets.search import refresh_search_vector, run_search, search_tickets, segment, snippet
from tickets.services import ticket_add_note, ticket_create, ticket_reply

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def words(text):
    return text.split()


def stored_vector(ticket):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_ticket WHERE id = %s", [ticket.pk])
        return cursor.fetchone()[0]


# --- segment() ------------------------------------------------------------------------------


def test_segment_cuts_chinese_into_words_including_the_shorter_ones_inside():
    assert words(segment("打印机连接故障")) == ["打印", "印机", "打印机", "连接", "故障"]


def test_segment_leaves_text_without_chinese_as_it_is():
    text = "Printer offline since 9:00 - ask alice@acme.example about HD-000123 (see https://x.example/a?b=1)"
    assert segment(text) == text


def test_segment_separates_chinese_from_latin_words_and_numbers():
    assert words(segment("VPN连不上错误809")) == ["VPN", "连不上", "错误", "809"]


def test_segment_turns_chinese_punctuation_into_spaces():
    assert words(segment("打印机，无法连接。“急”")) == ["打印", "印机", "打印机", "无法", "连接", "急"]


def test_segment_keeps_search_operators_on_the_first_chinese_word():
    assert segment('打印机 -无法 "连接故障"') == '打印 印机 打印机 -无法 "连接 故障"'


def test_segment_of_nothing_is_empty():
    assert segment("") == segment(None) == ""


def test_dictionary_is_loaded_once_even_when_threads_race(monkeypatch):
    import jieba

    loads = []
    real_initialize = jieba.initialize
    monkeypatch.setattr(jieba, "initialize", lambda *a, **k: loads.append(1) or real_initialize(*a, **k))
    monkeypatch.setattr(search, "_tokenizer", None)
    start = threading.Barrier(8)
    results = []

    def work():
        start.wait()
        results.append(segment("打印机连接故障"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(loads) == 1
    assert set(results) == {"打印 印机 打印机 连接 故障"}


def test_a_fresh_process_segments_without_logging_to_stderr():
    code = "import django; django.setup(); from tickets.search import segment; print(segment('打印机连接故障'))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "打印 印机 打印机 连接 故障"
    assert "prefix dict" not in done.stderr.lower()
    assert "Loading model" not in done.stderr


# --- tickets to search ------------------------------------------------------------------------


@pytest.fixture
def printer(alice, service_desk):
    return ticket_create(
        requester=alice, subject="打印机连接故障", description="三楼的打印机连不上网络，提示脱机。", acting_user=alice
    )


@pytest.fixture
def offline(bob, service_desk):
    return ticket_create(
        requester=bob, subject="Printer offline", description="The printer on floor 2 shows *offline*.", acting_user=bob
    )


@pytest.fixture
def vlan(oscar, network_team):
    return ticket_create(
        requester=oscar,
        subject="Printer VLAN misconfigured",
        description="Switch port 12 is in the wrong VLAN.",
        acting_user=oscar,
        team=network_team,
    )


# --- full text ------------------------------------------------------------------------------


def test_a_chinese_word_finds_the_ticket(carol, printer, offline):
    assert search_tickets(carol, "打印机") == [printer]


def test_a_chinese_phrase_of_words_in_the_ticket_finds_it(carol, printer, offline):
    result = run_search(carol, "打印机连接")

    assert (result.match, result.tickets) == ("all_words", [printer])


def test_a_chinese_sentence_with_a_word_the_ticket_lacks_still_finds_it(carol, printer, offline):
    result = run_search(carol, "打印机无法连接")

    # 无法 ("cannot") is nowhere in the ticket; the tickets with some of the words are offered.
    assert result.match == "some_words"
    assert result.tickets == [printer]


def test_english_words_are_stemmed(carol, printer, offline):
    assert search_tickets(carol, "printers") == [offline]
    assert search_tickets(carol, "PRINTER OFFLINE") == [offline]


def test_every_word_is_required_when_some_ticket_has_them_all(carol, offline, service_desk, alice):
    ticket_create(requester=alice, subject="Printer jammed", description="Paper stuck", acting_user=alice)

    result = run_search(carol, "printer offline")

    assert (result.match, result.tickets) == ("all_words", [offline])


def test_excluded_words_and_stop_words(carol, offline, alice, service_desk):
    jammed = ticket_create(requester=alice, subject="Printer jammed", description="Paper stuck", acting_user=alice)

    assert search_tickets(carol, "printer -offline") == [jammed]
    assert search_tickets(carol, "the") == []


def test_words_from_a_public_reply_are_found(carol, printer):
    ticket_reply(printer, "Please power-cycle the router next to it.", acting_user=carol)

    assert search_tickets(carol, "router") == [printer]


def test_subject_matches_rank_above_matches_in_replies(carol, alice, service_desk):
    mentioned = ticket_create(requester=alice, subject="Laptop slow", description="Very slow.", acting_user=alice)
    ticket_reply(mentioned, "Unrelated, but the scanner was fixed too.", acting_user=carol)
    about = ticket_create(requester=alice, subject="Scanner broken", description="No power.", acting_user=alice)

    assert search_tickets(carol, "scanner") == [about, mentioned]


def test_the_newest_tickets_are_ranked_first_and_older_ones_when_they_do_not_fill_the_page(
    carol, alice, service_desk, monkeypatch
):
    old = ticket_create(requester=alice, subject="Scanner scanner", description="Scanner.", acting_user=alice)
    newer = [
        ticket_create(requester=alice, subject=f"Laptop {n}", description="Also the scanner.", acting_user=alice)
        for n in range(3)
    ]
    unrelated = ticket_create(requester=alice, subject="Mouse", description="Jumpy.", acting_user=alice)
    assert search_tickets(carol, "scanner")[0] == old  # the best match, with every ticket ranked
    monkeypatch.setattr(search, "RANKED_WINDOWS", (4, None))  # the newest four ids: 3 matches

    assert set(search_tickets(carol, "scanner", limit=2)) <= set(newer)
    assert search_tickets(carol, "scanner", limit=4)[0] == old  # widened: 3 < 4
    assert len(search_tickets(carol, "scanner", limit=10)) == 4
    assert unrelated not in search_tickets(carol, "scanner", limit=10)


def test_the_newest_window_can_be_read_inside_the_word_index(carol, alice, service_desk, monkeypatch):
    """The search index holds the words and the id, and the window's bound is a bigint: only then
    can PostgreSQL put the bound into the GIN index's condition (btree_gin has no int8-to-int4
    operator) and read only the end of a common word's list. With a plain integer it read the
    whole list: at 10 M tickets 101 ms instead of 10 (docs/performance.md). Which plan a few test
    rows get is PostgreSQL's choice; the bound's type and the index are what the code decides."""
    for n in range(3):
        ticket_create(requester=alice, subject=f"Scanner {n}", description="…", acting_user=alice)
    monkeypatch.setattr(search, "RANKED_WINDOWS", (2, None))
    with CaptureQueriesContext(connection) as captured:
        search_tickets(carol, "scanner", limit=1)
    windowed = next(query["sql"] for query in captured.captured_queries if "@@" in query["sql"])

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {windowed}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search_id_idx'")
        (definition,) = cursor.fetchone()

    highest = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert f"id > '{highest - 2}'::bigint" in plan, plan
    assert definition.endswith("USING gin (search_vector, id)"), definition


def test_the_windows_never_show_another_teams_ticket(carol, alice, dave, network_team, service_desk, monkeypatch):
    theirs = [
        ticket_create(requester=alice, subject=f"Scanner {n}", description="…", acting_user=alice, team=network_team)
        for n in range(3)
    ]
    mine = ticket_create(requester=alice, subject="Scanner here", description="…", acting_user=alice)
    monkeypatch.setattr(search, "RANKED_WINDOWS", (2, None))

    assert search_tickets(carol, "scanner", limit=1) == [mine]
    assert set(search_tickets(dave, "scanner", limit=5)) == set(theirs)


def test_chinese_words_inside_a_longer_query_word_are_not_required_twice():
    assert search._without_contained_words(segment("打印机连接")) == "打印机 连接"
    assert search._without_contained_words("print printer") == "print printer"  # not Chinese
    for query in ("-打印 印机 打印机", '"打印 印机 打印机"', "打印 印机 打印机 or 扫描"):
        assert search._without_contained_words(query) == query  # operators: left alone


def test_a_chinese_query_finds_the_same_tickets_as_with_every_cut_word(carol, alice, service_desk):
    wanted = ticket_create(requester=alice, subject="打印机脱机", description="…", acting_user=alice)
    ticket_create(requester=alice, subject="打印纸用完了", description="…", acting_user=alice)  # 打印 only
    every_cut_word = SearchQuery(segment("打印机"), search_type="websearch", config=search.CONFIG)
    every_word = Ticket.objects.filter(search_vector=every_cut_word)

    assert search_tickets(carol, "打印机") == list(every_word) == [wanted]


def test_internal_notes_are_searched_for_staff_but_never_for_the_requester(carol, alice, printer):
    ticket_add_note(printer, "Toner cartridge ordered from the vendor", acting_user=carol)

    assert search_tickets(carol, "cartridge") == [printer]
    assert search_tickets(alice, "cartridge") == []
    # Her own ticket is still found by what she may read.
    assert search_tickets(alice, "打印机") == [printer]


def test_the_vector_is_refreshed_when_a_reply_or_note_is_added(carol, printer):
    assert search_tickets(carol, "router") == []

    ticket_reply(printer, "Restarted the router", acting_user=carol)
    ticket_add_note(printer, "Firmware too old", acting_user=carol)

    vector = stored_vector(printer)
    assert "'打印机':" in vector and "A" in vector.split("'打印机':")[1].split(" ")[0]
    assert "'router':" in vector and vector.split("'router':")[1].split(" ")[0].endswith("C")
    # D is PostgreSQL's default weight, printed without a letter.
    assert "'firmwar':" in vector and vector.split("'firmwar':")[1].split(" ")[0].isdigit()
    assert search_tickets(carol, "router") == [printer]


def test_refreshing_reads_the_texts_once_and_writes_once(carol, printer, django_assert_num_queries):
    ticket_reply(printer, "Restarted the router", acting_user=carol)
    Ticket.objects.filter(pk=printer.pk).update(search_vector=None)

    with django_assert_num_queries(2):
        refresh_search_vector(printer.pk)

    assert search_tickets(carol, "router") == [printer]


def test_a_very_long_thread_still_accepts_replies(carol, printer):
    # 100,000 distinct words in all: uncapped, their vector would pass PostgreSQL's 1 MB limit.
    for note in range(25):
        body = " ".join(f"n{note}w{n}" for n in range(4_000))
        ticket_add_note(printer, body, acting_user=carol)

    ticket_reply(printer, "Final answer about the router", acting_user=carol)

    assert search_tickets(carol, "打印机") == [printer]
    assert search_tickets(carol, "n0w1") == [printer]


# --- exact matches --------------------------------------------------------------------------


def test_a_reference_finds_exactly_that_ticket(carol, printer, offline):
    result = run_search(carol, f" {offline.reference.lower()} ")

    assert (result.match, result.tickets) == ("reference", [offline])
    assert search_tickets(carol, f"HD-{offline.pk}") == [offline]


def test_an_email_address_finds_the_requesters_tickets(carol, bob, alice, offline, service_desk):
    # alice mentions bob's address: an exact search is about who asked, not who is mentioned.
    ticket_create(
        requester=alice, subject="Access for bob", description="bob@acme.example needs VPN", acting_user=alice
    )
    later = ticket_create(requester=bob, subject="Mouse", description="Broken", acting_user=bob)

    result = run_search(carol, "Bob@Acme.example")

    assert (result.match, result.tickets) == ("email", [later, offline])


# --- what others may not see ----------------------------------------------------------------


def test_another_teams_agent_finds_nothing_of_the_service_desk(dave, alice, printer, offline, vlan):
    assert search_tickets(dave, "打印机") == []
    assert search_tickets(dave, "打印机无法连接") == []
    assert search_tickets(dave, "printer") == [vlan]
    assert search_tickets(dave, printer.reference) == []
    assert search_tickets(dave, alice.email) == []


def test_requesters_find_only_their_own_tickets(alice, oscar, printer, offline, vlan):
    assert search_tickets(alice, "printer") == []
    assert search_tickets(oscar, "printer") == [vlan]
    assert search_tickets(oscar, offline.reference) == []


# --- snippets -------------------------------------------------------------------------------


def test_snippets_mark_stemmed_and_chinese_words_and_escape_the_text(carol, alice, service_desk, printer):
    hostile = ticket_create(
        requester=alice, subject="Printer <b>", description="<script>x</script> printers offline", acting_user=alice
    )

    [found] = search_tickets(carol, "printer")
    assert found == hostile
    assert found.snippet == "&lt;script&gt;x&lt;/script&gt; <mark>printers</mark> offline"
    [found] = search_tickets(carol, "打印机")
    assert "<mark>打印机</mark>" in found.snippet


def test_a_snippet_is_cut_around_the_first_match():
    text = "word " * 200 + "router restarted" + " word" * 200

    cut = snippet(text, ["router"], width=60)

    assert cut.startswith("…") and cut.endswith("…")
    assert "<mark>router</mark> restarted" in cut
    assert len(cut) < 120


# --- the page -------------------------------------------------------------------------------


def test_agent_searches_in_chinese_on_the_page(client, carol, printer, offline):
    client.force_login(carol)

    response = client.get(reverse("tickets:agent_search"), {"q": "打印机无法连接"})

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("tickets:agent_ticket", args=[printer.reference]) in page
    assert "打印机连接故障" in page
    assert "Printer offline" not in page
    assert 'value="打印机无法连接"' in page


def test_another_teams_agent_sees_neither_results_nor_counts_of_the_service_desk(client, dave, printer, vlan):
    client.force_login(dave)

    page = client.get(reverse("tickets:agent_search"), {"q": "printer"}).content.decode()
    chinese = client.get(reverse("tickets:agent_search"), {"q": "打印机"}).content.decode()

    assert vlan.subject in page and "1 ticket found." in page
    assert printer.reference not in page and printer.reference not in chinese
    assert "0 tickets found." in chinese


def test_requesters_are_refused_and_visitors_sent_to_sign_in(client, alice, printer):
    url = reverse("tickets:agent_search")
    assert client.get(url, {"q": "打印机"}).status_code == 302

    client.force_login(alice)
    response = client.get(url, {"q": "打印机"})

    assert response.status_code == 403
    assert printer.subject not in response.content.decode()


def test_the_empty_page_shows_only_the_search_box(client, carol):
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_search")).content.decode()

    assert 'name="q"' in page and 'data-testid="search-results"' not in page


def test_the_page_takes_a_bounded_number_of_queries(client, carol, alice, service_desk, django_assert_max_num_queries):
    for number in range(30):
        ticket = ticket_create(
            requester=alice, subject=f"Printer {number} 打印机故障", description="Offline", acting_user=alice
        )
        ticket_reply(ticket, "Restart it", acting_user=carol)
    client.force_login(carol)
    url = reverse("tickets:agent_search")

    # session and user, the user's teams, the id range, one search; the fallback adds one more.
    with django_assert_max_num_queries(5):
        assert client.get(url, {"q": "printer"}).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(url, {"q": "打印机无法连接"}).status_code == 200


def test_the_search_is_two_queries_once_the_teams_are_known(carol, alice, service_desk, django_assert_num_queries):
    for number in range(10):
        ticket_create(requester=alice, subject=f"Printer {number}", description="Offline", acting_user=alice)
    search_tickets(carol, "warm")  # reads carol's teams once

    with django_assert_num_queries(2):  # the id range (for RANKED_WINDOWS), then the search
        found = search_tickets(carol, "printer")
    with django_assert_num_queries(0):
        for ticket in found:
            assert ticket.requester.email and ticket.team.name and ticket.snippet is not None and not ticket.assignee

    assert len(found) == 10


# --- rebuilding ---------------------------------------------------------------------------


def test_rebuild_search_index_fills_tickets_loaded_before_search_existed(carol, printer, offline, capsys):
    ticket_reply(offline, "Checked the router", acting_user=carol)
    Ticket.objects.update(search_vector=None)
    assert search_tickets(carol, "printer") == []

    call_command("rebuild_search_index", batch_size=1)

    assert "rebuilt for 2 tickets" in capsys.readouterr().out
    assert search_tickets(carol, "router") == [offline]
    assert search_tickets(carol, "打印机") == [printer]


def test_rebuild_search_index_can_fill_only_missing_vectors(carol, printer, offline, capsys):
    Ticket.objects.filter(pk=offline.pk).update(search_vector=None)

    call_command("rebuild_search_index", missing_only=True)

    assert "rebuilt for 1 ticket " in capsys.readouterr().out
    assert search_tickets(carol, "printer") == [offline]
