"""/api/v1/ endpoints of enrolment: a class's enrolments (list; enrol by identity number),
the enrolments the caller may see (a worker: their own), one enrolment, withdrawing."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import Paging
from jineng.core.errors import ServiceError
from jineng.training import enrolment
from jineng.training.models import EnrolmentSource, Teacher

router = Router(tags=["报名"])


class EnrolmentOut(Schema):
    id: int
    class_id: int
    class_code: str
    class_name: str
    institution_name: str
    person_id: int
    person_name: str
    id_masked: str
    status: str
    status_label: str
    source: str
    source_label: str
    enrolled_at: dt.datetime
    mentor_name: str | None = None
    school_teacher_name: str | None = None
    reason: str

    @staticmethod
    def resolve_class_id(obj):
        return obj.training_class_id

    @staticmethod
    def resolve_class_code(obj):
        return obj.training_class.code

    @staticmethod
    def resolve_class_name(obj):
        return obj.training_class.name

    @staticmethod
    def resolve_institution_name(obj):
        return obj.training_class.institution.name

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()

    @staticmethod
    def resolve_mentor_name(obj):
        return obj.mentor.name if obj.mentor_id else None

    @staticmethod
    def resolve_school_teacher_name(obj):
        return obj.school_teacher.person.name if obj.school_teacher_id else None


class EnrolmentFilter(Schema):
    q: str = ""
    status: str = ""


class EnrolIn(Schema):
    """Enrol by identity number. A number not yet registered is registered first when
    `name` (and a region) is given."""

    id_number: str
    doc_type: str = ""
    name: str = ""
    household_region: str = ""
    residence_region: str = ""
    target_groups: list[str] = []
    phone: str = ""
    mentor_id_number: str = ""
    school_teacher_id: int | None = None


class ReasonIn(Schema):
    reason: str


@router.get("/classes/{class_id}/enrolments", response=list[EnrolmentOut],
            summary="培训班的报名学员")
@paginate(Paging)
def list_class_enrolments(request, class_id: int, filters: Query[EnrolmentFilter]):
    training_class = enrolment.class_for_enrolment(user=request.auth, pk=class_id)
    return enrolment.enrolment_list(user=request.auth, training_class=training_class,
                                    **filters.dict())


@router.post("/classes/{class_id}/enrolments", response={201: EnrolmentOut},
             summary="按证件号码报名（未实名登记的一并登记）")
def enrol(request, class_id: int, payload: EnrolIn):
    training_class = enrolment.class_for_enrolment(user=request.auth, pk=class_id)
    data = payload.dict()
    teacher = None
    teacher_id = data.pop("school_teacher_id")
    if teacher_id is not None:
        teacher = Teacher.objects.filter(pk=teacher_id, classes__training_class=training_class
                                         ).first()
        if teacher is None:
            message = "院校导师须从本班教师中指定"
            raise ServiceError(message, errors={"school_teacher_id": message})
    made = enrolment.enrol_by_id_number(
        actor=request.auth, training_class=training_class, school_teacher=teacher,
        source=EnrolmentSource.API, **{k: v for k, v in data.items() if k != "doc_type"},
        doc_type=data["doc_type"] or None)
    return Status(201, enrolment.enrolment_get(user=request.auth, pk=made.pk))


@router.get("/enrolments", response=list[EnrolmentOut],
            summary="报名记录（机构见本机构，县区见本县区，劳动者见本人）")
@paginate(Paging)
def list_enrolments(request, filters: Query[EnrolmentFilter]):
    return enrolment.enrolment_list(user=request.auth, **filters.dict())


@router.get("/enrolments/{enrolment_id}", response=EnrolmentOut, summary="报名详情")
def get_enrolment(request, enrolment_id: int):
    return enrolment.enrolment_get(user=request.auth, pk=enrolment_id)


@router.post("/enrolments/{enrolment_id}/withdraw", response=EnrolmentOut,
             summary="退学（须填写原因）")
def withdraw(request, enrolment_id: int, payload: ReasonIn):
    made = enrolment.enrolment_get(user=request.auth, pk=enrolment_id)
    enrolment.enrolment_withdraw(actor=request.auth, enrolment=made, reason=payload.reason)
    return enrolment.enrolment_get(user=request.auth, pk=enrolment_id)
