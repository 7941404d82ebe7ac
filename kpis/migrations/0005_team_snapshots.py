import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_team_name_zh_hans"),
        ("kpis", "0004_facts_without_constraints"),
    ]

    operations = [
        migrations.CreateModel(
            name="TeamSnapshot",
            fields=[
                (
                    "team",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.team",
                    ),
                ),
                ("backlog", models.JSONField()),
                ("arrivals", models.JSONField()),
                ("computed_at", models.DateTimeField()),
            ],
        ),
    ]
