"""TargetGroup now lives in orgs (orgs 0003): copy every group across with its id, then drop
people's table. People keep their rows untouched: Person.target_groups holds codes, which do
not change."""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "code", "name", "builtin", "is_active", "sort_order")


def copy_groups(apps, schema_editor):
    Old = apps.get_model("people", "TargetGroup")
    New = apps.get_model("orgs", "TargetGroup")
    taken = set(New.objects.values_list("code", flat=True))
    rows = [New(**{f: getattr(g, f) for f in FIELDS})
            for g in Old.objects.all() if g.code not in taken]
    New.objects.bulk_create(rows)
    # Explicit ids leave PostgreSQL's identity sequence behind: move it past them.
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [New]):
        schema_editor.execute(sql)


def copy_back(apps, schema_editor):
    Old = apps.get_model("people", "TargetGroup")
    New = apps.get_model("orgs", "TargetGroup")
    Old.objects.bulk_create(Old(**{f: getattr(g, f) for f in FIELDS})
                            for g in New.objects.all())
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Old]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0006_person_references_checked_per_statement"),
        ("orgs", "0003_target_groups"),
    ]

    operations = [
        migrations.RunPython(copy_groups, copy_back),
        migrations.DeleteModel(name="TargetGroup"),
    ]
