"""The public knowledge base at /kb/: browse, search, read and vote. Anonymous readers welcome."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from knowledge import reading
from knowledge.models import Language, SearchSource
from knowledge.search import search_articles
from tickets.models import Category

PAGE_SIZE = 20
SEARCH_LIMIT = 20


def _language() -> str:
    return translation.get_language() or Language.EN


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def home(request):
    """Categories on the side; the articles of the chosen one (or all), the reader's language first."""
    category_id = _int_or_none(request.GET.get("category"))
    categories = reading.browse_categories(request.user)
    # Shown as "Hardware › Printers"; a parent category lists its children's articles too.
    current = Category.objects.select_related("parent").filter(pk=category_id).first() if category_id else None
    articles = reading.articles_for_browsing(request.user, language=_language(), category_id=category_id)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/public/home.html",
        {
            "categories": categories,
            "current": current,
            "category_id": category_id,
            "page": page,
            "language": _language(),
        },
    )


def search(request):
    query = reading.clean_query(request.GET.get("q", ""))
    result = None
    if query:
        result = search_articles(request.user, query, limit=SEARCH_LIMIT, source=SearchSource.KB, language=_language())
    return render(request, "knowledge/public/search.html", {"query": query, "search": result, "language": _language()})


def article(request, pk: int):
    """One article; 404 for anything the reader may not read, so existence never leaks."""
    item = reading.article_for_reader(request.user, pk)
    reading.record_view(item, request.session)
    from_form = request.GET.get("from") == "submit"
    query = reading.clean_query(request.GET.get("q", ""))
    if from_form:
        # Opened from the request form: remembered, so that "solved" or "submitted anyway" counts.
        reading.remember_opened(request.session, item, query)
    context = {
        "article": item,
        "translations": reading.translations_of(request.user, item),
        "my_vote": reading.current_vote(item, user=request.user, browser_key=_voter_key(request)),
        "from_form": from_form,
        "query": query,
        "continue_url": f"{reverse('tickets:submit')}?{urlencode({'subject': query})}"
        if query
        else reverse("tickets:submit"),
    }
    return render(request, "knowledge/public/article.html", context)


def _voter_key(request) -> str:
    if request.user.is_authenticated:
        return ""
    return request.get_signed_cookie(reading.VOTER_COOKIE, default="", salt=reading.VOTER_COOKIE_SALT) or ""


@require_POST
def vote(request, pk: int):
    """ "Was this helpful?" Works as a plain form; with htmx only the voting box is replaced."""
    item = reading.article_for_reader(request.user, pk)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):
        return redirect(_article_url(item, request.POST))
    new_key = ""
    browser_key = _voter_key(request)
    if not request.user.is_authenticated and not browser_key:
        browser_key = new_key = reading.new_voter_key()
    reading.vote(item, helpful=answer == "yes", user=request.user, browser_key=browser_key)
    if request.htmx:
        context = {
            "article": item,
            "my_vote": answer == "yes",
            "voted": True,
            "from_form": request.POST.get("from") == "submit",
            "query": reading.clean_query(request.POST.get("q", "")),
        }
        response = render(request, "knowledge/public/_vote.html", context)
    else:
        messages.success(request, _("Thank you for your feedback."))
        response = redirect(_article_url(item, request.POST))
    if new_key:
        response.set_signed_cookie(
            reading.VOTER_COOKIE,
            new_key,
            salt=reading.VOTER_COOKIE_SALT,
            max_age=reading.VOTER_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _article_url(item, data) -> str:
    """Back to the article, keeping the request-form context (?from=submit&q=...) if it had one."""
    url = reverse("kb:article", args=[item.pk])
    if data.get("from") == "submit":
        url += "?" + urlencode({"from": "submit", "q": reading.clean_query(data.get("q", ""))})
    return url
