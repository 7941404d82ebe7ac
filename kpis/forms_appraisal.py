"""Forms of the appraisal pages: opening a period, the manager's review, the agent's acknowledgement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.models import GrowthKind, Period


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodOpenForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)
    period = forms.ChoiceField(
        label=_("Length"), choices=[(Period.MONTH, Period.MONTH.label), (Period.QUARTER, Period.QUARTER.label)]
    )
    start = forms.DateField(
        label=_("A day in the period"),
        widget=DateInput,
        help_text=_("The month or quarter that contains this day is opened."),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class AppraisalReviewForm(forms.Form):
    """The manager's notes, a growth item to add and the ones to remove: saved together."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    strengths = forms.CharField(
        label=_("Strengths"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    improvements = forms.CharField(
        label=_("Areas to improve"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    training_plan = forms.CharField(
        label=_("Training plan"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    remove = forms.TypedMultipleChoiceField(
        label=_("Remove"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    new_kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *GrowthKind.choices])
    new_title = forms.CharField(label=_("What"), required=False, max_length=200)
    new_date = forms.DateField(label=_("Date"), required=False, widget=DateInput)

    def __init__(self, *args, growth_items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.growth_items = growth_items
        self.fields["remove"].choices = [(index, item["title"]) for index, item in enumerate(growth_items)]

    def clean(self):
        data = super().clean()
        if bool(data.get("new_kind")) != bool(data.get("new_title")):
            raise forms.ValidationError(_("A growth item needs both a kind and a title."))
        return data

    def new_growth_items(self) -> list[dict]:
        data = self.cleaned_data
        removed = set(data.get("remove") or ())
        items = [item for index, item in enumerate(self.growth_items) if index not in removed]
        if data.get("new_kind"):
            items.append({"kind": data["new_kind"], "title": data["new_title"], "date": data.get("new_date")})
        return items


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: what you agree or disagree with, or what you would like to learn."),
    )
