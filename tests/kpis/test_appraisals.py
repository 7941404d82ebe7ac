"""Appraisal periods: the workflow and its record, frozen snapshots, who may do and see what, the PDF."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from helpdesk.errors import ApplicationError, ConflictError
from kpis import appraisals
from kpis.appraisals import (
    appraisal_acknowledge,
    appraisal_update,
    period_calculate,
    period_finalize,
    period_open,
    period_start_review,
)
from kpis.models import (
    Appraisal,
    AppraisalStatus,
    AppraisalStep,
    Dimension,
    Period,
    PeriodFigure,
    PeriodStatus,
    QualityReview,
    ReviewReason,
    Scorecard,
)
from kpis.rollups import refresh_full
from kpis.tasks import calculate_appraisals
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_create, ticket_reply, ticket_resolve

OCTOBER = dt.date(2026, 10, 1)
T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)


def resolved_ticket(requester, agent, team, at, *, reply_after=20, resolve_after=60, subject="VPN"):
    ticket = ticket_create(
        requester=requester, subject=subject, description="down", acting_user=requester, team=team, at=at
    )
    ticket_reply(ticket, "Looking", acting_user=agent, at=at + dt.timedelta(minutes=reply_after))
    ticket_resolve(ticket, code="fixed", summary="Done", acting_user=agent, at=at + dt.timedelta(minutes=resolve_after))
    return ticket


def october_history(alice, carol, service_desk, count=6):
    for number in range(count):
        resolved_ticket(alice, carol, service_desk, T0 + dt.timedelta(days=number), subject=f"VPN {number}")
    refresh_full()


def item(appraisal, metric):
    return next(entry for entry in appraisal.snapshot["score"]["items"] if entry["metric"] == metric)


def steps(period):
    return [
        (step.action, step.actor.email if step.actor else None, step.appraisal.agent.email if step.appraisal else None)
        for step in AppraisalStep.objects.filter(period=period).select_related("actor", "appraisal__agent")
    ]


def run_to_review(erin, start=OCTOBER, team=None, kind=Period.MONTH):
    period = period_open(team, kind, start, acting_user=erin)
    period_calculate(period, acting_user=erin)
    period_start_review(period, acting_user=erin)
    period.refresh_from_db()
    return period


@pytest.fixture
def october(alice, carol, service_desk):
    october_history(alice, carol, service_desk)


# --- the workflow ---------------------------------------------------------------------------


def test_period_open_starts_on_the_first_day_and_ends_on_the_last(erin, service_desk):
    month = period_open(service_desk, Period.MONTH, dt.date(2026, 10, 17), acting_user=erin)
    quarter = period_open(service_desk, Period.QUARTER, dt.date(2026, 11, 17), acting_user=erin)

    assert (month.start, month.end, month.status) == (OCTOBER, dt.date(2026, 10, 31), PeriodStatus.OPEN)
    assert (quarter.start, quarter.end) == (OCTOBER, dt.date(2026, 12, 31))
    with pytest.raises(ConflictError):
        period_open(service_desk, Period.MONTH, dt.date(2026, 10, 2), acting_user=erin)


def test_only_the_teams_managers_open_a_period(carol, dave, erin, service_desk, network_team):
    for outsider in (carol, dave):
        with pytest.raises(PermissionDenied):
            period_open(service_desk, Period.MONTH, OCTOBER, acting_user=outsider)
    with pytest.raises(PermissionDenied):
        period_open(network_team, Period.MONTH, OCTOBER, acting_user=erin)


def test_the_whole_workflow_is_recorded_step_by_step(october, carol, erin, service_desk):
    with time_machine.travel(AFTER, tick=False):
        period = period_open(service_desk, Period.MONTH, OCTOBER, acting_user=erin)
        period_calculate(period, acting_user=erin)
        period_start_review(period, acting_user=erin)
        appraisal = Appraisal.objects.get(period=period, agent=carol)
        appraisal_update(
            appraisal,
            growth_items=[{"kind": "training", "title": "ITIL 4 Foundation", "date": "2026-10-20"}],
            strengths="Calm on the phone",
            improvements="",
            training_plan="Networking basics",
            acting_user=erin,
            expected_version=appraisal.version,
        )
        period_finalize(period, acting_user=erin)
        appraisal_acknowledge(appraisal, comment="Thanks, agreed.", acting_user=carol)

    period.refresh_from_db()
    appraisal.refresh_from_db()
    assert period.status == PeriodStatus.FINAL
    assert appraisal.status == AppraisalStatus.ACKNOWLEDGED
    assert appraisal.acknowledged_at == AFTER and appraisal.agent_comment == "Thanks, agreed."
    assert steps(period) == [
        ("opened", erin.email, None),
        ("calculated", erin.email, None),
        ("review_started", erin.email, None),
        ("updated", erin.email, carol.email),
        ("finalized", erin.email, None),
        ("acknowledged", carol.email, carol.email),
    ]
    details = [step.detail for step in AppraisalStep.objects.filter(period=period)]
    assert details[1] == {"appraisals": 1, "from": "open", "to": "calculated"}
    assert details[2] == {"from": "calculated", "to": "in_review"}
    assert details[3] == {
        "changed": ["growth_items", "strengths", "training_plan"],
        "growth_items": {"old": 0, "new": 1},
    }
    assert details[4] == {"appraisals": 1, "from": "in_review", "to": "final"}
    assert all(step.at == AFTER for step in AppraisalStep.objects.filter(period=period))


def test_the_snapshot_holds_figures_score_scorecard_and_team_median(october, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    snapshot = Appraisal.objects.get(period=period, agent=carol).snapshot

    assert snapshot["values"]["tickets_resolved"] == 6
    assert snapshot["values"]["growth_items"] == 0
    assert snapshot["values"]["reviews"] == 0
    assert snapshot["scorecard"]["name"] == "Balanced (default)"
    assert {entry["metric"] for entry in snapshot["scorecard"]["items"]} >= {"fcr_rate", "growth_items"}
    assert snapshot["team_median"]["frt_median_s"] == 1200
    fcr = next(entry for entry in snapshot["score"]["items"] if entry["metric"] == "fcr_rate")
    assert (fcr["value"], fcr["sample"], fcr["enough_data"], fcr["points"]) == (1.0, 6, True, 100.0)
    assert snapshot["score"]["composite"] is not None and snapshot["score"]["band"]


def test_recalculating_in_review_keeps_the_managers_work(october, alice, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    appraisal_update(
        appraisal,
        growth_items=[{"kind": "mentoring", "title": "Mentored Bob", "date": None}],
        strengths="Thorough",
        improvements="Speed",
        training_plan="",
        acting_user=erin,
    )
    resolved_ticket(alice, carol, service_desk, T0 + dt.timedelta(days=10), subject="More")
    refresh_full()

    period_calculate(period, acting_user=erin)

    appraisal.refresh_from_db()
    assert appraisal.snapshot["values"]["tickets_resolved"] == 7
    assert appraisal.snapshot["values"]["growth_items"] == 1
    assert (appraisal.strengths, appraisal.improvements) == ("Thorough", "Speed")
    period.refresh_from_db()
    assert period.status == PeriodStatus.IN_REVIEW


def test_review_score_and_count_come_from_the_periods_reviewed_quality_reviews(october, carol, erin, service_desk):
    resolutions = list(TicketEvent.objects.filter(kind=EventKind.RESOLVED).order_by("pk"))
    scores = [(5, 5, 4, 4), (4, 4, 4, 4)]
    for event, (accuracy, professionalism, empathy, completeness) in zip(resolutions, scores, strict=False):
        QualityReview.objects.create(
            resolution_event=event, ticket=event.ticket, agent=carol, team=service_desk, day=event.created_at.date(),
            reason=ReviewReason.RANDOM, reviewer=erin, accuracy=accuracy, professionalism=professionalism,
            empathy=empathy, completeness=completeness, reviewed_at=AFTER, created_at=event.created_at,
        )  # fmt: skip
    # Drawn but not reviewed yet, and one from September: neither counts.
    QualityReview.objects.create(
        resolution_event=resolutions[2], ticket=resolutions[2].ticket, agent=carol, team=service_desk,
        day=resolutions[2].created_at.date(), reason=ReviewReason.LOW_CSAT, created_at=AFTER,
    )  # fmt: skip
    QualityReview.objects.create(
        resolution_event=resolutions[3], ticket=resolutions[3].ticket, agent=carol, team=service_desk,
        day=dt.date(2026, 9, 30), reason=ReviewReason.RANDOM, reviewer=erin, accuracy=1, professionalism=1,
        empathy=1, completeness=1, reviewed_at=AFTER, created_at=AFTER,
    )  # fmt: skip

    period = run_to_review(erin, team=service_desk)

    values = Appraisal.objects.get(period=period, agent=carol).snapshot["values"]
    assert values["reviews"] == 2
    assert values["review_score"] == pytest.approx((4.5 + 4.0) / 2)


def test_growth_items_earn_the_growth_items_points(carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    assert item(appraisal, "growth_items")["points"] == 0.0

    training = {"kind": "training", "title": "ITIL", "date": "2026-10-02"}
    appraisal = appraisal_update(
        appraisal, growth_items=[training], strengths="", improvements="", training_plan="", acting_user=erin
    )
    assert appraisal.snapshot["values"]["growth_items"] == 1
    assert item(appraisal, "growth_items")["points"] == 50.0  # default scorecard: floor 0, target 2

    certification = {"kind": "certification", "title": "CCNA", "date": "2026-10-09"}
    appraisal = appraisal_update(
        appraisal,
        growth_items=[training, certification],
        strengths="",
        improvements="",
        training_plan="",
        acting_user=erin,
    )
    assert item(appraisal, "growth_items")["points"] == 100.0


def test_quarter_periods_scale_monthly_targets_by_three(carol, erin, service_desk):
    PeriodFigure.objects.create(
        period=Period.QUARTER,
        start=OCTOBER,
        dimension=Dimension.AGENT,
        key=carol.pk,
        values={"weighted_workload": 90, "tickets_resolved": 40},
        computed_at=timezone.now(),
    )
    PeriodFigure.objects.create(
        period=Period.MONTH,
        start=OCTOBER,
        dimension=Dimension.AGENT,
        key=carol.pk,
        values={"weighted_workload": 90, "tickets_resolved": 40},
        computed_at=timezone.now(),
    )
    quarter = run_to_review(erin, team=service_desk, kind=Period.QUARTER)
    month = run_to_review(erin, team=service_desk, kind=Period.MONTH)

    # Workload: floor 10, target 60 a month; a quarter's are 30 and 180.
    in_quarter = item(Appraisal.objects.get(period=quarter, agent=carol), "weighted_workload")
    assert (in_quarter["floor"], in_quarter["target"], in_quarter["points"]) == (30, 180, 40.0)
    assert item(Appraisal.objects.get(period=month, agent=carol), "weighted_workload")["points"] == 100.0


def test_invalid_moves_are_refused_with_a_conflict(carol, erin, service_desk):
    period = period_open(service_desk, Period.MONTH, OCTOBER, acting_user=erin)
    with pytest.raises(ConflictError, match="calculated"):
        period_start_review(period, acting_user=erin)
    with pytest.raises(ConflictError):
        period_finalize(period, acting_user=erin)
    period_calculate(period, acting_user=erin)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    with pytest.raises(ConflictError):
        appraisal_update(appraisal, growth_items=[], strengths="x", improvements="", training_plan="", acting_user=erin)
    with pytest.raises(ConflictError):
        period_finalize(period, acting_user=erin)


def test_a_stale_form_cannot_overwrite_a_newer_change(carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    seen = appraisal.version
    appraisal_update(appraisal, growth_items=[], strengths="First", improvements="", training_plan="", acting_user=erin)
    with pytest.raises(ConflictError):
        appraisal_update(
            appraisal,
            growth_items=[],
            strengths="Second",
            improvements="",
            training_plan="",
            acting_user=erin,
            expected_version=seen,
        )
    appraisal.refresh_from_db()
    assert appraisal.strengths == "First"


def test_a_growth_item_needs_a_known_kind_and_a_title(carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    with pytest.raises(ApplicationError):
        appraisal_update(
            appraisal,
            growth_items=[{"kind": "party", "title": "Fun"}],
            strengths="",
            improvements="",
            training_plan="",
            acting_user=erin,
        )


# --- a final appraisal is frozen ------------------------------------------------------------


def test_a_final_snapshot_never_changes_again(october, client, alice, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    period_finalize(period, acting_user=erin)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    frozen = appraisal.snapshot
    url = reverse("kpis_appraisal:appraisal_manage", args=[period.pk, carol.pk])
    client.force_login(erin)
    page_before = _sheet_html(client.get(url))

    # New October work, a full rebuild of the figures and a changed scorecard.
    for number in range(3):
        resolved_ticket(alice, carol, service_desk, T0 + dt.timedelta(days=12 + number), reply_after=300)
    refresh_full()
    assert (
        PeriodFigure.objects.get(period=Period.MONTH, start=OCTOBER, dimension=Dimension.AGENT, key=carol.pk).values[
            "tickets_resolved"
        ]
        == 9
    )
    scorecard = Scorecard.objects.get(team=None)
    scorecard.name = "Speed first"
    scorecard.save()
    scorecard.items.filter(metric="frt_median_s").update(weight=50, target=60)

    with pytest.raises(ConflictError):
        period_calculate(period, acting_user=erin)
    with pytest.raises(ConflictError):
        appraisal_update(appraisal, growth_items=[], strengths="x", improvements="", training_plan="", acting_user=erin)
    with pytest.raises(ConflictError):
        period_finalize(period, acting_user=erin)
    assert appraisals.calculate_due_periods(AFTER) == 0

    appraisal.refresh_from_db()
    assert appraisal.snapshot == frozen
    assert appraisal.snapshot["values"]["tickets_resolved"] == 6
    assert appraisal.snapshot["scorecard"]["name"] == "Balanced (default)"
    assert _sheet_html(client.get(url)) == page_before


def _sheet_html(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return re.search(r'<section class="appraisal-sheet".*?</section>', html, re.S).group(0)


# --- acknowledgement ------------------------------------------------------------------------


def test_only_the_agent_acknowledges_and_only_a_final_appraisal(carol, dave, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    with pytest.raises(ConflictError):
        appraisal_acknowledge(appraisal, comment="", acting_user=carol)

    period_finalize(period, acting_user=erin)
    for someone_else in (erin, dave):
        with pytest.raises(PermissionDenied):
            appraisal_acknowledge(appraisal, comment="", acting_user=someone_else)

    appraisal = appraisal_acknowledge(appraisal, comment="Agreed", acting_user=carol)
    assert appraisal.status == AppraisalStatus.ACKNOWLEDGED
    with pytest.raises(ConflictError):
        appraisal_acknowledge(appraisal, comment="Again", acting_user=carol)


# --- the beat task --------------------------------------------------------------------------


def test_the_nightly_task_calculates_open_periods_that_have_ended(carol, erin, service_desk, network_team, dave):
    network_team.time_zone = "Asia/Tokyo"
    network_team.save()
    network_team.managers.add(erin)
    october_desk = period_open(service_desk, Period.MONTH, OCTOBER, acting_user=erin)
    october_network = period_open(network_team, Period.MONTH, OCTOBER, acting_user=erin)
    november_desk = period_open(service_desk, Period.MONTH, dt.date(2026, 11, 1), acting_user=erin)

    # 20:00 UTC on Oct 31 is already Nov 1 in Tokyo.
    with time_machine.travel(dt.datetime(2026, 10, 31, 20, 0, tzinfo=dt.UTC), tick=False):
        assert calculate_appraisals() == 1
    with time_machine.travel(dt.datetime(2026, 11, 1, 3, 30, tzinfo=dt.UTC), tick=False):
        assert calculate_appraisals() == 1
        assert calculate_appraisals() == 0

    for period in (october_desk, october_network, november_desk):
        period.refresh_from_db()
    assert (october_desk.status, october_network.status, november_desk.status) == (
        PeriodStatus.CALCULATED,
        PeriodStatus.CALCULATED,
        PeriodStatus.OPEN,
    )
    calculated = AppraisalStep.objects.get(period=october_desk, action="calculated")
    assert calculated.actor is None and calculated.detail == {"appraisals": 1, "from": "open", "to": "calculated"}
    assert Appraisal.objects.get(period=october_network).agent == dave


# --- pages and who may see them -------------------------------------------------------------


def test_manager_opens_and_moves_a_period_through_the_pages(client, carol, erin, service_desk):
    client.force_login(erin)
    response = client.post(
        reverse("kpis_appraisal:period_list"),
        {"team": service_desk.pk, "period": "month", "start": "2026-10-12"},
    )
    period = service_desk_period(service_desk)
    assert response.status_code == 302 and response["Location"] == reverse(
        "kpis_appraisal:period_detail", args=[period.pk]
    )
    for step in ("calculate", "start-review"):
        assert client.post(reverse("kpis_appraisal:period_step", args=[period.pk, step])).status_code == 302

    page = client.get(reverse("kpis_appraisal:period_detail", args=[period.pk]))
    assert page.status_code == 200
    assert "Carol Nguyen" in page.content.decode() and "Finalise" in page.content.decode()

    again = client.post(reverse("kpis_appraisal:period_step", args=[period.pk, "start-review"]))
    assert again.status_code == 409
    assert "Only a calculated appraisal period" in again.content.decode()

    appraisal = Appraisal.objects.get(period=period, agent=carol)
    url = reverse("kpis_appraisal:appraisal_manage", args=[period.pk, carol.pk])
    saved = client.post(
        url,
        {
            "version": appraisal.version,
            "new_kind": "certification",
            "new_title": "CCNA",
            "new_date": "2026-10-09",
            "strengths": "Clear writing",
            "improvements": "",
            "training_plan": "",
        },
    )
    assert saved.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.growth_items == [{"kind": "certification", "title": "CCNA", "date": "2026-10-09"}]
    stale = client.post(url, {"version": 1, "strengths": "Other", "improvements": "", "training_plan": ""})
    assert stale.status_code == 409


def service_desk_period(team):
    return appraisals.AppraisalPeriod.objects.get(team=team)


def test_someone_elses_appraisal_is_not_shown(client, carol, dave, erin, service_desk, network_team):
    period = run_to_review(erin, team=service_desk)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    manage_urls = [
        reverse("kpis_appraisal:period_detail", args=[period.pk]),
        reverse("kpis_appraisal:appraisal_manage", args=[period.pk, carol.pk]),
        reverse("kpis_appraisal:appraisal_manage_pdf", args=[period.pk, carol.pk]),
    ]
    own_urls = [
        reverse("kpis_appraisal:my_appraisal", args=[appraisal.pk]),
        reverse("kpis_appraisal:my_appraisal_pdf", args=[appraisal.pk]),
    ]
    client.force_login(carol)
    assert [client.get(url).status_code for url in manage_urls] == [403, 403, 403]
    # Her own draft is not hers to read yet.
    assert [client.get(url).status_code for url in own_urls] == [404, 404]
    assert client.get(reverse("kpis_appraisal:period_list")).status_code == 403

    period_finalize(period, acting_user=erin)
    assert [client.get(url).status_code for url in own_urls[:1]] == [200]

    client.force_login(dave)
    assert [client.get(url).status_code for url in manage_urls + own_urls] == [403, 403, 403, 404, 404]
    assert client.post(own_urls[0], {"version": appraisal.version, "comment": "mine"}).status_code == 404

    # A manager of another team only.
    network_team.managers.add(dave)
    dave.role = "manager"
    dave.save()
    assert [client.get(url).status_code for url in manage_urls] == [403, 403, 403]
    assert str(period) not in client.get(reverse("kpis_appraisal:period_list")).content.decode()


def test_agent_acknowledges_on_the_page(client, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    period_finalize(period, acting_user=erin)
    appraisal = Appraisal.objects.get(period=period, agent=carol)
    client.force_login(carol)

    listing = client.get(reverse("kpis_appraisal:my_appraisals")).content.decode()
    assert "Waiting for your acknowledgement" in listing
    url = reverse("kpis_appraisal:my_appraisal", args=[appraisal.pk])
    assert client.post(url, {"version": appraisal.version, "comment": "Fair"}).status_code == 302
    appraisal.refresh_from_db()
    assert (appraisal.status, appraisal.agent_comment) == (AppraisalStatus.ACKNOWLEDGED, "Fair")
    assert client.post(url, {"version": appraisal.version, "comment": "Again"}).status_code == 409
    assert "Acknowledged by the agent" in client.get(url).content.decode()


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def test_the_pdf_is_the_appraisal_in_the_agents_language(client, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    period_finalize(period, acting_user=erin)
    appraisal = Appraisal.objects.get(period=period, agent=carol)

    client.force_login(carol)
    english = _pdf_text(client.get(reverse("kpis_appraisal:my_appraisal_pdf", args=[appraisal.pk])))
    assert "Carol Nguyen" in english and "Appraisal of" in english

    carol.language = "zh-hans"
    carol.save()
    client.force_login(erin)  # the manager reads English pages; the PDF is still Carol's language
    chinese = _pdf_text(client.get(reverse("kpis_appraisal:appraisal_manage_pdf", args=[period.pk, carol.pk])))
    assert "Carol Nguyen" in chinese and "考评" in chinese
    assert "Appraisal of" not in chinese


def test_the_appraisal_page_links_its_print_stylesheet(client, carol, erin, service_desk):
    period = run_to_review(erin, team=service_desk)
    client.force_login(erin)
    html = client.get(reverse("kpis_appraisal:appraisal_manage", args=[period.pk, carol.pk])).content.decode()
    assert re.search(r'<link rel="stylesheet" media="print" href="[^"]*css/appraisal_print[^"]*\.css"', html)
