from django.core.management.base import BaseCommand, CommandError

from escalation.rebuild import differences
from tickets.models import Ticket, parse_reference


class Command(BaseCommand):
    help = "Recompute SLA clocks from the event log and report where they differ from the stored ones."

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", help="HD-000123 …")
        parser.add_argument("--all", action="store_true", help="Every ticket.")

    def handle(self, *args, references: list[str], all: bool = False, **options):
        if all:
            tickets = Ticket.objects.order_by("id").iterator(chunk_size=500)
        elif references:
            numbers = [parse_reference(reference) for reference in references]
            if None in numbers:
                raise CommandError("give references like HD-000123")
            tickets = Ticket.objects.filter(pk__in=numbers).order_by("id")
        else:
            raise CommandError("give ticket references or --all")
        found = differences(tickets)
        for difference in found:
            self.stdout.write(f"{difference.ticket.reference}:")
            for field, (stored, rebuilt) in difference.fields.items():
                self.stdout.write(f"  {field}: stored {stored}, rebuilt {rebuilt}")
        self.stdout.write(f"{len(found)} ticket(s) differ.")
        if found:
            raise SystemExit(1)
