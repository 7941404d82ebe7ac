"""Fill the team and assignee snapshots of existing events by replaying each ticket's log.

An event's team is the new team of the latest ``team_changed`` up to it (in ``seq`` order), or
the team the ``created`` event names (for ``escalated``, the team it came from, which older
rule escalations recorded after their ``team_changed``); its assignee is the new assignee of the latest
``assigned`` up to it, or none. ``jsonb_build_array`` keeps "the latest change set it to none"
apart from "there was no change" inside COALESCE.
"""

from django.db import migrations, models

FORWARD = """
ALTER TABLE tickets_ticketevent DISABLE TRIGGER tickets_ticketevent_no_update_delete;
UPDATE tickets_ticketevent AS e SET
    team_id = (SELECT id FROM accounts_team WHERE id = (COALESCE(
        -- An escalation belongs to the team that escalated, whatever order a rule recorded it in.
        CASE WHEN e.kind = 'escalated' AND e.old_value ? 'team' THEN jsonb_build_array(e.old_value -> 'team' -> 'id') END,
        (SELECT jsonb_build_array(t.new_value -> 'id') FROM tickets_ticketevent AS t
         WHERE t.ticket_id = e.ticket_id AND t.kind = 'team_changed' AND t.seq <= e.seq
         ORDER BY t.seq DESC LIMIT 1),
        (SELECT jsonb_build_array(c.new_value -> 'team' -> 'id') FROM tickets_ticketevent AS c
         WHERE c.ticket_id = e.ticket_id AND c.kind = 'created' ORDER BY c.seq LIMIT 1)
    ) ->> 0)::bigint),
    assignee_id = (
        SELECT u.id FROM tickets_ticketevent AS a LEFT JOIN accounts_user AS u ON u.id = (a.new_value ->> 'id')::bigint
        WHERE a.ticket_id = e.ticket_id AND a.kind = 'assigned' AND a.seq <= e.seq
        ORDER BY a.seq DESC LIMIT 1
    );
ALTER TABLE tickets_ticketevent ENABLE TRIGGER tickets_ticketevent_no_update_delete;
"""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_event_log_for_appraisal")]

    operations = [
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(fields=["ticket", "seq"], name="event_ticket_seq_idx"),
        ),
        migrations.RunSQL(FORWARD, migrations.RunSQL.noop),
    ]
