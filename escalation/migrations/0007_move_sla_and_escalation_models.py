"""Calendars, SLA policies, vendors and escalations now belong to the tickets app (tickets 0017).

State only: the tables stay where they are, under their ``escalation_*`` names, now the tables of
the tickets app's models.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('escalation', '0006_event_log_for_appraisal'),
        ('tickets', '0017_move_sla_and_escalation_models'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='holiday',
                    name='calendar',
                ),
                migrations.RemoveField(
                    model_name='slapolicy',
                    name='calendar',
                ),
                migrations.RemoveField(
                    model_name='escalation',
                    name='escalated_by',
                ),
                migrations.RemoveField(
                    model_name='escalation',
                    name='from_team',
                ),
                migrations.RemoveField(
                    model_name='escalation',
                    name='ticket',
                ),
                migrations.RemoveField(
                    model_name='escalation',
                    name='to_team',
                ),
                migrations.RemoveField(
                    model_name='escalation',
                    name='vendor',
                ),
                migrations.RemoveField(
                    model_name='slapolicy',
                    name='categories',
                ),
                migrations.RemoveField(
                    model_name='slapolicy',
                    name='organisations',
                ),
                migrations.RemoveField(
                    model_name='slapolicy',
                    name='teams',
                ),
                migrations.DeleteModel(
                    name='WorkingInterval',
                ),
                migrations.DeleteModel(
                    name='Holiday',
                ),
                migrations.DeleteModel(
                    name='BusinessCalendar',
                ),
                migrations.DeleteModel(
                    name='Escalation',
                ),
                migrations.DeleteModel(
                    name='Vendor',
                ),
    
                migrations.DeleteModel(
                    name='SlaPolicy',
                ),
            ],
            database_operations=[],
        ),
    ]
