"""The knowledge-base REST API (/api/articles/): the same permissions and services as the pages.

Readers (anonymous callers and requesters) see what /kb/ shows: published public articles
(staff also internal ones). Staff see what their desk at /agent/kb/ lists (``visible``: an
agent's own drafts and everything past draft; managers everything). An article a caller may not
see is a 404, exactly like one that does not exist. Every write calls a function of
``knowledge.authoring`` or ``knowledge.reading``; their refusals become 400/403/409 in
``helpdesk.api_errors``.

Differences from the pages, on purpose:

- Votes need a signed-in caller: the pages' anonymous voter key lives in a browser cookie, and an
  API client without one would get a new key (a new vote) on every call.
- Reading an article through the API does not count as a view, and ``?q=`` searches are not
  recorded as content gaps: integrations poll and re-fetch, which would inflate both figures.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from accounts.permissions import may_view, visible
from knowledge import authoring, reading
from knowledge.api_listing import ArticleFilter, ArticlePagination, LinkPagination, articles_for
from knowledge.api_schema import ARTICLE_ID, ERRORS, NUMBER, REFERENCE, article_action
from knowledge.diff import diff_versions
from knowledge.models import Article, ReviewDecision
from knowledge.search import search_articles
from knowledge.serializers import (
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleSerializer,
    ArticleUpdateSerializer,
    DecisionSerializer,
    LinkInputSerializer,
    RestoreSerializer,
    TicketLinkSerializer,
    VersionDetailSerializer,
    VersionSerializer,
    VoteResultSerializer,
    VoteSerializer,
)
from tickets.models import Ticket
from tickets.selectors import ticket_by_reference

LIST_RELATED = ("category", "author", "reviewer")
# A search answers with the best matches, not pages of them: ranking past 50 is noise.
SEARCH_LIMIT = 50


def _article_id(value: Any) -> int:
    """The id in the URL; anything that is not one is answered like a missing article."""
    text = str(value)
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 2**63):
        raise Http404
    return int(text)


def _staff(user: User) -> User:
    """The desk's endpoints are for staff; a requester is refused before anything is looked up."""
    if not (user.is_authenticated and user.works_tickets):
        raise PermissionDenied
    return user


@extend_schema_view(
    list=extend_schema(
        summary=_("Articles you may see, newest first; with ?q= the best matches, ranked"),
        responses={200: ArticleSerializer(many=True), 400: ERRORS[400]},
    ),
    retrieve=extend_schema(summary=_("One article with its text"), parameters=[ARTICLE_ID]),
    create=extend_schema(
        summary=_("Write a draft (staff only)"),
        request=ArticleCreateSerializer,
        responses={201: ArticleDetailSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary=_("Change an article (its writer); a change of the text makes a new version"),
        parameters=[ARTICLE_ID],
        request=ArticleUpdateSerializer,
        responses={200: ArticleDetailSerializer, **ERRORS},
    ),
)
class ArticleViewSet(viewsets.GenericViewSet):
    pagination_class = ArticlePagination
    filterset_class = ArticleFilter
    serializer_class = ArticleSerializer

    def get_permissions(self) -> list[BasePermission]:
        # Anyone reads what /kb/ shows; everything else needs a signed-in caller.
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[Article]:
        return (
            articles_for(self.request.user)
            .select_related(*LIST_RELATED)
            .prefetch_related("tags")
            # The list shows no text: leave bodies and search data in the database.
            .defer("body", "body_html", "search_text", "search_vector")
        )

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ArticleSerializer if self.action == "list" else ArticleDetailSerializer

    def get_object(self) -> Article:
        """The article in the URL, or 404 when it does not exist *or* the caller may not see it."""
        return self._find(_article_id(self.kwargs["pk"]))

    def _find(self, pk: int) -> Article:
        user = self.request.user
        article = (
            articles_for(user)
            .select_related(*LIST_RELATED)
            .prefetch_related("tags")
            .defer("search_text", "search_vector")
            .filter(pk=pk)
            .first()
        )
        if article is None or (user.is_authenticated and not may_view(user, article)):
            raise Http404
        return article

    # --- helpers ----------------------------------------------------------------------------

    def _staff_article(self) -> Article:
        _staff(self.request.user)
        return self.get_object()

    def _input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, article: Article, *, reload: bool = True) -> dict[str, Any]:
        """The article (re-read after a change), rendered for the side the caller is on."""
        if reload:
            article = self._find(article.pk)
        user = self.request.user
        context = {**self.get_serializer_context(), "staff_view": user.is_authenticated and user.works_tickets}
        return ArticleDetailSerializer(article, context=context).data

    # --- reads ------------------------------------------------------------------------------

    def list(self, request: Request) -> Response:
        articles = self.filter_queryset(self.get_queryset())
        query = reading.clean_query(request.query_params.get("q", ""))
        if not query:
            page = self.paginate_queryset(articles)
            return self.get_paginated_response(ArticleSerializer(page, many=True).data)
        limit = min(self.paginator.get_page_size(request) or SEARCH_LIMIT, SEARCH_LIMIT)
        # search_articles ranks what the caller may read; the filters then narrow it, in one query.
        found = search_articles(request.user, query, limit=limit, language=request.query_params.get("language"))
        rows = {article.pk: article for article in articles.filter(pk__in=[hit.pk for hit in found.articles])}
        results = []
        for hit in found.articles:
            row = rows.get(hit.pk)
            if row is not None:
                row.rank, row.snippet = hit.rank, hit.snippet
                results.append(row)
        data = ArticleSerializer(results, many=True).data
        return Response({"next": None, "previous": None, "results": data})

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self.get_object(), reload=False))

    # --- writing ----------------------------------------------------------------------------

    def create(self, request: Request) -> Response:
        user = _staff(request.user)
        data = self._input(ArticleCreateSerializer)
        source_ticket = self._visible_ticket(data["source_ticket"], "source_ticket") if data["source_ticket"] else None
        article = authoring.create_article(
            user,
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            category=data["category"],
            tags=data["tags"],
            visibility=data["visibility"],
            language=data["language"],
            source_ticket=source_ticket,
            translation_of=data["translation_of"],
        )
        location = reverse("knowledge_api:article-detail", args=[article.pk])
        return Response(self._detail(article), status=http.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request: Request, pk: str) -> Response:
        article = self._staff_article()
        data = dict(self._input(ArticleUpdateSerializer))
        version = data.pop("version")
        note = data.pop("note", "")
        article = authoring.update_article(request.user, article, expected_version=version, note=note, **data)
        return Response(self._detail(article))

    # --- the review workflow ----------------------------------------------------------------

    def _decide(self, decision: ReviewDecision) -> Response:
        article = self._staff_article()
        data = self._input(DecisionSerializer)
        article = authoring.SERVICES[decision](
            self.request.user, article, comment=data["comment"], expected_version=data["version"]
        )
        return Response(self._detail(article))

    @article_action(DecisionSerializer, _("Submit a draft for review (its writer)"))
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        return self._decide(ReviewDecision.SUBMITTED)

    @article_action(DecisionSerializer, _("Approve and publish (a reviewer)"))
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(ReviewDecision.APPROVED)

    @article_action(DecisionSerializer, _("Return to the author with a comment (a reviewer)"))
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_author(self, request: Request, pk: str) -> Response:
        return self._decide(ReviewDecision.RETURNED)

    @article_action(DecisionSerializer, _("Archive a published article (managers)"))
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._decide(ReviewDecision.ARCHIVED)

    @article_action(DecisionSerializer, _("Publish an archived article again (managers)"))
    @action(detail=True, methods=["post"])
    def unarchive(self, request: Request, pk: str) -> Response:
        return self._decide(ReviewDecision.RESTORED)

    # --- versions ---------------------------------------------------------------------------

    @article_action(None, _("Version history, newest first (staff)"), VersionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request: Request, pk: str) -> Response:
        article = self._staff_article()
        versions = article.versions.select_related("editor").defer("body")
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(
        parameters=[
            ARTICLE_ID,
            NUMBER,
            OpenApiParameter(
                "against", OpenApiTypes.INT, description=_("The version to compare with (default: the previous one).")
            ),
        ],
        responses={200: VersionDetailSerializer, **ERRORS},
        summary=_("One version with its text and what changed (staff)"),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        url_name="version",
        pagination_class=None,
        filterset_class=None,
    )
    def version(self, request: Request, pk: str, number: str) -> Response:
        article = self._staff_article()
        against = request.query_params.get("against", "")
        other = int(against) if against.isascii() and against.isdigit() else int(number) - 1
        found = {v.number: v for v in article.versions.filter(number__in={int(number), other}).select_related("editor")}
        shown = found.get(int(number))
        if shown is None:
            raise Http404
        base = found.get(other) if other != shown.number else None
        if base is None:
            shown.compared_with, shown.diff = None, None
        else:
            older, newer = (base, shown) if base.number < shown.number else (shown, base)
            shown.compared_with, shown.diff = base.number, diff_versions(older, newer)
        return Response(VersionDetailSerializer(shown).data)

    @extend_schema(
        parameters=[ARTICLE_ID, NUMBER],
        request=RestoreSerializer,
        responses={200: ArticleDetailSerializer, **ERRORS},
        summary=_("Make an old version's text current again, as a new version (its writer)"),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"versions/(?P<number>[0-9]+)/restore",
        url_name="restore",
        pagination_class=None,
        filterset_class=None,
    )
    def restore(self, request: Request, pk: str, number: str) -> Response:
        article = self._staff_article()
        data = self._input(RestoreSerializer)
        article = authoring.restore_version(request.user, article, int(number), expected_version=data["version"])
        return Response(self._detail(article))

    # --- votes ------------------------------------------------------------------------------

    @article_action(
        VoteSerializer, _("Was this helpful? One vote per user; voting again changes it"), VoteResultSerializer
    )
    @action(detail=True, methods=["post"], pagination_class=None, filterset_class=None)
    def vote(self, request: Request, pk: str) -> Response:
        # Only a published article the caller may read takes votes, as on /kb/.
        article = reading.article_for_reader(request.user, _article_id(pk))
        data = self._input(VoteSerializer)
        result = reading.vote(article, helpful=data["helpful"], user=request.user)
        body = {
            "my_vote": result.vote.helpful,
            "changed": result.changed,
            "helpful_count": result.helpful_count,
            "unhelpful_count": result.unhelpful_count,
        }
        return Response(VoteResultSerializer(body).data)

    # --- tickets the article was used on ----------------------------------------------------

    @extend_schema(
        methods=["GET"],
        parameters=[ARTICLE_ID],
        responses={200: TicketLinkSerializer(many=True), **ERRORS},
        summary=_("Tickets the article was linked to (those you may see), newest first (staff)"),
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ARTICLE_ID],
        request=LinkInputSerializer,
        responses={200: TicketLinkSerializer, **ERRORS},
        summary=_("Link the article to a ticket you work on (counts as reuse; linking twice changes nothing)"),
    )
    @action(detail=True, methods=["get", "post"], pagination_class=LinkPagination, filterset_class=None)
    def links(self, request: Request, pk: str) -> Response:
        article = self._staff_article()
        if request.method == "POST":
            ticket = self._visible_ticket(self._input(LinkInputSerializer)["ticket"], "ticket")
            link = authoring.link_article(request.user, article, ticket)
            link = article.ticket_links.select_related("ticket", "linked_by").get(pk=link.pk)
            return Response(TicketLinkSerializer(link).data)
        links = article.ticket_links.filter(ticket__in=visible(request.user, Ticket.objects.all()))
        page = self.paginate_queryset(links.select_related("ticket", "linked_by"))
        return self.get_paginated_response(TicketLinkSerializer(page, many=True).data)

    @extend_schema(
        parameters=[ARTICLE_ID, REFERENCE],
        request=None,
        responses={204: None, **ERRORS},
        summary=_("Unlink the article from a ticket you work on"),
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"links/(?P<reference>[^/]+)",
        url_name="unlink",
        pagination_class=None,
        filterset_class=None,
    )
    def unlink(self, request: Request, pk: str, reference: str) -> Response:
        article = self._staff_article()
        ticket = ticket_by_reference(request.user, reference)
        if not authoring.unlink_article(request.user, article, ticket):
            raise NotFound(_("This article is not linked to that ticket."))
        return Response(status=http.HTTP_204_NO_CONTENT)

    def _visible_ticket(self, reference: str, field: str) -> Ticket:
        """A ticket named in the request body; one the caller may not see is a field error, not a 404."""
        try:
            return ticket_by_reference(self.request.user, reference)
        except Http404:
            raise serializers.ValidationError(
                {field: [_("There is no ticket %(reference)s that you can see.") % {"reference": reference}]}
            ) from None
