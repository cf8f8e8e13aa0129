from django.db import migrations

from jineng.catalog.vocab import EVALUATION_TYPES, FUND_SOURCES, SKILL_LEVELS


def load(apps, schema_editor):
    SkillLevel = apps.get_model("catalog", "SkillLevel")
    EvaluationType = apps.get_model("catalog", "EvaluationType")
    FundSource = apps.get_model("catalog", "FundSource")
    for code, digit, name, short_name, rank, addition in SKILL_LEVELS:
        SkillLevel.objects.update_or_create(code=code, defaults={
            "digit": digit, "name": name, "short_name": short_name, "rank": rank,
            "is_eight_level_addition": addition,
        })
    for code, name, description in EVALUATION_TYPES:
        EvaluationType.objects.update_or_create(
            code=code, defaults={"name": name, "description": description})
    for code, name, description in FUND_SOURCES:
        FundSource.objects.update_or_create(
            code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
