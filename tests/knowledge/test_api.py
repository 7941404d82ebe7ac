"""The knowledge-base REST API (/api/v1/articles/): who sees what, writing, the workflow, versions,
votes, ticket links, search and the error shape.

Personas: carol writes (agent, Service Desk); dave is another team's agent; erin reviews
(manager); ada is an admin; alice is a requester; "anonymous" is nobody signed in.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tokens import token_create
from knowledge import authoring, reading
from knowledge.models import Article, ArticleReview, ArticleStatus, ArticleTicketLink, ArticleVersion, KnowledgeSearch
from tickets.models import Category
from tickets.services import ticket_create

LIST = reverse("knowledge_api:article-list")


def url(article: Article, action: str = "", *args) -> str:
    name = f"knowledge_api:article-{action}" if action else "knowledge_api:article-detail"
    return reverse(name, args=[article.pk, *args])


def titles(response) -> set[str]:
    return {row["title"] for row in response.json()["results"]}


def write(author, title="Printer offline", **fields):
    fields.setdefault("summary", "When the printer shows offline.")
    fields.setdefault("body", "Restart the print spooler.")
    return authoring.create_article(author, title=title, **fields)


def publish(author, reviewer, title, **fields):
    article = write(author, title, **fields)
    authoring.submit_for_review(author, article)
    return authoring.approve(reviewer, article)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def people(alice, carol, dave, erin, ada):
    return {"anonymous": None, "alice": alice, "carol": carol, "dave": dave, "erin": erin, "ada": ada}


@pytest.fixture
def as_user(api, people):
    def sign_in(who):
        user = people[who] if isinstance(who, str) else who
        if user is not None:
            api.force_login(user)
        return api

    return sign_in


@pytest.fixture
def shelf(carol, erin):
    """One article in each state, all by carol: what each persona may see differs."""
    draft = write(carol, "Draft")
    review = write(carol, "In review")
    authoring.submit_for_review(carol, review)
    archived = publish(carol, erin, "Archived")
    authoring.archive(erin, archived)
    return {
        "draft": draft,
        "review": review,
        "public": publish(carol, erin, "Public"),
        "internal": publish(carol, erin, "Internal", visibility="internal"),
        "archived": archived,
    }


@pytest.fixture
def ticket(alice, service_desk):
    return ticket_create(requester=alice, subject="Printer offline", description="Floor 3", acting_user=alice)


# --- who sees what --------------------------------------------------------------------------

SEES = {
    "anonymous": {"public"},
    "alice": {"public"},
    "carol": {"draft", "review", "public", "internal", "archived"},
    "dave": {"review", "public", "internal", "archived"},
    "erin": {"draft", "review", "public", "internal", "archived"},
    "ada": {"draft", "review", "public", "internal", "archived"},
}


@pytest.mark.parametrize("persona", SEES)
def test_list_shows_each_persona_what_the_pages_show_them(as_user, shelf, persona):
    response = as_user(persona).get(LIST)

    assert response.status_code == 200
    assert titles(response) == {shelf[name].title for name in SEES[persona]}


@pytest.mark.parametrize("persona", SEES)
def test_an_article_one_may_not_see_is_a_404_like_a_missing_one(as_user, shelf, persona):
    client = as_user(persona)
    missing = client.get("/api/v1/articles/999999/")
    assert missing.status_code == 404
    assert client.get("/api/v1/articles/not-a-number/").json() == missing.json()

    for name, article in shelf.items():
        response = client.get(url(article))
        if name in SEES[persona]:
            assert response.status_code == 200, name
            assert response.json()["title"] == article.title
        else:
            assert response.status_code == 404, name
            assert response.json() == missing.json()


def test_reading_does_not_count_views_or_need_a_session(api, shelf):
    response = api.get(url(shelf["public"]))

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    shelf["public"].refresh_from_db()
    assert shelf["public"].view_count == 0


def test_readers_get_the_public_page_and_staff_the_desk(as_user, carol, erin, shelf):
    reader = as_user("alice").get(url(shelf["public"])).json()

    assert reader["body"] == "Restart the print spooler."
    assert "<p>Restart the print spooler.</p>" in reader["body_html"]
    assert reader["my_vote"] is None and reader["translations"] == []
    for staff_only in ("reviews", "allowed_actions", "reuse_count", "source_ticket"):
        assert staff_only not in reader

    desk = as_user("erin").get(url(shelf["public"])).json()

    assert desk["allowed_actions"] == ["archive"]
    assert [(r["decision"], r["actor"]["id"]) for r in desk["reviews"]] == [
        ("approved", erin.pk),
        ("submitted", carol.pk),
    ]
    assert desk["reuse_count"] == 0 and desk["reviewer"]["id"] == erin.pk


def test_translations_link_both_ways_and_readers_see_only_published_ones(as_user, carol, erin):
    english = publish(carol, erin, "Printer offline")
    chinese = write(carol, "打印机离线", language="zh-hans", translation_of=english)

    assert as_user("alice").get(url(english)).json()["translations"] == []
    staff_view = as_user("carol").get(url(english)).json()["translations"]
    assert staff_view == [{"id": chinese.pk, "title": "打印机离线", "language": "zh-hans", "status": "draft"}]

    authoring.submit_for_review(carol, chinese)
    authoring.approve(erin, chinese)
    assert [t["id"] for t in as_user("alice").get(url(english)).json()["translations"]] == [chinese.pk]
    assert [t["id"] for t in as_user("alice").get(url(chinese)).json()["translations"]] == [english.pk]


# --- list: filters, pages, queries ----------------------------------------------------------


def test_list_filters(as_user, carol, dave, erin, shelf):
    hardware = Category.objects.create(name="Hardware")
    theirs = publish(dave, erin, "Dave's VPN guide", language="zh-hans", category=hardware, tags=["vpn"])
    client = as_user("erin")

    assert titles(client.get(LIST, {"status": "draft"})) == {"Draft"}
    assert titles(client.get(LIST, {"status": ["draft", "in_review"]})) == {"Draft", "In review"}
    assert titles(client.get(LIST, {"visibility": "internal"})) == {"Internal"}
    assert titles(client.get(LIST, {"language": "zh-hans"})) == {theirs.title}
    assert titles(client.get(LIST, {"category": hardware.pk})) == {theirs.title}
    assert titles(client.get(LIST, {"tag": "vpn"})) == {theirs.title}
    assert titles(client.get(LIST, {"author": dave.pk})) == {theirs.title}
    assert titles(as_user("dave").get(LIST, {"author": "me"})) == {theirs.title}
    assert len(titles(as_user("carol").get(LIST, {"author": "me"}))) == 5
    assert titles(APIClient().get(LIST, {"author": "me"})) == set()


@pytest.mark.parametrize(("name", "value"), [("status", "sleeping"), ("author", "someone"), ("language", "fr")])
def test_an_invalid_filter_is_a_field_error(as_user, shelf, name, value):
    response = as_user("carol").get(LIST, {name: value})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [name]


def test_list_pages_with_a_cursor_newest_first(as_user, carol):
    made = [write(carol, f"Article {n}") for n in range(3)]
    client = as_user("carol")

    first = client.get(LIST, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert [row["id"] for row in first["results"]] == [made[2].pk, made[1].pk]
    assert [row["id"] for row in second["results"]] == [made[0].pk]
    assert second["next"] is None


@pytest.mark.parametrize("persona", ["anonymous", "alice", "carol"])
def test_list_query_count_does_not_grow_with_the_articles(as_user, carol, erin, persona, django_assert_max_num_queries):
    hardware = Category.objects.create(name="Hardware")
    for number in range(25):
        publish(carol, erin, f"Printer {number}", category=hardware, tags=["printer", f"floor-{number}"])
    client = as_user(persona)

    # session and user (signed in only), the page, its tags
    with django_assert_max_num_queries(4):
        response = client.get(LIST)

    rows = response.json()["results"]
    assert len(rows) == 25
    assert rows[0]["author"]["name"] == "Carol Nguyen" and rows[0]["reviewer"]["name"] == "Erin Walsh"
    assert rows[0]["tags"] == ["floor-24", "printer"] and rows[0]["category"]["name"] == "Hardware"


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def library(carol, erin):
    return {
        "printer": publish(
            carol,
            erin,
            "打印机连接故障排查",
            summary="打印机无法打印或显示脱机时的检查步骤。",
            body="检查打印机电源和网线，然后重新添加打印机。",
            language="zh-hans",
        ),
        "password": publish(
            carol, erin, "重置密码", summary="忘记密码时如何重置。", body="打开自助门户。", language="zh-hans"
        ),
        "vpn": publish(carol, erin, "Connecting to the VPN", body="Install the client and sign in."),
    }


def test_search_in_chinese_finds_the_article_with_rank_and_snippet(api, library):
    response = api.get(LIST, {"q": "打印机无法连接"})

    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows[0]["id"] == library["printer"].pk
    assert rows[0]["rank"] > 0
    assert "<mark>" in rows[0]["snippet"]
    assert library["password"].pk not in [row["id"] for row in rows]
    assert response.json()["next"] is None


def test_search_stems_english_and_keeps_the_filters(as_user, carol, library):
    draft_vpn = write(carol, "VPN connections for drafts")

    rows = as_user("carol").get(LIST, {"q": "connections vpn"}).json()["results"]
    assert [row["id"] for row in rows] == [library["vpn"].pk]  # drafts are not searched
    assert draft_vpn.pk not in [row["id"] for row in rows]
    assert as_user("carol").get(LIST, {"q": "vpn", "language": "zh-hans"}).json()["results"] == []
    assert KnowledgeSearch.objects.count() == 0  # API searches are not content-gap statistics


def test_a_list_without_a_search_has_no_rank_or_snippet(api, library):
    row = api.get(LIST).json()["results"][0]

    assert row["rank"] is None and row["snippet"] is None


# --- writing --------------------------------------------------------------------------------


def test_an_agent_writes_a_draft(as_user, carol):
    hardware = Category.objects.create(name="Hardware")
    payload = {
        "title": "  Printer jam ",
        "body": "Open **tray 2**.",
        "category": hardware.pk,
        "tags": ["Printer", "打印机"],
        "visibility": "internal",
    }

    response = as_user("carol").post(LIST, payload, format="json")

    assert response.status_code == 201
    article = Article.objects.get()
    assert response["Location"] == url(article)
    body = response.json()
    assert (body["title"], body["status"], body["version"], body["author"]["id"]) == (
        "Printer jam",
        "draft",
        1,
        carol.pk,
    )
    assert body["tags"] == ["printer", "打印机"] and "<strong>tray 2</strong>" in body["body_html"]
    assert body["allowed_actions"] == ["submit"]
    assert article.versions.count() == 1


def test_a_draft_from_a_ticket_and_the_ticket_must_be_visible(as_user, carol, dave, ticket):
    created = as_user("carol").post(
        LIST, {"title": "Printer", "body": "Restart.", "source_ticket": ticket.reference}, format="json"
    )
    assert created.status_code == 201 and created.json()["source_ticket"] == ticket.reference

    refused = as_user("dave").post(
        LIST, {"title": "Printer", "body": "Restart.", "source_ticket": ticket.reference}, format="json"
    )
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["source_ticket"]


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_readers_may_not_write(as_user, persona):
    response = as_user(persona).post(LIST, {"title": "Mine", "body": "Text"}, format="json")

    assert response.status_code in (401, 403)
    assert response.json()["detail"]
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x" * 201, "body": "x"}, "title"),
        ({"title": "Hi"}, "body"),
        ({"title": "Hi", "body": "x", "visibility": "secret"}, "visibility"),
        ({"title": "Hi", "body": "x", "language": "fr"}, "language"),
        ({"title": "Hi", "body": "x", "category": 999}, "category"),
        ({"title": "Hi", "body": "x", "tags": ["!!!"]}, "tags"),
        ({"title": "Hi", "body": "x", "translation_of": 999}, "translation_of"),
    ],
)
def test_invalid_input_is_a_400_with_field_errors(as_user, payload, field):
    response = as_user("carol").post(LIST, payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and list(body["fields"]) == [field]
    assert not Article.objects.exists()


def test_a_service_refusal_is_a_400_naming_the_field(as_user, carol):
    response = as_user("carol").post(LIST, {"title": "   ", "body": "x"}, format="json")

    assert response.status_code == 400
    assert "title" in response.json()["fields"]
    english = write(carol, "Printer")
    write(carol, "打印机", language="zh-hans", translation_of=english)

    second = as_user("carol").post(
        LIST, {"title": "另一个", "body": "x", "language": "zh-hans", "translation_of": english.pk}, format="json"
    )

    assert second.status_code == 400
    assert second.json()["extra"] == {"field": "language"}


def test_a_change_of_the_text_makes_a_new_version(as_user, carol):
    article = write(carol, "Printer offline")

    response = as_user("carol").patch(
        url(article),
        {"body": "Restart the spooler, then the printer.", "note": "More steps", "version": 1},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["title"], body["body"]) == (
        2,
        "Printer offline",
        "Restart the spooler, then the printer.",
    )
    latest = article.versions.first()
    assert (latest.number, latest.note, latest.editor) == (2, "More steps", carol)


def test_a_change_of_tags_only_keeps_the_version(as_user, carol):
    article = write(carol, "Printer offline")

    response = as_user("carol").patch(url(article), {"tags": ["printer"], "version": 1}, format="json")

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["tags"]) == (1, ["printer"])


def test_a_change_needs_the_version_read(as_user, carol):
    article = write(carol, "Printer offline")

    response = as_user("carol").patch(url(article), {"title": "Printer down"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["version"]
    article.refresh_from_db()
    assert article.title == "Printer offline"


def test_a_stale_version_is_a_409_and_changes_nothing(as_user, carol, erin):
    article = write(carol, "Printer offline")
    authoring.update_article(erin, article, expected_version=1, body="Erin's text")

    response = as_user("carol").patch(url(article), {"body": "Carol's text", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["extra"] == {"current_version": 2}
    article.refresh_from_db()
    assert article.body == "Erin's text"


@pytest.mark.parametrize(("persona", "expected"), [("alice", 403), ("dave", 404), ("erin", 200)])
def test_who_may_change_a_draft(as_user, carol, persona, expected):
    article = write(carol, "Printer offline")

    response = as_user(persona).patch(url(article), {"title": "Changed", "version": 1}, format="json")

    assert response.status_code == expected
    article.refresh_from_db()
    assert (article.title == "Changed") is (expected == 200)


def test_a_published_article_is_changed_by_managers_only(as_user, shelf):
    public = shelf["public"]

    assert as_user("carol").patch(url(public), {"title": "X", "version": 1}, format="json").status_code == 403
    assert as_user("alice").patch(url(public), {"title": "X", "version": 1}, format="json").status_code == 403
    assert as_user("erin").patch(url(public), {"title": "Y", "version": 1}, format="json").status_code == 200


# --- the review workflow --------------------------------------------------------------------


def test_the_whole_workflow_through_the_api(as_user, carol, erin):
    article = write(carol, "Printer offline")
    writer, reviewer = APIClient(), APIClient()
    writer.force_login(carol)
    reviewer.force_login(erin)

    assert writer.post(url(article, "submit"), {"version": 1}, format="json").json()["status"] == "in_review"
    refused = reviewer.post(url(article, "return"), {"version": 1}, format="json")
    assert refused.status_code == 400 and refused.json()["extra"] == {"field": "comment"}
    returned = reviewer.post(url(article, "return"), {"version": 1, "comment": "Add a screenshot"}, format="json")
    assert returned.json()["status"] == "draft"
    edited = writer.patch(url(article), {"body": "Restart it. See the picture.", "version": 1}, format="json").json()
    assert writer.post(url(article, "submit"), {"version": edited["version"]}, format="json").status_code == 200
    approved = reviewer.post(url(article, "approve"), {"version": 2, "comment": "Good"}, format="json")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["reviewer"]["id"]) == ("published", erin.pk)
    assert approved.json()["published_at"]
    assert reviewer.post(url(article, "archive"), {"version": 2}, format="json").json()["status"] == "archived"
    assert reviewer.post(url(article, "unarchive"), {"version": 2}, format="json").json()["status"] == "published"

    assert [(r.decision, r.actor, r.version, r.comment) for r in ArticleReview.objects.order_by("id")] == [
        ("submitted", carol, 1, ""),
        ("returned", erin, 1, "Add a screenshot"),
        ("submitted", carol, 2, ""),
        ("approved", erin, 2, "Good"),
        ("archived", erin, 2, ""),
        ("restored", erin, 2, ""),
    ]


@pytest.mark.parametrize(
    ("persona", "action", "expected"),
    [
        ("anonymous", "approve", 401),  # not signed in
        ("alice", "approve", 403),
        ("carol", "approve", 403),  # nobody approves their own article
        ("dave", "approve", 403),  # agents do not review
        ("dave", "return", 403),
        ("erin", "archive", 409),  # not published yet
        ("erin", "submit", 409),  # already submitted
        ("ada", "approve", 200),
    ],
)
def test_who_may_decide_on_an_article_in_review(as_user, shelf, persona, action, expected):
    article = shelf["review"]

    response = as_user(persona).post(url(article, action), {"version": 1, "comment": "Why"}, format="json")

    assert response.status_code == expected
    assert response.json()["detail"] if expected != 200 else response.json()["status"] == "published"


def test_an_invalid_move_is_a_409_with_its_message(as_user, shelf):
    response = as_user("erin").post(url(shelf["draft"], "approve"), {"version": 1}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_article_transition",
        "detail": "An article that is “Draft” cannot be “Approved”.",
        "extra": {"current": "draft", "decision": "approved"},
    }


def test_approving_a_text_changed_since_it_was_read_is_a_409(as_user, carol, erin, shelf):
    article = shelf["review"]
    authoring.update_article(erin, article, expected_version=1, body="Changed while in review")

    response = as_user("ada").post(url(article, "approve"), {"version": 1}, format="json")

    assert response.status_code == 409 and response.json()["extra"] == {"current_version": 2}
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW


def test_another_agents_draft_is_not_found_for_any_action(as_user, shelf):
    client = as_user("dave")
    missing = client.get("/api/v1/articles/999999/").json()

    for response in [
        client.post(url(shelf["draft"], "submit"), {"version": 1}, format="json"),
        client.get(url(shelf["draft"], "versions")),
        client.get(url(shelf["draft"], "links")),
    ]:
        assert response.status_code == 404 and response.json() == missing


# --- versions -------------------------------------------------------------------------------


def test_versions_diff_and_restore(as_user, carol):
    article = write(carol, "Printer offline", body="Restart it.")
    authoring.update_article(carol, article, expected_version=1, body="Unplug it.", note="Simpler")
    client = as_user("carol")

    history = client.get(url(article, "versions")).json()
    assert [(v["number"], v["note"], v["editor"]["id"]) for v in history] == [
        (2, "Simpler", carol.pk),
        (1, "", carol.pk),
    ]
    assert "body" not in history[0]

    second = client.get(url(article, "version", 2)).json()
    assert second["body"] == "Unplug it." and second["compared_with"] == 1
    text = next(field for field in second["diff"] if field["label"] == "Text")
    assert text["changed"] and "<del>Restart</del>" in text["html"] and "<ins>Unplug</ins>" in text["html"]
    assert client.get(url(article, "version", 1)).json()["diff"] is None
    assert client.get(url(article, "version", 9)).status_code == 404

    stale = client.post(url(article, "restore", 1), {"version": 1}, format="json")
    assert stale.status_code == 409
    restored = client.post(url(article, "restore", 1), {"version": 2}, format="json")
    assert restored.status_code == 200
    assert (restored.json()["version"], restored.json()["body"]) == (3, "Restart it.")
    assert ArticleVersion.objects.filter(article=article).count() == 3
    same = client.post(url(article, "restore", 3), {"version": 3}, format="json")
    assert same.status_code == 400 and same.json()["detail"]


def test_readers_may_not_read_the_history(as_user, shelf):
    public = shelf["public"]

    assert as_user("alice").get(url(public, "versions")).status_code == 403
    assert APIClient().get(url(public, "versions")).status_code in (401, 403)
    assert as_user("dave").get(url(public, "versions")).status_code == 200


def test_only_the_writer_restores(as_user, carol, erin):
    article = publish(carol, erin, "Printer offline", body="Restart it.")
    authoring.update_article(erin, article, expected_version=1, body="Unplug it.")

    response = as_user("carol").post(url(article, "restore", 1), {"version": 2}, format="json")

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.version == 2


# --- votes ----------------------------------------------------------------------------------


def test_one_vote_per_user_and_voting_again_moves_it(as_user, alice, shelf):
    public = shelf["public"]
    client = as_user("alice")

    first = client.post(url(public, "vote"), {"helpful": True}, format="json").json()
    again = client.post(url(public, "vote"), {"helpful": True}, format="json").json()
    moved = client.post(url(public, "vote"), {"helpful": False}, format="json").json()

    assert (first["changed"], first["helpful_count"], first["unhelpful_count"]) == (True, 1, 0)
    assert (again["changed"], again["helpful_count"]) == (False, 1)
    assert (moved["my_vote"], moved["helpful_count"], moved["unhelpful_count"]) == (False, 0, 1)
    assert client.get(url(public)).json()["my_vote"] is False
    assert reading.current_vote(public, user=alice) is False


def test_votes_need_a_signed_in_reader_and_a_published_article(as_user, shelf):
    assert APIClient().post(url(shelf["public"], "vote"), {"helpful": True}, format="json").status_code in (401, 403)
    assert as_user("alice").post(url(shelf["internal"], "vote"), {"helpful": True}, format="json").status_code == 404
    assert as_user("carol").post(url(shelf["draft"], "vote"), {"helpful": True}, format="json").status_code == 404
    invalid = as_user("alice").post(url(shelf["public"], "vote"), {}, format="json")
    assert invalid.status_code == 400 and list(invalid.json()["fields"]) == ["helpful"]
    shelf["public"].refresh_from_db()
    assert (shelf["public"].helpful_count, shelf["public"].unhelpful_count) == (0, 0)


# --- tickets the article was used on --------------------------------------------------------


def test_an_agent_links_an_article_to_a_ticket_and_unlinks_it(as_user, carol, shelf, ticket):
    public = shelf["public"]
    client = as_user("carol")

    linked = client.post(url(public, "links"), {"ticket": ticket.reference.lower()}, format="json")
    again = client.post(url(public, "links"), {"ticket": ticket.reference}, format="json")

    assert linked.status_code == 200 and again.json()["id"] == linked.json()["id"]
    assert (linked.json()["ticket"], linked.json()["linked_by"]["id"]) == (ticket.reference, carol.pk)
    listed = client.get(url(public, "links")).json()
    assert [row["ticket"] for row in listed["results"]] == [ticket.reference]
    assert client.get(url(public)).json()["reuse_count"] == 1

    assert client.delete(url(public, "unlink", ticket.reference)).status_code == 204
    assert client.delete(url(public, "unlink", ticket.reference)).status_code == 404
    assert not ArticleTicketLink.objects.exists()


def test_linking_follows_the_ticket_and_the_article(as_user, shelf, ticket):
    # dave does not work the Service Desk's ticket: for him it does not exist.
    refused = as_user("dave").post(url(shelf["public"], "links"), {"ticket": ticket.reference}, format="json")
    assert refused.status_code == 400 and list(refused.json()["fields"]) == ["ticket"]
    # A draft is nothing to hand a requester yet.
    draft = as_user("carol").post(url(shelf["draft"], "links"), {"ticket": ticket.reference}, format="json")
    assert draft.status_code == 400 and draft.json()["detail"]
    # The requester reads the article but links nothing.
    assert as_user("alice").post(url(shelf["public"], "links"), {"ticket": ticket.reference}).status_code == 403
    assert as_user("alice").get(url(shelf["public"], "links")).status_code == 403
    assert not ArticleTicketLink.objects.exists()


def test_the_link_list_hides_tickets_the_agent_may_not_see(as_user, carol, shelf, ticket):
    authoring.link_article(carol, shelf["public"], ticket)

    assert as_user("dave").get(url(shelf["public"], "links")).json()["results"] == []
    assert as_user("dave").get(url(shelf["public"])).json()["reuse_count"] == 1


# --- token auth -----------------------------------------------------------------------------


def test_a_token_signs_in(api, carol, shelf):
    _, raw = token_create(carol, name="script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    assert titles(api.get(LIST)) == {shelf[name].title for name in SEES["carol"]}
    response = api.post(LIST, {"title": "By token", "body": "Text"}, format="json")
    assert response.status_code == 201 and response.json()["author"]["id"] == carol.pk


def test_a_bad_token_is_refused_even_for_public_reads(api, shelf):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = api.get(LIST)

    assert response.status_code in (401, 403) and response.json()["detail"]
