"""VACUUM the event log after 0020 and 0021 rewrote rows of it.

Until the rewritten pages are vacuumed, every read of them checks each row's transaction and
rewrites the page; an UPDATE of a tenth of the table does not reach autovacuum's threshold soon.
VACUUM cannot run in a transaction, hence a migration of its own that is not atomic.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0021_event_counts_at"),
    ]

    operations = [
        migrations.RunSQL("VACUUM (ANALYZE) tickets_ticketevent", migrations.RunSQL.noop),
    ]
