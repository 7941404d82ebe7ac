"""Expected KPI figures for ``history_small.jsonl`` (47 tickets, October–November 2026).

Two sources, kept apart on purpose:

- :data:`HAND`: figures worked out by hand, ticket by ticket (the reasoning is in the comments
  and in docs/kpis.md, "Worked examples from the import file").
- :func:`compute`: a small, independent reimplementation of docs/kpis.md in plain Python. It
  reads the JSONL file only: no database, no project code. It replays each line the way the
  live services would (a requester reply reopens a resolved ticket within the reopen window, a
  requester reply re-opens a pending one, an escalation moves the ticket to the receiving team
  after the escalation is recorded) and aggregates as the definitions say.

The test compares the export with both, and the two with each other.

Time zones: the importer creates the teams in UTC. The test sets **Network** to
``Europe/Berlin`` (CEST, UTC+2, until 2026-10-25 01:00 UTC; CET, UTC+1, after) and leaves
**Service Desk** in UTC, the installation's zone. Local days, and so periods, follow the team an
event is attributed to.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PATH = Path(__file__).with_name("history_small.jsonl")

A1, A2, A3, A4 = (f"agent{i}@example.com" for i in range(1, 5))
SD, NW = "Service Desk", "Network"
ZONES = {SD: "UTC", NW: "Europe/Berlin"}

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))

REOPEN_WINDOW = timedelta(days=7)
RECURRENCE_WINDOW = timedelta(days=30)

METRICS = [
    "tickets_resolved",
    "resolutions",
    "frt_count",
    "frt_median_s",
    "frt_p90_s",
    "frt_mean_s",
    "resolution_first_median_s",
    "resolution_final_median_s",
    "fcr_rate",
    "reopen_rate",
    "csat_answers",
    "csat_positive_rate",
    "csat_mean",
    "csat_response_rate",
    "escalations",
    "weighted_workload",
    "requesters_served",
    "recurrence_rate",
]


def _row(*values) -> dict:
    assert len(values) == len(METRICS)
    return dict(zip(METRICS, values, strict=True))


# fmt: off
# Columns, in METRICS order:
#  resolved, resolutions, frt n, frt median, frt p90, frt mean, res first median, res final median,
#  fcr, reopen, csat n, csat positive, csat mean, csat response, escalations, workload, requesters,
#  recurrence
HAND = {
    ("2026-10", "agent"): {
        # agent1: EXT-2001 2003 2010 2012 2013 2018 2024 2026 2030 2046 (its first resolution:
        # the requester's reply of Nov 1 reopens it within the window, so not FCR and a reopen).
        # First responses: 300 600 1200×3 1500 1800×5 2400 2700×2 (EXT-2047's reply is October too).
        # Recurrence: EXT-2013 (EXT-2014, same requester, Hardware, 7 days later) and EXT-2018
        # (EXT-2047, Software, 9 days later).
        A1: _row(10, 10, 14, 1800, 2610, 22800 / 14, 6300, 6300, 0.9, 0.1,
                 6, 1.0, 4.5, 0.6, 1, 15, 10, 0.2),
        # agent2: EXT-2002 2004(×2) 2005 2007 2011 2014 2017(×2) 2021 2025. EXT-2004 reopened by
        # the requester's reply within the window; EXT-2017 reopened by the agent after 9 days
        # (a reopen, but not within the window); EXT-2005 reassigned from agent1.
        # EXT-2021 resolved Oct 31 23:45 UTC (Service Desk is UTC): October. Its answer arrives
        # Nov 1 00:00 UTC (written 2026-10-31T20:00-04:00): November. EXT-2025's answer arrives
        # Nov 3: November, but the resolution counts as answered in October.
        A2: _row(9, 11, 10, 2400, 3960, 2862, 10800, 14400, 6 / 9, 1 / 11,
                 5, 0.4, 3.2, 7 / 11, 1, 17, 9, 0.0),
        # agent3: EXT-2006 (escalated to Network first) 2008 2015 2027. EXT-2015 crosses the DST
        # change: created 22:00+02:00 Oct 24, resolved 08:00+01:00 Oct 26 = 35 h (126,000 s).
        # EXT-2020 is resolved Oct 31 23:10 UTC = Nov 1 00:10 CET: November. Its first response,
        # 22:30 UTC = 23:30 CET Oct 31, is October (FRT 9,000 s).
        A3: _row(4, 4, 4, 3000, 7380, 4125, 50400, 50400, 0.75, 0.0,
                 4, 0.75, 4.25, 1.0, 0, 14, 4, 0.0),
        # agent4: EXT-2009 2016 2022 2023(×2). EXT-2022 was created and resolved on Sep 30 in UTC
        # (23:30 UTC = Oct 1 01:30 CEST): October, with its first response.
        A4: _row(4, 5, 3, 3600, 5040, 4200, 27000, 61200, 0.75, 0.2,
                 2, 0.5, 3.0, 0.4, 0, 9, 4, 0.0),
    },
    ("2026-10", "team"): {
        SD: _row(19, 21, 24, 1800, 3600, 51420 / 24, 9900, 10800, 15 / 19, 2 / 21,
                 11, 8 / 11, 43 / 11, 13 / 21, 2, 32, 18, 2 / 19),
        NW: _row(8, 9, 7, 3600, 6840, 29100 / 7, 27000, 57600, 0.75, 1 / 9,
                 6, 4 / 6, 23 / 6, 6 / 9, 0, 23, 8, 0.0),
    },
    ("2026-11", "agent"): {
        # agent1: EXT-2019 (created Oct 31, resolved Nov 2) 2031 2034 2035(×2) 2039 2043 2047.
        # EXT-2019 recurred: the same requester's Hardware ticket EXT-2044 on Nov 24.
        A1: _row(7, 8, 5, 1800, 3240, 2040, 75600, 86400, 6 / 7, 1 / 8,
                 5, 0.8, 4.6, 5 / 8, 0, 14, 7, 1 / 7),
        # agent2: EXT-2046 (second resolution: not first, reassigned and reopened before it,
        # 608,400 s final), 2032 (recurred: EXT-2037) 2037 2040 2044. Answers: EXT-2021's 1 and
        # EXT-2025's 5 (October resolutions, November answers), 4, 4, 2, 4.
        A2: _row(5, 5, 5, 1800, 2280, 1572, 7200, 7200, 0.8, 0.0,
                 6, 4 / 6, 20 / 6, 0.8, 1, 7, 4, 0.2),
        # agent3: EXT-2020 (Nov 1 in Berlin) 2033 2036 (escalated) 2041.
        A3: _row(4, 4, 2, 3300, 3540, 3300, 61200, 61200, 0.75, 0.0,
                 4, 0.75, 3.75, 1.0, 0, 13, 4, 0.0),
        # agent4: EXT-2042 (reassigned from agent3). EXT-2038 is resolved Nov 30 23:30 UTC =
        # Dec 1 00:30 CET: December; its reply at 23:00 CET Nov 30 counts in November.
        A4: _row(1, 1, 2, 3150, 3510, 3150, 10800, 10800, 0.0, 0.0,
                 0, None, None, 0.0, 0, 1, 1, 0.0),
    },
    ("2026-11", "team"): {
        SD: _row(12, 13, 10, 1800, 2790, 1806, 10800, 46800, 10 / 12, 1 / 13,
                 11, 8 / 11, 43 / 11, 9 / 13, 1, 21, 10, 2 / 12),
        NW: _row(5, 5, 4, 3300, 3600, 3225, 18000, 18000, 0.6, 0.0,
                 4, 0.75, 3.75, 0.8, 0, 14, 5, 0.0),
    },
}
# fmt: on

PERIODS = {"2026-10": OCTOBER, "2026-11": NOVEMBER}


# --- The independent calculation -------------------------------------------------------------


def _at(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL ``percentile_cont``: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])


def _replay(line: dict) -> dict:
    """What one ticket's history amounts to: first response, resolutions, escalations, answers."""
    created = _at(line["created_at"])
    requester = line["requester"]["email"].lower()
    team = line.get("team")
    status = "new"
    first_response = None
    resolutions: list[dict] = []
    reopens: list[datetime] = []
    escalations: list[dict] = []
    last_agent = None
    reassigned = escalated = reopened = False
    for event in line["events"]:
        at, kind = _at(event["at"]), event["type"]
        if kind == "assigned":
            agent = event["agent"].lower()
            if last_agent is not None and last_agent != agent:
                reassigned = True
            last_agent = agent
            if status == "new":
                status = "open"
        elif kind == "reply":
            author = event["author"].lower()
            if author == requester:
                if status == "resolved":
                    assert at <= resolutions[-1]["at"] + REOPEN_WINDOW, "would open a follow-up"
                    reopens.append(at)
                    reopened = True
                    status = "open"
                elif status == "pending":
                    status = "open"
            else:
                if first_response is None:
                    first_response = {"at": at, "agent": author, "team": team, "s": (at - created).total_seconds()}
                if status == "new":
                    status = "open"
        elif kind == "status":
            status = event["to"]
        elif kind == "escalated":
            escalations.append(
                {"at": at, "agent": event["by"].lower(), "team": team, "s": (at - created).total_seconds()}
            )
            escalated = True
            team = event["to_team"]
        elif kind == "resolved":
            resolutions.append(
                {
                    "at": at,
                    "agent": event["by"].lower(),
                    "team": team,
                    "s": (at - created).total_seconds(),
                    "is_first": not resolutions,
                    "escalated_before": escalated,
                    "reopened_before": reopened,
                    "reassigned_before": reassigned,
                    "answers": [],
                }
            )
            status = "resolved"
        elif kind == "reopened":
            reopens.append(at)
            reopened = True
            status = "open"
        elif kind == "closed":
            status = "closed"
        elif kind == "csat":
            resolutions[-1]["answers"].append({"at": at, "score": event["score"]})
    for resolution in resolutions:
        resolution["reopened_in_window"] = any(
            resolution["at"] < moment <= resolution["at"] + REOPEN_WINDOW for moment in reopens
        )
    return {
        "ref": line["ref"],
        "created": created,
        "requester": requester,
        "category": line.get("category"),
        "complexity": line.get("complexity") or 1,
        "first_response": first_response,
        "resolutions": resolutions,
        "escalations": escalations,
    }


def load(path: Path = PATH) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [_replay(json.loads(line)) for line in lines if line.strip()]


def _day(moment: datetime, team: str | None) -> date:
    return moment.astimezone(ZoneInfo(ZONES.get(team, "UTC"))).date()


def _rate(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def compute(first_day: date, last_day: date, by: str, tickets: list[dict] | None = None) -> dict[str, dict]:
    """``{agent e-mail or team name: {metric: value}}`` for the local days first_day..last_day."""
    tickets = load() if tickets is None else tickets

    def inside(moment: datetime, team: str | None) -> bool:
        return first_day <= _day(moment, team) <= last_day

    def key(fact: dict) -> str:
        return fact["agent"] if by == "agent" else fact["team"]

    figures: dict[str, dict] = defaultdict(
        lambda: {"frt": [], "events": [], "counted": [], "answers": [], "escalations": 0}
    )
    for ticket in tickets:
        response = ticket["first_response"]
        if response and inside(response["at"], response["team"]):
            figures[key(response)]["frt"].append(response["s"])
        in_period = [fact for fact in ticket["resolutions"] if inside(fact["at"], fact["team"])]
        for fact in in_period:
            figures[key(fact)]["events"].append(fact)
        if in_period:
            counted = in_period[-1]
            recurred = any(
                other is not ticket
                and other["requester"] == ticket["requester"]
                and other["category"] == ticket["category"]
                and counted["at"] < other["created"] <= counted["at"] + RECURRENCE_WINDOW
                for other in tickets
            )
            figures[key(counted)]["counted"].append({**counted, "recurred": recurred, "ticket": ticket})
        for fact in ticket["resolutions"]:
            for answer in fact["answers"]:
                if inside(answer["at"], fact["team"]):
                    figures[key(fact)]["answers"].append(answer["score"])
        for escalation in ticket["escalations"]:
            if inside(escalation["at"], escalation["team"]):
                figures[key(escalation)]["escalations"] += 1

    result = {}
    for name, data in figures.items():
        counted, events, answers, frt = data["counted"], data["events"], data["answers"], data["frt"]
        fcr = [
            fact
            for fact in counted
            if not (
                fact["escalated_before"]
                or fact["reopened_before"]
                or fact["reassigned_before"]
                or fact["reopened_in_window"]
            )
        ]
        result[name] = {
            "tickets_resolved": len(counted),
            "resolutions": len(events),
            "frt_count": len(frt),
            "frt_median_s": percentile_cont(frt, 0.5),
            "frt_p90_s": percentile_cont(frt, 0.9),
            "frt_mean_s": sum(frt) / len(frt) if frt else None,
            "resolution_first_median_s": percentile_cont([f["s"] for f in events if f["is_first"]], 0.5),
            "resolution_final_median_s": percentile_cont([f["s"] for f in counted], 0.5),
            "fcr_rate": _rate(len(fcr), len(counted)),
            "reopen_rate": _rate(sum(f["reopened_in_window"] for f in events), len(events)),
            "csat_answers": len(answers),
            "csat_positive_rate": _rate(sum(score >= 4 for score in answers), len(answers)),
            "csat_mean": sum(answers) / len(answers) if answers else None,
            "csat_response_rate": _rate(sum(bool(f["answers"]) for f in events), len(events)),
            "escalations": data["escalations"],
            "weighted_workload": sum(f["ticket"]["complexity"] for f in counted),
            "requesters_served": len({f["ticket"]["requester"] for f in counted}),
            "recurrence_rate": _rate(sum(f["recurred"] for f in counted), len(counted)),
        }
    return result
