"""Every change to a ticket goes through one of these functions (see STYLE.md)."""

from tickets.services.assignment import ticket_assign, ticket_change_team
from tickets.services.bulk import BulkAction, BulkResult, bulk_apply
from tickets.services.checklists import ChecklistIncomplete, checklist_tick
from tickets.services.classification import (
    ticket_change_category,
    ticket_change_complexity,
    ticket_change_priority,
    ticket_change_type,
    ticket_set_tags,
)
from tickets.services.creation import guest_requester, ticket_create, ticket_create_by_guest, ticket_verify_requester
from tickets.services.links import ticket_link
from tickets.services.merge import ticket_merge
from tickets.services.messages import ReplyResult, ticket_add_note, ticket_reply
from tickets.services.participants import participant_remove, participants_add
from tickets.services.satisfaction import portal_survey, satisfaction_answer, satisfaction_answer_in_portal
from tickets.services.status import (
    auto_close_resolved,
    ticket_change_status,
    ticket_close,
    ticket_reopen,
    ticket_resolve,
)

__all__ = [
    "BulkAction",
    "BulkResult",
    "ChecklistIncomplete",
    "ReplyResult",
    "auto_close_resolved",
    "bulk_apply",
    "checklist_tick",
    "guest_requester",
    "participant_remove",
    "participants_add",
    "portal_survey",
    "satisfaction_answer",
    "satisfaction_answer_in_portal",
    "ticket_add_note",
    "ticket_assign",
    "ticket_change_category",
    "ticket_change_complexity",
    "ticket_change_priority",
    "ticket_change_status",
    "ticket_change_team",
    "ticket_change_type",
    "ticket_close",
    "ticket_create",
    "ticket_create_by_guest",
    "ticket_link",
    "ticket_merge",
    "ticket_reopen",
    "ticket_reply",
    "ticket_resolve",
    "ticket_set_tags",
    "ticket_verify_requester",
]
