"""Forms of the calendar pages; they read input, the services decide whether it can be saved."""

from __future__ import annotations

import re
from datetime import time

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneFormField

from tickets.sla.working_hours import Interval, format_clock

CLOCK = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ClockField(forms.CharField):
    """A wall-clock time typed as HH:MM; an end may be 24:00 (stored as 00:00, see working_hours)."""

    def __init__(self, *, is_end: bool = False, **kwargs):
        self.is_end = is_end
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "form-control form-control-sm",
                    "placeholder": "hh:mm",
                    "inputmode": "numeric",
                    "size": 5,
                }
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, time):
            return format_clock(value, is_end=self.is_end)
        return value

    def to_python(self, value) -> time | None:
        value = super().to_python(value)
        if not value:
            return None
        match = CLOCK.match(value)
        hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
        if self.is_end and (hours, minutes) == (24, 0):
            return time(0)
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            if self.is_end:
                raise forms.ValidationError(_("Enter a time from 00:00 to 24:00, e.g. 17:30."))
            raise forms.ValidationError(_("Enter a time from 00:00 to 23:59, e.g. 09:00."))
        return time(hours, minutes)


class IntervalForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    start = ClockField(label=_("From"))
    end = ClockField(label=_("Until"), is_end=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rows sit in a table under column headings; screen readers still need each input's name.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError(_("Give both a start and an end time, or leave both empty."))
        return cleaned

    def interval(self) -> Interval | None:
        """The interval this row describes; None for an empty or removed row."""
        data = self.cleaned_data
        if data.get("DELETE") or data.get("start") is None or data.get("end") is None:
            return None
        return Interval(data["weekday"], data["start"], data["end"])


class BaseIntervalFormSet(forms.BaseFormSet):
    def intervals(self) -> list[Interval]:
        return [interval for form in self.forms if (interval := form.interval()) is not None]


IntervalFormSet = forms.formset_factory(IntervalForm, formset=BaseIntervalFormSet, extra=3, can_delete=True)


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_zh_hans = forms.CharField(label=_("Chinese name"), max_length=120, required=False)
    time_zone = TimeZoneFormField(label=_("Time zone"), use_pytz=False, initial="UTC")
    is_24x7 = forms.BooleanField(
        label=_("Open 24×7 (every minute counts; working hours and holidays are ignored)"), required=False
    )


class DateInput(forms.DateInput):
    input_type = "date"  # the browser's date picker sends ISO dates

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    name = forms.CharField(label=_("Name"), max_length=200)
    name_zh_hans = forms.CharField(label=_("Chinese name"), max_length=200, required=False)


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label=_("iCalendar file (.ics)"),
        widget=forms.FileInput(attrs={"accept": ".ics,text/calendar"}),
        help_text=_("All-day events become holidays; events with a time of day are skipped."),
    )
