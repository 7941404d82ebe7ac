"""Quality review and scorecard pages.

Reviewers under /manage/reviews/, the agent's own reviews under /agent/me/reviews/, scorecards
under /manage/scorecards/. Every view starts with one access line: ``_reviewable`` (``may_review``),
``_own_review`` (``may_reply``: anyone else's is not found), ``_scorecard`` (``may_view_scorecard``,
``may_edit_scorecard`` to change it). Writes go through ``kpis/reviews.py`` and
``kpis/scorecard_services.py``; a refusal they raise becomes a form error with its status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, Team
from accounts.permissions import managed_teams
from helpdesk.errors import ApplicationError
from kpis import reviews
from kpis import scorecard_services as scorecards
from kpis.forms_reviews import (
    AppointForm,
    ReplyForm,
    ReviewDrawForm,
    ReviewFilterForm,
    ReviewForm,
    ScorecardForm,
    ScorecardItemForm,
)
from kpis.metrics import METRICS
from kpis.models import QualityReview, ReviewerAppointment, Scorecard, ScorecardItem


def _add_error(form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


# --- reviewers ------------------------------------------------------------------------------


def _reviewable(request, pk: int) -> QualityReview:
    review = get_object_or_404(
        QualityReview.objects.select_related("ticket", "agent", "team", "reviewer", "resolution_event"), pk=pk
    )
    if not reviews.may_review(request.user, review):
        raise PermissionDenied
    return review


def _require_reviewer(request) -> None:
    if not (request.user.has_role(Role.MANAGER) or reviews.reviewable_teams(request.user).exists()):
        raise PermissionDenied


@login_required
def review_queue(request):
    _require_reviewer(request)
    teams = reviews.reviewable_teams(request.user).order_by("name")
    filters = ReviewFilterForm(request.GET or None, teams=teams, agents=reviews.reviewed_agents(request.user))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    done = chosen.get("state") == "done"
    queue = reviews.review_queue(
        request.user, done=done, team=chosen.get("team"), agent=chosen.get("agent"), reason=chosen.get("reason")
    )[:200]
    first, last = reviews.previous_month(timezone.localdate())
    draw_form = None
    if request.user.has_role(Role.MANAGER):
        draw_form = ReviewDrawForm(initial={"first_day": first, "last_day": last})
    context = {"filters": filters, "queue": queue, "done": done, "draw_form": draw_form}
    return render(request, "kpis/review_queue.html", context)


@login_required
@require_POST
def review_draw(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    form = ReviewDrawForm(request.POST)
    if form.is_valid():
        try:
            drawn = reviews.review_draw(
                form.cleaned_data["first_day"], form.cleaned_data["last_day"], acting_user=request.user
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s resolutions were drawn for review.") % {"count": drawn})
    else:
        messages.error(request, _("Choose the first and last day to draw."))
    return redirect("kpis_reviews:queue")


@login_required
def review_detail(request, pk: int):
    review = _reviewable(request, pk)
    initial = {name: str(getattr(review, name)) for name in reviews.SCORES if getattr(review, name)}
    form = ReviewForm(request.POST or None, initial={**initial, "comment": review.comment})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.review_submit(
                    review, **{name: form.cleaned_data[name] for name in reviews.SCORES},
                    comment=form.cleaned_data["comment"], acting_user=request.user,
                )  # fmt: skip
            except ApplicationError as error:
                _add_error(form, error)
                status = error.status_code
            else:
                messages.success(
                    request, _("The review of %(ticket)s was saved.") % {"ticket": review.ticket.reference}
                )
                return redirect("kpis_reviews:queue")
        else:
            status = 400
    context = {"review": review, "form": form, **reviews.review_ticket_summary(review)}
    return render(request, "kpis/review_detail.html", context, status=status)


@login_required
def reviewer_list(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    teams = managed_teams(request.user).order_by("name")
    form = AppointForm(request.POST or None, teams=teams, agents=reviews.appointable_agents(teams))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.reviewer_appoint(form.cleaned_data["team"], form.cleaned_data["user"], acting_user=request.user)
            except ApplicationError as error:
                _add_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("The reviewer was appointed."))
                return redirect("kpis_reviews:reviewers")
        else:
            status = 400
    context = {"form": form, "appointments": reviews.appointments_for_manager(request.user)}
    return render(request, "kpis/review_reviewers.html", context, status=status)


@login_required
@require_POST
def reviewer_remove(request, pk: int):
    appointment = get_object_or_404(ReviewerAppointment.objects.select_related("team", "reviewer"), pk=pk)
    if not reviews.may_appoint_reviewers(request.user, appointment.team):
        raise PermissionDenied
    reviews.reviewer_remove(appointment.team, appointment.reviewer, acting_user=request.user)
    messages.success(
        request, _("%(name)s no longer reviews %(team)s.") % {"name": appointment.reviewer, "team": appointment.team}
    )
    return redirect("kpis_reviews:reviewers")


# --- the agent's own ------------------------------------------------------------------------


def _own_review(request, pk: int) -> QualityReview:
    """The agent's pages show their own reviewed tickets only: anyone else's is not found."""
    review = get_object_or_404(reviews.reviews_for_agent(request.user).select_related("resolution_event"), pk=pk)
    if not reviews.may_reply(request.user, review):
        raise Http404
    return review


@login_required
def my_reviews(request):
    if not request.user.works_tickets:
        raise PermissionDenied
    return render(request, "kpis/review_my_list.html", {"reviews": reviews.reviews_for_agent(request.user)})


@login_required
def my_review(request, pk: int):
    review = _own_review(request, pk)
    form = ReplyForm(request.POST or None, initial={"text": review.agent_reply})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reviews.review_reply(review, text=form.cleaned_data["text"], acting_user=request.user)
            except ApplicationError as error:
                _add_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Your reply was saved."))
                return redirect("kpis_reviews:my_review", pk=review.pk)
        else:
            status = 400
    return render(request, "kpis/review_my_detail.html", {"review": review, "form": form}, status=status)


# --- scorecards -----------------------------------------------------------------------------


def _scorecard(request, pk: int, *, edit: bool = False) -> Scorecard:
    scorecard = get_object_or_404(Scorecard.objects.select_related("team"), pk=pk)
    allowed = scorecards.may_edit_scorecard if edit else scorecards.may_view_scorecard
    if not allowed(request.user, scorecard):
        raise PermissionDenied
    return scorecard


@login_required
def scorecard_list(request):
    if not request.user.has_role(Role.MANAGER):
        raise PermissionDenied
    default, teams = scorecards.scorecards_for_manager(request.user)
    return render(request, "kpis/scorecard_list.html", {"default": default, "teams": teams})


@login_required
def scorecard_new(request):
    team_id = request.GET.get("team", "")
    team = get_object_or_404(Team, pk=int(team_id)) if team_id.isdigit() else None
    if team is None:
        raise Http404
    if not scorecards.may_create_scorecard(request.user, team):
        raise PermissionDenied
    if request.method == "POST":
        try:
            scorecard = scorecards.scorecard_create_for_team(team, acting_user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("kpis_reviews:scorecards")
        messages.success(request, _("%(team)s has its own scorecard now, copied from the default.") % {"team": team})
        return redirect("kpis_reviews:scorecard", pk=scorecard.pk)
    return render(request, "kpis/scorecard_new.html", {"team": team})


def _item_form(item: ScorecardItem, data=None) -> ScorecardItemForm:
    initial = {
        field: getattr(item, field)
        for field in ("metric", "weight", "target", "floor", "direction", "min_sample", "position")
    }
    return ScorecardItemForm(data, initial=initial, prefix=f"item-{item.pk}")


def _scorecard_page(request, scorecard: Scorecard, *, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    editable = scorecards.may_edit_scorecard(request.user, scorecard)
    rows = []
    for item in scorecard.items.all():
        metric = METRICS.get(item.metric)
        rows.append(
            {
                "item": item,
                "metric": metric,
                "form": forms.get(item.pk) or _item_form(item),
            }
        )
    context = {
        "scorecard": scorecard,
        "editable": editable,
        "rows": rows,
        "balance": scorecards.scorecard_balance(scorecard),
        "total_weight": sum(row["item"].weight for row in rows),
        "add_form": forms.get("add") or ScorecardItemForm(prefix="add"),
        "card_form": forms.get("card")
        or ScorecardForm(initial={"name": scorecard.name, "bands": ScorecardForm.bands_text(scorecard.bands)}),
    }
    return render(request, "kpis/scorecard_detail.html", context, status=status)


@login_required
def scorecard_detail(request, pk: int):
    """GET: the scorecard; POST: add an item."""
    if request.method != "POST":
        return _scorecard_page(request, _scorecard(request, pk))
    scorecard = _scorecard(request, pk, edit=True)
    form = ScorecardItemForm(request.POST, prefix="add")
    if form.is_valid():
        try:
            scorecards.scorecard_item_add(scorecard, **form.cleaned_data, acting_user=request.user)
        except ApplicationError as error:
            _add_error(form, error)
            return _scorecard_page(request, scorecard, forms={"add": form}, status=error.status_code)
        messages.success(request, _("The item was added."))
        return redirect("kpis_reviews:scorecard", pk=scorecard.pk)
    return _scorecard_page(request, scorecard, forms={"add": form}, status=400)


@login_required
@require_POST
def scorecard_settings(request, pk: int):
    scorecard = _scorecard(request, pk, edit=True)
    form = ScorecardForm(request.POST)
    if form.is_valid():
        try:
            scorecards.scorecard_update(
                scorecard, name=form.cleaned_data["name"], bands=form.cleaned_data["bands"], acting_user=request.user
            )
        except ApplicationError as error:
            _add_error(form, error)
            return _scorecard_page(request, scorecard, forms={"card": form}, status=error.status_code)
        messages.success(request, _("The scorecard was saved."))
        return redirect("kpis_reviews:scorecard", pk=scorecard.pk)
    return _scorecard_page(request, scorecard, forms={"card": form}, status=400)


@login_required
@require_POST
def scorecard_item(request, pk: int, item_id: int):
    scorecard = _scorecard(request, pk, edit=True)
    item = get_object_or_404(ScorecardItem, pk=item_id, scorecard=scorecard)
    if "remove" in request.POST:
        scorecards.scorecard_item_remove(item, acting_user=request.user)
        messages.success(request, _("The item was removed."))
        return redirect("kpis_reviews:scorecard", pk=scorecard.pk)
    form = _item_form(item, request.POST)
    if form.is_valid():
        data = {**form.cleaned_data}
        if data["position"] is None:
            data["position"] = item.position
        try:
            scorecards.scorecard_item_update(item, **data, acting_user=request.user)
        except ApplicationError as error:
            _add_error(form, error)
            return _scorecard_page(request, scorecard, forms={item.pk: form}, status=error.status_code)
        messages.success(request, _("The item was saved."))
        return redirect("kpis_reviews:scorecard", pk=scorecard.pk)
    return _scorecard_page(request, scorecard, forms={item.pk: form}, status=400)
