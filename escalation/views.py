"""Manager pages for business calendars: list, create, edit hours, holidays and .ics import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import require_change, visible
from escalation import selectors
from escalation.forms import CalendarForm, HolidayForm, HolidayImportForm, IntervalFormSet
from escalation.permissions import require_calendar_manager
from escalation.services import calendar_create, calendar_update, holiday_add, holiday_remove, import_holidays
from helpdesk.errors import ApplicationError
from tickets.sla.models import BusinessCalendar, Holiday

# Opening hours a new calendar starts with; the manager edits them before saving.
DEFAULT_HOURS = [{"weekday": weekday, "start": "09:00", "end": "17:00"} for weekday in range(5)]


def _managed_calendar(request, pk: int) -> BusinessCalendar:
    require_calendar_manager(request.user)
    calendar = get_object_or_404(visible(request.user, BusinessCalendar.objects.all()), pk=pk)
    require_change(request.user, calendar)
    return calendar


def _problems(error: ApplicationError) -> list[str]:
    return error.extra.get("problems") or [str(error.message)]


@login_required
def calendar_list(request):
    require_calendar_manager(request.user)
    rows = [(calendar, selectors.weekly_hours(calendar)) for calendar in selectors.calendars(request.user)]
    return render(request, "escalation/calendar_list.html", {"rows": rows})


@login_required
def calendar_new(request):
    require_calendar_manager(request.user)
    form = CalendarForm(request.POST or None)
    formset = IntervalFormSet(request.POST or None, initial=None if request.POST else DEFAULT_HOURS, prefix="hours")
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            calendar = calendar_create(
                form.cleaned_data["name"],
                form.cleaned_data["time_zone"],
                is_24x7=form.cleaned_data["is_24x7"],
                intervals=formset.intervals(),
                name_zh_hans=form.cleaned_data["name_zh_hans"],
                acting_user=request.user,
            )
        except ApplicationError as error:
            problems = _problems(error)
        else:
            messages.success(request, _("The calendar “%(name)s” was created.") % {"name": calendar.name})
            return redirect("escalation:calendar_edit", pk=calendar.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "formset": formset, "problems": problems, "calendar": None}
    return render(request, "escalation/calendar_form.html", context, status=status)


def _edit_page(request, calendar: BusinessCalendar, *, status: int = 200, **forms):
    context = {
        "calendar": calendar,
        "form": forms.get("form")
        or CalendarForm(
            initial={
                "name": calendar.name,
                "name_zh_hans": calendar.name_zh_hans,
                "time_zone": calendar.time_zone,
                "is_24x7": calendar.is_24x7,
            }
        ),
        "formset": forms.get("formset")
        or IntervalFormSet(
            initial=[
                {"weekday": i.weekday, "start": i.start_time, "end": i.end_time} for i in calendar.intervals.all()
            ],
            prefix="hours",
        ),
        "problems": forms.get("problems", []),
        "holidays": calendar.holidays.all(),
        "holiday_form": forms.get("holiday_form") or HolidayForm(prefix="holiday"),
        "import_form": forms.get("import_form") or HolidayImportForm(prefix="import"),
    }
    return render(request, "escalation/calendar_form.html", context, status=status)


@login_required
def calendar_edit(request, pk: int):
    calendar = _managed_calendar(request, pk)
    if request.method != "POST":
        return _edit_page(request, calendar)
    form = CalendarForm(request.POST)
    formset = IntervalFormSet(request.POST, prefix="hours")
    if form.is_valid() and formset.is_valid():
        try:
            calendar_update(
                calendar,
                name=form.cleaned_data["name"],
                time_zone=form.cleaned_data["time_zone"],
                is_24x7=form.cleaned_data["is_24x7"],
                intervals=formset.intervals(),
                name_zh_hans=form.cleaned_data["name_zh_hans"],
                acting_user=request.user,
            )
        except ApplicationError as error:
            return _edit_page(request, calendar, form=form, formset=formset, problems=_problems(error), status=400)
        messages.success(request, _("The working hours were saved."))
        return redirect("escalation:calendar_edit", pk=calendar.pk)
    return _edit_page(request, calendar, form=form, formset=formset, status=400)


@login_required
@require_POST
def holiday_new(request, pk: int):
    calendar = _managed_calendar(request, pk)
    form = HolidayForm(request.POST, prefix="holiday")
    if form.is_valid():
        try:
            holiday = holiday_add(
                calendar,
                form.cleaned_data["date"],
                form.cleaned_data["name"],
                name_zh_hans=form.cleaned_data["name_zh_hans"],
                acting_user=request.user,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(date)s was added as a holiday.") % {"date": holiday.date.isoformat()})
            return redirect("escalation:calendar_edit", pk=calendar.pk)
    return _edit_page(request, calendar, holiday_form=form, status=400)


@login_required
@require_POST
def holiday_delete(request, pk: int, holiday_pk: int):
    calendar = _managed_calendar(request, pk)
    holiday = get_object_or_404(Holiday, pk=holiday_pk, calendar=calendar)
    holiday_remove(holiday, acting_user=request.user)
    messages.success(request, _("%(date)s is no longer a holiday.") % {"date": holiday.date.isoformat()})
    return redirect("escalation:calendar_edit", pk=calendar.pk)


@login_required
@require_POST
def holiday_import(request, pk: int):
    calendar = _managed_calendar(request, pk)
    form = HolidayImportForm(request.POST, request.FILES, prefix="import")
    if form.is_valid():
        try:
            count = import_holidays(calendar, form.cleaned_data["file"], acting_user=request.user)
        except ApplicationError as error:
            form.add_error("file", error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d holiday was imported.", "%(count)d holidays were imported.", count)
                % {"count": count},
            )
            return redirect("escalation:calendar_edit", pk=calendar.pk)
    return _edit_page(request, calendar, import_form=form, status=400)
