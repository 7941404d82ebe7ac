"""SLA outcome events carry the moment they count in the KPI figures, with an index on it.

A met target counts when it was met; a missed one when it fell due (the ``due_at`` its event
keeps), or when it was recorded if no due time was running. The KPI statements found a period's
misses by reading every outcome recorded since the period began and filtering on the JSON; with
the moment in an indexed column they read only the period's own outcomes. The backfill updates
the immutable table, so the trigger that refuses updates is off for this statement only.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE tickets_ticketevent
SET counts_at = CASE
    WHEN kind = 'sla_met' THEN created_at
    ELSE COALESCE((new_value ->> 'due_at')::timestamptz, created_at)
END
WHERE kind IN ('sla_met', 'sla_missed');
"""

FORWARD = f"""
ALTER TABLE tickets_ticketevent ADD COLUMN counts_at timestamptz NULL;
ALTER TABLE tickets_ticketevent DISABLE TRIGGER tickets_ticketevent_no_update_delete;
{BACKFILL}
ALTER TABLE tickets_ticketevent ENABLE TRIGGER tickets_ticketevent_no_update_delete;
CREATE INDEX event_sla_counts_idx ON tickets_ticketevent (counts_at) WHERE kind IN ('sla_met', 'sla_missed');
"""

BACKWARD = "ALTER TABLE tickets_ticketevent DROP COLUMN counts_at;"


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0020_event_category_snapshot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AddField(
                    model_name="ticketevent",
                    name="counts_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddIndex(
                    model_name="ticketevent",
                    index=models.Index(
                        condition=models.Q(("kind__in", ["sla_met", "sla_missed"])),
                        fields=["counts_at"],
                        name="event_sla_counts_idx",
                    ),
                ),
            ],
        ),
    ]
