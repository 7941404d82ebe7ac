"""Forms of the quality review and scorecard pages. They check types; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kpis.metrics import METRICS
from kpis.models import Direction, ReviewReason

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"


class ReviewFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), required=False, choices=[("", _("To review")), ("done", _("Reviewed"))])
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("All teams"))
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None, required=False, empty_label=_("All agents"))
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=[("", _("Any reason")), *ReviewReason.choices]
    )

    def __init__(self, *args, teams, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["agent"].queryset = agents


class ReviewDrawForm(forms.Form):
    first_day = forms.DateField(label=_("First day"), widget=DateInput)
    last_day = forms.DateField(label=_("Last day"), widget=DateInput)


class ReviewForm(forms.Form):
    accuracy = forms.ChoiceField(label=_("Accuracy"), choices=SCORE_CHOICES, widget=forms.RadioSelect)
    professionalism = forms.ChoiceField(label=_("Professionalism"), choices=SCORE_CHOICES, widget=forms.RadioSelect)
    empathy = forms.ChoiceField(label=_("Empathy"), choices=SCORE_CHOICES, widget=forms.RadioSelect)
    completeness = forms.ChoiceField(label=_("Completeness"), choices=SCORE_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}))


class AppointForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)
    user = forms.ModelChoiceField(label=_("Agent"), queryset=None, empty_label=None)

    def __init__(self, *args, teams, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["user"].queryset = agents


class ScorecardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    bands = forms.CharField(
        label=_("Rating bands"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One band per line: the lowest composite score that earns it, then its label, e.g. “60 Meets expectations”."
        ),
    )

    def clean_bands(self) -> list[dict]:
        bands = []
        for line in self.cleaned_data["bands"].splitlines():
            if not line.strip():
                continue
            minimum, _space, label = line.strip().partition(" ")
            bands.append({"min": minimum, "label": label.strip()})
        return bands

    @staticmethod
    def bands_text(bands: list[dict]) -> str:
        return "\n".join(f"{band['min']} {band['label']}" for band in bands)


def metric_choices() -> list[tuple[str, str]]:
    return [(key, f"{metric.label} ({metric.area})") for key, metric in METRICS.items()]


class ScorecardItemForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=metric_choices)
    weight = forms.IntegerField(label=_("Weight"))
    target = forms.FloatField(label=_("Target"))
    floor = forms.FloatField(label=_("Floor"))
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    min_sample = forms.IntegerField(label=_("Minimum sample"))
    position = forms.IntegerField(label=_("Order"), required=False)
