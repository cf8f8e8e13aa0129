"""Catalogue lines and programmes kept their target groups as typed names; they now keep the
codes of orgs.TargetGroup, as people do, so eligibility compares like with like. Each name
becomes the code of the group of that name (full-width folded); the spellings the earlier
presets used for a preset group map to it; a name no group has becomes a new group (so no
record loses a group). The catalogue versions' data is converted the same way."""

import unicodedata

import jineng.core.fields
from django.db import migrations

# How the earlier presets spelled groups that exist under another name.
ALIASES = {
    "下岗失业人员": "unemployed",
    "在校学生": "student",
    "脱贫劳动力": "poverty_alleviated",
    "在押服刑人员": "inmate_rehab",
    "强制隔离戒毒人员": "inmate_rehab",
}
# Groups the programmes' documents name (orgs.target_groups presets of this date).
NEW_PRESETS = {
    "社区矫正人员": ("community_corrections", 170),
    "高素质农民": ("high_quality_farmer", 180),
    "有创业意愿的劳动者": ("aspiring_entrepreneur", 190),
    "农村劳动者": ("rural_labourer", 200),
    "农村低收入家庭劳动力": ("rural_low_income", 210),
    "农村妇女": ("rural_woman", 220),
    "生态护林员": ("forest_ranger", 230),
}


def _key(value) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


class _Codes:
    """name or code → code, creating the groups that are missing."""

    def __init__(self, TargetGroup):
        self.model = TargetGroup
        groups = list(TargetGroup.objects.all())
        self.codes = {g.code for g in groups}
        self.by_key = {_key(g.name): g.code for g in groups} | {g.code: g.code for g in groups}
        self.serial = 0

    def __call__(self, value) -> str | None:
        key = _key(value)
        if not key:
            return None
        if key in self.by_key:
            return self.by_key[key]
        if ALIASES.get(key) in self.codes:
            return ALIASES[key]
        code, order = NEW_PRESETS.get(key, (None, 500))
        builtin = code is not None and code not in self.codes
        if not builtin:
            code = self._free_code()
        self.model.objects.create(code=code, name=key[:60], builtin=builtin, sort_order=order)
        self.codes.add(code)
        self.by_key[key] = code
        return code

    def _free_code(self) -> str:
        while True:
            self.serial += 1
            code = f"group_{self.serial:03d}"
            if code not in self.codes:
                return code

    def of(self, values) -> list[str]:
        return sorted({c for c in map(self, values or []) if c})


def _convert(apps, convert_list):
    CatalogueEntry = apps.get_model("catalog", "CatalogueEntry")
    Programme = apps.get_model("catalog", "Programme")
    PolicyVersion = apps.get_model("catalog", "PolicyVersion")
    for model in (CatalogueEntry, Programme):
        changed = []
        for obj in model.objects.only("pk", "target_groups").iterator(2000):
            new = convert_list(obj.target_groups)
            if new != obj.target_groups:
                obj.target_groups = new
                changed.append(obj)
        model.objects.bulk_update(changed, ["target_groups"], batch_size=1000)
    for version in PolicyVersion.objects.filter(kind="training_subsidy"):
        for line in version.data.get("entries", []):
            line["target_groups"] = convert_list(line.get("target_groups"))
        version.save(update_fields=["data"])


def names_to_codes(apps, schema_editor):
    _convert(apps, _Codes(apps.get_model("orgs", "TargetGroup")).of)


def codes_to_names(apps, schema_editor):
    names = dict(apps.get_model("orgs", "TargetGroup").objects.values_list("code", "name"))
    _convert(apps, lambda codes: [names.get(c, c) for c in codes or []])


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_vocabularies'),
        ('orgs', '0003_target_groups'),
        # The groups are copied into orgs' table there; a name must find its group.
        ('people', '0007_target_groups_move_to_orgs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='catalogueentry',
            name='target_groups',
            field=jineng.core.fields.CodeList(verbose_name='适用群体'),
        ),
        migrations.AlterField(
            model_name='programme',
            name='target_groups',
            field=jineng.core.fields.CodeList(verbose_name='重点群体'),
        ),
        migrations.RunPython(names_to_codes, codes_to_names),
    ]
