"""Fill ``Ticket.search_vector`` for tickets written before search existed (or after a change
to how texts are segmented). Safe to run on a live site and to run again."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tickets.models import Ticket
from tickets.search import refresh_search_vectors


class Command(BaseCommand):
    help = "Recompute the full-text search vector of every ticket, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Tickets per transaction (default 500).")
        parser.add_argument("--missing-only", action="store_true", help="Only tickets that have no search vector yet.")

    def handle(self, *args, batch_size: int = 500, missing_only: bool = False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        tickets = Ticket.objects.order_by("pk")
        if missing_only:
            tickets = tickets.filter(search_vector__isnull=True)
        started = time.monotonic()
        done = 0
        last_id = 0
        while True:
            # Keyset pagination: each batch is one short transaction, so a long rebuild neither
            # holds locks for long nor re-reads the rows it has done.
            with transaction.atomic():
                ids = list(tickets.filter(pk__gt=last_id).select_for_update().values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                # The rows are locked, so a reply written meanwhile waits and refreshes after us,
                # instead of us overwriting its newer vector with texts read before it.
                done += refresh_search_vectors(ids)
            last_id = ids[-1]
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"… {done} tickets")
        tickets_done = f"{done} ticket" if done == 1 else f"{done} tickets"
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt for {tickets_done} in {elapsed:.1f} s."))
