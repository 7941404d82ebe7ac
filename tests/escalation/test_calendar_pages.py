"""The manager pages at /manage/calendars/: who may use them, and what they save."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from escalation.services import holiday_add
from tests.escalation.test_holiday_import import all_day, ics
from tickets.sla.models import BusinessCalendar
from tickets.sla.working_hours import Interval


def hours_data(rows, *, initial: int = 0, prefix: str = "hours") -> dict:
    """POST data for the working-hours formset: rows of (weekday, start, end[, remove])."""
    data = {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": initial,
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for n, (weekday, start, end, *remove) in enumerate(rows):
        data |= {f"{prefix}-{n}-weekday": weekday, f"{prefix}-{n}-start": start, f"{prefix}-{n}-end": end}
        if remove:
            data[f"{prefix}-{n}-DELETE"] = "on"
    return data


def calendar_post(name="Berlin office", time_zone="Europe/Berlin", rows=(), is_24x7=False) -> dict:
    data = {"name": name, "time_zone": time_zone, **hours_data(rows)}
    if is_24x7:
        data["is_24x7"] = "on"
    return data


def page_urls(calendar) -> list[tuple[str, str]]:
    holiday = holiday_add(calendar, date(2026, 12, 25), "Christmas Day", acting_user=None)
    return [
        ("get", reverse("escalation:calendar_list")),
        ("get", reverse("escalation:calendar_new")),
        ("post", reverse("escalation:calendar_new")),
        ("get", reverse("escalation:calendar_edit", args=[calendar.pk])),
        ("post", reverse("escalation:calendar_edit", args=[calendar.pk])),
        ("post", reverse("escalation:holiday_new", args=[calendar.pk])),
        ("post", reverse("escalation:holiday_import", args=[calendar.pk])),
        ("post", reverse("escalation:holiday_delete", args=[calendar.pk, holiday.pk])),
    ]


# --- who may use the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_and_agents_are_refused_every_calendar_page(request, client, berlin_office, persona):
    client.force_login(request.getfixturevalue(persona))

    for method, url in page_urls(berlin_office):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)
    assert berlin_office.holidays.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, berlin_office):
    response = client.get(reverse("escalation:calendar_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["erin", "ada"])
def test_managers_and_admins_see_the_calendar_list(request, client, berlin_office, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("escalation:calendar_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Berlin office" in page
    assert "Europe/Berlin" in page
    assert "Monday: 09:00–17:00" in page


def test_an_unknown_calendar_is_not_found(client, erin):
    client.force_login(erin)

    assert client.get(reverse("escalation:calendar_edit", args=[999_999])).status_code == 404


# --- creating and editing ----------------------------------------------------------------------------


def test_the_new_calendar_form_starts_with_office_hours(client, erin):
    client.force_login(erin)

    response = client.get(reverse("escalation:calendar_new"))

    assert response.status_code == 200
    assert response.context["formset"].initial_form_count() == 5
    assert 'value="09:00"' in response.content.decode()


def test_a_manager_creates_a_calendar_with_a_lunch_break(client, erin):
    client.force_login(erin)
    rows = [(day, start, end) for day in range(5) for start, end in (("09:00", "12:00"), ("13:00", "17:00"))]

    response = client.post(reverse("escalation:calendar_new"), calendar_post(rows=[*rows, ("5", "", "")]))

    calendar = BusinessCalendar.objects.get(name="Berlin office")
    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:calendar_edit", args=[calendar.pk])
    assert str(calendar.time_zone) == "Europe/Berlin"
    assert calendar.intervals.count() == 10


def test_an_end_of_24_00_is_saved_and_shown_as_24_00(client, erin):
    client.force_login(erin)

    client.post(reverse("escalation:calendar_new"), calendar_post(rows=[("4", "18:00", "24:00")]))

    calendar = BusinessCalendar.objects.get()
    assert calendar.intervals.get().as_interval() == Interval(4, time(18), time(0))
    page = client.get(reverse("escalation:calendar_edit", args=[calendar.pk])).content.decode()
    assert 'value="24:00"' in page


def test_creating_with_overlapping_hours_shows_the_problem_and_saves_nothing(client, erin):
    client.force_login(erin)
    rows = [("0", "09:00", "13:00"), ("0", "12:00", "17:00")]

    response = client.post(reverse("escalation:calendar_new"), calendar_post(rows=rows))

    assert response.status_code == 400
    assert "Monday: 09:00–13:00 and 12:00–17:00 overlap." in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_creating_without_hours_shows_the_problem(client, erin):
    client.force_login(erin)

    response = client.post(reverse("escalation:calendar_new"), calendar_post(rows=[("0", "", "")]))

    assert response.status_code == 400
    assert "needs at least one working interval" in response.content.decode()


def test_a_half_filled_row_and_a_bad_time_are_pointed_out(client, erin):
    client.force_login(erin)
    rows = [("0", "09:00", ""), ("1", "25:00", "17:00")]

    response = client.post(reverse("escalation:calendar_new"), calendar_post(rows=rows))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Give both a start and an end time, or leave both empty." in page
    assert "Enter a time from 00:00 to 23:59, e.g. 09:00." in page
    assert not BusinessCalendar.objects.exists()


def test_a_24x7_calendar_is_created_without_hours(client, erin):
    client.force_login(erin)

    client.post(reverse("escalation:calendar_new"), calendar_post(name="Operations", time_zone="UTC", is_24x7=True))

    assert BusinessCalendar.objects.get(name="Operations").is_24x7


def test_a_manager_edits_the_hours_removing_a_row(client, erin, berlin_office):
    client.force_login(erin)
    rows = [("0", "08:00", "16:00"), ("1", "09:00", "17:00", "remove"), ("2", "10:00", "14:00")]
    data = calendar_post(name="Berlin HQ", rows=rows)

    response = client.post(reverse("escalation:calendar_edit", args=[berlin_office.pk]), data)

    assert response.status_code == 302
    berlin_office.refresh_from_db()
    assert berlin_office.name == "Berlin HQ"
    assert [i.as_interval() for i in berlin_office.intervals.order_by("weekday")] == [
        Interval(0, time(8), time(16)),
        Interval(2, time(10), time(14)),
    ]


def test_an_invalid_edit_keeps_the_old_hours(client, erin, berlin_office):
    client.force_login(erin)

    response = client.post(
        reverse("escalation:calendar_edit", args=[berlin_office.pk]), calendar_post(rows=[("0", "17:00", "09:00")])
    )

    assert response.status_code == 400
    assert "An interval cannot run past midnight" in response.content.decode()
    assert berlin_office.intervals.count() == 5


# --- holidays ------------------------------------------------------------------------------------------


def test_a_manager_adds_and_removes_a_holiday(client, erin, berlin_office):
    client.force_login(erin)

    response = client.post(
        reverse("escalation:holiday_new", args=[berlin_office.pk]),
        {"holiday-date": "2026-10-03", "holiday-name": "Unity Day"},
    )
    assert response.status_code == 302
    holiday = berlin_office.holidays.get()
    assert (holiday.date, holiday.name) == (date(2026, 10, 3), "Unity Day")
    assert "Unity Day" in client.get(reverse("escalation:calendar_edit", args=[berlin_office.pk])).content.decode()

    client.post(reverse("escalation:holiday_delete", args=[berlin_office.pk, holiday.pk]))

    assert not berlin_office.holidays.exists()


def test_a_duplicate_holiday_date_is_pointed_out(client, erin, berlin_office):
    holiday_add(berlin_office, date(2026, 10, 3), "Unity Day", acting_user=erin)
    client.force_login(erin)

    response = client.post(
        reverse("escalation:holiday_new", args=[berlin_office.pk]),
        {"holiday-date": "2026-10-03", "holiday-name": "Again"},
    )

    assert response.status_code == 400
    assert "2026-10-03 is already a holiday in this calendar." in response.content.decode()


def test_a_holiday_of_another_calendar_cannot_be_removed_through_this_one(client, erin, berlin_office):
    other = BusinessCalendar.objects.create(name="Elsewhere", is_24x7=True)
    holiday = holiday_add(other, date(2026, 10, 3), "Unity Day", acting_user=erin)
    client.force_login(erin)

    response = client.post(reverse("escalation:holiday_delete", args=[berlin_office.pk, holiday.pk]))

    assert response.status_code == 404
    assert other.holidays.exists()


def test_a_manager_uploads_an_ics_file(client, erin, berlin_office):
    client.force_login(erin)
    upload = SimpleUploadedFile(
        "holidays.ics", ics(all_day("20261224", "Christmas", "20261227")), content_type="text/calendar"
    )

    response = client.post(
        reverse("escalation:holiday_import", args=[berlin_office.pk]), {"import-file": upload}, follow=True
    )

    assert berlin_office.holidays.count() == 3
    assert "3 holidays were imported." in response.content.decode()


def test_uploading_a_file_that_is_not_icalendar_shows_an_error(client, erin, berlin_office):
    client.force_login(erin)
    upload = SimpleUploadedFile("holidays.csv", b"date,name\n2026-12-25,Christmas\n", content_type="text/csv")

    response = client.post(reverse("escalation:holiday_import", args=[berlin_office.pk]), {"import-file": upload})

    assert response.status_code == 400
    assert "This file is not an iCalendar (.ics) file." in response.content.decode()
    assert not berlin_office.holidays.exists()


# --- the Django admin checks the same rules ---------------------------------------------------------


def admin_post(rows, *, is_24x7=False) -> dict:
    """The admin's add form with its two inlines: working intervals (rows) and no holidays."""
    data = {"name": "Admin made", "time_zone": "Europe/Berlin"}
    for prefix, count in (("intervals", len(rows)), ("holidays", 0)):
        data |= {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": 0,
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}  # fmt: skip
    for n, (weekday, start, end) in enumerate(rows):
        data |= {f"intervals-{n}-weekday": weekday, f"intervals-{n}-start_time": start, f"intervals-{n}-end_time": end}
    if is_24x7:
        data["is_24x7"] = "on"
    return data


def test_the_admin_refuses_overlapping_intervals(client, ada):
    client.force_login(ada)

    response = client.post(
        reverse("admin:tickets_businesscalendar_add"), admin_post([("0", "09:00", "13:00"), ("0", "12:00", "17:00")])
    )

    assert response.status_code == 200
    assert "Monday: 09:00–13:00 and 12:00–17:00 overlap." in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_the_admin_refuses_a_calendar_without_hours_unless_24x7(client, ada):
    client.force_login(ada)

    refused = client.post(reverse("admin:tickets_businesscalendar_add"), admin_post([]))
    accepted = client.post(reverse("admin:tickets_businesscalendar_add"), admin_post([], is_24x7=True))

    assert "needs at least one working interval" in refused.content.decode()
    assert accepted.status_code == 302
    assert BusinessCalendar.objects.get().is_24x7


def test_the_admin_saves_valid_hours(client, ada):
    client.force_login(ada)

    response = client.post(reverse("admin:tickets_businesscalendar_add"), admin_post([("0", "09:00", "17:00")]))

    assert response.status_code == 302
    assert BusinessCalendar.objects.get().intervals.count() == 1
