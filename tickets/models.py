"""Tickets, their thread and their immutable event log.

Every change goes through ``tickets/services``; the fact columns on :class:`Ticket`
(``first_response_at`` ... ``last_public_activity_at``) are written by those services in the
same transaction as the event that justifies them, so KPIs can read them without recounting.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from helpdesk.append_only import AppendOnly, AppendOnlyError
from helpdesk.names import LocalizedName

# The SLA models are models of this app; importing them here registers them.
from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingInterval  # noqa: F401

REFERENCE_PREFIX = "HD-"


class CategoryQuerySet(models.QuerySet):
    def in_tree_order(self) -> CategoryQuerySet:
        """Each parent, then its children by name ("Hardware", "Hardware › Printers", …).

        The tree is two levels deep (a root and its children), so a child sorts under its
        parent's name and after the parent itself.
        """
        return self.select_related("parent").order_by(
            Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name"
        )


class Category(LocalizedName, models.Model):
    """A node in the category tree (Hardware › Printers ...)."""

    name = models.CharField(_("name"), max_length=120)
    name_zh_hans = models.CharField(_("Chinese name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            # NULL parents never clash in a plain unique constraint, so compare with 0 instead.
            models.UniqueConstraint(Coalesce("parent", 0), "name", name="category_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} › {self.display_name}" if self.parent_id else self.display_name


TAG_MAX_CHARS = 50


def tag_slug(name: str) -> str:
    """A tag as it is stored: a slug (Chinese kept), cut to length; "" when nothing is left of it."""
    return slugify((name or "").strip(), allow_unicode=True)[:TAG_MAX_CHARS]


def tag_slugs(names: Iterable[str]) -> list[str]:
    """The tags ``names`` stand for, each once, sorted; names that leave nothing are dropped."""
    return sorted({tag_slug(name) for name in names} - {""})


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=TAG_MAX_CHARS, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending (waiting on requester)")
    ON_HOLD = "on_hold", _("On hold (waiting on a third party)")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    MONITORING = "monitoring", _("Monitoring")
    SCHEDULED = "scheduled", _("Scheduled")


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    QUESTION = "question", _("Question")
    FEEDBACK = "feedback", _("Feedback")
    MAINTENANCE = "maintenance", _("Maintenance")


class Impact(models.IntegerChoices):
    """How many people it affects, in the requester's words (1 is the widest)."""

    ORGANISATION = 1, _("The whole organisation or many people")
    GROUP = 2, _("My team or several people")
    PERSON = 3, _("Just me")


class Urgency(models.IntegerChoices):
    """How soon it hurts, in the requester's words (1 is the most urgent)."""

    BLOCKED = 1, _("I cannot work at all")
    DEGRADED = 2, _("It slows my work down")
    CAN_WAIT = 3, _("It can wait / there is a workaround")


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 – critical")
    P2 = 2, _("P2 – high")
    P3 = 3, _("P3 – medium")
    P4 = 4, _("P4 – low")


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", _("Fixed")
    WORKAROUND = "workaround", _("Workaround given")
    ANSWERED = "answered", _("Question answered")
    FULFILLED = "fulfilled", _("Request fulfilled")
    DUPLICATE = "duplicate", _("Duplicate")
    NO_FAULT = "no_fault", _("No fault found")
    USER_CANCELLED = "cancelled", _("Cancelled by requester")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


ACTIVE_TICKETS = Q(status__in=["new", "open", "pending", "on_hold"])
# The sort orders of the queues, each ending in the unique id for keyset pagination.
QUEUE_ORDERS = {
    "prio": ["priority", "created_at", "id"],
    "upd": ["updated_at", "id"],
    "new": ["created_at", "id"],
    "due": ["sla_next_due_at", "id"],
}


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=50_000)
    description_html = models.TextField(editable=False)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    # Copied from the requester at creation: a ticket stays with the organisation it was raised for.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    # The requester's choice when raising it (default: the organisation's setting): colleagues in
    # ``organisation`` see the ticket only when this is on (tickets/permissions.py).
    shared_with_organisation = models.BooleanField(
        _("shared with the organisation"),
        default=False,
        help_text=_("Colleagues in the requester's organisation may read and follow this request."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    type = models.CharField(_("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.PERSON)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.DEGRADED)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)
    priority_reason = models.CharField(
        _("reason for the priority override"), max_length=500, blank=True, help_text=_("Empty when computed.")
    )
    complexity = models.PositiveSmallIntegerField(
        _("complexity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (trivial) to 5 (very complex), set by the agent; weights workload."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    resolution_code = models.CharField(_("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True)
    resolution_summary = models.TextField(_("resolution summary"), max_length=10_000, blank=True)
    external_reference = models.CharField(_("external reference"), max_length=100, null=True, blank=True, unique=True)
    access_token = models.CharField(max_length=64, unique=True, default=new_access_token, editable=False)
    # False while a guest's request names the address of an existing account: until the link in
    # the confirmation e-mail is opened (or that user signs in and opens it), the account's lists
    # do not show the ticket.
    requester_verified = models.BooleanField(_("requester verified"), default=True)

    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    # Facts written by the services together with their events (see module docstring).
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_resolved_at = models.DateTimeField(_("first resolved"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    escalation_count = models.PositiveIntegerField(_("escalations"), default=0)
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)
    last_public_activity_at = models.DateTimeField(_("last public activity"))
    # Bumped by every change: a form saved from a stale copy is refused, not applied.
    version = models.PositiveIntegerField(default=1)
    # SLA clocks (tickets/sla/clocks.py): the policy that applies, and per clock the business
    # seconds used up before the running stretch began at ``sla_running_since`` (None: stopped or
    # paused). Due and warning times are set only while a clock runs, so the scan's partial
    # indexes hold just the tickets it may have to act on.
    sla_policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    sla_running_since = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_used_s = models.PositiveIntegerField(default=0, editable=False)
    resolution_used_s = models.PositiveIntegerField(default=0, editable=False)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The earlier of the two due times: what "breaching soon" and the SLA sort order by.
    sla_next_due_at = models.DateTimeField(_("SLA due"), null=True, blank=True, editable=False)
    # Subject (A), description (B), public replies (C), internal notes (D); Chinese segmented into
    # words by tickets/search.py. Requesters never search weight D.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["requester", "-last_public_activity_at"], name="ticket_requester_activity_idx"),
            # KPI recurrence: the same requester's tickets opened within days of a resolution.
            models.Index(fields=["requester", "created_at"], name="ticket_requester_created_idx"),
            # KPI backlog at a period's end: tickets not finished by then (kpis/figures.py).
            models.Index(Coalesce("resolved_at", "closed_at"), name="ticket_finished_idx"),
            models.Index(fields=["organisation", "-last_public_activity_at"], name="ticket_org_activity_idx"),
            # Queue pages (tickets/queues.py): one index per view and sort order, on the active
            # tickets only; PostgreSQL reads them backwards for the descending sorts.
            *(
                models.Index(fields=[owner, *order], name=f"ticket_{owner}_{label}_act_idx", condition=ACTIVE_TICKETS)
                for owner in ("team", "assignee")
                for label, order in QUEUE_ORDERS.items()
            ),
            *(models.Index(fields=order, name=f"ticket_{label}_idx") for label, order in QUEUE_ORDERS.items()),
            # Agents in several teams: "team IN (…)" cannot read a per-team index in sort order,
            # so these walk the active tickets in order and skip other teams'.
            *(
                models.Index(fields=order, name=f"ticket_{label}_act_idx", condition=ACTIVE_TICKETS)
                for label, order in QUEUE_ORDERS.items()
            ),
            # Sidebar counts: "team IN (…) OR assignee = me" over the active tickets, index-only.
            models.Index(fields=["team", "assignee", "status"], name="ticket_counts_act_idx", condition=ACTIVE_TICKETS),
            models.Index(fields=["resolved_at"], name="ticket_resolved_open_idx", condition=Q(status="resolved")),
            # The deflection report counts the web form's tickets of a period (knowledge/reports.py).
            models.Index(fields=["created_at"], name="ticket_web_created_idx", condition=Q(channel="web")),
            # The words, and the id (btree_gin) for search's "newest tickets first" windows.
            GinIndex(fields=["search_vector", "id"], name="ticket_search_id_idx"),
            models.Index(
                fields=["sla_running_since"],
                name="ticket_sla_since_idx",
                condition=Q(sla_running_since__isnull=False),
            ),
            # The SLA scan reads only running clocks (escalation/scan.py).
            *(
                models.Index(
                    fields=[column], name=f"ticket_sla_{short}_idx", condition=Q(**{f"{column}__isnull": False})
                )
                for short, column in (
                    ("frdue", "first_response_due_at"),
                    ("frwarn", "first_response_warn_at"),
                    ("resdue", "resolution_due_at"),
                    ("reswarn", "resolution_warn_at"),
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_range"),
            models.CheckConstraint(
                condition=Q(complexity__isnull=True) | Q(complexity__gte=1, complexity__lte=5),
                name="ticket_complexity_range",
            ),
            models.CheckConstraint(condition=~Q(subject=""), name="ticket_subject_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return format_reference(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status not in {Status.RESOLVED, Status.CLOSED}


def format_reference(number: int | None) -> str:
    return f"{REFERENCE_PREFIX}{number:06d}" if number else ""


def parse_reference(reference: str) -> int | None:
    """``HD-000123`` (any case, zeros optional) to 123; None when it is not a reference."""
    text = reference.strip().upper()
    if not text.startswith(REFERENCE_PREFIX):
        return None
    digits = text[len(REFERENCE_PREFIX) :]
    # isascii: "²" and other Unicode digits pass isdigit() but are not numbers int() accepts.
    return int(digits) if digits.isascii() and digits.isdigit() and 0 < int(digits) < 2**63 else None


class LinkKind(models.TextChoices):
    DUPLICATE_OF = "duplicate_of", _("duplicate of")
    RELATED_TO = "related_to", _("related to")
    CAUSED_BY = "caused_by", _("caused by")
    FOLLOW_UP_OF = "follow_up_of", _("follow-up of")


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="ticket_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{format_reference(self.source_id)} {self.kind} {format_reference(self.target_id)}"


class Message(models.Model):
    """A public reply or an internal note in a ticket's thread."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="ticket_messages"
    )
    is_public = models.BooleanField(_("public"), default=True)
    # Automatic messages (acknowledgements) never count as a first response.
    is_automatic = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=50_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.reference} message {self.pk}"


class Participant(models.Model):
    """Someone besides the requester who follows a ticket: receives its public replies and may answer.

    People in Cc of the e-mail that opened a ticket become participants; an agent sees and can
    remove them. ``user`` is set when the address belongs to an account.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="participants")
    email = models.EmailField(_("e-mail address"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(Lower("email"), "ticket", name="participant_once_per_ticket"),
        ]

    def __str__(self) -> str:
        return self.email


class ChecklistItem(models.Model):
    """One step of a ticket's checklist (maintenance runs): all must be ticked before it is resolved."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checklist_items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(_("step"), max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [models.UniqueConstraint(fields=["ticket", "position"], name="checklist_position_unique")]

    def __str__(self) -> str:
        return self.text


def attachment_path(instance: Attachment, filename: str) -> str:
    # Generated names only: the user's file name is kept in the database, never on disk.
    return f"attachments/{instance.created_at:%Y/%m}/{secrets.token_hex(16)}{instance.extension}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="attachments")
    # None: sent with the request itself (its description).
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    REPLIED = "replied", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assignee changed")
    TEAM_CHANGED = "team_changed", _("Team changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    CATEGORY_CHANGED = "category_changed", _("Category changed")
    TYPE_CHANGED = "type_changed", _("Type changed")
    COMPLEXITY_CHANGED = "complexity_changed", _("Complexity changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    LINKED = "linked", _("Linked")
    RESOLVED = "resolved", _("Resolved")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")
    ESCALATED = "escalated", _("Escalated")
    ESCALATION_RETURNED = "escalation_returned", _("Escalation sent back")
    MERGED = "merged", _("Merged")
    SLA_POLICY_CHANGED = "sla_policy_changed", _("SLA policy changed")
    SLA_PAUSED = "sla_paused", _("SLA clock paused")
    SLA_RESUMED = "sla_resumed", _("SLA clock resumed")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
    SLA_MET = "sla_met", _("SLA target met")
    SLA_MISSED = "sla_missed", _("SLA target missed")
    SATISFACTION = "satisfaction", _("Satisfaction answer")
    ARTICLE_LINKED = "article_linked", _("Knowledge article linked")
    ARTICLE_UNLINKED = "article_unlinked", _("Knowledge article unlinked")


class ImmutableEventError(AppendOnlyError):
    pass


class TicketEvent(AppendOnly, models.Model):
    """One row per change, never updated or deleted (also enforced by a database trigger).

    ``team``, ``assignee`` and ``category`` are the ticket's once the event has taken effect (for
    ``team_changed``, ``assigned`` and ``category_changed``, the new ones), so that KPIs attribute
    each event without replaying the log. ``seq`` is assigned by the database (a sequence read in a
    trigger, under a shared advisory lock held until commit; see ``kpis/cursor.py``): strictly
    increasing, the KPI engine's incremental cursor. ``counts_at`` is set on SLA outcomes only:
    the moment the outcome counts in the KPI figures (see ``tickets/events.py``).
    """

    refusal, refusal_message = ImmutableEventError, "ticket events are immutable"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="events")
    seq = models.BigIntegerField(unique=True, editable=False, db_default=models.Value(0))
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()
    counts_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_created_idx"),
            models.Index(fields=["ticket", "seq"], name="event_ticket_seq_idx"),
            # A ticket's state at an event (category, type, complexity): its latest setter by kind.
            models.Index(fields=["ticket", "kind", "seq"], name="event_ticket_kind_seq_idx"),
            models.Index(fields=["team", "kind", "created_at"], name="event_team_kind_created_idx"),
            models.Index(fields=["assignee", "kind", "created_at"], name="event_agent_kind_created_idx"),
            # Also the actor's foreign key index; and a user's last action is one step down it
            # (the sidebar counts' cache key, tickets/queues.py).
            models.Index(fields=["actor", "id"], name="event_actor_id_idx"),
            # A period's SLA outcomes, however late a miss was settled (kpis/figures.py).
            models.Index(
                fields=["counts_at"],
                name="event_sla_counts_idx",
                condition=models.Q(kind__in=["sla_met", "sla_missed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id}"


class SatisfactionAnswer(models.Model):
    """The requester's rating of one resolution (one answer per resolution)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="satisfaction_answers")
    resolution_event = models.OneToOneField(TicketEvent, on_delete=models.PROTECT, related_name="satisfaction")
    # Who resolved: CSAT is attributed to them (docs/kpis.md), even if the ticket moves on.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(max_length=5_000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="satisfaction_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for {format_reference(self.ticket_id)}"

    def clean(self):
        if not 1 <= (self.score or 0) <= 5:
            raise ValidationError({"score": _("Choose a score from 1 to 5.")})


# --- Manual escalation: vendors and handovers (tickets/services/escalation.py) ----------------


class Vendor(models.Model):
    """An outside supplier a ticket can be escalated to, with who to call and under which contract."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contract_reference = models.CharField(_("contract reference"), max_length=100, blank=True)
    contract_notes = models.TextField(_("contract notes"), max_length=5_000, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        db_table = "escalation_vendor"  # kept from the escalation app (migration 0015)
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.name


class EscalationQuerySet(models.QuerySet):
    def open(self) -> EscalationQuerySet:
        """Not sent back yet: the coordinator still follows the ticket."""
        return self.filter(returned_at__isnull=True)

    def latest_open(self) -> Escalation | None:
        """The handover the receiving team reads first (templates call it without arguments)."""
        return self.open().select_related("from_team", "to_team", "vendor", "escalated_by").first()


class Escalation(models.Model):
    """A ticket handed to another team or to a vendor, with the handover note that went with it.

    The agent who escalated stays coordinator until it is sent back: they keep seeing and working
    the ticket (tickets/permissions.py) and find it under "escalated by me".
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.PROTECT, related_name="escalations"
    )
    from_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("from team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_out",
    )
    to_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("to team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_in",
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, null=True, blank=True, related_name="escalations"
    )
    vendor_reference = models.CharField(_("vendor's reference"), max_length=100, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        # None: an escalation rule moved the ticket; nobody coordinates it.
        null=True,
        blank=True,
        related_name="escalations_coordinated",
    )
    symptoms = models.TextField(_("symptoms"), max_length=10_000)
    tried = models.TextField(_("what was tried"), max_length=10_000)
    diagnostics = models.TextField(_("diagnostics"), max_length=10_000)
    created_at = models.DateTimeField(_("escalated"))
    returned_at = models.DateTimeField(_("sent back"), null=True, blank=True)
    return_reason = models.TextField(_("reason for sending back"), max_length=5_000, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        db_table = "escalation_escalation"  # kept from the escalation app (migration 0015)
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            # "Escalated by me" and the coordinator's access: the open ones per person.
            models.Index(
                fields=["escalated_by", "ticket"],
                name="escalation_open_coord_idx",
                condition=Q(returned_at__isnull=True),
            ),
            models.Index(fields=["from_team", "created_at"], name="escalation_from_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_team__isnull=True, vendor__isnull=False) | Q(to_team__isnull=False, vendor__isnull=True),
                name="escalation_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"escalation {self.pk} of ticket {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def receiving_team_id(self) -> int | None:
        """Who may send it back: the team it went to, or for a vendor the team that still holds it."""
        return self.to_team_id or self.from_team_id
