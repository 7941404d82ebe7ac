"""Badges and the queue's rows, drawn in Python.

The queue shows 50 rows on every page load; through the template engine each row cost more
than the SQL that fetched the whole page (per row two ``{% url %}``, a ``blocktranslate``, an
inclusion tag for the SLA badge and some 30 variable lookups). Here the URL is reversed once,
the translated texts are looked up once per page, and every value from the database goes
through ``escape``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from html import escape

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.formats import get_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from escalation.badges import Badge
from escalation.business_time import business_seconds_between, cached_calendar_spec
from tickets.lifecycle import ACTIVE
from tickets.models import Status, Ticket, format_reference

register = template.Library()

STATUS_CLASSES = {
    "new": "text-bg-info",
    "open": "text-bg-primary",
    "pending": "text-bg-warning",
    "on_hold": "text-bg-secondary",
    "resolved": "text-bg-success",
}
PRIORITY_CLASSES = {1: "text-bg-danger", 2: "text-bg-warning"}
# The classes of escalation/_sla_badge.html (tests/tickets/test_queues.py compares the two).
SLA_CLASSES = {"overdue": "text-bg-danger", "warning": "text-bg-warning", "ok": "text-bg-success"}
SLA_OTHER_CLASSES = "text-bg-light border text-muted fw-normal"


@register.simple_tag
def status_badge(ticket: Ticket) -> SafeString:
    css = STATUS_CLASSES.get(ticket.status, "text-bg-light border")
    return format_html('<span class="badge {}" data-testid="status">{}</span>', css, ticket.get_status_display())


def sla_badge_html(badge: Badge) -> str:
    """escalation/_sla_badge.html as a string: nothing when the badge has no label."""
    if not badge.label:
        return ""
    css = SLA_CLASSES.get(badge.state, SLA_OTHER_CLASSES)
    return (
        f'<span class="badge {css}" data-testid="sla-badge" data-sla-state="{escape(badge.state)}">'
        f"{escape(str(badge.label))}</span>"
    )


class _RowTexts:
    """What the rows of every page in one language write alike, translated and escaped once per process.

    Translations and URLs do not change while the process runs; kept per language and script
    prefix (a test that overrides a setting empties the store).
    """

    def __init__(self):
        # Every ticket's URL is this one with its reference in place of the marker.
        url_before, url_after = reverse("tickets:agent_ticket", kwargs={"reference": "~"}).rsplit("~", 1)
        self.url_before, self.url_after = escape(url_before), escape(url_after)
        # "Select HD-000123", translated: escaped once, the reference (nothing to escape) goes between.
        self.select_before, self.select_after = escape(gettext("Select %(reference)s") % {"reference": "\0"}).split(
            "\0", 1
        )
        self.status_labels = {value: escape(str(label)) for value, label in Status.choices}
        self.empty = format_html('<tr><td colspan="10" class="text-muted">{}</td></tr>', gettext("No tickets here."))
        self.no_sla = sla_badge_html(Badge("none", gettext("No SLA")))
        self.paused = sla_badge_html(Badge("paused", gettext("SLA paused")))
        self.overdue, self.left = gettext("overdue by %(time)s"), gettext("%(time)s left")
        self.days_hours = gettext("%(days)d d %(hours)d h")
        self.hours_minutes = gettext("%(hours)d h %(minutes)d min")
        # The SLA badges drawn so far, by state and the time they show (see _RowBadges.badge).
        self.sla_badges: dict[tuple[str, int], str] = {}
        self.view_labels: dict[str, str] = {}  # the sidebar's, by view
        self.first_page, self.next_page = escape(gettext("First page")), escape(gettext("Next page"))


_ROW_TEXTS: dict[tuple[str | None, str], _RowTexts] = {}


def _row_texts(language: str | None = None, script_prefix: str | None = None) -> _RowTexts:
    """The texts for ``language`` and ``script_prefix``, the active ones by default (and they must be)."""
    key = (language or get_language(), script_prefix or get_script_prefix())
    texts = _ROW_TEXTS.get(key)
    if texts is None:
        texts = _ROW_TEXTS[key] = _RowTexts()
    return texts


@receiver(setting_changed)
def _forget_row_texts(**kwargs) -> None:
    _ROW_TEXTS.clear()
    _compiled_date.cache_clear()
    _local_dates.cache_clear()
    _row_parts.cache_clear()


@register.simple_tag
def queue_rows(tickets: Sequence[Ticket]) -> SafeString:
    """The ``<tr>`` of each ticket of a queue page (the columns of templates/tickets/queue.html).

    ``tickets`` come from ``queues.page``, with the names of their people, team and tags. Each
    row is its SLA badge (which moves with the clock) between two pieces that depend only on
    what the row shows: those come from ``_row_parts``, kept per process.
    """
    texts = _row_texts()
    if not tickets:
        return texts.empty
    language, prefix, zone = get_language(), get_script_prefix(), timezone.get_current_timezone()
    sla_badge = _RowBadges(timezone.now(), texts)
    rows = []
    for ticket in tickets:
        before, after = _row_parts(
            language,
            prefix,
            zone,
            ticket.pk,
            ticket.subject,
            ticket.status,
            ticket.priority,
            ticket.updated_at,
            ticket.requester_name,
            ticket.team_name,
            ticket.assignee_name,
            tuple(ticket.tag_names),
        )
        rows.append(f"{before}{sla_badge(ticket)}{after}")
    # Safe: every value from the database went through escape() (here and in _row_parts).
    return mark_safe("\n".join(rows))


# Rows of about a hundred pages of 50: a few megabytes per process.
ROW_PARTS_KEPT = 5000


@lru_cache(maxsize=ROW_PARTS_KEPT)
def _row_parts(
    language: str | None,
    script_prefix: str,
    zone: tzinfo,
    pk: int,
    subject: str,
    status: str,
    priority: int,
    updated_at: datetime,
    requester: str | None,
    team: str | None,
    assignee: str | None,
    tags: tuple[str, ...],
) -> tuple[str, str]:
    """A queue row's markup before and after its SLA cell, escaped.

    A function of its arguments alone (and of translations and URLs, which are fixed while the
    process runs, under the active ``language`` and ``script_prefix`` given here): whatever the
    row shows is an argument, so a change of any of it is another entry, never a stale one.
    Agents reload their queues far more often than its tickets change.
    """
    texts = _row_texts(language, script_prefix)
    reference = format_reference(pk)  # "HD-" and digits: nothing to escape
    url = f"{texts.url_before}{reference}{texts.url_after}"
    tag_badges = "".join(
        f' <span class="badge rounded-pill text-bg-light border fw-normal">{escape(name)}</span>' for name in tags
    )
    status_css = STATUS_CLASSES.get(status, "text-bg-light border")
    status_label = texts.status_labels.get(status) or escape(status)
    priority_css = PRIORITY_CLASSES.get(priority, "text-bg-light border")
    local_date = _local_dates(language, zone)
    before = (
        f'<tr data-queue-row data-href="{url}">'
        f'<td><input class="form-check-input" type="checkbox" name="tickets" value="{pk}" '
        f'aria-label="{texts.select_before}{reference}{texts.select_after}"></td>'
        f'<td class="text-nowrap"><a href="{url}">{reference}</a></td>'
        f"<td>{escape(subject)}{tag_badges}</td>"
        f'<td><span class="badge {status_css}" data-testid="status">{status_label}</span></td>'
        '<td class="text-nowrap">'
    )
    after = (
        "</td>"
        f'<td class="text-nowrap"><span class="badge {priority_css}">P{priority}</span></td>'
        # "—" for a missing team or assignee; a requester always has a name or an address.
        f'<td class="d-none d-md-table-cell small">{escape(requester) if requester else ""}</td>'
        f'<td class="d-none d-lg-table-cell small">{escape(team) if team else "—"}</td>'
        f'<td class="d-none d-lg-table-cell small">{escape(assignee) if assignee else "—"}</td>'
        f'<td class="d-none d-md-table-cell small text-nowrap">{local_date(updated_at)}</td>'
        "</tr>"
    )
    return before, after


@register.simple_tag
def queue_views(views: Sequence[tuple], current: str, kept_query: str) -> SafeString:
    """The sidebar's links to each view with its count (``None``: not counted), in Python.

    Seven links of some ten template nodes each cost more than the page's whole chrome.
    """
    kept = f"&amp;{escape(kept_query)}" if kept_query else ""
    labels = _row_texts().view_labels
    # Without thousand separators Django's localize() writes an integer as it is.
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    items = []
    for key, label, count in views:
        key = escape(str(key))
        text = labels.get(key)
        if text is None:
            text = labels[key] = escape(str(label))
        active = key == current
        badge = ""
        if count is not None:
            badge = (
                f'<span class="badge {"text-bg-light" if active else "text-bg-secondary"}" '
                f'data-testid="count-{key}">{escape(number(count))}</span>'
            )
        items.append(
            f"""        <li class="nav-item">
          <a class="nav-link d-flex justify-content-between gap-2{" active" if active else ""}"
             href="?view={key}{kept}"{' aria-current="page"' if active else ""}>
            <span>{text}</span>{badge}
          </a>
        </li>
"""
        )
    # Safe: every value above went through escape().
    return mark_safe("".join(items))


@register.simple_tag
def queue_pager(view: str, kept_query: str, after: str | None, next_cursor: str | None) -> SafeString:
    """The links to the first page (when not on it) and to the next one (when there is one)."""
    texts = _row_texts()
    here = f"?view={escape(str(view))}{f'&amp;{escape(kept_query)}' if kept_query else ''}"
    links = []
    if after:
        links.append(f'<a class="btn btn-sm btn-outline-secondary" href="{here}">{texts.first_page}</a>')
    if next_cursor:
        links.append(
            f'<a class="btn btn-sm btn-outline-primary" data-testid="next-page" '
            f'href="{here}&amp;after={escape(next_cursor)}">{texts.next_page}</a>'
        )
    # Safe: every value above went through escape().
    return mark_safe("".join(links))


class _RowBadges:
    """``sla_badge_html(badge_for(ticket, now))`` for the rows of one page.

    escalation/badges.py's ``badge_for`` and ``business_duration`` step by step (a test compares
    the two for every state, span, calendar and language): three gettext calls per row were a
    third of the rows' cost. A badge is a function of its state and the minutes it shows, so
    each is written once per process and language (``_RowTexts.sla_badges``).
    """

    def __init__(self, now: datetime, texts: _RowTexts | None = None):
        self.now = now
        self.texts = texts or _row_texts()
        self.specs: dict[int, object] = {}  # the calendars of a page's few policies, by policy

    def __call__(self, ticket) -> str:
        if ticket.sla_policy_id is None:
            return self.texts.no_sla
        due = ticket.sla_next_due_at
        if due is None:
            return self.texts.paused if ticket.status in ACTIVE else ""  # "stopped": no label, no badge
        spec = self.specs.get(ticket.sla_policy_id)
        if spec is None:
            spec = self.specs[ticket.sla_policy_id] = cached_calendar_spec(ticket.sla_policy.calendar)
        now = self.now
        if due <= now:
            state, start, end = "overdue", due, now
        else:
            warnings = [w for w in (ticket.first_response_warn_at, ticket.resolution_warn_at) if w is not None]
            state, start, end = ("warning" if warnings and min(warnings) <= now else "ok"), now, due
        # Around the clock business time is elapsed time (business_seconds_between's first case).
        seconds = (end - start) // _ONE_SECOND if spec.is_24x7 else business_seconds_between(spec, start, end)
        return self.badge(state, seconds // 60)

    def badge(self, state: str, minutes: int) -> str:
        if minutes >= _MINUTES_PER_DAY:
            minutes -= minutes % 60  # a day or more shows days and hours
        badges = self.texts.sla_badges
        found = badges.get((state, minutes))
        if found is None:
            texts = self.texts
            label = (texts.overdue if state == "overdue" else texts.left) % {"time": self.duration(minutes)}
            if len(badges) >= SLA_BADGES_KEPT:
                badges.clear()
            # sla_badge_html for these three states, whose names need no escaping.
            found = badges[(state, minutes)] = (
                f'<span class="badge {SLA_CLASSES[state]}" data-testid="sla-badge" data-sla-state="{state}">'
                f"{escape(label)}</span>"
            )
        return found

    def duration(self, minutes: int) -> str:
        days, rest = divmod(max(0, minutes), _MINUTES_PER_DAY)
        hours, minutes = divmod(rest, 60)
        if days:
            return self.texts.days_hours % {"days": days, "hours": hours}
        if hours:
            return self.texts.hours_minutes % {"hours": hours, "minutes": minutes}
        return ngettext("%(minutes)d min", "%(minutes)d min", minutes) % {"minutes": minutes}


_ONE_SECOND = timedelta(seconds=1)
_MINUTES_PER_DAY = 24 * 60
# Badges kept per language: every minute of a day for each state, and days beyond.
SLA_BADGES_KEPT = 20_000


# The format characters ``_date_formatter`` writes itself; any other sends it to Django's.
# Fields of the local time, as ``str.format`` replacement fields of argument 0 (written in C) …
_FIELD_FORMATS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "G": "{0.hour}",
    "i": "{0.minute:02d}",
    "s": "{0.second:02d}",
}
# … and the rest computed, with the words (a.m., noon …) already translated and escaped.
_COMPUTED_FORMATS: dict[str, Callable[[datetime, dict], str]] = {
    "y": lambda value, words: f"{value.year % 100:02d}",
    "h": lambda value, words: f"{value.hour % 12 or 12:02d}",
    "g": lambda value, words: str(value.hour % 12 or 12),
    "a": lambda value, words: words["p.m."] if value.hour > 11 else words["a.m."],
    "A": lambda value, words: words["PM"] if value.hour > 11 else words["AM"],
    "f": lambda value, words: _twelve_hour(value),
    "P": lambda value, words: (
        words["midnight"]
        if value.minute == 0 and value.hour == 0
        else words["noon"]
        if value.minute == 0 and value.hour == 12
        else f"{_twelve_hour(value)} {words['p.m.'] if value.hour > 11 else words['a.m.']}"
    ),
}
_FORMAT_CHARACTER = re.compile(r"(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])")
_ESCAPED = re.compile(r"\\(.)")


def _twelve_hour(value: datetime) -> str:
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}" if value.minute else str(hour)


@lru_cache(maxsize=64)
def _compiled_date(pattern: str, language: str | None) -> tuple | None:
    """``pattern`` as a ``str.format`` string, its computed pieces and their words; None when a
    character needs Django's formatter.

    The format string takes the local time as argument 0 and the computed pieces after it;
    its literal text is escaped, the words translated into ``language`` and escaped.
    """
    template, computed = [], []
    for position, piece in enumerate(_FORMAT_CHARACTER.split(pattern)):
        if position % 2 == 0:
            template.append(escape(_ESCAPED.sub(r"\1", piece)).replace("{", "{{").replace("}", "}}"))
        elif piece in _FIELD_FORMATS:
            template.append(_FIELD_FORMATS[piece])
        elif piece in _COMPUTED_FORMATS:
            computed.append(_COMPUTED_FORMATS[piece])
            template.append(f"{{{len(computed)}}}")
        else:
            return None
    words = {word: escape(gettext(word)) for word in ("a.m.", "p.m.", "AM", "PM", "midnight", "noon")}
    return "".join(template), tuple(computed), words


@lru_cache(maxsize=64)
def _local_dates(language: str | None, zone: tzinfo) -> Callable[[datetime | None], str]:
    """The rows' date writer for a language (the active one) and a time zone."""
    return _date_formatter(get_format("SHORT_DATETIME_FORMAT", lang=language), zone, language)


def _date_formatter(pattern: str, zone: tzinfo, language: str | None = None) -> Callable[[datetime | None], str]:
    """What ``{{ value|date:pattern }}`` prints in ``zone``, escaped; "" for None.

    The same text as Django's ``dateformat.format`` (tests/tickets/test_queues.py compares them)
    at a fraction of its cost: the pattern becomes a ``str.format`` string once per language;
    the rest is digits.
    """
    compiled = _compiled_date(pattern, language or get_language())
    if compiled is None:
        return lambda value: "" if value is None else escape(format_date(value.astimezone(zone), pattern))
    template, computed, words = compiled
    render = template.format

    def local_date(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(zone)
        if not computed:
            return render(local)
        return render(local, *[write(local, words) for write in computed])

    return local_date
