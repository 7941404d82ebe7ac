from django.core.management.base import BaseCommand

from accounts.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_accounts
from accounts.models import User


class Command(BaseCommand):
    help = "Create (or bring up to date) the demo organisation. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has users (first start of `make run`).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("Demo data: database already has users, left as it is.")
            return
        summary = seed_accounts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {summary.teams} teams, {summary.managers} manager(s), "
                f"{summary.agents} agents, {summary.requesters} requesters in "
                f"{summary.organisations} organisations, {summary.categories} categories."
            )
        )
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD!r}):")
        for role, email in DEMO_LOGINS:
            self.stdout.write(f"  {role:<14} {email}")
