from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team
from helpdesk.errors import ApplicationError
from monitoring.services import alert_source_create


class Command(BaseCommand):
    help = "Create a monitoring alert source and print its token (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--team", required=True, help="The team's name (or id) its alerts go to.")
        parser.add_argument("--auto-resolve", action="store_true", help="Resolve tickets when alerts clear.")

    def handle(self, *args, name, team, auto_resolve, **options):
        found = Team.objects.filter(pk=int(team)) if team.isdigit() else Team.objects.filter(name__iexact=team)
        target = found.first()
        if target is None:
            raise CommandError(f"No team {team!r}.")
        try:
            source, raw = alert_source_create(name, target, auto_resolve=auto_resolve)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Alert source {source.name!r} created for {target}. Its token, shown only now:")
        self.stdout.write(raw)
