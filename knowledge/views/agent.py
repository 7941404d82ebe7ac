"""The agent's knowledge-base desk at /agent/kb/: list, write, review, versions, links to tickets.

Staff only (requesters get 403). Every change calls one function of knowledge/authoring.py;
forms carry the article's version, so a page drawn before a colleague's change cannot
overwrite it (409 and a clear message). Everything works as plain forms; htmx only swaps the
article search results into the ticket page.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role, User
from accounts.permissions import may_change, may_view, visible
from helpdesk.errors import ApplicationError
from knowledge import authoring
from knowledge.diff import diff_versions
from knowledge.forms import ArticleFilterForm, ArticleForm, DecisionForm, LinkForm, LinkSearchForm, RestoreForm
from knowledge.models import Article, ArticleReview, ArticleStatus, Language, ReviewDecision, SearchSource
from knowledge.permissions import may_review, review_queue
from knowledge.search import search_articles
from tickets.models import Status, Ticket
from tickets.permissions import works_on
from tickets.selectors import ticket_by_reference

PAGE_SIZE = 50
SEARCH_RESULTS = 50
LINK_SEARCH_RESULTS = 8


def _staff(request) -> User:
    if not request.user.works_tickets:
        raise PermissionDenied
    return request.user


def _article(request, pk: int) -> Article:
    """The article if the staff user may see it on the desk; 404 otherwise (drafts are private)."""
    user = _staff(request)
    article = (
        visible(user, Article.objects.all())
        .select_related("category__parent", "author", "reviewer", "source_ticket")
        .filter(pk=pk)
        .first()
    )
    if article is None or not may_view(user, article):
        raise Http404
    return article


# --- list -------------------------------------------------------------------------------------


def _cursor(article: Article) -> str:
    return f"{article.updated_at.isoformat()}~{article.pk}"


def _after(articles: QuerySet[Article], cursor: str) -> QuerySet[Article]:
    """Rows after the cursor in (-updated_at, -id) order: keyset pagination, no OFFSET."""
    stamp, _sep, pk = cursor.partition("~")
    try:
        at: datetime | None = parse_datetime(stamp)
    except ValueError:  # well formed but not a date (month 13): the first page
        at = None
    if at is None or not pk.isdigit():
        return articles
    return articles.filter(Q(updated_at__lt=at) | Q(updated_at=at, pk__lt=int(pk)))


@login_required
@require_GET
def article_list(request):
    user = _staff(request)
    tab = "review" if request.GET.get("tab") == "review" else "all"
    form = ArticleFilterForm(request.GET)
    articles = visible(user, Article.objects.all())
    if tab == "review":
        articles = review_queue(user, articles)
    # The filters that were understood apply even when another was not (a stale bookmark, a
    # category since deleted); the page says that some were ignored.
    filters_ignored = not form.is_valid()
    data = form.cleaned_data
    if data.get("status"):
        articles = articles.filter(status=data["status"])
    if data.get("language"):
        articles = articles.filter(language=data["language"])
    if data.get("category"):
        articles = articles.filter(category=data["category"])
    if data.get("mine"):
        articles = articles.filter(author_id=user.pk)
    query = data.get("q", "").strip()
    articles = articles.select_related("category__parent", "author").annotate(
        reuse=Count("ticket_links", distinct=True)
    )
    next_cursor = None
    if query:
        # Published articles ranked by full-text search (Chinese segmented, typo-tolerant), then
        # drafts and articles in review whose title holds the words: the search index only
        # serves readers, and an author looks for their unpublished work by title.
        hits = [article.pk for article in search_articles(user, query, limit=SEARCH_RESULTS).articles]
        order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(hits)], default=Value(len(hits)))
        rows = list(
            articles.alias(lower_title=Lower("title"))
            .filter(Q(pk__in=hits) | Q(lower_title__contains=query.lower()))
            .annotate(hit_order=order if hits else Value(0, output_field=IntegerField()))
            .order_by("hit_order", "-updated_at", "-id")[:SEARCH_RESULTS]
        )
    else:
        if request.GET.get("after"):
            articles = _after(articles, request.GET["after"])
        rows = list(articles.order_by("-updated_at", "-id")[: PAGE_SIZE + 1])
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            params = request.GET.copy()
            params["after"] = _cursor(rows[-1])
            next_cursor = params.urlencode()
    context = {
        "form": form,
        "tab": tab,
        "articles": rows,
        "query": query,
        "next_query": next_cursor,
        "is_reviewer": user.has_role(Role.MANAGER),
        "filtered": any(request.GET.get(name) for name in ("q", "status", "language", "category", "mine")),
        "filters_ignored": filters_ignored,
    }
    return render(request, "knowledge/agent/article_list.html", context)


# --- writing ----------------------------------------------------------------------------------


def _form_page(request, form: ArticleForm, *, article: Article | None = None, extra=None, http_status: int = 200):
    context = {"form": form, "article": article, **(extra or {})}
    return render(request, "knowledge/agent/article_form.html", context, status=http_status)


def _from_ticket(ticket: Ticket) -> dict:
    """A draft's first text from a resolved ticket: the problem, then what solved it."""
    parts = [ticket.description.strip()]
    if ticket.resolution_summary.strip():
        parts += ["## " + _("Solution"), ticket.resolution_summary.strip()]
    return {
        "title": ticket.subject,
        "body": "\n\n".join(parts),
        "category": ticket.category_id if ticket.category and ticket.category.is_active else None,
        "tags": ", ".join(ticket.tags.values_list("name", flat=True)),
    }


def _translation_initial(original: Article, language: str) -> dict:
    if language not in Language.values or language == original.language:
        language = next(code for code in Language.values if code != original.language)
    return {
        "category": original.category_id,
        "visibility": original.visibility,
        "language": language,
        "tags": ", ".join(original.tags.values_list("name", flat=True)),
        "translation_of": original.pk,
    }


@login_required
def article_new(request):
    user = _staff(request)
    ticket = None
    reference = request.POST.get("ticket") or request.GET.get("ticket")
    if reference:
        ticket = ticket_by_reference(user, reference)
    initial = {"version": 1}
    if request.method == "GET":
        if ticket is not None:
            if ticket.status not in (Status.RESOLVED, Status.CLOSED):
                messages.info(request, _("This ticket is not resolved yet; the draft has no solution in it."))
            initial.update(_from_ticket(ticket))
        if request.GET.get("translation_of", "").isdigit():
            original = visible(user, Article.objects.filter(pk=request.GET["translation_of"])).first()
            if original is not None:
                initial.update(_translation_initial(original, request.GET.get("language", "")))
    form = ArticleForm(request.POST if request.method == "POST" else None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article = authoring.create_article(
                user,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                category=data["category"],
                tags=data["tags"],
                visibility=data["visibility"],
                language=data["language"],
                source_ticket=ticket,
                translation_of=data["translation_of"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("kb_agent:detail", article.pk)
    return _form_page(request, form, extra={"ticket": ticket}, http_status=400 if form.errors else 200)


@login_required
def article_edit(request, pk: int):
    article = _article(request, pk)
    if not may_change(request.user, article):
        raise PermissionDenied
    initial = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "tags": ", ".join(article.tags.values_list("name", flat=True)),
        "visibility": article.visibility,
        "language": article.language,
        "translation_of": _translated_from(article),
        "version": article.version,
    }
    data = request.POST if request.method == "POST" else None
    form = ArticleForm(data, initial=initial, user=request.user, article=article)
    http_status = 400
    if request.method == "POST" and form.is_valid():
        fields = form.cleaned_data
        try:
            authoring.update_article(
                request.user,
                article,
                expected_version=fields["version"],
                note=fields["note"],
                title=fields["title"],
                summary=fields["summary"],
                body=fields["body"],
                category=fields["category"],
                tags=fields["tags"],
                visibility=fields["visibility"],
                language=fields["language"],
                translation_of=fields["translation_of"],
            )
        except ApplicationError as error:
            http_status = error.status_code
            if "current_version" in error.extra:
                # Keep the agent's text, but the next save is a deliberate decision made after
                # looking at the colleague's change (linked from the message).
                data = request.POST.copy()
                data["version"] = str(error.extra["current_version"])
                form = ArticleForm(data, initial=initial, user=request.user, article=article)
                form.is_valid()
            form.add_service_error(error)
        else:
            messages.success(request, _("Article saved."))
            return redirect("kb_agent:detail", article.pk)
    extra = {"returned": _returned_with(article)}
    return _form_page(request, form, article=article, extra=extra, http_status=http_status if form.errors else 200)


def _translated_from(article: Article) -> int | None:
    """The article this one is tied to as a translation (the first in another language)."""
    group = Article.objects.filter(translation_group=article.translation_group).exclude(pk=article.pk)
    return group.order_by("pk").values_list("pk", flat=True).first()


def _returned_with(article: Article) -> ArticleReview | None:
    """The reviewer's return, while the draft waits for the changes it asks for."""
    if article.status != ArticleStatus.DRAFT:
        return None
    latest = article.reviews.select_related("actor").first()
    return latest if latest is not None and latest.decision == ReviewDecision.RETURNED else None


# --- reading and deciding ---------------------------------------------------------------------


def _detail_page(request, article: Article, *, decision_form: DecisionForm | None = None, http_status: int = 200):
    user = request.user
    moves = authoring.allowed_moves(user, article)
    reviews = list(article.reviews.select_related("actor"))
    links = article.ticket_links.select_related("ticket", "linked_by").order_by("-created_at", "-id")
    seen_tickets = visible(user, Ticket.objects.all()).values("pk")
    context = {
        "article": article,
        "tags": list(article.tags.all()),
        # One comment box for every button (approve, return, …): each button posts the form to
        # its own decision.
        "moves": moves,
        "decision_form": decision_form or DecisionForm(initial={"version": article.version}),
        "comment_required_by": [move.label for move in moves if move.comment_required],
        "can_edit": may_change(user, article),
        "can_review": may_review(user, article),
        "reviews": reviews,
        "returned": reviews[0]
        if article.status == ArticleStatus.DRAFT and reviews and reviews[0].decision == ReviewDecision.RETURNED
        else None,
        "versions": list(article.versions.select_related("editor").defer("body")),
        "translations": list(
            visible(user, Article.objects.filter(translation_group=article.translation_group).exclude(pk=article.pk))
        ),
        "missing_languages": _missing_languages(article),
        "reuse_count": links.count(),
        "ticket_links": list(links.filter(ticket__in=seen_tickets)[:20]),
        "restore_form": RestoreForm(initial={"version": article.version}),
    }
    return render(request, "knowledge/agent/article_detail.html", context, status=http_status)


def _missing_languages(article: Article) -> list[tuple[str, str]]:
    taken = set(Article.objects.filter(translation_group=article.translation_group).values_list("language", flat=True))
    return [(code, label) for code, label in Language.choices if code not in taken]


@login_required
@require_GET
def article_detail(request, pk: int):
    return _detail_page(request, _article(request, pk))


@login_required
@require_POST
def article_decide(request, pk: int, decision: str):
    article = _article(request, pk)
    if decision not in ReviewDecision.values:
        raise Http404
    form = DecisionForm(request.POST)
    http_status = 400
    if form.is_valid():
        try:
            authoring.SERVICES[ReviewDecision(decision)](
                request.user,
                article,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            http_status = error.status_code
            form.add_service_error(error)
        else:
            messages.success(request, DONE[decision])
            return redirect("kb_agent:detail", article.pk)
    article.refresh_from_db()
    return _detail_page(request, article, decision_form=form, http_status=http_status)


DONE = {
    ReviewDecision.SUBMITTED: gettext_lazy("Submitted for review."),
    ReviewDecision.APPROVED: gettext_lazy("Approved: the article is published."),
    ReviewDecision.RETURNED: gettext_lazy("Returned to the author with your comment."),
    ReviewDecision.ARCHIVED: gettext_lazy("Archived: readers no longer see it."),
    ReviewDecision.RESTORED: gettext_lazy("Restored from the archive: the article is published again."),
}


# --- versions ---------------------------------------------------------------------------------


@login_required
@require_GET
def version_diff(request, pk: int, number: int):
    """What changed from one version to another: ``number`` against ``?against=`` (default: the previous)."""
    article = _article(request, pk)
    against = request.GET.get("against", "")
    other = int(against) if against.isdigit() else number - 1
    wanted = {number, other}
    versions = {v.number: v for v in article.versions.filter(number__in=wanted).select_related("editor")}
    if number not in versions:
        raise Http404
    shown = versions[number]
    base = versions.get(other)
    older, newer = (base, shown) if base is None or base.number < shown.number else (shown, base)
    context = {
        "article": article,
        "version": shown,
        "older": older,
        "newer": newer,
        "fields": diff_versions(older, newer) if older is not None else None,
        "can_restore": may_change(request.user, article) and shown.number != article.version,
        "restore_form": RestoreForm(initial={"version": article.version}),
    }
    return render(request, "knowledge/agent/version_diff.html", context)


@login_required
@require_POST
def version_restore(request, pk: int, number: int):
    article = _article(request, pk)
    if not may_change(request.user, article):
        raise PermissionDenied
    form = RestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("kb_agent:detail", article.pk)
    try:
        article = authoring.restore_version(
            request.user, article, number, expected_version=form.cleaned_data["version"]
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("kb_agent:version", args=[pk, number]))
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s.") % {"old": number, "new": article.version},
    )
    return redirect("kb_agent:detail", article.pk)


# --- articles on tickets ----------------------------------------------------------------------


def _worked_ticket(request, reference: str) -> Ticket:
    ticket = ticket_by_reference(_staff(request), reference)
    if not works_on(request.user, ticket):
        raise PermissionDenied
    return ticket


@login_required
@require_GET
def link_search(request):
    """Published articles for the ticket page's reply box; the results alone for htmx."""
    form = LinkSearchForm(request.GET)
    if not form.is_valid():
        raise Http404
    ticket = _worked_ticket(request, form.cleaned_data["ticket"])
    query = form.cleaned_data["q"].strip()
    result = search_articles(request.user, query, limit=LINK_SEARCH_RESULTS, source=SearchSource.AGENT)
    linked = set(ticket.article_links.values_list("article_id", flat=True))
    for article in result.articles:
        article.already_linked = article.pk in linked
    context = {"ticket": ticket, "query": query, "result": result}
    template = "knowledge/agent/_link_results.html" if request.htmx else "knowledge/agent/link_search.html"
    return render(request, template, context)


def _back_to_ticket(ticket: Ticket):
    return redirect(reverse("tickets:agent_ticket", args=[ticket.reference]) + "#kb-articles")


@login_required
@require_POST
def article_link(request, pk: int):
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise Http404
    ticket = _worked_ticket(request, form.cleaned_data["ticket"])
    article = _article(request, pk)
    try:
        authoring.link_article(request.user, article, ticket)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Article linked to the ticket."))
    return _back_to_ticket(ticket)


@login_required
@require_POST
def article_unlink(request, pk: int):
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise Http404
    ticket = _worked_ticket(request, form.cleaned_data["ticket"])
    article = _article(request, pk)
    if authoring.unlink_article(request.user, article, ticket):
        messages.success(request, _("Article unlinked."))
    return _back_to_ticket(ticket)
