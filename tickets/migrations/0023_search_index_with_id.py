"""The search index holds the ticket id too, so that a window of the newest tickets is read
from the index itself (tickets/search.py). Rebuilding it reads every ticket: about 5 s at a
million tickets, a minute at ten million; searches keep the old index until the new one is
built."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0022_vacuum_event_log"),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.AddIndex(
            model_name="ticket",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_vector", "id"], name="ticket_search_id_idx"),
        ),
        migrations.RemoveIndex(model_name="ticket", name="ticket_search_idx"),
    ]
