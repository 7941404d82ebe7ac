from django.urls import path

from tickets.views import (
    agent,
    attachments,
    bulk,
    checklists,
    escalation,
    guest,
    intake,
    participants,
    queues,
    requester,
    search,
    survey,
)

app_name = "tickets"

urlpatterns = [
    path("submit/", requester.submit, name="submit"),
    path("my/", requester.my_tickets, name="my_tickets"),
    path("my/tickets/<str:reference>/", requester.my_ticket, name="my_ticket"),
    path("my/tickets/<str:reference>/close/", requester.my_ticket_close, name="my_ticket_close"),
    path("my/tickets/<str:reference>/rate/", requester.my_ticket_rate, name="my_ticket_rate"),
    path("t/<str:token>/", guest.track, name="track"),
    path("t/<str:token>/close/", guest.track_close, name="track_close"),
    path("t/<str:token>/rate/", guest.track_rate, name="track_rate"),
    path("t/<str:token>/files/<int:attachment_id>/", guest.track_attachment, name="track_attachment"),
    path("files/<int:attachment_id>/", attachments.download, name="attachment"),
    path("survey/<str:token>/", survey.survey, name="survey"),
    path("agent/", queues.agent_queue, name="agent_queue"),
    path("agent/search/", search.agent_search, name="agent_search"),
    path("agent/bulk/", bulk.agent_bulk, name="agent_bulk"),
    path("agent/new/", intake.agent_new_ticket, name="agent_new_ticket"),
    path("agent/requesters/", intake.agent_requester_search, name="agent_requester_search"),
    path("agent/tickets/<str:reference>/", agent.agent_ticket, name="agent_ticket"),
    path("agent/tickets/<str:reference>/reply/", agent.agent_reply, name="agent_reply"),
    path("agent/tickets/<str:reference>/fields/", agent.agent_fields, name="agent_fields"),
    path("agent/tickets/<str:reference>/take/", agent.agent_take, name="agent_take"),
    path("agent/tickets/<str:reference>/reopen/", agent.agent_reopen, name="agent_reopen"),
    path("agent/tickets/<str:reference>/reply-template/", agent.agent_reply_template, name="agent_reply_template"),
    path("agent/tickets/<str:reference>/preview/", agent.agent_reply_preview, name="agent_reply_preview"),
    path("agent/tickets/<str:reference>/link/", agent.agent_link, name="agent_link"),
    path("agent/tickets/<str:reference>/merge/", agent.agent_merge, name="agent_merge"),
    path("agent/tickets/<str:reference>/participants/", participants.participant_add, name="participant_add"),
    path(
        "agent/tickets/<str:reference>/participants/<int:pk>/remove/",
        participants.participant_delete,
        name="participant_remove",
    ),
    path(
        "agent/tickets/<str:reference>/checklist/<int:item_id>/",
        checklists.agent_checklist_tick,
        name="agent_checklist_tick",
    ),
    path("agent/tickets/<str:reference>/escalate/", escalation.escalation_new, name="escalation_new"),
    path(
        "agent/tickets/<str:reference>/escalations/<int:pk>/send-back/",
        escalation.escalation_return,
        name="escalation_send_back",
    ),
]
