"""Queue filters; they live in the URL so that a filtered queue can be bookmarked."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, Team, User
from tickets.models import Category, Channel, Priority, Status, Ticket


class QueueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    priority = django_filters.MultipleChoiceFilter(
        label=_("Priority"), choices=Priority.choices, widget=forms.CheckboxSelectMultiple
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.select_related("parent").order_by("parent__name", "name")
    )
    team = django_filters.ModelChoiceFilter(label=_("Team"), queryset=Team.objects.all())
    assignee = django_filters.ModelChoiceFilter(label=_("Assignee"), queryset=User.objects.staff())
    # Tag names are unique slugs, so this join matches a ticket at most once: no DISTINCT needed.
    tag = django_filters.CharFilter(label=_("Tag"), field_name="tags__name", lookup_expr="iexact")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices)
    created_after = django_filters.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    updated_after = django_filters.DateFilter(
        label=_("Updated from"),
        field_name="updated_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    updated_before = django_filters.DateFilter(
        label=_("Updated until"),
        field_name="updated_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    requester = django_filters.CharFilter(label=_("Requester (name or e-mail)"), method="filter_requester")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=Organisation.objects.all())

    class Meta:
        model = Ticket
        fields = []

    def filter_requester(self, queryset, name, value):
        value = value.strip()
        if "@" in value:
            return queryset.filter(requester__email__iexact=value)
        return queryset.filter(Q(requester__full_name__icontains=value) | Q(requester__email__istartswith=value))
