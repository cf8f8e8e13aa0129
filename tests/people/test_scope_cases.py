"""The scope case matrix (tests/scope_cases.py) for the registry's models: each record
belongs to 睢阳区 (411403)."""

import datetime as dt

from jineng.core.identity import make_resident_number
from jineng.orgs.models import Region
from jineng.people import selectors, services
from jineng.people.importing import service as imports
from jineng.people.models import Person, PersonChange, PersonImport, TargetGroup
from tests.scope_cases import OWN_COUNTY, ScopeCases

NAME = "范围测试人员"


def _person(user_named) -> Person:
    return services.person_create(
        actor=user_named(OWN_COUNTY), name=NAME, household_region="411403",
        id_number=make_resident_number("411403", dt.date(1990, 3, 7), 518))


def _worker_person(worker) -> Person | None:
    return Person.objects.filter(user=worker).first()


class TestPersonScope(ScopeCases):
    model = Person
    page_list = "/people/?q={obj.name}"
    page_export = "/people/?q={obj.name}&export=xlsx"
    page_detail = "/people/{obj.pk}/"
    api_list = "/api/v1/people?name={obj.name}&limit=100"
    api_detail = "/api/v1/people/{obj.pk}"

    def make(self, user_named):
        return _person(user_named)

    def select(self, user, obj):
        return selectors.person_list(user=user, name=obj.name)

    def own_record(self, worker, user_named):
        return _worker_person(worker)

    def marker(self, obj):
        return obj.name


class TestPersonChangeScope(ScopeCases):
    """A record's history: shown to whoever may see the person (the worker their own)."""

    model = PersonChange
    api_list = "/api/v1/people/{obj.person_id}/history?limit=100"

    def make(self, user_named):
        person = _person(user_named)
        services.person_update(actor=user_named(OWN_COUNTY), person=person,
                               education="bachelor")
        return PersonChange.objects.filter(person=person).order_by("-id").first()

    def select(self, user, obj):
        return selectors.person_change_list(user=user, person=obj.person)

    def own_record(self, worker, user_named):
        person = _worker_person(worker)
        if person is None:
            return None
        services.person_update(actor=user_named("county_411402"), person=person,
                               employment_status="flexible")
        return PersonChange.objects.filter(person=person).order_by("-id").first()

    def api_key(self, obj):
        return (obj.actor_name, str(obj.changes))

    def api_item_key(self, item):
        return (item["actor_name"], str(item["changes"]))


class TestPersonImportScope(ScopeCases):
    model = PersonImport
    page_list = "/people/imports/"
    page_detail = "/people/imports/{obj.pk}/"
    api_list = "/api/v1/people/imports?limit=100"
    api_detail = "/api/v1/people/imports/{obj.pk}"

    def make(self, user_named):
        return PersonImport.objects.create(
            region=Region.objects.get(code="411403"), created_by=user_named(OWN_COUNTY),
            file_name="范围测试花名册.xlsx", file_path="imports/scope-case.xlsx",
            status="done", total_rows=0)

    def select(self, user, obj):
        return imports.person_import_list(user=user)


class TestTargetGroupScope(ScopeCases):
    """Reference data of no region: every role that reads people reads all of it."""

    model = TargetGroup
    readers = ("county_411402", "reviewer_411400", "inst_411402")
    outsiders = ()
    page_list = "/people/target-groups/?q={obj.name}"
    api_list = "/api/v1/target-groups?q={obj.name}&limit=100"

    def make(self, user_named):
        return TargetGroup.objects.create(code="scope_case_group", name="范围测试群体")

    def select(self, user, obj):
        return selectors.target_group_list(user=user, q=obj.name)
