"""Who works at and asks the benchmark desk: organisations, requesters, teams and agents.

Plain rows with their ids decided here, so that tickets can point at them without reading them
back; ``fill.py`` writes them with COPY.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import Role

STAFF_DOMAIN = "helpdesk.example"
# The two agents the benchmark signs in as (see bench/queues.py).
PERSONA_ONE_TEAM = f"mei.lin@{STAFF_DOMAIN}"  # in Service Desk only
PERSONA_TWO_TEAMS = f"jonas.weber@{STAFF_DOMAIN}"  # in Service Desk and Network & Infrastructure

# name, tier, time zone, share of the tickets, agents
TEAMS = [
    ("Service Desk", 1, "Asia/Shanghai", 0.34, 20),
    ("Service Desk Europe", 1, "Europe/Berlin", 0.14, 8),
    ("Network & Infrastructure", 2, "Asia/Shanghai", 0.08, 5),
    ("Identity & Access", 2, "Asia/Shanghai", 0.07, 4),
    ("End-user Devices", 2, "Asia/Shanghai", 0.08, 4),
    ("Business Applications", 2, "Europe/Berlin", 0.08, 4),
    ("Messaging & Collaboration", 2, "Asia/Shanghai", 0.06, 4),
    ("Security Operations", 2, "Europe/Berlin", 0.05, 3),
    ("Engineering liaison", 3, "Europe/Berlin", 0.06, 4),
    ("Vendor management", 3, "Asia/Shanghai", 0.04, 4),
]
MANAGERS = 5
# Service Desk agents who also sit in a tier-2 team, as in real desks.
SECOND_TEAM_AGENTS = 10

FIRST_NAMES = [
    "Alice", "Bob", "Chen", "Diana", "Ethan", "Fatima", "George", "Hana", "Ivan", "Julia", "Kenji", "Laura",
    "Mateo", "Nadia", "Oliver", "Pooja", "Quinn", "Rosa", "Stefan", "Tara", "Umar", "Vera", "Wen", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Müller", "García", "Kowalski", "Tanaka", "Dubois", "Silva", "Novak", "Jensen", "Rossi", "Okafor",
    "Larsen", "Costa", "Ivanova", "Schmidt", "Khan",
]  # fmt: skip
CHINESE_SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"]
CHINESE_GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超", "秀英", "晓东"]
ORG_WORDS = [
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Cyberdyne", "Soylent",
    "Tyrell", "Wonka", "Gringotts", "Oscorp", "Aperture", "Monarch", "Nakatomi", "Massive", "Dunder", "Pied",
]  # fmt: skip
ORG_KINDS = ["Manufacturing", "Retail", "Finance", "Logistics", "Health", "Energy", "Media", "Foods", "Labs", "Travel"]
TAGS = [
    "vip", "outage", "windows-11", "macos", "onboarding", "offboarding", "remote-work", "hardware-refresh",
    "security", "audit", "office-move", "vendor", "known-error", "training", "远程办公", "新员工", "紧急",
]  # fmt: skip


@dataclass
class People:
    organisations: list[tuple] = field(default_factory=list)  # id, name, domain, shares_tickets
    users: list[tuple] = field(default_factory=list)  # see USER_COLUMNS
    teams: list[tuple] = field(default_factory=list)  # id, name, tier, time_zone
    members: list[tuple[int, int]] = field(default_factory=list)  # team_id, user_id
    managers: list[tuple[int, int]] = field(default_factory=list)  # team_id, user_id
    # What tickets need: requester ids with their organisation, language and weight; team shares.
    requesters: list[tuple[int, int | None, str]] = field(default_factory=list)
    requester_weights: list[float] = field(default_factory=list)
    team_shares: list[float] = field(default_factory=list)
    team_members: dict[int, list[int]] = field(default_factory=dict)


USER_COLUMNS = (
    "id", "password", "is_superuser", "email", "full_name", "role", "organisation_id", "language", "time_zone",
    "is_active", "date_joined",
)  # fmt: skip


def build_people(rng: random.Random, *, requesters: int, organisations: int, joined: datetime) -> People:
    people = People()
    for number in range(1, organisations + 1):
        name = f"{ORG_WORDS[(number - 1) % len(ORG_WORDS)]} {ORG_KINDS[(number - 1) // len(ORG_WORDS) % 10]}"
        if number > len(ORG_WORDS) * len(ORG_KINDS):
            name += f" {number}"
        people.organisations.append((number, name, f"org{number}.example", rng.random() < 0.2))

    user_id = 0

    def add_user(email, full_name, role, *, organisation=None, language="en", zone="UTC", superuser=False) -> int:
        nonlocal user_id
        user_id += 1
        # "!" marks an unusable password: the benchmark signs in with force_login.
        people.users.append(
            (user_id, "!bench", superuser, email, full_name, role, organisation, language, zone, True, joined)
        )
        return user_id

    add_user(f"admin@{STAFF_DOMAIN}", "Ada Admin", Role.ADMIN, superuser=True)
    manager_ids = [
        add_user(f"manager{number}@{STAFF_DOMAIN}", f"Manager {number}", Role.MANAGER) for number in range(MANAGERS)
    ]
    agent_number = 0
    for team_id, (name, tier, zone, share, agents) in enumerate(TEAMS, start=1):
        people.teams.append((team_id, name, tier, zone))
        people.team_shares.append(share)
        people.managers.append((team_id, manager_ids[(team_id - 1) // 2]))
        members = []
        for seat in range(agents):
            if team_id == 1 and seat == 0:
                email, full_name, language = PERSONA_ONE_TEAM, "Mei Lin", "zh-hans"
            elif team_id == 1 and seat == 1:
                email, full_name, language = PERSONA_TWO_TEAMS, "Jonas Weber", "en"
            else:
                agent_number += 1
                email = f"agent{agent_number:02d}@{STAFF_DOMAIN}"
                full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                language = "zh-hans" if zone == "Asia/Shanghai" and rng.random() < 0.6 else "en"
            members.append(add_user(email, full_name, Role.AGENT, language=language, zone=zone))
        people.team_members[team_id] = members
    # Service Desk seats 1.. (never the one-team persona) also work in a tier-2 team; the
    # two-team persona (seat 1) in Network & Infrastructure.
    for offset in range(SECOND_TEAM_AGENTS):
        agent = people.team_members[1][1 + offset]
        team_id = 3 + offset % (len(TEAMS) - 4)
        people.team_members[team_id].append(agent)
    for team_id, members in people.team_members.items():
        people.members.extend((team_id, member) for member in members)

    for number in range(requesters):
        organisation = None
        if rng.random() < 0.92:
            # Big customers have many people: a skewed pick among the organisations.
            organisation = 1 + int(organisations * rng.random() ** 2.2)
        if rng.random() < 0.55:
            full_name = rng.choice(CHINESE_SURNAMES) + rng.choice(CHINESE_GIVEN)
            language, zone = "zh-hans", "Asia/Shanghai"
        else:
            full_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            language, zone = "en", "Europe/Berlin"
        domain = f"org{organisation}.example" if organisation else "mail.example"
        requester_id = add_user(
            f"user{number:05d}@{domain}", full_name, Role.REQUESTER, organisation=organisation, language=language,
            zone=zone,
        )  # fmt: skip
        people.requesters.append((requester_id, organisation, language))
        # A few people raise most of the tickets.
        people.requester_weights.append(rng.paretovariate(1.3))
    return people
