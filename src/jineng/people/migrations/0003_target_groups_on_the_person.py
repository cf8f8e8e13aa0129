"""A person's target groups move from the link table to a list of codes on the person
(core.fields.CodeList): an import of a million people writes no million link rows, with
their two foreign-key checks each. On PostgreSQL the list gets a GIN index for
`target_groups__has`."""

import jineng.core.fields
from django.db import migrations

FILL = {
    "postgresql": """
        UPDATE people_person p SET group_codes = a.codes
        FROM (SELECT l.person_id, jsonb_agg(g.code ORDER BY g.code) AS codes
              FROM people_persontargetgroup l JOIN people_targetgroup g ON g.id = l.target_group_id
              GROUP BY l.person_id) a
        WHERE a.person_id = p.id""",
    "sqlite": """
        UPDATE people_person SET group_codes = (
            SELECT json_group_array(code) FROM (
                SELECT g.code FROM people_persontargetgroup l
                JOIN people_targetgroup g ON g.id = l.target_group_id
                WHERE l.person_id = people_person.id ORDER BY g.code))
        WHERE id IN (SELECT person_id FROM people_persontargetgroup)""",
}
UNFILL = """
    INSERT INTO people_persontargetgroup (person_id, target_group_id)
    SELECT p.id, g.id FROM people_person p JOIN people_targetgroup g
    ON g.code IN (SELECT value FROM json_each(p.group_codes))"""
UNFILL_PG = """
    INSERT INTO people_persontargetgroup (person_id, target_group_id)
    SELECT p.id, g.id FROM people_person p JOIN people_targetgroup g
    ON p.group_codes ? g.code"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL[schema_editor.connection.vendor])


def unfill(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(UNFILL_PG if pg else UNFILL)


def gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX person_target_groups ON people_person "
                              "USING gin (target_groups jsonb_path_ops)")


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_target_groups")


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0002_partial_person_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="group_codes",
            field=jineng.core.fields.CodeList(verbose_name="重点群体"),
        ),
        migrations.RunPython(fill, unfill),
        migrations.RemoveField(model_name="person", name="target_groups"),
        migrations.DeleteModel(name="PersonTargetGroup"),
        migrations.RenameField(model_name="person", old_name="group_codes",
                               new_name="target_groups"),
        migrations.RunPython(gin_index, drop_gin_index),
    ]
