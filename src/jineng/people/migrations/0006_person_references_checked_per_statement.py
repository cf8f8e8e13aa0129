"""All four references of a person — household and residence region, the registering
institution, the login account — are checked once per statement, as migration 0004 began
for the regions. Their foreign keys queued two trigger events per inserted row even when
empty (nearly every imported person has no account and most no institution), about 3 s of a
million-row import at commit; an institution's import would also have paid a look-up per row.

On PostgreSQL one statement-level trigger scans the statement's new rows once (the regions
and institutions as hashed sets, an account by its key), and the delete and update triggers
of the three parent tables refuse removing or re-keying a row a person still names. On
SQLite, row triggers on the person, as in 0004; there the ORM's on_delete=PROTECT guards the
parents. SQLite rebuilds people_person for the AlterFields below, which drops 0004's
triggers: they are created again here, and a later migration that alters Person must do the
same (tests/people/test_reference_integrity.py fails otherwise)."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import jineng.people.models

REGION_MISSING = "people_person: 户籍地或常住地指向不存在的地区"
INSTITUTION_MISSING = "people_person: 登记机构不存在"
USER_MISSING = "people_person: 登录账号不存在"
# The parent tables' triggers: the message and the person columns that name a parent row.
PARENTS = {
    "orgs_region": ("地区仍被劳动者的户籍地或常住地引用，不能删除",
                    ("household_region_id", "residence_region_id")),
    "orgs_institution": ("机构仍是劳动者的登记机构，不能删除", ("registered_by_id",)),
    "orgs_user": ("账号仍是劳动者的登录账号，不能删除", ("user_id",)),
}

POSTGRESQL = [
    # NOT IN over a hashed set for the small parents; an account by its primary key (the
    # user table grows with the registry). IS NOT NULL first: NULL NOT IN (empty) is true.
    f"""CREATE FUNCTION people_person_references_exist() RETURNS trigger LANGUAGE plpgsql
    AS $$
    DECLARE
        region_missing boolean;
        institution_missing boolean;
        user_missing boolean;
    BEGIN
        SELECT bool_or(n.household_region_id IS NOT NULL
                       AND n.household_region_id NOT IN (SELECT id FROM orgs_region)
                       OR n.residence_region_id IS NOT NULL
                       AND n.residence_region_id NOT IN (SELECT id FROM orgs_region)),
               bool_or(n.registered_by_id IS NOT NULL
                       AND n.registered_by_id NOT IN (SELECT id FROM orgs_institution)),
               bool_or(n.user_id IS NOT NULL
                       AND NOT EXISTS (SELECT 1 FROM orgs_user u WHERE u.id = n.user_id))
          INTO region_missing, institution_missing, user_missing
          FROM new_rows n;
        IF region_missing THEN
            RAISE foreign_key_violation USING MESSAGE = '{REGION_MISSING}';
        END IF;
        IF institution_missing THEN
            RAISE foreign_key_violation USING MESSAGE = '{INSTITUTION_MISSING}';
        END IF;
        IF user_missing THEN
            RAISE foreign_key_violation USING MESSAGE = '{USER_MISSING}';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER people_person_references_insert AFTER INSERT ON people_person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION people_person_references_exist()""",
    """CREATE TRIGGER people_person_references_update AFTER UPDATE ON people_person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION people_person_references_exist()""",
    # TG_ARGV: the message, then the person columns. A removed row (gone from the table
    # after the statement, so a re-keyed one counts) must not be named by any person.
    """CREATE FUNCTION people_person_parent_kept() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        person_column text;
        named boolean;
    BEGIN
        FOREACH person_column IN ARRAY TG_ARGV[1:] LOOP
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM old_rows o '
                'WHERE NOT EXISTS (SELECT 1 FROM %I t WHERE t.id = o.id) '
                'AND EXISTS (SELECT 1 FROM people_person p WHERE p.%I = o.id))',
                TG_TABLE_NAME, person_column) INTO named;
            IF named THEN
                RAISE foreign_key_violation
                    USING MESSAGE = TG_TABLE_NAME || ': ' || TG_ARGV[0];
            END IF;
        END LOOP;
        RETURN NULL;
    END $$""",
]
for _table, (_message, _columns) in PARENTS.items():
    _arguments = ", ".join(f"'{a}'" for a in (_message, *_columns))
    POSTGRESQL += [
        f"""CREATE TRIGGER {_table}_{event.lower()}_people AFTER {event} ON {_table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION people_person_parent_kept({_arguments})"""
        for event in ("DELETE", "UPDATE")
    ]
POSTGRESQL_UNDO = [
    *(f"DROP TRIGGER IF EXISTS {table}_{event}_people ON {table}"
      for table in PARENTS for event in ("delete", "update")),
    "DROP FUNCTION IF EXISTS people_person_parent_kept()",
    "DROP TRIGGER IF EXISTS people_person_references_update ON people_person",
    "DROP TRIGGER IF EXISTS people_person_references_insert ON people_person",
    "DROP FUNCTION IF EXISTS people_person_references_exist()",
]

# (trigger name, message, when a new or changed row names what does not exist)
_SQLITE_CHECKS = [
    ("regions", REGION_MISSING, """(NEW.household_region_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_region WHERE id = NEW.household_region_id))
    OR (NEW.residence_region_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_region WHERE id = NEW.residence_region_id))"""),
    ("institution", INSTITUTION_MISSING, """NEW.registered_by_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_institution WHERE id = NEW.registered_by_id)"""),
    ("user", USER_MISSING, """NEW.user_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_user WHERE id = NEW.user_id)"""),
]
_SQLITE_EVENTS = [
    ("insert", "INSERT"),
    ("update", "UPDATE OF household_region_id, residence_region_id, registered_by_id, user_id"),
]
SQLITE = [
    f"""CREATE TRIGGER people_person_{name}_{kind} BEFORE {event} ON people_person
    WHEN {condition}
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {message}'); END"""
    for name, message, condition in _SQLITE_CHECKS for kind, event in _SQLITE_EVENTS
]
SQLITE_UNDO = [
    f"DROP TRIGGER IF EXISTS people_person_{name}_{kind}"
    for name, _, _ in _SQLITE_CHECKS for kind, _ in _SQLITE_EVENTS
]


def _migration_0004():
    return importlib.import_module(
        "jineng.people.migrations.0004_person_regions_checked_per_statement")


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
        ("orgs", "0001_initial"),
        ("people", "0005_person_name_prefix_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(lambda apps, editor: _migration_0004().drop_triggers(apps, editor),
                             lambda apps, editor: _migration_0004().create_triggers(apps, editor)),
        migrations.AlterField(
            model_name="person",
            name="registered_by",
            field=models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="orgs.institution", verbose_name="登记机构",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="user",
            field=jineng.people.models.OptionalOneToOneField(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=django.db.models.deletion.PROTECT, related_name="person",
                to=settings.AUTH_USER_MODEL, verbose_name="登录账号",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
