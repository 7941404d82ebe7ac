"""The demo organisation: believable people, teams and categories, created idempotently.

Later parts of the product (tickets, articles, KPIs) extend ``seed_demo`` with their own data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Organisation, Role, Team, User
from tickets.models import Category

DEMO_PASSWORD = "helpdesk-demo"
STAFF_DOMAIN = "helpdesk.example"

TEAMS = [
    ("Service Desk", Team.Tier.SERVICE_DESK, "Asia/Shanghai"),
    ("Network & Infrastructure", Team.Tier.SPECIALISTS, "Asia/Shanghai"),
    ("Engineering liaison", Team.Tier.ENGINEERING, "Europe/Berlin"),
]

# What a reader of Simplified Chinese sees for the teams and categories (name_zh_hans).
CHINESE_NAMES = {
    "Service Desk": "服务台",
    "Network & Infrastructure": "网络与基础设施",
    "Engineering liaison": "工程联络",
    "Hardware": "硬件",
    "Laptops & desktops": "笔记本与台式机",
    "Printers & scanners": "打印机与扫描仪",
    "Phones & tablets": "手机与平板",
    "Software": "软件",
    "Office applications": "办公软件",
    "Business applications": "业务系统",
    "Installation requests": "安装申请",
    "Network": "网络",
    "Wi-Fi": "无线网络",
    "VPN": "VPN",
    "Wired network": "有线网络",
    "Account & access": "账号与权限",
    "Password reset": "密码重置",
    "New account": "新账号",
    "Permissions": "权限",
    "Configuration": "配置",
    "E-mail setup": "邮箱设置",
    "Device settings": "设备设置",
    "Other": "其他",
}

MANAGER = ("erin.manager", "Erin Walsh", "en", ["Service Desk", "Network & Infrastructure", "Engineering liaison"])

# (login, name, language, teams): some agents sit in two teams, as they do in real desks.
AGENTS = [
    ("carol.agent", "Carol Nguyen", "en", ["Service Desk"]),
    ("li.wei", "李伟", "zh-hans", ["Service Desk"]),
    ("sam.okafor", "Sam Okafor", "en", ["Service Desk"]),
    ("zhang.min", "张敏", "zh-hans", ["Service Desk", "Network & Infrastructure"]),
    ("dave.agent", "Dave Fischer", "en", ["Network & Infrastructure"]),
    ("wang.fang", "王芳", "zh-hans", ["Network & Infrastructure"]),
    ("priya.rao", "Priya Rao", "en", ["Engineering liaison"]),
    ("tom.berg", "Tom Berg", "en", ["Engineering liaison", "Network & Infrastructure"]),
]

ORGANISATIONS = [
    ("Acme Manufacturing", "acme.example", True),
    ("Globex Retail", "globex.example", False),
    ("Initech Finance", "initech.example", False),
]

FIRST_NAMES = [
    "Alice", "Bob", "Chen", "Diana", "Ethan", "Fatima", "George", "Hana", "Ivan", "Julia",
    "Kenji", "Laura", "Mateo", "Nadia", "Oliver", "Pooja", "Quinn", "Rosa", "Stefan", "Tara",
]  # fmt: skip
LAST_NAMES = ["Smith", "Müller", "Wang", "García", "Kowalski", "Tanaka", "Dubois", "Silva"]
CHINESE_REQUESTERS = [
    ("刘洋", "liu.yang"), ("陈静", "chen.jing"), ("杨磊", "yang.lei"), ("赵丽", "zhao.li"),
    ("黄强", "huang.qiang"), ("周娜", "zhou.na"), ("吴杰", "wu.jie"), ("徐婷", "xu.ting"),
]  # fmt: skip

CATEGORIES = {
    "Hardware": ["Laptops & desktops", "Printers & scanners", "Phones & tablets"],
    "Software": ["Office applications", "Business applications", "Installation requests"],
    "Network": ["Wi-Fi", "VPN", "Wired network"],
    "Account & access": ["Password reset", "New account", "Permissions"],
    "Configuration": ["E-mail setup", "Device settings"],
    "Other": [],
}


@dataclass(frozen=True)
class DemoSummary:
    teams: int
    agents: int
    managers: int
    requesters: int
    organisations: int
    categories: int


def _person(email: str, full_name: str, role: Role, password: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "role": role, "password": password, **extra},
    )
    if not created:
        changed = {k: v for k, v in {"full_name": full_name, "role": role, **extra}.items() if getattr(user, k) != v}
        for key, value in changed.items():
            setattr(user, key, value)
        if changed:
            user.save(update_fields=list(changed))
    return user


def _requester_rows() -> list[tuple[str, str, str, int]]:
    """40 requesters spread over the three organisations: (email, name, language, org index)."""
    rows = []
    for index in range(40):
        org = index % len(ORGANISATIONS)
        domain = ORGANISATIONS[org][1]
        if index % 5 == 4:
            name, login = CHINESE_REQUESTERS[(index // 5) % len(CHINESE_REQUESTERS)]
            language = "zh-hans"
        else:
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[(index // len(FIRST_NAMES) + index) % len(LAST_NAMES)]
            name = f"{first} {last}"
            login = f"{first}.{last}".lower().replace("ü", "ue").replace("í", "i").replace("ç", "c")
            language = "en"
        rows.append((f"{login}@{domain}", name, language, org))
    return rows


@transaction.atomic
def seed_accounts() -> DemoSummary:
    password = make_password(DEMO_PASSWORD)  # hash once: PBKDF2 per user would take seconds

    teams = {}
    for name, tier, zone in TEAMS:
        team, _created = Team.objects.update_or_create(
            name=name, defaults={"tier": tier, "time_zone": zone, "name_zh_hans": CHINESE_NAMES[name]}
        )
        teams[name] = team

    login, name, language, managed = MANAGER
    manager = _person(f"{login}@{STAFF_DOMAIN}", name, Role.MANAGER, password, language=language)
    for team_name in managed:
        teams[team_name].managers.add(manager)

    _person(f"admin@{STAFF_DOMAIN}", "Ada Admin", Role.ADMIN, password, is_superuser=True)

    for login, name, language, member_of in AGENTS:
        agent = _person(f"{login}@{STAFF_DOMAIN}", name, Role.AGENT, password, language=language)
        for team_name in member_of:
            teams[team_name].members.add(agent)

    organisations = []
    for name, domain, shares in ORGANISATIONS:
        organisation, _created = Organisation.objects.update_or_create(
            name=name, defaults={"domain": domain, "shares_tickets": shares}
        )
        organisations.append(organisation)
    for email, name, language, org in _requester_rows():
        _person(email, name, Role.REQUESTER, password, language=language, organisation=organisations[org])

    for root_name, children in CATEGORIES.items():
        root, _created = Category.objects.update_or_create(
            name=root_name, parent=None, defaults={"name_zh_hans": CHINESE_NAMES[root_name]}
        )
        for child in children:
            Category.objects.update_or_create(name=child, parent=root, defaults={"name_zh_hans": CHINESE_NAMES[child]})

    return DemoSummary(
        teams=Team.objects.count(),
        agents=User.objects.filter(role=Role.AGENT).count(),
        managers=User.objects.filter(role=Role.MANAGER).count(),
        requesters=User.objects.filter(role=Role.REQUESTER).count(),
        organisations=Organisation.objects.count(),
        categories=Category.objects.count(),
    )


DEMO_LOGINS = [
    ("manager", f"{MANAGER[0]}@{STAFF_DOMAIN}"),
    ("agent", f"{AGENTS[0][0]}@{STAFF_DOMAIN}"),
    ("agent (中文)", f"{AGENTS[1][0]}@{STAFF_DOMAIN}"),
    ("requester", "alice.smith@acme.example"),
    ("admin", f"admin@{STAFF_DOMAIN}"),
]
