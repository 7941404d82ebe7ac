"""Each kind of user sees their own navigation; a manager's pages sit in one "Manage" menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav(client) -> str:
    page = client.get(reverse("kb:home")).content.decode()
    return page[page.index('data-testid="main-nav"') : page.index("</ul>\n      <div")]


def test_anonymous_readers_see_the_help_centre_and_the_form(client):
    menu = nav(client)

    assert reverse("kb:home") in menu and reverse("tickets:submit") in menu
    assert reverse("tickets:agent_queue") not in menu


def test_an_agent_has_no_manage_menu(client, carol):
    client.force_login(carol)

    menu = nav(client)

    assert reverse("kb_agent:list") in menu
    assert 'data-testid="manage-menu"' not in menu
    assert reverse("escalation:policy_list") not in menu


def test_a_manager_finds_the_management_pages_in_one_menu(client, erin):
    client.force_login(erin)

    menu = nav(client)

    assert 'data-testid="manage-menu"' in menu
    for name in ("escalation:policy_list", "escalation:rule_list", "kb_manage:deflection"):
        assert reverse(name) in menu
    assert reverse("admin:index") not in menu


def test_an_admin_also_finds_the_administration(client, ada):
    client.force_login(ada)

    assert reverse("admin:index") in nav(client)


def test_the_current_management_page_marks_the_menu(client, erin):
    client.force_login(erin)

    page = client.get(reverse("kb_manage:deflection")).content.decode()

    assert 'dropdown-toggle active"' in page
    assert f'dropdown-item active" href="{reverse("kb_manage:deflection")}"' in page


def test_the_cached_navigation_follows_the_role_and_the_language(client, erin):
    client.force_login(erin)
    assert "Manage" in nav(client)

    erin.language = "zh-hans"
    erin.save(update_fields=["language"])

    assert "管理" in nav(client)
