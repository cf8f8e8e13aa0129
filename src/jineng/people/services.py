"""Every write to the real-name registry: validate, change, record history, audit — in one
transaction.

Fields are validated by the parsers of people/roster.py's column table, the importer's too,
so one rule gives one message on both paths. Per-row helpers (pure, no database writes,
raise `ServiceError` whose `errors` maps a field name to a Chinese message):

- `identity_hash(doc_type, number)`       the 32-byte look-up key (core.identity's)
- `identity_check(raw, doc_type, birth_date=..., sex=...)`  parse + agree with given fields
- `identity_columns(ident)`               {"doc_type", "id_hash", "id_cipher", "id_masked"}
- `phone_normalise(raw)` / `phone_columns(phone)` (masks with core.codes.mask_phone)
- `name_clean(raw)` / `name_mask(name)`
- `person_change_row(...)`                an unsaved PersonChange, for `bulk_create`
- `TRACKED_FIELDS`, `FIELD_LABELS`        the history vocabulary shown on the archive

Sensitive values (identity number, phone, social security card) never appear in plain text in
PersonChange rows or audit events: only their masked forms do.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from jineng.core.audit import audit_record
from jineng.core.codes import clean_text, mask_phone
from jineng.core.crypto import decrypt, encrypt
from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.core.events import CoreAction
from jineng.core.identity import (
    DocType,
    IdentityError,
    IdentityNumber,
    identity_hash,
    mask,
    parse_identity,
)
from jineng.core.refusals import OutOfScope, require_visible
from jineng.core.scope import get_restricted, region_allowed, user_reach
from jineng.orgs.lock_objects import target_group_lock, user_lock
from jineng.orgs.models import Region, TargetGroup, User
from jineng.people import roster
from jineng.people.events import PeopleAction
from jineng.people.lock_objects import person_lock
from jineng.people.models import Person, PersonChange
from jineng.people.roster import FieldError

# ---------------------------------------------------------------- vocabulary

# What history and messages call each field (roster.COLUMNS' change labels, in its order).
FIELD_LABELS = {
    **{c.field: c.change_label for c in roster.COLUMNS},
    "user": "登录账号",
    "registered_by": "登记机构",
}
# The fields whose changes PersonChange records, in display order.
TRACKED_FIELDS = tuple(k for k in FIELD_LABELS if k != "registered_by")

NAME_FORBIDDEN = roster.NAME_FORBIDDEN
_GROUP_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _fail(errors: dict[str, str], code: str | None = None) -> ServiceError:
    """One error for several fields; the message names each field in Chinese."""
    message = "；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in errors.items())
    return ServiceError(message, code=code, errors=errors)


# ---------------------------------------------------------------- per-row helpers


def identity_check(raw, doc_type: str | None = None, *, birth_date: dt.date | None = None,
                   sex: str = "") -> IdentityNumber:
    """Parse and validate a number; the birth date and sex it encodes must agree with any given.

    Returns an IdentityNumber whose birth_date/sex fall back to the given ones when the
    document does not encode them (passports, old foreign PR cards). Raises ServiceError
    naming the field ("id_number", "birth_date" or "sex").
    """
    try:
        kind = roster.doc_type(doc_type)
    except FieldError as exc:
        raise _fail({"doc_type": exc.message}) from None
    try:
        ident = roster.identity(raw, kind)
    except (FieldError, IdentityError) as exc:
        raise _fail({"id_number": exc.message}) from None
    errors = roster.identity_disagreements(ident, birth_date, sex)
    if errors:
        raise _fail(errors)
    if not ident.birth_date and birth_date or not ident.sex and sex:
        ident = IdentityNumber(ident.doc_type, ident.number, ident.birth_date or birth_date,
                               ident.sex or sex)
    return ident


def identity_columns(ident: IdentityNumber) -> dict:
    """The stored form of a validated number: type, hash, ciphertext, masked copy."""
    return {
        "doc_type": str(ident.doc_type),
        "id_hash": identity_hash(ident.doc_type, ident.number),
        "id_cipher": encrypt(ident.number),
        "id_masked": mask(ident.number),
    }


def identity_search_hashes(raw) -> list[bytes]:
    """Every hash an exact-number search should match: the parsed form (15 digits become 18)
    under its guessed type, plus the normalised text under each document type."""
    from jineng.core.identity import normalise

    text = normalise(raw)
    if not text:
        return []
    hashes = {identity_hash(t, text) for t in DocType.values}
    try:
        ident = parse_identity(raw)
    except IdentityError:
        pass
    else:
        hashes.add(identity_hash(ident.doc_type, ident.number))
    return sorted(hashes)


def phone_normalise(raw) -> str:
    """roster.phone, raising ServiceError on field "phone"."""
    return _one("phone", raw)


def _one(field: str, raw):
    """roster's parser of `field` over `raw`, a FieldError as ServiceError naming the field."""
    try:
        return roster.BY_FIELD[field].parse(raw)
    except FieldError as exc:
        raise _fail({field: exc.message}) from None


def phone_columns(phone: str) -> dict:
    """{"phone_cipher", "phone_masked"} for a normalised phone ("" clears it)."""
    if not phone:
        return {"phone_cipher": None, "phone_masked": ""}
    return {"phone_cipher": encrypt(phone), "phone_masked": mask_phone(phone)}


def name_clean(raw) -> str:
    """roster.name: full-width to half-width, no spaces between Chinese characters."""
    return _one("name", raw)


def name_mask(name: str) -> str:
    """张*三, 张*, 欧**娜: the first and last characters, stars between."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def social_card_mask(card: str) -> str:
    return mask(card) if card else ""


def person_change_row(*, person_id: int, actor, source: str, changes: dict,
                      at: dt.datetime | None = None) -> PersonChange:
    """An unsaved history row; `changes` is {field: [old, new]} with masked sensitive values
    (see `person_snapshot`). The importer bulk-creates these with source "import:<id>"."""
    return PersonChange(
        person_id=person_id, at=at or timezone.now(), actor_id=getattr(actor, "pk", None),
        actor_name=(getattr(actor, "username", "") or "")[:150], source=source[:40],
        changes=changes,
    )


# ---------------------------------------------------------------- resolving references


class _Lookups:
    """roster.References from the database, for one call of the service: regions by code
    or name, the active target groups loaded at the first question."""

    def __init__(self):
        self.regions: dict[int, Region] = {}
        self._groups: dict[str, str] | None = None

    def _found(self, regions) -> int | None:
        found = list(regions[:2])
        if len(found) != 1:
            return None
        self.regions[found[0].pk] = found[0]
        return found[0].pk

    def region_by_code(self, code: str) -> int | None:
        return self._found(Region.objects.filter(code=code))

    def region_by_name(self, key: str) -> int | None:
        regions = Region.objects.filter(name=key)
        return self._found(regions) if regions.exists() else 0

    def group_code(self, key: str) -> str | None:
        if self._groups is None:
            self._groups = {}
            for code, name in TargetGroup.objects.filter(is_active=True).values_list(
                    "code", "name"):
                for k in (code, name):
                    self._groups.setdefault(roster.lookup_key(k), code)
        return self._groups.get(key)


def _region(value, field: str, errors: dict, lookups: _Lookups) -> Region | None:
    if value in (None, ""):
        return None
    if isinstance(value, Region):
        return value
    try:
        return lookups.regions[roster.region(value, lookups)]
    except FieldError as exc:
        errors[field] = exc.message
        return None


def _target_groups(values, errors: dict, lookups: _Lookups) -> list[TargetGroup]:
    if not values:
        return []
    if isinstance(values, list | tuple | set):
        objs = [v for v in values if isinstance(v, TargetGroup)]
        values = [v for v in values if not isinstance(v, TargetGroup)]
    else:
        objs = []
    try:
        codes = roster.target_groups(values, lookups)
    except FieldError as exc:
        errors["target_groups"] = exc.message
        codes = ()
    unique = {g.pk: g for g in [*objs, *TargetGroup.objects.filter(code__in=codes)]}
    return sorted(unique.values(), key=lambda g: (g.sort_order, g.code))


def _codes(groups: list[TargetGroup]) -> list[str]:
    """What Person.target_groups stores: the groups' codes, sorted."""
    return sorted(g.code for g in groups)


# ---------------------------------------------------------------- snapshots and history


def _region_label(region: Region | None):
    return f"{region.name}（{region.code}）" if region else None


def person_snapshot(person: Person, *, phone: str | None = None,
                    groups: list[TargetGroup] | None = None) -> dict:
    """What history and audit store for a person: display values, sensitive ones masked."""
    if groups is None:
        groups = list(TargetGroup.objects.filter(code__in=person.target_groups))
    return {
        "doc_type": person.get_doc_type_display(),
        "id_number": person.id_masked,
        "name": person.name,
        "sex": person.get_sex_display() or None,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "phone": person.phone_masked or None,
        "household_region": _region_label(person.household_region),
        "residence_region": _region_label(person.residence_region),
        "target_groups": [g.name for g in groups],
        **{c.field: c.show(getattr(person, c.field)) for c in roster.PLAIN},
        "user": person.user.username if person.user_id else None,
    }


def _diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in TRACKED_FIELDS
            if before.get(k) != after.get(k)}


def _record(*, actor, person: Person, action: str, changes: dict, source: str) -> None:
    person_change_row(person_id=person.pk, actor=actor, source=source, changes=changes).save()
    audit_record(actor=actor, action=action, obj=person, changes={**changes, "source": source})


# ---------------------------------------------------------------- permission helpers


def _add_grant(actor):
    """The institution a record is registered by when the actor adds people under an
    own-institution grant (then any region is fine); None for officers (region scoped)."""
    reach = user_reach(actor, "people.add_person")
    if not reach.granted:
        raise Forbidden("没有登记劳动者的权限")
    return actor.institution if reach.institution_ids else None


def _check_regions(actor, action: str, household, residence, errors: dict) -> None:
    """At least one of the person's regions must be in the actor's scope for `action`, so a
    record is never created or moved where its author could not see it."""
    regions = [r for r in (household, residence) if r is not None]
    if not regions:
        errors["household_region"] = "请填写户籍地或常住地（区划代码）"
        return
    if not any(region_allowed(actor, Person, action, r) for r in regions):
        message = f"无权在「{regions[0].name}」登记或管理劳动者"
        raise OutOfScope(message, errors={"household_region": message})


def _visible(actor, person: Person, action: str) -> None:
    require_visible(actor, person, action)


# ---------------------------------------------------------------- person writes


@dataclass
class _Clean:
    values: dict
    groups: list[TargetGroup] | None
    phone: str | None


def _parsed(data: dict, field: str, errors: dict, default=None):
    """roster's parser of `field` over data[field] (`default` when absent or refused)."""
    if field not in data:
        return default
    try:
        return roster.BY_FIELD[field].parse(data[field])
    except FieldError as exc:
        errors[field] = exc.message
        return default


def _clean(data: dict, *, existing: Person | None = None) -> _Clean:
    """Validate the given fields (a partial dict when updating) with the roster's parsers,
    as the importer does; collect every error."""
    errors: dict[str, str] = {}
    values: dict = {}
    lookups = _Lookups()

    if "name" in data:
        values["name"] = _parsed(data, "name", errors)
    sex = _parsed(data, "sex", errors, "")
    birth_date = _parsed(data, "birth_date", errors)
    doc_type = _parsed(data, "doc_type", errors)

    number_given = data.get("id_number") not in (None, "") and str(data["id_number"]).strip()
    if number_given:
        try:
            ident = identity_check(data["id_number"], doc_type, birth_date=birth_date,
                                   sex=sex)
        except ServiceError as exc:
            errors.update(exc.errors)
        else:
            values.update(identity_columns(ident))
            values["birth_date"], values["sex"] = ident.birth_date, ident.sex
    elif existing is None:
        errors["id_number"] = "证件号码不能为空"
    else:
        if doc_type and doc_type != existing.doc_type:
            errors["id_number"] = "修改证件类型时请同时填写完整的证件号码"
        # The number stays: any given birth date or sex must still agree with it.
        number = decrypt(existing.id_cipher)
        try:
            ident = identity_check(number, existing.doc_type, birth_date=birth_date, sex=sex)
        except ServiceError as exc:
            errors.update({k: v for k, v in exc.errors.items() if k != "id_number"})
        else:
            if ident.birth_date != existing.birth_date and ident.birth_date:
                values["birth_date"] = ident.birth_date
            if ident.sex != existing.sex and ident.sex:
                values["sex"] = ident.sex

    phone = _parsed(data, "phone", errors)
    if phone is not None:
        values.update(phone_columns(phone))
    for field in ("household_region", "residence_region"):
        if field in data:
            values[field] = _region(data[field], field, errors, lookups)
    for column in roster.PLAIN:
        if column.field in data:
            values[column.field] = _parsed(data, column.field, errors, "")
    groups = (_target_groups(data["target_groups"], errors, lookups)
              if "target_groups" in data else None)
    if errors:
        raise _fail(errors)
    return _Clean(values, groups, phone)


PERSON_INPUT_FIELDS = tuple(c.field for c in roster.COLUMNS)


def person_create(*, actor, id_number: str, name: str, source: str = "page",
                  **fields) -> Person:
    """Register one person; `fields` any other of PERSON_INPUT_FIELDS (roster.COLUMNS).
    Regions may be Region objects, codes or names, target groups objects, codes or names.
    An institution operator's record is registered by their institution; an officer's
    needs a region in their scope. Raises ServiceError (field errors, nothing
    written) or Conflict when the number is already registered."""
    unknown = set(fields) - set(PERSON_INPUT_FIELDS)
    if unknown:
        raise ServiceError(f"字段 {'、'.join(sorted(unknown))} 不可填写")
    institution = _add_grant(actor)
    data = {**dict.fromkeys(PERSON_INPUT_FIELDS, ""), **fields, "id_number": id_number,
            "name": name}
    clean = _clean(data)
    values = clean.values
    errors: dict = {}
    if institution is None:
        _check_regions(actor, "add", values.get("household_region"),
                       values.get("residence_region"), errors)
    if errors:
        raise _fail(errors)
    if Person.objects.filter(id_hash=values["id_hash"]).exists():
        raise Conflict(
            f"证件号码 {values['id_masked']} 已登记，请勿重复登记",
            errors={"id_number": f"证件号码 {values['id_masked']} 已登记，请勿重复登记"},
        )
    try:
        with transaction.atomic():
            person = Person.objects.create(registered_by=institution,
                                           target_groups=_codes(clean.groups or []), **values)
            changes = {k: [None, v] for k, v in
                       person_snapshot(person, groups=clean.groups or []).items()
                       if v not in (None, [])}
            _record(actor=actor, person=person, action=CoreAction.CREATE, changes=changes,
                    source=source)
    except IntegrityError:  # a concurrent registration of the same number
        raise Conflict(f"证件号码 {values['id_masked']} 已登记，请勿重复登记",
                       errors={"id_number": "该证件号码已登记"}) from None
    return person


def person_update(*, actor, person: Person, source: str = "page", **fields) -> Person:
    """Change any of PERSON_INPUT_FIELDS (only those given). A new id_number re-derives birth
    date and sex and re-keys the record. Records history and an audit event when something
    changed; returns the person unchanged otherwise."""
    unknown = set(fields) - set(PERSON_INPUT_FIELDS)
    if unknown:
        raise ServiceError(f"字段 {'、'.join(sorted(unknown))} 不可修改")
    _visible(actor, person, "change")
    person = Person.objects.select_related("household_region", "residence_region", "user").get(
        pk=person.pk
    )
    clean = _clean(fields, existing=person)
    values = clean.values
    errors: dict = {}
    household = values.get("household_region", person.household_region)
    residence = values.get("residence_region", person.residence_region)
    if {"household_region", "residence_region"} & set(values) and (
        household != person.household_region or residence != person.residence_region
    ):
        _check_regions(actor, "change", household, residence, errors)
    if "id_hash" in values and bytes(values["id_hash"]) != bytes(person.id_hash):
        if Person.objects.filter(id_hash=values["id_hash"]).exclude(pk=person.pk).exists():
            errors["id_number"] = f"证件号码 {values['id_masked']} 已登记在另一条记录上"
    elif "id_hash" in values:  # same number: keep the stored ciphertext
        for key in ("id_hash", "id_cipher", "id_masked", "doc_type"):
            values.pop(key)
    if "phone_cipher" in values and person.phone_cipher and clean.phone == decrypt(
        person.phone_cipher
    ):
        values.pop("phone_cipher")
        values.pop("phone_masked")
    if errors:
        raise _fail(errors)

    with transaction.atomic():
        person = person_lock(person)
        before = person_snapshot(person)
        for key, value in values.items():
            setattr(person, key, value)
        if clean.groups is not None:
            person.target_groups = _codes(clean.groups)
        changes = _diff(before, person_snapshot(person, groups=clean.groups))
        if "id_number" not in changes and "id_cipher" in values:
            changes["id_number"] = [before["id_number"], person.id_masked + "（已更正）"]
        if "phone" not in changes and "phone_cipher" in values:
            changes["phone"] = [before["phone"], (person.phone_masked or "") + "（已更正）"]
        if not changes:
            return person
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise _fail({"id_number": "该证件号码已登记在另一条记录上"}) from None
        _record(actor=actor, person=person, action=CoreAction.UPDATE, changes=changes,
                source=source)
    return person


@transaction.atomic
def person_link_user(*, actor, person: Person, user: User | None,
                     source: str = "page") -> Person:
    """Link a worker's login to their person (None unlinks). One login per person."""
    _visible(actor, person, "change")
    person = person_lock(person)
    if user is not None:
        user = user_lock(user)
        problem = _worker_login_problem(user)
        if problem:
            raise _fail({"user": problem}, code="not_worker")
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise _fail({"user": f"账号 {user.username} 已关联了其他劳动者"}, code="duplicate")
    if person.user_id == (user.pk if user else None):
        return person
    old = User.objects.filter(pk=person.user_id).values_list("username", flat=True).first()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    changes = {"user": [old, user.username if user else None]}
    _record(actor=actor, person=person, action=PeopleAction.LINK_USER, changes=changes,
            source=source)
    return person


WORKER_ROLE = "worker"


def _worker_login_problem(user: User) -> str:
    """Why a login may not be linked to a person's record ("" when it may): only an active
    account that holds the built-in worker role and no other (staff) role."""
    if not user.is_active:
        return f"账号 {user.username} 已停用，不能关联"
    roles = {r.code for r in user.roles.filter(is_active=True)}
    if user.is_staff or user.is_superuser or WORKER_ROLE not in roles or roles - {WORKER_ROLE}:
        return (f"账号 {user.username} 不是劳动者账号（只能关联仅具有“劳动者”角色的账号，"
                f"不能关联机构、经办或管理人员的账号）")
    return ""


def person_link_login(*, actor, person: Person, username: str, source: str = "page") -> Person:
    """person_link_user by username ("" unlinks); the login must be one the actor can see,
    active, and a worker's (the built-in worker role and no staff role)."""
    username = clean_text(username)
    if not username:
        return person_link_user(actor=actor, person=person, user=None, source=source)
    user = User.objects.restrict(actor, "view").filter(username=username).first()
    if user is None:
        raise _fail({"user": f"账号 {username} 不存在或不在您的管辖范围内"})
    return person_link_user(actor=actor, person=person, user=user, source=source)


# ---------------------------------------------------------------- sensitive reads


@dataclass(frozen=True)
class Revealed:
    id_number: str
    phone: str
    social_security_card: str


def can_unmask(user, person: Person) -> bool:
    return Person.objects.restrict(user, "unmask").filter(pk=person.pk).exists()


@transaction.atomic
def person_reveal_identity(*, actor, person: Person, reason: str = "") -> Revealed:
    """The unmasked identity number, phone and social security card. Needs
    people.unmask_person over this person (same 404 otherwise) and writes a
    "view_sensitive" audit event."""
    if not actor.has_permission("people.unmask_person"):
        raise Forbidden("没有查看完整证件号码的权限")
    _visible(actor, person, "unmask")
    person = Person.objects.get(pk=person.pk)
    revealed = Revealed(
        id_number=decrypt(person.id_cipher),
        phone=decrypt(person.phone_cipher) if person.phone_cipher else "",
        social_security_card=person.social_security_card,
    )
    audit_record(actor=actor, action=PeopleAction.VIEW_SENSITIVE, obj=person,
                 changes={"fields": ["id_number", "phone", "social_security_card"],
                          "reason": clean_text(reason)[:200]})
    return revealed


def person_reveal(*, actor, pk, reason: str = "") -> Revealed:
    """`person_reveal_identity` of the person with this id, as the pages and the API ask for
    it. A refused attempt (no such person or outside the actor's scope: NotFound; no
    permission: Forbidden) is audited too, after the refused transaction, with the id that
    was asked for: someone probing for numbers leaves a trail."""
    try:
        person = get_restricted(Person, actor, "view", pk=pk)
        return person_reveal_identity(actor=actor, person=person, reason=reason)
    except (NotFound, Forbidden) as exc:
        audit_record(actor=actor, action=PeopleAction.REVEAL_REFUSED, object_type="people.person",
                     object_id=str(pk)[:64],
                     changes={"status": exc.status, "reason": clean_text(reason)[:200]})
        raise


@dataclass(frozen=True)
class EnrolmentLookup:
    """Only what enrolling someone needs; every identifying value masked."""

    person_id: int
    name_masked: str
    id_masked: str
    sex: str
    birth_year: int | None


@transaction.atomic
def person_lookup_for_enrolment(*, actor, id_number: str,
                                doc_type: str | None = None) -> EnrolmentLookup | None:
    """Exact look-up by full number across the whole registry (not only the actor's data
    scope: a worker registered elsewhere may enrol at this institution). Needs
    people.lookup_person; returns minimal masked fields or None, and audits every look-up
    ("lookup_person", with the masked number and whether it was found)."""
    if not actor.has_permission("people.lookup_person"):
        raise Forbidden("没有按证件号码查找劳动者的权限")
    ident = identity_check(id_number, doc_type or None)
    person = (
        Person.objects.filter(id_hash=identity_hash(ident.doc_type, ident.number))
        .only("id", "name", "id_masked", "sex", "birth_date").first()
    )
    audit_record(
        actor=actor, action=PeopleAction.LOOKUP_PERSON, obj=person,
        object_type="" if person else "people.person",
        object_repr="" if person else mask(ident.number),
        changes={"id_number": mask(ident.number), "found": person is not None,
                 "purpose": "enrolment"},
    )
    if person is None:
        return None
    return EnrolmentLookup(
        person_id=person.pk, name_masked=name_mask(person.name), id_masked=person.id_masked,
        sex=person.sex, birth_year=person.birth_date.year if person.birth_date else None,
    )


# ---------------------------------------------------------------- target groups

TARGET_GROUP_FIELDS = ("code", "name", "is_active", "sort_order")


def _target_group_snapshot(group: TargetGroup) -> dict:
    return {f: getattr(group, f) for f in TARGET_GROUP_FIELDS}


def _target_group_name(name, exclude_pk=None) -> str:
    name = clean_text(name)
    if not name:
        raise ServiceError("名称不能为空", errors={"name": "名称不能为空"})
    if len(name) > 60:
        raise ServiceError("名称最多 60 个字符", errors={"name": "名称最多 60 个字符"})
    if TargetGroup.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        message = f"已有名为「{name}」的重点群体"
        raise Conflict(message, errors={"name": message})
    return name


SORT_ORDER_MAX = 32767  # PositiveSmallIntegerField: the range PostgreSQL and SQLite share


def _sort_order(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (
        0 <= value <= SORT_ORDER_MAX
    ):
        message = f"排序应为 0–{SORT_ORDER_MAX} 之间的整数（收到 {value}）"
        raise ServiceError(f"排序：{message}", errors={"sort_order": message})
    return value


def _shared_reference_check(actor, permission: str, verb: str) -> None:
    """Target groups belong to no region: only roles granted the permission (province
    officers) change them, never a county's or a city's."""
    if not (actor and actor.has_permission(permission)):
        raise Forbidden(f"没有{verb}重点群体的权限：重点群体是全省共用的基础数据，"
                        f"由省级经办人员维护")


@transaction.atomic
def target_group_create(*, actor, code: str, name: str, sort_order: int | None = 100
                        ) -> TargetGroup:
    """Province officers extend the list of target groups."""
    _shared_reference_check(actor, "orgs.add_targetgroup", "新增")
    sort_order = 100 if sort_order is None else _sort_order(sort_order)
    code = clean_text(code).lower()
    if not _GROUP_CODE.match(code):
        raise ServiceError("编码应为 2–40 位小写字母、数字或下划线，以字母开头",
                           errors={"code": "编码应为 2–40 位小写字母、数字或下划线，以字母开头"})
    if TargetGroup.objects.filter(code=code).exists():
        raise Conflict(f"编码 {code} 已存在", errors={"code": f"编码 {code} 已存在"})
    name = _target_group_name(name)
    group = TargetGroup.objects.create(code=code, name=name, sort_order=sort_order)
    audit_record(actor=actor, action=CoreAction.CREATE, obj=group,
                 changes={k: [None, v] for k, v in _target_group_snapshot(group).items()})
    return group


@transaction.atomic
def target_group_update(*, actor, target_group: TargetGroup, name: str | None = None,
                        is_active: bool | None = None,
                        sort_order: int | None = None) -> TargetGroup:
    """Rename, reorder or switch off a group (the code stays; people keep their groups)."""
    _shared_reference_check(actor, "orgs.change_targetgroup", "修改")
    if sort_order is not None:
        sort_order = _sort_order(sort_order)
    group = target_group_lock(target_group)
    before = _target_group_snapshot(group)
    if name is not None:
        group.name = _target_group_name(name, exclude_pk=group.pk)
    if is_active is not None:
        group.is_active = is_active
    if sort_order is not None:
        group.sort_order = sort_order
    after = _target_group_snapshot(group)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        group.save()
        audit_record(actor=actor, action=CoreAction.UPDATE, obj=group, changes=changes)
    return group
