"""Target groups move here from people, so that catalog (a sibling of people) can validate
programmes' and catalogue lines' groups against the same table. people 0007 copies the rows
across; this migration also gives roles the new permission codes (orgs.*_targetgroup) wherever
they granted or took away the old ones (people.*_targetgroup), so no custom role changes
what it may do."""

from fnmatch import fnmatchcase

from django.db import migrations, models

ACTIONS = ("view", "add", "change", "delete", "export")


def _renamed(patterns: list[str], old: str, new: str) -> list[str]:
    out = list(patterns)
    for pattern in patterns:
        denied = pattern.startswith("!")
        body = pattern[1:] if denied else pattern
        for action in ACTIONS:
            code = f"{new}.{action}_targetgroup"
            if fnmatchcase(f"{old}.{action}_targetgroup", body) and not fnmatchcase(code, body):
                wanted = f"!{code}" if denied else code
                if wanted not in out:
                    out.append(wanted)
    return out


def forwards(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.all():
        patterns = _renamed(role.permissions or [], "people", "orgs")
        if patterns != role.permissions:
            role.permissions = patterns
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_login_throttle_and_password_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='TargetGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=40, unique=True, verbose_name='编码')),
                ('name', models.CharField(max_length=60, unique=True, verbose_name='名称')),
                ('builtin', models.BooleanField(default=False, verbose_name='内置')),
                ('is_active', models.BooleanField(default=True, verbose_name='启用')),
                ('sort_order', models.PositiveSmallIntegerField(default=100, verbose_name='排序')),
            ],
            options={
                'verbose_name': '重点群体',
                'verbose_name_plural': '重点群体',
                'ordering': ['sort_order', 'code'],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
