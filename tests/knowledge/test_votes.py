"""'Was this helpful?': one vote per signed-in user or per browser, changeable, counters in step."""

import pytest
from django.urls import reverse

from knowledge import reading
from knowledge.models import ArticleVote, Visibility
from tests.knowledge.builders import stored


@pytest.fixture
def article(carol):
    return stored(carol, "Connect to the VPN")


def _vote(client, article, answer, headers=None, **extra):
    return client.post(reverse("kb:vote", args=[article.pk]), {"helpful": answer, **extra}, headers=headers)


def _counts(article):
    article.refresh_from_db()
    return article.helpful_count, article.unhelpful_count


def test_signed_in_user_votes_once_and_can_change_the_vote(client, alice, article):
    client.force_login(alice)

    _vote(client, article, "yes")
    _vote(client, article, "yes")
    assert _counts(article) == (1, 0)

    response = _vote(client, article, "no")

    assert response.status_code == 302 and response.url == reverse("kb:article", args=[article.pk])
    assert _counts(article) == (0, 1)
    vote = ArticleVote.objects.get()
    assert (vote.user, vote.browser_key, vote.helpful) == (alice, "", False)


def test_two_users_each_count(client, alice, bob, article):
    client.force_login(alice)
    _vote(client, article, "yes")
    client.force_login(bob)
    _vote(client, article, "no")

    assert _counts(article) == (1, 1)
    assert ArticleVote.objects.count() == 2


def test_anonymous_vote_is_keyed_by_a_signed_httponly_cookie(client, article):
    response = _vote(client, article, "yes")

    cookie = response.cookies[reading.VOTER_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 24 * 3600
    vote = ArticleVote.objects.get()
    assert vote.user is None and vote.browser_key and vote.browser_key in cookie.value
    assert cookie.value != vote.browser_key  # signed, not the bare key

    # The same browser changes its vote: no second row, no new cookie.
    response = _vote(client, article, "no")
    assert reading.VOTER_COOKIE not in response.cookies
    assert ArticleVote.objects.count() == 1
    assert _counts(article) == (0, 1)


def test_another_browser_gets_its_own_vote(client, article):
    _vote(client, article, "yes")
    other_browser = client.__class__()
    _vote(other_browser, article, "yes")

    assert _counts(article) == (2, 0)
    assert ArticleVote.objects.filter(user=None).count() == 2


def test_a_forged_cookie_is_ignored_and_replaced(client, article):
    _vote(client, article, "yes")
    victim_key = ArticleVote.objects.get().browser_key

    forger = client.__class__()
    forger.cookies[reading.VOTER_COOKIE] = victim_key  # the bare key, without a valid signature
    _vote(forger, article, "no")

    assert ArticleVote.objects.get(browser_key=victim_key).helpful is True
    assert _counts(article) == (1, 1)


def test_htmx_vote_returns_the_voting_box_only(client, alice, article):
    client.force_login(alice)

    response = _vote(client, article, "yes", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="kb-vote"' in page and "<html" not in page
    assert "1 person found this helpful" in page


def test_vote_from_the_request_form_keeps_its_context(client, article):
    response = _vote(client, article, "yes", **{"from": "submit", "q": "vpn down"})

    assert response.url == reverse("kb:article", args=[article.pk]) + "?from=submit&q=vpn+down"


def test_nobody_votes_on_articles_they_may_not_read(client, alice, carol):
    internal = stored(carol, "Firewall rules", visibility=Visibility.INTERNAL)
    client.force_login(alice)

    assert _vote(client, internal, "yes").status_code == 404
    assert not ArticleVote.objects.exists()


def test_a_get_never_votes(client, alice, article):
    client.force_login(alice)

    assert client.get(reverse("kb:vote", args=[article.pk]), {"helpful": "yes"}).status_code == 405
    assert _counts(article) == (0, 0)


def test_counters_equal_the_vote_rows_after_many_changes(alice, bob, oscar, article):
    for user, answers in ((alice, [True, False, True]), (bob, [False, False]), (oscar, [True, False])):
        for helpful in answers:
            reading.vote(article, helpful=helpful, user=user)
    reading.vote(article, helpful=True, browser_key="browser-1")
    reading.vote(article, helpful=False, browser_key="browser-1")

    helpful_rows = ArticleVote.objects.filter(article=article, helpful=True).count()
    unhelpful_rows = ArticleVote.objects.filter(article=article, helpful=False).count()
    assert _counts(article) == (helpful_rows, unhelpful_rows) == (1, 3)


def test_page_shows_the_readers_own_vote(client, alice, article):
    client.force_login(alice)
    _vote(client, article, "no")

    response = client.get(reverse("kb:article", args=[article.pk]))

    assert response.context["my_vote"] is False
    assert 'value="no" class="btn btn-sm btn-danger"' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_keep_counters_in_step(alice, bob, carol):
    """Two voters and one voter's two tabs at the same moment: the article row lock serialises them."""
    import threading

    from django.db import connection

    article = stored(carol, "Wi-Fi guest access")
    start = threading.Barrier(4)
    errors = []

    def cast(user, helpful):
        try:
            start.wait()
            reading.vote(article, helpful=helpful, user=user)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=cast, args=args) for args in ((alice, True), (alice, True), (bob, False), (bob, False))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert ArticleVote.objects.filter(article=article).count() == 2
    assert _counts(article) == (1, 1)
