"""The satisfaction survey behind the signed link in the resolution e-mail."""

from __future__ import annotations

from django.shortcuts import render

from helpdesk.errors import ApplicationError
from helpdesk.middleware import private_link
from tickets.forms import SurveyForm
from tickets.services.satisfaction import already_answered, resolution_from_token, satisfaction_answer


@private_link
def survey(request, token: str):
    # A GET only shows the form (mail scanners follow links); the answer needs the POST.
    try:
        event = resolution_from_token(token)
    except ApplicationError as error:
        return render(request, "tickets/survey_invalid.html", {"message": error.message}, status=400)
    answered_page = ("tickets/survey_thanks.html", {"ticket": event.ticket, "again": True})
    if already_answered(event):
        return render(request, *answered_page, status=409)
    initial = {"score": request.GET.get("score")} if request.GET.get("score") in {"1", "2", "3", "4", "5"} else {}
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            satisfaction_answer(token, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ApplicationError as error:
            status = getattr(error, "status_code", 400)
            if status == 409:
                return render(
                    request, "tickets/survey_thanks.html", {"ticket": event.ticket, "again": True}, status=409
                )
            form.add_service_error(error)
        else:
            return render(request, "tickets/survey_thanks.html", {"ticket": event.ticket})
    return render(request, "tickets/survey.html", {"form": form, "ticket": event.ticket})
