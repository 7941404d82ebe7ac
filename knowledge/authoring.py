"""Every change to an article goes through one of these functions (see STYLE.md).

Writing, the review workflow, versions and links to tickets. Each function takes the acting
user first, checks permission through accounts.permissions / knowledge.permissions, locks the
article row, writes in one transaction and leaves a trace: an ``ArticleVersion`` for every
change of the text, an ``ArticleReview`` for every move of the status.

``Article.version`` is the number of the latest ``ArticleVersion``: a form carries it, and a
save or a decision made from a page drawn before someone else's change is refused (409).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.permissions import may_change, require_change, require_view
from helpdesk.errors import ApplicationError, ConflictError
from helpdesk.markdown import render_markdown
from knowledge import notifications
from knowledge.models import (
    Article,
    ArticleReview,
    ArticleStatus,
    ArticleTicketLink,
    ArticleVersion,
    Language,
    ReviewDecision,
    Visibility,
)
from knowledge.permissions import may_read, may_review
from knowledge.search import refresh_search_vector
from tickets.events import record
from tickets.models import TAG_MAX_CHARS, Category, EventKind, Tag, Ticket, tag_slug, tag_slugs

TEXT_FIELDS = ("title", "summary", "body")


class InvalidArticleTransition(ConflictError):
    pass


# --- the workflow as one table -------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    decision: ReviewDecision
    # "writer": whoever may change the article (its author while a draft, managers);
    # "reviewer": knowledge.permissions.may_review; "manager": managers and admins.
    who: str
    label: str
    comment_required: bool = False


TRANSITIONS: dict[tuple[str, str], Move] = {
    (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW): Move(
        ReviewDecision.SUBMITTED, "writer", gettext_lazy("Submit for review")
    ),
    (ArticleStatus.IN_REVIEW, ArticleStatus.PUBLISHED): Move(
        ReviewDecision.APPROVED, "reviewer", gettext_lazy("Approve and publish")
    ),
    # A returned article goes back to its author with the reason: the comment is the point.
    (ArticleStatus.IN_REVIEW, ArticleStatus.DRAFT): Move(
        ReviewDecision.RETURNED, "reviewer", gettext_lazy("Return to the author"), comment_required=True
    ),
    (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED): Move(
        ReviewDecision.ARCHIVED, "manager", gettext_lazy("Archive")
    ),
    (ArticleStatus.ARCHIVED, ArticleStatus.PUBLISHED): Move(
        ReviewDecision.RESTORED, "manager", gettext_lazy("Restore from archive")
    ),
}


def _allowed_actor(user: User, article: Article, who: str) -> bool:
    if who == "writer":
        return may_change(user, article)
    if who == "reviewer":
        return may_review(user, article)
    return user.has_role(Role.MANAGER)


def allowed_moves(user: User, article: Article) -> list[Move]:
    """The status moves ``user`` may make on ``article`` now: the buttons on its page."""
    return [
        move
        for (current, _target), move in TRANSITIONS.items()
        if current == article.status and _allowed_actor(user, article, move.who)
    ]


def _move(
    actor: User,
    article: Article,
    decision: ReviewDecision,
    *,
    comment: str = "",
    expected_version: int | None = None,
) -> Article:
    """Apply the table's move for ``decision`` from the article's current status (under lock)."""
    article = _lock(article)
    found = [
        (target, move)
        for (current, target), move in TRANSITIONS.items()
        if current == article.status and move.decision == decision
    ]
    if not found:
        raise InvalidArticleTransition(
            _("An article that is “%(current)s” cannot be “%(decision)s”.")
            % {"current": ArticleStatus(article.status).label, "decision": ReviewDecision(decision).label},
            extra={"current": article.status, "decision": decision},
        )
    target, move = found[0]
    if not _allowed_actor(actor, article, move.who):
        raise PermissionDenied
    _check_version(article, expected_version)
    comment = (comment or "").strip()
    if move.comment_required and not comment:
        raise ApplicationError(
            _("Tell the author what to change: a comment is required to return an article."),
            extra={"field": "comment"},
        )
    now = timezone.now()
    fields = ["status", "updated_at"]
    article.status = target
    if move.decision == ReviewDecision.APPROVED:
        article.reviewer = actor
        fields.append("reviewer")
        if article.published_at is None:
            # The first publication date stays: later approvals of edits do not make it "new".
            article.published_at = now
            fields.append("published_at")
    article.save(update_fields=fields)
    review = ArticleReview.objects.create(
        article=article, actor=actor, decision=move.decision, version=article.version, comment=comment
    )
    notifications.review_recorded(article, review)
    return article


@transaction.atomic
def submit_for_review(
    actor: User, article: Article, *, comment: str = "", expected_version: int | None = None
) -> Article:
    """Draft → in review (its author, or a manager)."""
    return _move(actor, article, ReviewDecision.SUBMITTED, comment=comment, expected_version=expected_version)


@transaction.atomic
def approve(actor: User, article: Article, *, comment: str = "", expected_version: int | None = None) -> Article:
    """In review → published; ``expected_version`` makes sure the reviewer approves the text they read."""
    return _move(actor, article, ReviewDecision.APPROVED, comment=comment, expected_version=expected_version)


@transaction.atomic
def return_to_author(actor: User, article: Article, *, comment: str, expected_version: int | None = None) -> Article:
    """In review → draft, with the reviewer's reason (required)."""
    return _move(actor, article, ReviewDecision.RETURNED, comment=comment, expected_version=expected_version)


@transaction.atomic
def archive(actor: User, article: Article, *, comment: str = "", expected_version: int | None = None) -> Article:
    """Published → archived (managers): readers no longer find it, the history stays."""
    return _move(actor, article, ReviewDecision.ARCHIVED, comment=comment, expected_version=expected_version)


@transaction.atomic
def unarchive(actor: User, article: Article, *, comment: str = "", expected_version: int | None = None) -> Article:
    """Archived → published again (managers)."""
    return _move(actor, article, ReviewDecision.RESTORED, comment=comment, expected_version=expected_version)


# The service behind each decision, for views that post a decision by name.
SERVICES = {
    ReviewDecision.SUBMITTED: submit_for_review,
    ReviewDecision.APPROVED: approve,
    ReviewDecision.RETURNED: return_to_author,
    ReviewDecision.ARCHIVED: archive,
    ReviewDecision.RESTORED: unarchive,
}


# --- writing ----------------------------------------------------------------------------------


def _lock(article: Article) -> Article:
    """Re-read the article under a row lock: two saves queue instead of overwriting each other."""
    return Article.objects.select_for_update(of=("self",)).get(pk=article.pk)


def _check_version(article: Article, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != article.version:
        raise ConflictError(
            _(
                "Someone else changed this article while you were working on it (it is now at "
                "version %(version)s). Reload the page to see their change."
            )
            % {"version": article.version},
            extra={"current_version": article.version},
        )


def unusable_tags(names: Iterable[str]) -> list[str]:
    """The names that cannot be tags: nothing left once made a slug, or too long."""
    return [name for name in names if not tag_slug(name) or len(name.strip()) > TAG_MAX_CHARS]


def _clean_text(title: str, summary: str, body: str) -> tuple[str, str, str]:
    title, summary, body = (title or "").strip(), (summary or "").strip(), (body or "").strip()
    if not title:
        raise ApplicationError(_("Give the article a title."), extra={"field": "title"})
    if not body:
        raise ApplicationError(_("Write the text of the article."), extra={"field": "body"})
    return title, summary, body


def _check_choices(visibility: str, language: str, category: Category | None) -> None:
    if visibility not in Visibility.values:
        raise ApplicationError(_("Choose who may read the article."), extra={"field": "visibility"})
    if language not in Language.values:
        raise ApplicationError(_("Choose the language of the article."), extra={"field": "language"})
    if category is not None and not category.is_active:
        raise ApplicationError(_("That category is no longer in use."), extra={"field": "category"})


def _check_translation_slot(group, language: str, *, exclude: int | None = None) -> None:
    """At most one article per language in a translation group (the constraint, said clearly)."""
    taken = Article.objects.filter(translation_group=group, language=language).exclude(pk=exclude)
    existing = taken.only("id", "title").first()
    if existing is not None:
        raise ApplicationError(
            _("There is already a %(language)s translation of this article: “%(title)s”.")
            % {"language": Language(language).label, "title": existing.title},
            extra={"field": "language"},
        )


def _check_translation_of(original: Article, language: str, *, article_id: int | None = None) -> None:
    """A translation is of another article, written in another language."""
    if original.pk == article_id:
        raise ApplicationError(_("An article cannot be a translation of itself."), extra={"field": "translation_of"})
    if original.language == language:
        raise ApplicationError(
            _("“%(title)s” is in %(language)s too: choose an article in another language.")
            % {"title": original.title, "language": Language(language).label},
            extra={"field": "translation_of"},
        )


def _set_tags(article: Article, names: Iterable[str]) -> bool:
    wanted = tag_slugs(names)
    current = sorted(article.tags.values_list("name", flat=True))
    if wanted == current:
        return False
    article.tags.set([Tag.objects.get_or_create(name=name)[0] for name in wanted])
    return True


@transaction.atomic
def create_article(
    author: User,
    *,
    title: str,
    summary: str = "",
    body: str,
    category: Category | None = None,
    tags: Iterable[str] = (),
    visibility: str = Visibility.PUBLIC,
    language: str = Language.EN,
    source_ticket: Ticket | None = None,
    translation_of: Article | None = None,
) -> Article:
    """A new draft by ``author`` (staff), with its first version."""
    if not author.works_tickets:
        raise PermissionDenied
    title, summary, body = _clean_text(title, summary, body)
    _check_choices(visibility, language, category)
    article = Article(
        title=title,
        summary=summary,
        body=body,
        body_html=render_markdown(body),
        category=category,
        visibility=visibility,
        language=language,
        author=author,
        status=ArticleStatus.DRAFT,
        version=1,
    )
    if source_ticket is not None:
        require_view(author, source_ticket)
        article.source_ticket = source_ticket
    if translation_of is not None:
        require_view(author, translation_of)
        _check_translation_of(translation_of, language)
        # Lock the original so that two translators into one language cannot both get in.
        translation_of = _lock(translation_of)
        _check_translation_slot(translation_of.translation_group, language)
        article.translation_group = translation_of.translation_group
    article.save()
    _set_tags(article, tags)
    ArticleVersion.objects.create(article=article, number=1, title=title, summary=summary, body=body, editor=author)
    refresh_search_vector(article.pk)
    return article


@transaction.atomic
def update_article(
    actor: User,
    article: Article,
    *,
    expected_version: int | None,
    note: str = "",
    **fields,
) -> Article:
    """Change any of title, summary, body, category, tags, visibility, language, translation_of.

    Only a change of the text (title, summary, body) writes a new ``ArticleVersion`` and moves
    ``version`` on: the history is of what readers read. Category, tags, visibility and
    language are saved as they are. ``translation_of`` (an article in another language) joins
    this article to that article's translations; None leaves the translations as they are.
    """
    unknown = set(fields) - {*TEXT_FIELDS, "category", "tags", "visibility", "language", "translation_of"}
    if unknown:
        raise TypeError(f"update_article() got unexpected fields: {sorted(unknown)}")
    article = _lock(article)
    require_change(actor, article)
    _check_version(article, expected_version)

    title, summary, body = _clean_text(
        fields.get("title", article.title), fields.get("summary", article.summary), fields.get("body", article.body)
    )
    category = fields.get("category", article.category)
    visibility = fields.get("visibility", article.visibility)
    language = fields.get("language", article.language)
    _check_choices(visibility, language, category)
    group = article.translation_group
    original = fields.get("translation_of")
    if original is not None:
        require_view(actor, original)
        _check_translation_of(original, language, article_id=article.pk)
        if original.translation_group != group:
            # Locked like a new translation's original: two articles cannot take one slot.
            group = _lock(original).translation_group
            _check_translation_slot(group, language, exclude=article.pk)
    if language != article.language and group == article.translation_group:
        _check_translation_slot(group, language, exclude=article.pk)

    changed = []
    text_changed = (title, summary, body) != (article.title, article.summary, article.body)
    if text_changed:
        article.title, article.summary, article.body = title, summary, body
        article.body_html = render_markdown(body)
        article.version += 1
        changed += [*TEXT_FIELDS, "body_html", "version"]
    for name, value in (
        ("category", category),
        ("visibility", visibility),
        ("language", language),
        ("translation_group", group),
    ):
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed.append(name)
    tags_changed = "tags" in fields and _set_tags(article, fields["tags"])
    if not changed and not tags_changed:
        return article
    article.save(update_fields=[*changed, "updated_at"])
    if text_changed:
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            title=title,
            summary=summary,
            body=body,
            editor=actor,
            note=(note or "").strip()[:200],
        )
        refresh_search_vector(article.pk)
    return article


@transaction.atomic
def restore_version(actor: User, article: Article, number: int, *, expected_version: int | None) -> Article:
    """Make the text of version ``number`` current again, as a new version: history is never rewritten."""
    article = _lock(article)
    require_change(actor, article)
    _check_version(article, expected_version)
    old = article.versions.filter(number=number).first()
    if old is None:
        raise ApplicationError(_("This article has no version %(number)s.") % {"number": number})
    if (old.title, old.summary, old.body) == (article.title, article.summary, article.body):
        raise ApplicationError(_("Version %(number)s is the same text as the current one.") % {"number": number})
    return update_article(
        actor,
        article,
        expected_version=article.version,
        note=_("Restored from version %(number)s") % {"number": number},
        title=old.title,
        summary=old.summary,
        body=old.body,
    )


# --- articles used on tickets -----------------------------------------------------------------


@transaction.atomic
def link_article(actor: User, article: Article, ticket: Ticket) -> ArticleTicketLink:
    """Record that ``article`` helped on ``ticket`` (counts as reuse); linking twice is a no-op."""
    require_change(actor, ticket)
    # Judge the article as it is now, not as the caller's copy last saw it.
    article = Article.objects.get(pk=article.pk)
    if not may_read(actor, article):
        raise ApplicationError(_("Only a published article you can read can be linked to a ticket."))
    link, created = ArticleTicketLink.objects.get_or_create(
        article=article, ticket=ticket, defaults={"linked_by": actor}
    )
    if created:
        # In the ticket's history too: who pointed the requester (or a colleague) to what.
        record(
            ticket,
            EventKind.ARTICLE_LINKED,
            actor=actor,
            at=timezone.now(),
            new={"article": article.pk, "title": article.title},
        )
    return link


@transaction.atomic
def unlink_article(actor: User, article: Article, ticket: Ticket) -> bool:
    """Remove the link; True when there was one."""
    require_change(actor, ticket)
    deleted, _details = ArticleTicketLink.objects.filter(article=article, ticket=ticket).delete()
    if deleted:
        record(
            ticket,
            EventKind.ARTICLE_UNLINKED,
            actor=actor,
            at=timezone.now(),
            old={"article": article.pk, "title": article.title},
        )
    return bool(deleted)
