"""Demo feedback items: product areas, needs raised by the demo agents from demo tickets,
some with several tickets and requesters, in every status (one shipped).

Written through the services, so counts, history and notices are those of real items; no
e-mail is queued (the demo requesters' addresses are made up). Idempotent: an area or an item
whose name or title already exists is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import MANAGER, STAFF_DOMAIN
from accounts.models import User
from accounts.permissions import visible
from feedback.models import FeedbackItem, FeedbackStatus, ProductArea
from feedback.services import feedback_change_status, feedback_link, feedback_raise
from notifications.outbox import silenced
from tickets.demo import demo_tickets

DEFAULT_SEED = 20261206

AREAS = [
    ("Reports", "报表"),
    ("Mobile app", "移动应用"),
    ("Single sign-on", "单点登录"),
    ("Printing", "打印"),
]


@dataclass(frozen=True)
class DemoItem:
    title: str
    description: str
    area: str | None
    raiser: str  # login of the demo agent
    tickets: int  # how many demo tickets link to it
    statuses: tuple[str, ...]  # the status changes after raising, in order


ITEMS = [
    DemoItem(
        "Export reports to Excel",
        "Requesters copy the monthly usage report into spreadsheets by hand. "
        "An .xlsx download would save them an hour a month.",
        "Reports",
        "carol.agent",
        6,
        (FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED, FeedbackStatus.SHIPPED),
    ),
    DemoItem(
        "Stay signed in on the mobile app",
        "The app asks for the password every morning; people give up and call the desk instead.",
        "Mobile app",
        "carol.agent",
        4,
        (FeedbackStatus.UNDER_REVIEW, FeedbackStatus.PLANNED),
    ),
    DemoItem(
        "单点登录后自动跳转回原页面",
        "登录后总是回到首页，用户需要重新找到刚才打开的链接。",
        "Single sign-on",
        "li.wei",
        3,
        (FeedbackStatus.UNDER_REVIEW,),
    ),
    DemoItem("Print double-sided by default", "", "Printing", "carol.agent", 2, ()),
    DemoItem(
        "Dark mode for the portal",
        "Asked for a few times; the product team prefers to follow the operating system setting.",
        None,
        "li.wei",
        1,
        (FeedbackStatus.UNDER_REVIEW, FeedbackStatus.DECLINED),
    ),
]


def _staff(login: str) -> User:
    return User.objects.get(email=f"{login}@{STAFF_DOMAIN}")


def seed_feedback(seed: int = DEFAULT_SEED) -> int:
    """Create the demo areas and items that do not exist yet; how many items were created.

    Needs the demo accounts and tickets (accounts.demo, tickets.demo) first.
    """
    rng = random.Random(seed)
    areas = {}
    for name, chinese in AREAS:
        areas[name], _created = ProductArea.objects.get_or_create(name=name, defaults={"name_zh_hans": chinese})
    manager = _staff(MANAGER[0])
    created = 0
    now = timezone.now()
    for number, demo in enumerate(ITEMS):
        if FeedbackItem.objects.filter(title=demo.title).exists():
            continue
        raiser = _staff(demo.raiser)
        candidates = list(visible(raiser, demo_tickets()).order_by("pk").values_list("pk", flat=True)[:300])
        picked = rng.sample(candidates, min(demo.tickets, len(candidates)))
        tickets = list(demo_tickets().filter(pk__in=picked).order_by("created_at"))
        raised_at = now - timedelta(days=40 - 6 * number)
        with transaction.atomic(), silenced():
            item = feedback_raise(
                demo.title,
                demo.description,
                area=areas[demo.area] if demo.area else None,
                ticket=tickets[0] if tickets else None,
                acting_user=raiser,
                at=raised_at,
            )
            for ticket in tickets[1:]:
                feedback_link(item, ticket, acting_user=raiser, at=raised_at + timedelta(days=rng.uniform(0.5, 10)))
            for step, status in enumerate(demo.statuses, start=1):
                feedback_change_status(item, status, acting_user=manager, at=raised_at + timedelta(days=3 * step))
        created += 1
    return created
