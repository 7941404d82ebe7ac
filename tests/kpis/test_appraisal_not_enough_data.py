"""An appraisal with too little data says "not enough data", not a composite of 0; frozen ones stay as they were."""

import pytest
from django.urls import reverse

from kpis.appraisals import period_finalize
from kpis.models import Appraisal
from kpis.rollups import refresh_full
from tests.factories import UserFactory
from tests.kpis.test_appraisals import T0, october_history, resolved_ticket, run_to_review


@pytest.fixture
def nina(service_desk):
    """A new agent of the Service Desk."""
    agent = UserFactory(email="nina@helpdesk.example", full_name="Nina Novak", role="agent")
    service_desk.members.add(agent)
    return agent


@pytest.fixture
def october(alice, carol, nina, service_desk):
    """Carol resolves six tickets in October, nina two."""
    october_history(alice, carol, service_desk)
    for number in range(2):
        resolved_ticket(alice, nina, service_desk, T0.replace(day=12 + number), subject=f"Mouse {number}")
    refresh_full()


def test_a_new_agents_appraisal_has_not_enough_data_not_zero(client, october, carol, erin, nina, service_desk):
    period = run_to_review(erin, team=service_desk)
    snapshot = Appraisal.objects.get(period=period, agent=nina).snapshot
    assert snapshot["values"]["tickets_resolved"] == 2
    # The snapshot's format is unchanged: no composite and no band mean "not enough data".
    assert (snapshot["score"]["composite"], snapshot["score"]["band"]) == (None, None)
    assert Appraisal.objects.get(period=period, agent=carol).snapshot["score"]["composite"] is not None
    client.force_login(erin)

    listing = client.get(reverse("kpis_appraisal:period_detail", args=[period.pk])).content.decode()
    nina_row = listing.split("Nina Novak", 1)[1].split("</tr>", 1)[0]
    assert "not enough data" in nina_row

    sheet = client.get(reverse("kpis_appraisal:appraisal_manage", args=[period.pk, nina.pk])).content.decode()
    assert "Not enough data for a composite score." in sheet
    # Workload, article reuse and growth: 20 of the default scorecard's 100.
    assert "The items with enough data carry 20 of the scorecard’s 100 weight" in sheet


def test_the_agent_sees_not_enough_data_on_their_final_appraisal(client, october, erin, nina, service_desk):
    period = run_to_review(erin, team=service_desk)
    period_finalize(period, acting_user=erin)
    client.force_login(nina)

    listing = client.get(reverse("kpis_appraisal:my_appraisals")).content.decode()

    assert "not enough data" in listing


def test_a_final_appraisal_scored_before_the_rule_keeps_its_composite(client, october, erin, nina, service_desk):
    """A snapshot frozen when a composite of 0 was still given is shown as it was, never scored again."""
    period = run_to_review(erin, team=service_desk)
    period_finalize(period, acting_user=erin)
    appraisal = Appraisal.objects.get(period=period, agent=nina)
    snapshot = appraisal.snapshot
    snapshot["score"] |= {"composite": 0.0, "band": "Unsatisfactory"}
    Appraisal.objects.filter(pk=appraisal.pk).update(snapshot=snapshot)
    client.force_login(erin)

    sheet = client.get(reverse("kpis_appraisal:appraisal_manage", args=[period.pk, nina.pk])).content.decode()

    composite = sheet.split('data-testid="appraisal-composite"', 1)[1].split("</div>", 1)[0]
    assert "0.0" in composite and "Unsatisfactory" in composite
    assert "Not enough data" not in composite
