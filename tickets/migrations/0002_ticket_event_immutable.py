"""Ticket events are immutable in the database too, whatever code path touches them."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION tickets_ticketevent_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket events are immutable (% refused on tickets_ticketevent)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER tickets_ticketevent_no_update_delete
    BEFORE UPDATE OR DELETE ON tickets_ticketevent
    FOR EACH ROW EXECUTE FUNCTION tickets_ticketevent_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS tickets_ticketevent_no_update_delete ON tickets_ticketevent;
DROP FUNCTION IF EXISTS tickets_ticketevent_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
