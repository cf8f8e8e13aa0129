"""Row locks of training (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.orgs.models import Institution
from jineng.training.models import Attendance, Designation, Teacher, TrainingClass


def designation_lock(designation: Designation) -> Designation:
    return locked(Designation.objects.filter(pk=designation.pk)
                  .select_related("institution__region")).get()


def teacher_lock(teacher: Teacher) -> Teacher:
    """A teacher's engagements are counted under this lock: two institutions engaging the
    same part-time teacher at once cannot both be the third."""
    return locked(Teacher.objects.filter(pk=teacher.pk).select_related("person")).get()


def institution_lock(institution: Institution) -> Institution:
    return locked(Institution.objects.filter(pk=institution.pk)).get()


def attendance_lock(attendance: Attendance) -> Attendance:
    return locked(Attendance.objects.filter(pk=attendance.pk)).get()


def attendance_class_lock(training_class: TrainingClass) -> TrainingClass:
    """A class's results are submitted, approved and its manual records added under this."""
    return locked(TrainingClass.objects.filter(pk=training_class.pk)
                  .select_related("region", "institution__region")).get()
