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
from jineng.training import classes  # noqa: E402
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
    page_list = "/training/classes/?q={obj.code}"
    page_detail = "/training/classes/{obj.pk}/"
    page_export = "/training/classes/?q={obj.code}&export=xlsx"
    api_list = "/api/v1/classes?q={obj.code}&limit=100"
    api_detail = "/api/v1/classes/{obj.pk}"

    def make(self, user_named):
        return factories.training_class()

    def select(self, user, obj):
        return classes.class_list(user=user, q=obj.code)

    def marker(self, obj):
        return obj.code


class TestClassTeacherScope(ScopeCases):
    model = ClassTeacher

    def make(self, user_named):
        return factories.training_class().teachers.get()

    def select(self, user, obj):
        return classes.class_teacher_list(user=user, training_class=obj.training_class)


class TestClassChangeScope(ScopeCases):
    model = ClassChange

    def make(self, user_named):
        return ClassChange.objects.create(training_class=factories.training_class(),
                                          proposed={"venue": "新地点"})

    def select(self, user, obj):
        return classes.change_list(user=user, training_class=obj.training_class)


class TestSessionScope(ScopeCases):
    model = Session
    api_list = "/api/v1/classes/{obj.training_class_id}/sessions?limit=100"

    def select(self, user, obj):
        return classes.session_list(user=user, training_class=obj.training_class)

    def make(self, user_named):
        return factories.training_class(sessions=1).sessions.get()


class TestEnrolmentScope(ScopeCases):
    model = Enrolment
    page_list = "/training/enrolments/?q={obj.training_class.code}"
    page_detail = "/training/enrolments/{obj.pk}/"
    api_list = "/api/v1/enrolments?q={obj.training_class.code}&limit=100"
    api_detail = "/api/v1/enrolments/{obj.pk}"

    def make(self, user_named):
        return factories.enrolment()

    def select(self, user, obj):
        from jineng.training.enrolment import enrolment_list

        return enrolment_list(user=user, q=obj.training_class.code)

    def marker(self, obj):
        return obj.training_class.code

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


def _online(enrolment) -> OnlineHours:
    return OnlineHours.objects.create(
        platform="测试平台", record_id=f"R{enrolment.pk}", person=enrolment.person,
        enrolment=enrolment, course="安全用电", hours=Decimal("2.5"),
        studied_on=enrolment.training_class.start_date)


class TestOnlineHoursScope(ScopeCases):
    model = OnlineHours
    page_list = "/training/online-hours/?q={obj.record_id}"
    page_export = "/training/online-hours/?q={obj.record_id}&export=xlsx"
    api_list = "/api/v1/training/online-hours?q={obj.record_id}&limit=100"
    api_detail = "/api/v1/training/online-hours/{obj.pk}"

    def make(self, user_named):
        return _online(factories.enrolment())

    def own_record(self, worker, user_named):
        return _online(factories.enrolment(who=worker.person))

    def select(self, user, obj):
        from jineng.training.completion import online_hours_list

        return online_hours_list(user=user, q=obj.record_id)

    def marker(self, obj):
        return obj.record_id


def _rating(enrolment) -> ClassRating:
    return ClassRating.objects.create(enrolment=enrolment,
                                      institution=enrolment.training_class.institution,
                                      scores=[5, 4, 5, 4], average=Decimal("4.50"))


class TestClassRatingScope(ScopeCases):
    model = ClassRating
    page_list = "/training/ratings/?q={obj.enrolment.training_class.code}"
    page_detail = "/training/ratings/{obj.pk}/"
    page_export = "/training/ratings/?q={obj.enrolment.training_class.code}&export=xlsx"
    api_list = "/api/v1/training/ratings?q={obj.enrolment.training_class.code}&limit=100"
    api_detail = "/api/v1/training/ratings/{obj.pk}"

    def make(self, user_named):
        return _rating(factories.enrolment(status="completed"))

    def own_record(self, worker, user_named):
        return _rating(factories.enrolment(who=worker.person, status="completed"))

    def select(self, user, obj):
        from jineng.training.completion import rating_list

        return rating_list(user=user, q=obj.enrolment.training_class.code)

    def marker(self, obj):
        return obj.enrolment.training_class.code


def _wish(who=None) -> TrainingWish:
    who = who or factories.person()
    wanted = (Occupation.objects.filter(level=4, is_current=True)  # one they have not asked for
              .exclude(pk__in=who.training_wishes.values("occupation")).order_by("code").first())
    return TrainingWish.objects.create(person=who, region=Region.objects.get(code="411403"),
                                       occupation=wanted, source=WishSource.OFFICER)


class TestTrainingWishScope(ScopeCases):
    model = TrainingWish
    page_list = "/training/wishes/?q={obj.person.name}"
    page_detail = "/training/wishes/{obj.pk}/"
    page_export = "/training/wishes/?q={obj.person.name}&export=xlsx"
    api_list = "/api/v1/training-wishes?q={obj.person.name}&limit=100"
    api_detail = "/api/v1/training-wishes/{obj.pk}"

    def make(self, user_named):
        return _wish(factories.person(name="范围意愿人"))

    def select(self, user, obj):
        from jineng.training import wishes

        return wishes.wish_list(user=user, q=obj.person.name)

    def own_record(self, worker, user_named):
        return _wish(worker.person)

    def marker(self, obj):
        return obj.occupation.name


class TestWishNoticeScope(ScopeCases):
    model = WishNotice

    def make(self, user_named):
        return WishNotice.objects.create(wish=_wish(), training_class=factories.training_class())

    def own_record(self, worker, user_named):
        return WishNotice.objects.create(wish=_wish(worker.person),
                                         training_class=factories.training_class())


class TestEnterpriseStaffScope(ScopeCases):
    model = EnterpriseStaff
    page_list = "/training/enterprise-staff/?q={obj.enterprise.name}"
    page_export = "/training/enterprise-staff/?q={obj.enterprise.name}&export=xlsx"
    api_list = "/api/v1/enterprise-staff?q={obj.enterprise.name}&limit=100"

    def select(self, user, obj):
        return classes.enterprise_staff_list(user=user, q=obj.enterprise.name)

    def marker(self, obj):
        return obj.person.id_masked

    def make(self, user_named):
        return EnterpriseStaff.objects.create(enterprise=factories.institution(kind="enterprise"),
                                              person=factories.person(),
                                              since=dt.date(2024, 3, 1))
