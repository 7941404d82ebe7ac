"""Demo reply templates: some shared with a team, some an agent's own, in English and Chinese."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Role, Team, User
from canned.models import ReplyTemplate
from canned.services import reply_template_create

# (title, body): shared with the service desk (the first tier-1 team), written by its manager.
SERVICE_DESK_TEMPLATES = [
    (
        "Password reset – self-service link",
        "Hello {requester_first_name},\n\n"
        "You can reset your password yourself at https://password.example/ . "
        "The new password works everywhere within five minutes.\n\n"
        "If the page says your account is locked, reply to this message and we unlock it.\n\n"
        "Best regards,\n{agent_name}, {team_name}",
    ),
    (
        "Printer queue – add it again",
        "Hello {requester_first_name},\n\n"
        "Please remove the printer and add it again from the print server:\n\n"
        "1. Open *Settings › Printers* and remove the printer.\n"
        "2. Press Win+R, type `\\\\print01\\queue` and press Enter.\n"
        "3. Double-click the printer to add it.\n\n"
        "Let us know whether a test page prints.\n\n{agent_name}",
    ),
    (
        "确认收到 – 我们正在处理",
        "{requester_name}，您好：\n\n"
        "我们已收到您的请求 {ticket_reference}（{ticket_subject}），正在处理中，有进展会第一时间通知您。\n\n"
        "{agent_name}\n{team_name}",
    ),
]
# Shared with the first tier-2 team.
SPECIALIST_TEMPLATES = [
    (
        "VPN – collect a connection log",
        "Hello {requester_first_name},\n\n"
        "To find out why the VPN drops, please send us its log: in the VPN client open "
        "*Settings › Diagnostics*, press **Export log** and attach the file to your reply.\n\n{agent_name}",
    ),
]
# (agent's login, title, body): personal templates.
PERSONAL_TEMPLATES = [
    (
        "carol.agent",
        "Closing – no answer",
        "Hello {requester_first_name},\n\n"
        "We have not heard back from you about {ticket_reference}, so we are resolving it. "
        "Reply to this message if you still need help and it opens again.\n\nCarol",
    ),
    (
        "li.wei",
        "远程协助 – 请发送会话代码",
        "{requester_first_name}，您好：\n\n请打开远程协助工具，把屏幕上显示的九位会话代码回复给我，我马上连线帮您处理。\n\n李伟",
    ),
]


def _create_once(title: str, body: str, *, team: Team | None, author: User) -> bool:
    owner = None if team is not None else author
    if ReplyTemplate.objects.filter(title=title, team=team, owner=owner).exists():
        return False
    reply_template_create(title=title, body=body, team=team, acting_user=author)
    return True


@transaction.atomic
def seed_reply_templates() -> int:
    """Create the demo templates that are missing; returns how many there are now."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    for tier, templates in (
        (Team.Tier.SERVICE_DESK, SERVICE_DESK_TEMPLATES),
        (Team.Tier.SPECIALISTS, SPECIALIST_TEMPLATES),
    ):
        team = Team.objects.filter(tier=tier).order_by("id").first()
        author = (team.managers.filter(is_active=True).order_by("id").first() or admin) if team else None
        if team is None or author is None:
            continue
        for title, body in templates:
            _create_once(title, body, team=team, author=author)
    for login, title, body in PERSONAL_TEMPLATES:
        agent = User.objects.filter(email__startswith=f"{login}@", is_active=True).first()
        if agent is not None and agent.works_tickets:
            _create_once(title, body, team=None, author=agent)
    return ReplyTemplate.objects.count()
