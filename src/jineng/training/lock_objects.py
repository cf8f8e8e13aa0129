"""Row locks of training (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.orgs.models import Institution
from jineng.training.models import Designation, Teacher, TrainingWish


def designation_lock(designation: Designation) -> Designation:
    return locked(Designation.objects.filter(pk=designation.pk)
                  .select_related("institution__region")).get()


def teacher_lock(teacher: Teacher) -> Teacher:
    """A teacher's engagements are counted under this lock: two institutions engaging the
    same part-time teacher at once cannot both be the third."""
    return locked(Teacher.objects.filter(pk=teacher.pk).select_related("person")).get()


def institution_lock(institution: Institution) -> Institution:
    return locked(Institution.objects.filter(pk=institution.pk)).get()


def wish_lock(wish: TrainingWish) -> TrainingWish:
    return locked(TrainingWish.objects.filter(pk=wish.pk)).get()
