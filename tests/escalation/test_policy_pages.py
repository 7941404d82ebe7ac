"""The manager pages at /manage/sla-policies/: who may use them, and what they save."""

from datetime import timedelta

import pytest
from django.urls import reverse

from escalation.policy_services import policy_create
from helpdesk.celery import app as celery_app
from tickets.models import Category, EventKind
from tickets.services import ticket_create
from tickets.sla.models import BusinessCalendar, SlaPolicy


@pytest.fixture
def always_open(db):
    return BusinessCalendar.objects.create(name="Around the clock", is_24x7=True)


@pytest.fixture
def standard(always_open):
    return policy_create(
        name="Standard", calendar=always_open, first_response_minutes=60, resolution_minutes=240, acting_user=None
    )


def policy_post(default_calendar, **fields) -> dict:
    data = {
        "name": "Priority one",
        "calendar": default_calendar.pk,
        "first_response_minutes": "15",
        "resolution_minutes": "120",
        "warning_percent": "75",
        "pause_on_pending": "on",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def page_urls(policy) -> list[tuple[str, str]]:
    return [
        ("get", reverse("escalation:policy_list")),
        ("get", reverse("escalation:policy_new")),
        ("post", reverse("escalation:policy_new")),
        ("get", reverse("escalation:policy_edit", args=[policy.pk])),
        ("post", reverse("escalation:policy_edit", args=[policy.pk])),
        ("post", reverse("escalation:policy_move", args=[policy.pk, "down"])),
        ("post", reverse("escalation:policy_deactivate", args=[policy.pk])),
        ("post", reverse("escalation:policy_activate", args=[policy.pk])),
    ]


def names_in_order() -> list[str]:
    return list(SlaPolicy.objects.values_list("name", flat=True))


# --- who may use the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "carol"])
def test_requesters_and_agents_are_refused_every_policy_page(request, client, standard, always_open, persona):
    client.force_login(request.getfixturevalue(persona))

    for method, url in page_urls(standard):
        data = policy_post(always_open, name="Sneaky") if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
    standard.refresh_from_db()
    assert (names_in_order(), standard.is_active) == (["Standard"], True)


def test_anonymous_visitors_are_sent_to_sign_in(client, standard):
    response = client.get(reverse("escalation:policy_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_policy_is_not_found(client, erin):
    client.force_login(erin)

    assert client.get(reverse("escalation:policy_edit", args=[999_999])).status_code == 404


def test_an_unknown_direction_is_not_found(client, erin, standard):
    client.force_login(erin)

    assert client.post(reverse("escalation:policy_move", args=[standard.pk, "sideways"])).status_code == 404


def test_moving_needs_a_post(client, erin, standard):
    client.force_login(erin)

    assert client.get(reverse("escalation:policy_move", args=[standard.pk, "down"])).status_code == 405


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["erin", "ada"])
def test_managers_and_admins_see_the_policies_in_order(request, client, standard, always_open, acme, persona):
    urgent = policy_create(
        name="Urgent",
        calendar=always_open,
        priorities=[1, 2],
        organisations=[acme],
        first_response_minutes=15,
        resolution_minutes=90,
        acting_user=None,
    )
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("escalation:policy_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("Standard") < page.index("Urgent")
    assert "A ticket with no matching policy has no clock." in page
    assert "All tickets" in page
    assert "Priority: P1 – critical, P2 – high" in page
    assert "Organisation: Acme" in page
    assert "1 h 30 min" in page and "4 h" in page
    # Urgent comes after a policy that takes every ticket: the page says it never applies.
    assert page.count('data-testid="unreachable"') == 1
    assert reverse("escalation:policy_edit", args=[urgent.pk]) in page


def test_an_empty_list_says_no_ticket_has_a_clock(client, erin):
    client.force_login(erin)

    page = client.get(reverse("escalation:policy_list")).content.decode()

    assert "No policies yet: no ticket has an SLA clock." in page


# --- creating -------------------------------------------------------------------------------------


def test_a_manager_creates_a_policy_with_conditions(client, erin, standard, always_open, acme, service_desk):
    printers = Category.objects.create(name="Printers")
    client.force_login(erin)

    response = client.post(
        reverse("escalation:policy_new"),
        policy_post(
            always_open,
            priorities=["1", "2"],
            types=["incident"],
            categories=[printers.pk],
            organisations=[acme.pk],
            teams=[service_desk.pk],
            pause_on_hold="on",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:policy_list")
    policy = SlaPolicy.objects.get(name="Priority one")
    assert (policy.priorities, policy.types, policy.calendar) == ([1, 2], ["incident"], always_open)
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.warning_percent) == (15, 120, 75)
    assert (policy.pause_on_pending, policy.pause_on_hold, policy.is_active) == (True, True, True)
    assert list(policy.categories.all()) == [printers]
    assert list(policy.organisations.all()) == [acme]
    assert list(policy.teams.all()) == [service_desk]
    assert names_in_order() == ["Standard", "Priority one"]
    assert "was created" in client.get(response["Location"]).content.decode()


def test_the_new_policy_page_offers_the_defaults(client, erin, always_open):
    client.force_login(erin)

    response = client.get(reverse("escalation:policy_new"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="warning_percent" id="id_warning_percent" value="80"' in page
    assert 'name="pause_on_pending" id="id_pause_on_pending" checked' in page
    assert "Around the clock" in page
    assert "A ticket with no matching policy has no clock." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_response_minutes": "0"}, "The first-response target must be a whole number of business minutes"),
        ({"resolution_minutes": "-60"}, "The resolution target must be a whole number of business minutes"),
        ({"first_response_minutes": "180"}, "The resolution target cannot be shorter than the first-response target."),
        ({"warning_percent": "100"}, "The warning must be a whole percentage from 1 to 99."),
        ({"name": "standard"}, "A policy named “standard” already exists."),
        ({"first_response_minutes": "1.5"}, "Enter a whole number."),
        ({"calendar": None}, "Choose the business calendar the targets are counted in."),
        ({"name": " "}, "Give the policy a name."),
        ({"resolution_minutes": None}, "Give a target in business minutes."),
        ({"types": ["complaint"]}, "Select a valid choice."),
    ],
)
def test_invalid_policies_are_refused_with_a_clear_message(client, erin, standard, always_open, fields, message):
    client.force_login(erin)

    response = client.post(reverse("escalation:policy_new"), policy_post(always_open, **fields))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert names_in_order() == ["Standard"]


def test_every_problem_shows_at_once(client, erin, always_open):
    client.force_login(erin)

    response = client.post(
        reverse("escalation:policy_new"),
        policy_post(always_open, calendar=None, first_response_minutes="0", warning_percent="0"),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose the business calendar the targets are counted in." in page
    assert "The first-response target must be a whole number of business minutes, greater than zero." in page
    assert "The warning must be a whole percentage from 1 to 99." in page


# --- editing --------------------------------------------------------------------------------------


def test_the_edit_page_shows_the_saved_policy(client, erin, always_open, service_desk):
    policy = policy_create(
        name="Desk",
        calendar=always_open,
        types=["question"],
        teams=[service_desk],
        first_response_minutes=30,
        resolution_minutes=480,
        pause_on_pending=False,
        acting_user=None,
    )
    client.force_login(erin)

    form = client.get(reverse("escalation:policy_edit", args=[policy.pk])).context["form"]

    assert form["name"].value() == "Desk"
    assert form["types"].value() == ["question"]
    assert form["teams"].value() == [service_desk.pk]
    assert (form["resolution_minutes"].value(), form["pause_on_pending"].value()) == (480, False)


def test_saving_a_new_target_moves_the_due_time_of_open_tickets(
    client, erin, alice, service_desk, standard, always_open, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    ticket = ticket_create(requester=alice, subject="VPN down", description="It is down.", acting_user=alice)
    client.force_login(erin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("escalation:policy_edit", args=[standard.pk]),
            policy_post(always_open, name="Standard", first_response_minutes="60", resolution_minutes="480"),
        )

    assert response.status_code == 302
    ticket.refresh_from_db()
    # Clocks count whole seconds; the 480 minutes run from the ticket's creation.
    assert ticket.resolution_due_at == ticket.created_at.replace(microsecond=0) + timedelta(minutes=480)


def test_an_invalid_edit_keeps_the_saved_policy(client, erin, standard, always_open):
    client.force_login(erin)

    response = client.post(
        reverse("escalation:policy_edit", args=[standard.pk]),
        policy_post(always_open, name="Standard", resolution_minutes="0"),
    )

    assert response.status_code == 400
    assert "greater than zero" in response.content.decode()
    standard.refresh_from_db()
    assert standard.resolution_minutes == 240


# --- order and deactivation -------------------------------------------------------------------------


def test_move_up_and_down_change_the_order(client, erin, standard, always_open):
    urgent = policy_create(
        name="Urgent", calendar=always_open, first_response_minutes=15, resolution_minutes=90, acting_user=None
    )
    client.force_login(erin)

    response = client.post(reverse("escalation:policy_move", args=[urgent.pk, "up"]))

    assert response.status_code == 302
    assert names_in_order() == ["Urgent", "Standard"]

    client.post(reverse("escalation:policy_move", args=[urgent.pk, "down"]))

    assert names_in_order() == ["Standard", "Urgent"]


def test_deactivating_hands_open_tickets_to_the_next_policy(
    client, erin, alice, service_desk, standard, always_open, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    fallback = policy_create(
        name="Fallback", calendar=always_open, first_response_minutes=120, resolution_minutes=960, acting_user=None
    )
    ticket = ticket_create(requester=alice, subject="VPN down", description="It is down.", acting_user=alice)
    client.force_login(erin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("escalation:policy_deactivate", args=[standard.pk]))

    assert response.status_code == 302
    standard.refresh_from_db()
    ticket.refresh_from_db()
    assert not standard.is_active
    assert ticket.sla_policy == fallback
    changed = ticket.events.filter(kind=EventKind.SLA_POLICY_CHANGED).order_by("id").last()
    assert (changed.actor, changed.new_value["name"]) == (erin, "Fallback")
    page = client.get(reverse("escalation:policy_list")).content.decode()
    assert "is no longer used" in page
    assert "inactive" in page

    client.post(reverse("escalation:policy_activate", args=[standard.pk]))

    standard.refresh_from_db()
    assert standard.is_active
