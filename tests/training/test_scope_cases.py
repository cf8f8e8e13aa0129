"""The scope case matrix (tests/scope_cases.py) for training's models. Each case's record
belongs to an institution of 睢阳区 (411403). The public directory (/training/directory/,
/api/v1/designations/directory) lists designated institutions to anyone by design."""

import datetime as dt
import itertools

from jineng.core.identity import make_resident_number
from jineng.orgs.models import Institution
from jineng.people.models import Person
from jineng.people.services import identity_check, identity_columns
from jineng.training import selectors
from jineng.training.models import (
    Designation,
    DesignationStatus,
    Engagement,
    EngagementKind,
    Ownership,
    SchoolReport,
    Teacher,
)
from tests.scope_cases import ScopeCases

_sequence = itertools.count(700)


def _school(kind="training") -> Institution:
    return Institution.objects.filter(region__code="411403", kind=kind).order_by("pk").first()


def _teacher(number: str = "") -> Teacher:
    school = _school()
    ident = identity_check(make_resident_number("411403", dt.date(1981, 2, 3), next(_sequence)))
    person = Person.objects.create(name="范围测试教师", household_region=school.region,
                                   **identity_columns(ident))
    return Teacher.objects.create(person=person, institution=school, region=school.region,
                                  qualification_number=number or f"范围{next(_sequence)}",
                                  qualification_expires=dt.date(2099, 1, 1))


class TestDesignationScope(ScopeCases):
    model = Designation
    page_list = "/training/designations/?q={obj.institution.name}"
    page_detail = "/training/designations/{obj.pk}/"
    page_export = "/training/designations/?q={obj.institution.name}&export=xlsx"
    api_list = "/api/v1/designations?q={obj.institution.name}&limit=100"
    api_detail = "/api/v1/designations/{obj.pk}"

    def make(self, user_named):
        return Designation.objects.create(
            institution=_school(), ownership=Ownership.PUBLIC, status=DesignationStatus.APPLIED,
            valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2027, 12, 31))

    def select(self, user, obj):
        return selectors.designation_list(user=user, q=obj.institution.name)

    def marker(self, obj):
        return obj.institution.name


class TestTeacherScope(ScopeCases):
    model = Teacher
    page_list = "/training/teachers/?q={obj.qualification_number}"
    page_detail = "/training/teachers/{obj.pk}/"
    page_export = "/training/teachers/?q={obj.qualification_number}&export=xlsx"
    api_list = "/api/v1/teachers?q={obj.qualification_number}&limit=100"
    api_detail = "/api/v1/teachers/{obj.pk}"

    def make(self, user_named):
        return _teacher()

    def select(self, user, obj):
        return selectors.teacher_list(user=user, q=obj.qualification_number)

    def marker(self, obj):
        return obj.qualification_number


class TestEngagementScope(ScopeCases):
    model = Engagement
    page_list = "/training/engagements/?q={obj.institution.name}"
    page_export = "/training/engagements/?q={obj.institution.name}&export=xlsx"
    api_list = "/api/v1/engagements?q={obj.institution.name}&limit=100"

    def make(self, user_named):
        return Engagement.objects.create(teacher=_teacher(), institution=_school(), year=2026,
                                         kind=EngagementKind.PART_TIME)

    def select(self, user, obj):
        return selectors.engagement_list(user=user, q=obj.institution.name)

    def marker(self, obj):
        return obj.institution.name


class TestSchoolReportScope(ScopeCases):
    model = SchoolReport
    page_list = "/training/school-reports/"
    api_list = "/api/v1/school-reports?year={obj.year}&limit=100"

    def make(self, user_named):
        return SchoolReport.objects.create(institution=_school("technical_school"), year=2001,
                                           enrolled_students=800, training_person_times=100)

    def select(self, user, obj):
        return selectors.school_report_list(user=user, year=obj.year)
