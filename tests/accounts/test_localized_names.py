"""Names managers type (teams, categories, SLA policies, calendars, holidays) in the reader's language."""

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from escalation.policy_services import policy_create
from escalation.services import calendar_create, holiday_add
from helpdesk.names import localized_name
from kpis.export import _labels
from tickets.forms import bulk_options
from tickets.importing import import_file
from tickets.models import Category, Ticket
from tickets.services import ticket_create


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def printers(db):
    hardware = Category.objects.create(name="Hardware", name_zh_hans="硬件")
    return Category.objects.create(name="Printers", name_zh_hans="打印机", parent=hardware)


@pytest.fixture
def office(db):
    calendar = calendar_create("Office hours", "Asia/Shanghai", is_24x7=True, name_zh_hans="办公时间", acting_user=None)
    holiday_add(calendar, date(2026, 10, 1), "National Day", name_zh_hans="国庆节", acting_user=None)
    return calendar


@pytest.fixture
def standard(office):
    return policy_create(
        name="Standard SLA",
        name_zh_hans="标准 SLA",
        calendar=office,
        first_response_minutes=60,
        resolution_minutes=240,
        acting_user=None,
    )


def _reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_the_chinese_name_is_shown_only_in_chinese_and_falls_back_to_the_name(service_desk, network_team):
    service_desk.name_zh_hans = "服务台"
    service_desk.save()

    assert str(service_desk) == "Service Desk"
    with translation.override("zh-hans"):
        assert str(service_desk) == "服务台"
        assert localized_name(network_team) == "Network"  # no Chinese name: the name
    network_team.name_zh_hans = "   "
    with translation.override("zh-hans"):
        assert str(network_team) == "Network"


def test_a_category_path_is_in_the_readers_language(printers):
    assert str(printers) == "Hardware › Printers"
    with translation.override("zh-hans"):
        assert str(printers) == "硬件 › 打印机"


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("zh-hans", "服务台", "Service Desk"), ("en", "Service Desk", "服务台")]
)
def test_the_queue_names_the_team_in_the_agents_language(client, alice, carol, service_desk, language, shown, hidden):
    service_desk.name_zh_hans = "服务台"
    service_desk.save()
    ticket_create(requester=alice, subject="Printer jam", description="…", acting_user=alice, team=service_desk)
    client.force_login(_reader(carol, language))

    # "all" reads through the ORM, "unassigned" through the queue's own statement (tickets/queues.py).
    for view in ("all", "unassigned"):
        page = client.get(reverse("tickets:agent_queue") + f"?view={view}").content.decode()

        assert "Printer jam" in page
        row = page.split("Printer jam", 1)[1].split("</tr>", 1)[0]
        assert f'<td class="queue-team small">{shown}</td>' in row
        assert hidden not in row


def test_the_ticket_page_names_the_category_in_chinese(client, alice, carol, service_desk, printers):
    ticket = ticket_create(
        requester=alice, subject="Jam", description="…", acting_user=alice, team=service_desk, category=printers
    )
    client.force_login(_reader(carol, "zh-hans"))

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert "硬件 › 打印机" in page


def test_the_bulk_bar_lists_teams_per_language(service_desk):
    service_desk.name_zh_hans = "服务台"
    service_desk.save()

    with translation.override("en"):
        assert (service_desk.pk, "Service Desk") in bulk_options()["teams"]
    with translation.override("zh-hans"):
        assert (service_desk.pk, "服务台") in bulk_options()["teams"]


@pytest.mark.parametrize(
    ("language", "names"), [("zh-hans", ["标准 SLA", "办公时间"]), ("en", ["Standard SLA", "Office hours"])]
)
def test_the_policy_list_is_in_the_managers_language(client, erin, standard, language, names):
    client.force_login(_reader(erin, language))

    page = client.get(reverse("escalation:policy_list")).content.decode()

    for name in names:
        assert name in page


def test_the_calendar_page_shows_chinese_names_and_edits_them(client, erin, office):
    client.force_login(_reader(erin, "zh-hans"))

    page = client.get(reverse("escalation:calendar_edit", args=[office.pk])).content.decode()
    assert "办公时间" in page
    assert "国庆节" in page
    assert 'name="name_zh_hans"' in page
    assert client.get(reverse("escalation:calendar_list")).content.decode().count("办公时间") >= 1


def test_a_policy_keeps_its_chinese_name_through_the_form(client, erin, standard):
    client.force_login(erin)
    data = {
        "name": "Standard SLA",
        "name_zh_hans": "标准服务",
        "calendar": standard.calendar_id,
        "first_response_minutes": "60",
        "resolution_minutes": "240",
        "warning_percent": "80",
        "pause_on_pending": "on",
    }

    response = client.post(reverse("escalation:policy_edit", args=[standard.pk]), data)

    assert response.status_code == 302
    standard.refresh_from_db()
    assert (standard.name, standard.name_zh_hans) == ("Standard SLA", "标准服务")


def test_import_matches_teams_and_categories_by_their_english_name(tmp_path, alice, service_desk, printers):
    service_desk.name_zh_hans = "服务台"
    service_desk.save()
    line = {
        "ref": "EXT-1",
        "subject": "Printer offline",
        "description": "…",
        "requester": {"email": alice.email, "name": "Alice Smith"},
        "channel": "web",
        "type": "incident",
        "impact": 3,
        "urgency": 2,
        "team": "Service Desk",
        "category": "Hardware › Printers",
        "created_at": "2026-10-01T09:00:00+08:00",
        "events": [],
    }
    path = tmp_path / "history.jsonl"
    path.write_text(json.dumps(line) + "\n")

    with translation.override("zh-hans"):
        summary = import_file(path)

    assert (summary.imported, summary.errors) == (1, [])
    ticket = Ticket.objects.get(external_reference="EXT-1")
    assert (ticket.team, ticket.category) == (service_desk, printers)


def test_kpi_exports_label_categories_in_english(printers):
    with translation.override("zh-hans"):
        assert _labels("category", [printers.pk]) == {printers.pk: "Hardware › Printers"}
