"""Calendars, SLA policies, vendors and escalations become models of this app (SLA clocks under
tickets/sla/, manual escalation in tickets/services/escalation.py), so that tickets no longer
imports the escalation app.

Nothing moves in the database: the models keep their ``escalation_*`` tables (``Meta.db_table``),
so the state changes here and in escalation 0007 without a schema operation. Their content types
are relabelled, so permissions and admin log entries stay attached to them.
"""

import datetime
import django.db.models.deletion
import timezone_field.fields
from django.conf import settings
from django.db import migrations, models


MOVED = ["businesscalendar", "workinginterval", "holiday", "slapolicy", "vendor", "escalation"]


def relabel(from_label, to_label):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in MOVED:
            # A type already there under the new label (created by a post_migrate in between)
            # is left alone rather than merged.
            if not ContentType.objects.filter(app_label=to_label, model=model).exists():
                ContentType.objects.filter(app_label=from_label, model=model).update(app_label=to_label)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('escalation', '0006_event_log_for_appraisal'),
        ('tickets', '0016_walk_in_channel_event_actor_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BusinessCalendar',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('time_zone', timezone_field.fields.TimeZoneField(default='UTC', help_text='Working hours and holidays are read in this time zone.', use_pytz=False, verbose_name='time zone')),
                        ('is_24x7', models.BooleanField(default=False, help_text='Every minute counts: working hours and holidays are ignored.', verbose_name='open 24×7')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ],
                    options={
                        'verbose_name': 'business calendar',
                        'verbose_name_plural': 'business calendars',
                        'db_table': 'escalation_businesscalendar',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Vendor',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('contact_name', models.CharField(blank=True, max_length=120, verbose_name='contact name')),
                        ('contact_email', models.EmailField(blank=True, max_length=254, verbose_name='contact e-mail')),
                        ('contact_phone', models.CharField(blank=True, max_length=40, verbose_name='contact phone')),
                        ('contract_reference', models.CharField(blank=True, max_length=100, verbose_name='contract reference')),
                        ('contract_notes', models.TextField(blank=True, max_length=5000, verbose_name='contract notes')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                    ],
                    options={
                        'verbose_name': 'vendor',
                        'verbose_name_plural': 'vendors',
                        'db_table': 'escalation_vendor',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='SlaPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120, unique=True, verbose_name='name')),
                        ('position', models.PositiveIntegerField(default=0, help_text='Lower numbers are tried first.', verbose_name='order')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('priorities', models.JSONField(blank=True, default=list, verbose_name='priorities')),
                        ('types', models.JSONField(blank=True, default=list, verbose_name='types')),
                        ('first_response_minutes', models.PositiveIntegerField(verbose_name='first response target (business minutes)')),
                        ('resolution_minutes', models.PositiveIntegerField(verbose_name='resolution target (business minutes)')),
                        ('warning_percent', models.PositiveSmallIntegerField(default=80, help_text='A warning is raised when this share has elapsed.', verbose_name='warning at (% of the target)')),
                        ('pause_on_pending', models.BooleanField(default=True, verbose_name='pause while pending (waiting on the requester)')),
                        ('pause_on_hold', models.BooleanField(default=False, verbose_name='pause while on hold (waiting on a third party)')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policies', to='tickets.businesscalendar', verbose_name='business calendar')),
                        ('categories', models.ManyToManyField(blank=True, to='tickets.category', verbose_name='categories')),
                        ('organisations', models.ManyToManyField(blank=True, to='accounts.organisation', verbose_name='organisations')),
                        ('teams', models.ManyToManyField(blank=True, to='accounts.team', verbose_name='teams')),
                    ],
                    options={
                        'verbose_name': 'SLA policy',
                        'verbose_name_plural': 'SLA policies',
                        'db_table': 'escalation_slapolicy',
                        'ordering': ['position', 'id'],
                    },
                ),
                migrations.AlterField(
                    model_name='ticket',
                    name='sla_policy',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tickets', to='tickets.slapolicy', verbose_name='SLA policy'),
                ),
                migrations.CreateModel(
                    name='Escalation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('vendor_reference', models.CharField(blank=True, max_length=100, verbose_name="vendor's reference")),
                        ('symptoms', models.TextField(max_length=10000, verbose_name='symptoms')),
                        ('tried', models.TextField(max_length=10000, verbose_name='what was tried')),
                        ('diagnostics', models.TextField(max_length=10000, verbose_name='diagnostics')),
                        ('created_at', models.DateTimeField(verbose_name='escalated')),
                        ('returned_at', models.DateTimeField(blank=True, null=True, verbose_name='sent back')),
                        ('return_reason', models.TextField(blank=True, max_length=5000, verbose_name='reason for sending back')),
                        ('escalated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations_coordinated', to=settings.AUTH_USER_MODEL, verbose_name='coordinator')),
                        ('from_team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations_out', to='accounts.team', verbose_name='from team')),
                        ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='tickets.ticket', verbose_name='ticket')),
                        ('to_team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations_in', to='accounts.team', verbose_name='to team')),
                        ('vendor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='tickets.vendor', verbose_name='vendor')),
                    ],
                    options={
                        'verbose_name': 'escalation',
                        'verbose_name_plural': 'escalations',
                        'db_table': 'escalation_escalation',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WorkingInterval',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='weekday')),
                        ('start_time', models.TimeField(verbose_name='start')),
                        ('end_time', models.TimeField(help_text='00:00 means midnight at the end of the day (24:00).', verbose_name='end')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='intervals', to='tickets.businesscalendar', verbose_name='calendar')),
                    ],
                    options={
                        'verbose_name': 'working interval',
                        'verbose_name_plural': 'working intervals',
                        'db_table': 'escalation_workinginterval',
                        'ordering': ['calendar', 'weekday', 'start_time'],
                    },
                ),
                migrations.CreateModel(
                    name='Holiday',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='date')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('calendar', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holidays', to='tickets.businesscalendar', verbose_name='calendar')),
                    ],
                    options={
                        'verbose_name': 'holiday',
                        'verbose_name_plural': 'holidays',
                        'db_table': 'escalation_holiday',
                        'ordering': ['calendar', 'date'],
                        'constraints': [models.UniqueConstraint(fields=('calendar', 'date'), name='holiday_calendar_date_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='slapolicy',
                    constraint=models.CheckConstraint(condition=models.Q(('first_response_minutes__gt', 0)), name='sla_response_target_positive'),
                ),
                migrations.AddConstraint(
                    model_name='slapolicy',
                    constraint=models.CheckConstraint(condition=models.Q(('resolution_minutes__gt', 0)), name='sla_resolution_target_positive'),
                ),
                migrations.AddConstraint(
                    model_name='slapolicy',
                    constraint=models.CheckConstraint(condition=models.Q(('warning_percent__gte', 1), ('warning_percent__lte', 99)), name='sla_warning_percent_range'),
                ),
                migrations.AddIndex(
                    model_name='escalation',
                    index=models.Index(condition=models.Q(('returned_at__isnull', True)), fields=['escalated_by', 'ticket'], name='escalation_open_coord_idx'),
                ),
                migrations.AddIndex(
                    model_name='escalation',
                    index=models.Index(fields=['from_team', 'created_at'], name='escalation_from_created_idx'),
                ),
                migrations.AddConstraint(
                    model_name='escalation',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('to_team__isnull', True), ('vendor__isnull', False)), models.Q(('to_team__isnull', False), ('vendor__isnull', True)), _connector='OR'), name='escalation_one_target'),
                ),
                migrations.AddConstraint(
                    model_name='workinginterval',
                    constraint=models.CheckConstraint(condition=models.Q(('weekday__lte', 6)), name='working_interval_weekday_valid'),
                ),
                migrations.AddConstraint(
                    model_name='workinginterval',
                    constraint=models.CheckConstraint(condition=models.Q(('end_time', datetime.time(0, 0)), ('end_time__gt', models.F('start_time')), _connector='OR'), name='working_interval_start_before_end'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel("escalation", "tickets"), relabel("tickets", "escalation")),
    ]
