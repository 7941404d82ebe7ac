"""Demo data shows each feature: personal and team templates, escalation rules and a vendor."""

from io import StringIO

from django.core.management import call_command

from canned.demo import PERSONAL_TEMPLATES, SERVICE_DESK_TEMPLATES, SPECIALIST_TEMPLATES, seed_reply_templates
from canned.models import ReplyTemplate
from escalation.demo import RULES, VENDOR, seed_escalation
from escalation.models import EscalationRule
from tickets.models import Vendor


def test_seed_demo_adds_templates_rules_and_a_vendor_once(db):
    call_command("seed_demo", "--tickets", "0", stdout=StringIO())
    expected = len(SERVICE_DESK_TEMPLATES) + len(SPECIALIST_TEMPLATES) + len(PERSONAL_TEMPLATES)

    assert ReplyTemplate.objects.count() == expected
    assert ReplyTemplate.objects.filter(team__isnull=False).count() == len(SERVICE_DESK_TEMPLATES) + len(
        SPECIALIST_TEMPLATES
    )
    assert ReplyTemplate.objects.filter(owner__isnull=False).count() == len(PERSONAL_TEMPLATES)
    assert ReplyTemplate.objects.filter(body__contains=r"\\print01\queue").exists()
    assert set(EscalationRule.objects.values_list("name", flat=True)) == {name for name, _trigger, _values in RULES}
    assert EscalationRule.objects.filter(move_to_tier=2).exists()
    assert Vendor.objects.get().name == VENDOR["name"]

    # Running it again changes nothing.
    assert seed_reply_templates() == expected
    assert seed_escalation() == (1, len(RULES))


def test_the_form_offers_sharing_to_a_manager_and_explains_it_to_an_agent(client, carol, erin, service_desk):
    from django.urls import reverse

    client.force_login(erin)
    manager_page = client.get(reverse("canned:create")).content.decode()
    client.force_login(carol)
    agent_page = client.get(reverse("canned:create")).content.decode()

    assert 'name="team"' in manager_page and "Service Desk" in manager_page
    assert 'name="team"' not in agent_page and 'data-testid="sharing-note"' in agent_page
