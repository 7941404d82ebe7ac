"""Deflection on the request form: suggestions while typing, and "this solved my problem"."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from knowledge import reading
from knowledge.models import Language
from knowledge.search import search_articles


@require_GET
def suggest(request):
    """Up to five public articles for the subject typed so far (an htmx fragment).

    Public only, even for staff filling in the form: what a requester could be shown. Not
    recorded: these are prefixes of a subject still being typed. The subject finally submitted
    is recorded instead (``reading.record_request_search``), so that content gaps are real questions.
    """
    query = reading.clean_query(request.GET.get("subject") or request.GET.get("q") or "")
    result = None
    if reading.suggestible(query):
        result = search_articles(
            None,
            query,
            limit=reading.SUGGESTIONS,
            language=translation.get_language() or Language.EN,
        )
    return render(request, "knowledge/_suggestions.html", {"query": query, "search": result})


@require_POST
def solved(request, pk: int):
    """The requester read an article opened from the form and needs no ticket: counted once."""
    article = reading.article_for_reader(request.user, pk)
    entry = reading.opened_entry(request.session, article)
    if entry is not None:
        reading.record_solved(article, query=entry["query"], user=request.user)
        # The request is over: what else was opened no longer counts as "submitted anyway".
        reading.forget_opened(request.session)
    return redirect("kb:deflect_thanks")


def thanks(request):
    return render(request, "knowledge/public/solved.html")
