"""Listing articles through the API: who sees what, the filters, the pages (knowledge/api.py)."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination

from accounts.models import User
from accounts.permissions import visible
from knowledge.models import Article, ArticleStatus, Language, Visibility
from knowledge.permissions import readable_articles


class ArticlePagination(CursorPagination):
    # Ids only grow: the newest article comes first and cursors stay stable while articles are edited.
    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200


class LinkPagination(ArticlePagination):
    pass


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search_in_list",
        label=_("Full-text search (Chinese and English) over published articles; ranked, not paged."),
    )
    status = django_filters.MultipleChoiceFilter(choices=ArticleStatus.choices)
    language = django_filters.ChoiceFilter(choices=Language.choices)
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    category = django_filters.NumberFilter(field_name="category_id", label=_("category id"))
    tag = django_filters.CharFilter(field_name="tags__name", label=_("tag"))
    author = django_filters.CharFilter(
        method="by_author",
        label=_("“me”, or an author's user id"),
        validators=[RegexValidator(r"^(me|[0-9]+)$", _("Give “me” or a user id."))],
    )

    class Meta:
        model = Article
        fields: list[str] = []

    def search_in_list(self, articles: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        # The view ranks the filtered rows itself (see ArticleViewSet.list); nothing to narrow here.
        return articles

    def by_author(self, articles: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        if value != "me":
            return articles.filter(author_id=int(value))
        user = self.request.user if self.request else None
        return articles.filter(author_id=user.pk) if user and user.is_authenticated else articles.none()


def articles_for(user: User) -> QuerySet[Article]:
    """What ``user`` (maybe anonymous) may list: the desk's scope for the signed-in, /kb/'s otherwise."""
    if user.is_authenticated:
        return visible(user, Article.objects.all())
    return readable_articles(None)
