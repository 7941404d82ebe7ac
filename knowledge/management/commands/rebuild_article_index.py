"""Fill ``Article.search_vector`` for articles loaded in bulk (or after a change to how texts
are segmented). Safe to run on a live site and to run again."""

import time

from django.core.management.base import BaseCommand, CommandError

from knowledge.search import index_all_articles


class Command(BaseCommand):
    help = "Recompute the full-text search text and vector of every knowledge-base article, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="Articles per transaction (default 500).")

    def handle(self, *args, batch_size: int = 500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        done = index_all_articles(batch_size=batch_size)
        if options.get("verbosity", 1) < 1:
            return
        articles = f"{done} article" if done == 1 else f"{done} articles"
        self.stdout.write(
            self.style.SUCCESS(f"Article search index rebuilt for {articles} in {time.monotonic() - started:.1f} s.")
        )
