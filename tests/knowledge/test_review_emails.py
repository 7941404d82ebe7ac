"""Reviewers hear of an article waiting for them; authors hear of the decision, in their language."""

from __future__ import annotations

import pytest

from knowledge import authoring
from knowledge.notifications import reviewers_of
from notifications.models import OutboxEmail
from tests.factories import UserFactory
from tests.knowledge.builders import draft

pytestmark = pytest.mark.django_db


def mails(kind: str) -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind=kind).order_by("to"))


def test_submitting_tells_the_managers_of_the_authors_teams(carol, erin, service_desk):
    UserFactory(email="other.manager@helpdesk.example", role="manager")
    article = draft(carol, title="Printer offline")

    authoring.submit_for_review(carol, article, comment="Please check the steps")

    [mail] = mails("article_submitted")
    assert mail.to == erin.email
    assert "Printer offline" in mail.subject
    assert "Please check the steps" in mail.body
    assert f"/agent/kb/{article.pk}/" in mail.body


def test_without_a_team_manager_every_manager_is_told_but_never_the_author(dave, erin, network_team):
    second = UserFactory(email="second.manager@helpdesk.example", role="manager")
    article = draft(erin, title="Written by a manager")

    assert reviewers_of(article) == [second]
    article = draft(dave, title="Network article")
    authoring.submit_for_review(dave, article)

    assert {mail.to for mail in mails("article_submitted")} == {erin.email, second.email}


def test_the_author_hears_of_a_return_with_the_comment_in_their_language(carol, erin, service_desk):
    carol.language = "zh-hans"
    carol.save(update_fields=["language"])
    article = draft(carol, title="打印机脱机")
    authoring.submit_for_review(carol, article)

    authoring.return_to_author(erin, article, comment="请补充设置页面的截图")

    [mail] = mails("article_returned")
    assert mail.to == carol.email
    assert "打印机脱机" in mail.subject and "退回" in mail.subject
    assert "请补充设置页面的截图" in mail.body


def test_the_author_hears_of_the_approval(carol, erin, service_desk):
    article = draft(carol, title="Printer offline")
    authoring.submit_for_review(carol, article)

    authoring.approve(erin, article)

    [mail] = mails("article_approved")
    assert (mail.to, mail.subject) == (carol.email, "Published: Printer offline")


def test_archiving_sends_nothing(carol, erin, service_desk):
    article = draft(carol)
    authoring.submit_for_review(carol, article)
    authoring.approve(erin, article)
    before = OutboxEmail.objects.count()

    authoring.archive(erin, article)

    assert OutboxEmail.objects.count() == before
