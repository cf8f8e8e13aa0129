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


# ---------------------------------------------------------------- the training loop
# Selector-level cases; each section adds its pages and API to its case as they land.

from decimal import Decimal  # noqa: E402

from jineng.catalog.models import Occupation  # noqa: E402
from jineng.orgs.models import Region  # noqa: E402
from jineng.training.models import (  # noqa: E402
    Attendance,
    CheckKind,
    ClassChange,
    ClassRating,
    ClassTeacher,
    Enrolment,
    EnterpriseStaff,
    OnlineHours,
    Session,
    TrainingClass,
    TrainingWish,
    WishNotice,
    WishSource,
)
from tests.training import factories  # noqa: E402


class TestTrainingClassScope(ScopeCases):
    model = TrainingClass

    def make(self, user_named):
        return factories.training_class()


class TestClassTeacherScope(ScopeCases):
    model = ClassTeacher

    def make(self, user_named):
        return factories.training_class().teachers.get()


class TestClassChangeScope(ScopeCases):
    model = ClassChange

    def make(self, user_named):
        return ClassChange.objects.create(training_class=factories.training_class(),
                                          proposed={"venue": "新地点"})


class TestSessionScope(ScopeCases):
    model = Session

    def make(self, user_named):
        return factories.training_class(sessions=1).sessions.get()


class TestEnrolmentScope(ScopeCases):
    model = Enrolment

    def make(self, user_named):
        return factories.enrolment()

    def own_record(self, worker, user_named):
        return factories.enrolment(who=worker.person)


class TestAttendanceScope(ScopeCases):
    model = Attendance
    page_list = "/training/attendance/?flagged=all&class_code={obj.session.training_class.code}"
    page_detail = "/training/attendance/{obj.pk}/"
    page_export = ("/training/attendance/?flagged=all&class_code="
                   "{obj.session.training_class.code}&export=xlsx")
    api_list = "/api/v1/attendance?class_code={obj.session.training_class.code}&limit=100"
    api_detail = "/api/v1/attendance/{obj.pk}"

    def make(self, user_named, who=None):
        enrolment = factories.enrolment(who=who)
        session = enrolment.training_class.sessions.first()
        return Attendance.objects.create(enrolment=enrolment, session=session,
                                         kind=CheckKind.IN, at=session.starts_at)

    def select(self, user, obj):
        from jineng.training.attendance import attendance_list

        return attendance_list(user=user, class_code=obj.session.training_class.code)

    def own_record(self, worker, user_named):
        return self.make(user_named, who=worker.person)

    def marker(self, obj):
        return obj.session.training_class.code


class TestOnlineHoursScope(ScopeCases):
    model = OnlineHours

    def make(self, user_named):
        enrolment = factories.enrolment()
        return OnlineHours.objects.create(
            platform="测试平台", record_id=f"R{enrolment.pk}", person=enrolment.person,
            enrolment=enrolment, course="安全用电", hours=Decimal("2.5"),
            studied_on=enrolment.training_class.start_date)


class TestClassRatingScope(ScopeCases):
    model = ClassRating

    def make(self, user_named):
        enrolment = factories.enrolment()
        return ClassRating.objects.create(enrolment=enrolment,
                                          institution=enrolment.training_class.institution,
                                          scores=[5, 4, 5], average=Decimal("4.67"))


def _wish(who=None) -> TrainingWish:
    return TrainingWish.objects.create(
        person=who or factories.person(), region=Region.objects.get(code="411403"),
        occupation=Occupation.objects.get(code="6-31-01-03", is_current=True),
        source=WishSource.OFFICER)


class TestTrainingWishScope(ScopeCases):
    model = TrainingWish

    def make(self, user_named):
        return _wish()


class TestWishNoticeScope(ScopeCases):
    model = WishNotice

    def make(self, user_named):
        return WishNotice.objects.create(wish=_wish(), training_class=factories.training_class())


class TestEnterpriseStaffScope(ScopeCases):
    model = EnterpriseStaff

    def make(self, user_named):
        return EnterpriseStaff.objects.create(enterprise=factories.institution(kind="enterprise"),
                                              person=factories.person(),
                                              since=dt.date(2024, 3, 1))
