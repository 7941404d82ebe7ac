"""The default scorecard (teams without their own use it), balanced so that speed alone cannot win.

Efficiency 40 (speed paired with FCR and SLA), quality and satisfaction 40 (CSAT, reopens, ticket
reviews), workload and contribution 15, growth 5: see docs/kpis.md, "The default scorecard".
Times in seconds, rates 0–1, counts per month.
"""

from django.db import migrations

ITEMS = [
    # metric, weight, target, floor, direction, minimum sample
    ("resolution_final_median_s", 10, 8 * 3600, 72 * 3600, "lower", 5),
    ("frt_median_s", 10, 30 * 60, 4 * 3600, "lower", 5),
    ("fcr_rate", 10, 0.75, 0.40, "higher", 5),
    ("sla_resolution_rate", 10, 0.95, 0.70, "higher", 5),
    ("csat_positive_rate", 15, 0.90, 0.60, "higher", 5),
    ("reopen_rate", 10, 0.03, 0.15, "lower", 5),
    ("review_score", 15, 4.5, 3.0, "higher", 3),
    ("weighted_workload", 10, 60, 10, "higher", 0),
    ("article_reuse", 5, 5, 0, "higher", 0),
    ("growth_items", 5, 2, 0, "higher", 0),
]


def create(apps, schema_editor):
    Scorecard = apps.get_model("kpis", "Scorecard")
    ScorecardItem = apps.get_model("kpis", "ScorecardItem")
    if Scorecard.objects.filter(team=None).exists():
        return
    scorecard = Scorecard.objects.create(name="Balanced (default)")
    for position, (metric, weight, target, floor, direction, min_sample) in enumerate(ITEMS):
        ScorecardItem.objects.create(
            scorecard=scorecard,
            metric=metric,
            weight=weight,
            target=target,
            floor=floor,
            direction=direction,
            min_sample=min_sample,
            position=position,
        )


class Migration(migrations.Migration):
    dependencies = [("kpis", "0002_appraisal")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
