import time

from django.core.management.base import BaseCommand

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_accounts
from accounts.models import User
from canned.demo import seed_reply_templates
from escalation.demo import seed_escalation, seed_sla
from feedback.demo import seed_feedback
from knowledge.demo import seed_knowledge
from mail.demo import seed_mailbox
from maintenance.demo import seed_maintenance
from monitoring.demo import seed_alerts, seed_spike
from tickets.demo import demo_tickets, seed_tickets


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo organisation, its tickets and knowledge base. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (first start of `make run`).",
        )
        parser.add_argument(
            "--tickets",
            type=int,
            default=600,
            help="How many demo tickets to create over the last 90 days (only when there are none yet).",
        )

    def handle(self, *args, if_empty: bool = False, tickets: int = 600, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data: database already has users, left as it is.")
            return
        summary = seed_accounts()
        policies = seed_sla()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.teams} teams, {summary.managers} manager(s), "
                f"{summary.agents} agents, {summary.requesters} requesters in "
                f"{summary.organisations} organisations, {summary.categories} categories, "
                f"{policies} SLA policies."
            )
        )
        started = time.monotonic()
        created = seed_tickets(count=tickets) if tickets > 0 else 0
        if created:
            self.stdout.write(f"Created {created} demo tickets in {time.monotonic() - started:.1f}s.")
        self.stdout.write(f"Demo tickets: {demo_tickets().count()}.")
        vendors, rules = seed_escalation()
        templates = seed_reply_templates()
        self.stdout.write(f"Demo escalation: {vendors} vendor(s), {rules} rules; {templates} reply templates.")
        articles = seed_knowledge()
        self.stdout.write(
            f"Demo knowledge base: {articles.total} articles ({articles.published} published, "
            f"{articles.created} created now)."
        )
        self.stdout.write(f"Demo feedback: {seed_feedback()} feedback item(s) created.")
        self.stdout.write(f"Demo maintenance: {seed_maintenance()} maintenance plan(s).")
        if seed_spike():
            self.stdout.write("Demo monitoring: a past ticket spike linked under a major incident.")
        if seed_alerts():
            self.stdout.write("Demo monitoring: an alert source with an open and a cleared alert.")
        if seed_mailbox():
            self.stdout.write("Demo e-mail: support@helpdesk.example, received on 127.0.0.1:8024 (LMTP).")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<14} {email}")
