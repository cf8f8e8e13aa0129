"""Enrolment: five foreign-key indexes dropped (the class and the person are covered by the
(class, person) and (person, status) indexes; mentor, school teacher and who enrolled are
never searched by), and its class, person and enrolling user checked once per statement
instead of by foreign keys row by row, as people's migrations 0004 and 0006 do for a person:
a roster of 100,000 enrolments queued 300,000 deferred trigger events for its commit.

On PostgreSQL one statement-level trigger on training_enrolment scans the statement's new
rows once (each reference by its primary key), and the delete and update triggers of the
three parent tables refuse removing or re-keying a row an enrolment still names. On SQLite,
row triggers on the enrolment; there the ORM's on_delete=PROTECT guards the parents. A later
migration that alters Enrolment on SQLite rebuilds the table, which drops these triggers: it
must create them again (tests/training/test_enrolment_roster.py checks them)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MISSING = "training_enrolment: 报名指向不存在的培训班、学员或经办账号"
# parent table -> (message, the enrolment column that names it)
PARENTS = {
    "people_person": ("人员仍有报名记录，不能删除", "person_id"),
    "training_trainingclass": ("培训班仍有报名记录，不能删除", "training_class_id"),
    "orgs_user": ("账号仍是报名记录的经办账号，不能删除", "enrolled_by_id"),
}

POSTGRESQL = [
    f"""CREATE FUNCTION training_enrolment_references_exist() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n
                   WHERE NOT EXISTS (SELECT 1 FROM training_trainingclass c
                                     WHERE c.id = n.training_class_id)
                      OR NOT EXISTS (SELECT 1 FROM people_person p WHERE p.id = n.person_id)
                      OR (n.enrolled_by_id IS NOT NULL AND NOT EXISTS
                          (SELECT 1 FROM orgs_user u WHERE u.id = n.enrolled_by_id)))
        THEN
            RAISE foreign_key_violation USING MESSAGE = '{MISSING}';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER training_enrolment_references_insert AFTER INSERT ON training_enrolment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION training_enrolment_references_exist()""",
    """CREATE TRIGGER training_enrolment_references_update AFTER UPDATE ON training_enrolment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION training_enrolment_references_exist()""",
    # TG_ARGV: the message, the enrolment column. A removed row (gone from the table after
    # the statement, so a re-keyed one counts) must not be named by any enrolment.
    """CREATE FUNCTION training_enrolment_parent_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        named boolean;
    BEGIN
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM old_rows o '
            'WHERE NOT EXISTS (SELECT 1 FROM %I t WHERE t.id = o.id) '
            'AND EXISTS (SELECT 1 FROM training_enrolment e WHERE e.%I = o.id))',
            TG_TABLE_NAME, TG_ARGV[1]) INTO named;
        IF named THEN
            RAISE foreign_key_violation USING MESSAGE = TG_TABLE_NAME || ': ' || TG_ARGV[0];
        END IF;
        RETURN NULL;
    END $$""",
]
for _table, (_message, _column) in PARENTS.items():
    POSTGRESQL += [
        f"""CREATE TRIGGER {_table}_{event.lower()}_enrolments AFTER {event} ON {_table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION training_enrolment_parent_kept('{_message}', '{_column}')"""
        for event in ("DELETE", "UPDATE")
    ]
POSTGRESQL_UNDO = [
    *(f"DROP TRIGGER IF EXISTS {table}_{event}_enrolments ON {table}"
      for table in PARENTS for event in ("delete", "update")),
    "DROP FUNCTION IF EXISTS training_enrolment_parent_kept()",
    "DROP TRIGGER IF EXISTS training_enrolment_references_update ON training_enrolment",
    "DROP TRIGGER IF EXISTS training_enrolment_references_insert ON training_enrolment",
    "DROP FUNCTION IF EXISTS training_enrolment_references_exist()",
]
_SQLITE_MISSING = """NOT EXISTS (SELECT 1 FROM training_trainingclass
                                 WHERE id = NEW.training_class_id)
    OR NOT EXISTS (SELECT 1 FROM people_person WHERE id = NEW.person_id)
    OR (NEW.enrolled_by_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM orgs_user WHERE id = NEW.enrolled_by_id))"""
SQLITE = [
    f"""CREATE TRIGGER training_enrolment_references_{kind} BEFORE {event}
    ON training_enrolment WHEN {_SQLITE_MISSING}
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {MISSING}'); END"""
    for kind, event in (("insert", "INSERT"),
                        ("update", "UPDATE OF training_class_id, person_id, enrolled_by_id"))
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS training_enrolment_references_insert",
               "DROP TRIGGER IF EXISTS training_enrolment_references_update"]


def create_triggers(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if pg else SQLITE:
        schema_editor.execute(statement, params=None)  # no parameters: format()'s % stays


def drop_triggers(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_UNDO if pg else SQLITE_UNDO:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0008_personimport_heartbeat'),
        ('training', '0002_classes_enrolment_attendance'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='enrolment',
            name='enrolled_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='报名经办人'),
        ),
        migrations.AlterField(
            model_name='enrolment',
            name='mentor',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.person', verbose_name='企业导师'),
        ),
        migrations.AlterField(
            model_name='enrolment',
            name='person',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='enrolments', to='people.person', verbose_name='学员'),
        ),
        migrations.AlterField(
            model_name='enrolment',
            name='school_teacher',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='training.teacher', verbose_name='院校导师'),
        ),
        migrations.AlterField(
            model_name='enrolment',
            name='training_class',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='enrolments', to='training.trainingclass', verbose_name='培训班'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
