"""Each event carries the ticket's category once it has taken effect, as it carries team and assignee.

Existing events get the category of the latest ``created`` or ``category_changed`` event at or
before them (what the KPI queries looked up per row until now). The backfill updates the
immutable table, so the trigger that refuses updates is switched off for this statement only;
the foreign key is added after it and validated in one scan.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
WITH setters AS (
    SELECT id, ticket_id, seq,
           CASE kind
               WHEN 'created' THEN ((new_value -> 'category') ->> 'id')::bigint
               WHEN 'category_changed' THEN (new_value ->> 'id')::bigint
           END AS value,
           count(*) FILTER (WHERE kind IN ('created', 'category_changed'))
               OVER (PARTITION BY ticket_id ORDER BY seq) AS run
    FROM tickets_ticketevent
),
snapshots AS (
    SELECT id, first_value(value) OVER (PARTITION BY ticket_id, run ORDER BY seq) AS category_id
    FROM setters
)
UPDATE tickets_ticketevent AS event SET category_id = snapshots.category_id
FROM snapshots
WHERE snapshots.id = event.id AND snapshots.category_id IS DISTINCT FROM event.category_id;
"""

FORWARD = f"""
ALTER TABLE tickets_ticketevent ADD COLUMN category_id bigint NULL;
ALTER TABLE tickets_ticketevent DISABLE TRIGGER tickets_ticketevent_no_update_delete;
{BACKFILL}
ALTER TABLE tickets_ticketevent ENABLE TRIGGER tickets_ticketevent_no_update_delete;
ALTER TABLE tickets_ticketevent ADD CONSTRAINT tickets_ticketevent_category_id_fk_tickets_category_id
    FOREIGN KEY (category_id) REFERENCES tickets_category (id) DEFERRABLE INITIALLY DEFERRED NOT VALID;
ALTER TABLE tickets_ticketevent VALIDATE CONSTRAINT tickets_ticketevent_category_id_fk_tickets_category_id;
"""

BACKWARD = "ALTER TABLE tickets_ticketevent DROP COLUMN category_id;"


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0019_participants_and_checklists"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AddField(
                    model_name="ticketevent",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tickets.category",
                    ),
                ),
            ],
        ),
    ]
