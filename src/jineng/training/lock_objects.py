"""Row locks of training (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.orgs.models import Institution, Region
from jineng.training.models import (
    Attendance,
    ClassChange,
    Designation,
    Enrolment,
    EnrolmentStatus,
    Teacher,
    TrainingClass,
    TrainingWish,
    WishNotice,
)


def designation_lock(designation: Designation) -> Designation:
    return locked(Designation.objects.filter(pk=designation.pk)
                  .select_related("institution__region")).get()


def teacher_lock(teacher: Teacher) -> Teacher:
    """A teacher's engagements are counted under this lock: two institutions engaging the
    same part-time teacher at once cannot both be the third."""
    return locked(Teacher.objects.filter(pk=teacher.pk).select_related("person")).get()


def institution_lock(institution: Institution) -> Institution:
    return locked(Institution.objects.filter(pk=institution.pk)).get()


def class_lock(training_class: TrainingClass) -> TrainingClass:
    return locked(TrainingClass.objects.filter(pk=training_class.pk).select_related(
        "institution__region", "region", "occupation", "level", "work_type", "programme")).get()


def classes_lock(qs) -> list[TrainingClass]:
    """Classes of a query (those due to start), in primary-key order."""
    return list(locked(qs))


def changes_lock(qs) -> list[ClassChange]:
    return list(locked(qs.select_related("training_class")))


def region_lock(region: Region) -> Region:
    """Class codes are numbered per region under this lock."""
    return locked(Region.objects.filter(pk=region.pk)).get()


def class_seats_lock(training_class: TrainingClass) -> TrainingClass:
    """A class's seats are counted under this lock: two enrolments of the last seat at once
    cannot both have it."""
    return locked(TrainingClass.objects.filter(pk=training_class.pk).select_related(
        "institution__region", "region", "programme", "enterprise")).get()


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    return locked(Enrolment.objects.filter(pk=enrolment.pk)
                  .select_related("training_class__region", "person")).get()


def enrolments_lock(training_class: TrainingClass) -> list[Enrolment]:
    """A class's enrolled trainees, locked in primary-key order (completion)."""
    return list(locked(Enrolment.objects.filter(training_class=training_class,
                                                status=EnrolmentStatus.ENROLLED)
                       .select_related("person")))


def wish_lock(wish: TrainingWish) -> TrainingWish:
    return locked(TrainingWish.objects.filter(pk=wish.pk)).get()


def notice_lock(notice: WishNotice) -> WishNotice:
    return locked(WishNotice.objects.filter(pk=notice.pk)).get()


def attendance_lock(attendance: Attendance) -> Attendance:
    return locked(Attendance.objects.filter(pk=attendance.pk)).get()


def checkin_enrolment_lock(person_of_user, training_class_id: int) -> Enrolment | None:
    """The enrolment in the class of the person whose user is `person_of_user`, found and
    locked in one query: one trainee's scans (and an officer's manual record of them) take
    turns, so a repeated scan finds the record the one before it made."""
    return (locked(Enrolment.objects.filter(training_class_id=training_class_id,
                                            person__user=person_of_user))
            .select_related("person").only("status", "training_class_id", "person__name")
            .first())


def attendance_class_lock(training_class: TrainingClass) -> TrainingClass:
    """A class's results are submitted, approved and its manual records added under this."""
    return locked(TrainingClass.objects.filter(pk=training_class.pk)
                  .select_related("region", "institution__region")).get()
