"""A person's household and residence regions are checked once per statement instead of by
foreign keys row by row (see Person.household_region): on PostgreSQL by statement-level
triggers over the statement's transition tables (one anti-join per COPY or UPDATE), on
SQLite by row triggers (cheap in-process). On PostgreSQL, deleting a region a person still
names, or changing a region's id, is refused as the foreign key refused it; SQLite has no
deferred triggers, and an immediate one would refuse Django's flush (it deletes table by
table, in no set order), so there the ORM's on_delete=PROTECT guards regions, as it does
everywhere in the application."""

from django.db import migrations, models
import django.db.models.deletion

REGION_MISSING = "people_person: 户籍地或常住地指向不存在的地区"
REGION_USED = "orgs_region: 地区仍被劳动者的户籍地或常住地引用，不能删除"

POSTGRESQL = [
    f"""CREATE FUNCTION people_person_regions_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n
                   WHERE (n.household_region_id IS NOT NULL AND NOT EXISTS
                          (SELECT 1 FROM orgs_region r WHERE r.id = n.household_region_id))
                      OR (n.residence_region_id IS NOT NULL AND NOT EXISTS
                          (SELECT 1 FROM orgs_region r WHERE r.id = n.residence_region_id)))
        THEN
            RAISE foreign_key_violation USING MESSAGE = '{REGION_MISSING}';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER people_person_regions_insert AFTER INSERT ON people_person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION people_person_regions_exist()""",
    """CREATE TRIGGER people_person_regions_update AFTER UPDATE ON people_person
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION people_person_regions_exist()""",
    f"""CREATE FUNCTION orgs_region_not_named_by_people() RETURNS trigger LANGUAGE plpgsql
    AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM old_rows o
                   WHERE NOT EXISTS (SELECT 1 FROM orgs_region r WHERE r.id = o.id)
                     AND (EXISTS (SELECT 1 FROM people_person p
                                  WHERE p.household_region_id = o.id)
                          OR EXISTS (SELECT 1 FROM people_person p
                                     WHERE p.residence_region_id = o.id)))
        THEN
            RAISE foreign_key_violation USING MESSAGE = '{REGION_USED}';
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER orgs_region_delete_people AFTER DELETE ON orgs_region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION orgs_region_not_named_by_people()""",
    """CREATE TRIGGER orgs_region_update_people AFTER UPDATE ON orgs_region
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION orgs_region_not_named_by_people()""",
]
POSTGRESQL_UNDO = [
    "DROP TRIGGER IF EXISTS orgs_region_update_people ON orgs_region",
    "DROP TRIGGER IF EXISTS orgs_region_delete_people ON orgs_region",
    "DROP FUNCTION IF EXISTS orgs_region_not_named_by_people()",
    "DROP TRIGGER IF EXISTS people_person_regions_update ON people_person",
    "DROP TRIGGER IF EXISTS people_person_regions_insert ON people_person",
    "DROP FUNCTION IF EXISTS people_person_regions_exist()",
]
_MISSING_SQLITE = """(NEW.household_region_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_region WHERE id = NEW.household_region_id))
    OR (NEW.residence_region_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM orgs_region WHERE id = NEW.residence_region_id))"""
SQLITE = [
    f"""CREATE TRIGGER people_person_regions_insert BEFORE INSERT ON people_person
    WHEN {_MISSING_SQLITE}
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {REGION_MISSING}'); END""",
    f"""CREATE TRIGGER people_person_regions_update
    BEFORE UPDATE OF household_region_id, residence_region_id ON people_person
    WHEN {_MISSING_SQLITE}
    BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {REGION_MISSING}'); END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS people_person_regions_update",
    "DROP TRIGGER IF EXISTS people_person_regions_insert",
]


def create_triggers(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL if pg else SQLITE:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    pg = schema_editor.connection.vendor == "postgresql"
    for statement in POSTGRESQL_UNDO if pg else SQLITE_UNDO:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0001_initial"),
        ("people", "0003_target_groups_on_the_person"),
    ]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="household_region",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.region", verbose_name="户籍地"),
        ),
        migrations.AlterField(
            model_name="person",
            name="residence_region",
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.region", verbose_name="常住地"),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
