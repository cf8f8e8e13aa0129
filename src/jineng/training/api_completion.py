"""/api/v1/training/… endpoints of online hours, completion (结业考核) and ratings."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import Paging
from jineng.core.errors import NotFound
from jineng.training import completion
from jineng.training.models import ClassRating, Enrolment

router = Router(tags=["线上学时、结业考核与评价"])


# ---------------------------------------------------------------- online hours


class OnlineRecordIn(Schema):
    """One study record. Fields are read one record at a time: a bad field refuses only its
    record, with a Chinese reason, and the others go on."""

    record_id: str | int = Field(..., description="平台内唯一的记录号；同一记录重复报送只计一次")
    id_number: str = Field(..., description="学员证件号码（只在请求体中传送）")
    course: str = Field(..., description="课程名称")
    hours: str | float | int = Field(..., description="学时，大于 0，最多两位小数")
    studied_on: str = Field(..., description="学习日期 YYYY-MM-DD")


class OnlineBatchIn(Schema):
    records: list[OnlineRecordIn] = Field(..., description=f"最多 {completion.MAX_BATCH} 条")


class OnlineResultOut(Schema):
    index: int
    record_id: str
    status: str = Field(..., description="accepted 已计入；duplicate 重复报送；refused 未接收")
    status_label: str
    message: str
    errors: dict
    class_code: str | None
    counted_hours: Decimal | None = Field(None,
                                          description="该报名累计计入的线上学时（已按上限截取）")


class OnlineBatchOut(Schema):
    accepted: int
    duplicates: int
    refused: int
    items: list[OnlineResultOut]


class OnlineHoursOut(Schema):
    id: int
    platform: str
    record_id: str
    person_name: str
    id_masked: str
    course: str
    hours: Decimal
    studied_on: dt.date
    class_code: str | None
    class_name: str | None

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked

    @staticmethod
    def resolve_class_code(obj):
        return obj.enrolment.training_class.code if obj.enrolment_id else None

    @staticmethod
    def resolve_class_name(obj):
        return obj.enrolment.training_class.name if obj.enrolment_id else None


@router.post("/training/online-hours", response=OnlineBatchOut,
             summary="学习平台报送线上学时（批量；逐条计入或说明原因）")
def post_online_hours(request, payload: OnlineBatchIn):
    records = [r.dict() for r in payload.records]
    results = completion.online_hours_post(actor=request.auth, records=records)
    return {
        "accepted": sum(1 for r in results if r.status == "accepted"),
        "duplicates": sum(1 for r in results if r.status == "duplicate"),
        "refused": sum(1 for r in results if r.status == "refused"),
        "items": [{**r.__dict__, "status_label": r.status_label} for r in results],
    }


@router.get("/training/online-hours", response=list[OnlineHoursOut], summary="线上学时记录")
@paginate(Paging)
def list_online_hours(request, q: str = ""):
    return completion.online_hours_list(user=request.auth, q=q)


@router.get("/training/online-hours/{record_pk}", response=OnlineHoursOut,
            summary="线上学时记录详情")
def get_online_hours(request, record_pk: int):
    return completion.online_hours_get(user=request.auth, pk=record_pk)


# ---------------------------------------------------------------- results and completion


class ResultOut(Schema):
    enrolment_id: int
    person_name: str
    id_masked: str
    status: str
    status_label: str
    planned_hours: int
    attended_hours: Decimal | None
    online_hours: Decimal | None
    attendance_share: Decimal | None
    meets_attendance: bool | None
    exam_score: Decimal | None
    exam_passed: bool | None
    exam_result: str
    reason: str


def _result(row: completion.ResultRow) -> dict:
    e, f = row.enrolment, row.figures
    finished = e.status in ("completed", "failed")
    return {
        "enrolment_id": e.pk, "person_name": e.person.name, "id_masked": e.person.id_masked,
        "status": e.status, "status_label": e.get_status_display(),
        "planned_hours": e.training_class.planned_hours if f is None else f.planned,
        "attended_hours": e.attended_hours if finished or f is None else f.attended,
        "online_hours": e.online_hours if finished or f is None else f.online_counted,
        "attendance_share": e.attendance_share if finished or f is None else f.share,
        "meets_attendance": row.meets, "exam_score": e.exam_score,
        "exam_passed": e.exam_passed, "exam_result": row.result, "reason": e.reason,
    }


class ResultIn(Schema):
    enrolment_id: int
    score: str | float | int | None = Field(None, description="0–100，最多一位小数；空为未录入")
    absent: bool = Field(False, description="缺考（视为未通过）")


class ResultsIn(Schema):
    results: list[ResultIn]


class CompletionOut(Schema):
    class_code: str
    status: str
    completed: int
    failed: int
    results_late: bool
    results: list[ResultOut]


@router.get("/training/classes/{class_id}/results", response=list[ResultOut],
            summary="培训班学员的出勤率与结业考核结果")
def list_results(request, class_id: int):
    training_class = completion.class_get(user=request.auth, pk=class_id)
    data = completion.class_results(user=request.auth, training_class=training_class)
    return [_result(r) for r in data["rows"]]


@router.post("/training/classes/{class_id}/results", response=list[ResultOut],
             summary="录入结业考核成绩（全部正确才保存）")
def record_results(request, class_id: int, payload: ResultsIn):
    training_class = completion.class_get(user=request.auth, pk=class_id)
    items = [{**r.dict(), "row": f"第 {i} 项"} for i, r in enumerate(payload.results, start=1)]
    with transaction.atomic(durable=True):
        completion.exam_results_record(actor=request.auth, training_class=training_class,
                                       results=items)
    data = completion.class_results(user=request.auth, training_class=training_class)
    return [_result(r) for r in data["rows"]]


@router.post("/training/classes/{class_id}/completion", response=CompletionOut,
             summary="提交培训班结业（按出勤率与考核结果判定每名学员结业或未通过）")
def submit_completion(request, class_id: int):
    training_class = completion.class_get(user=request.auth, pk=class_id)
    with transaction.atomic(durable=True):
        outcome = completion.class_completion_submit(actor=request.auth,
                                                     training_class=training_class)
    data = completion.class_results(user=request.auth, training_class=outcome.training_class)
    return {"class_code": outcome.training_class.code, "status": outcome.training_class.status,
            "completed": len(outcome.completed), "failed": len(outcome.failed),
            "results_late": outcome.training_class.results_late,
            "results": [_result(r) for r in data["rows"]]}


# ---------------------------------------------------------------- ratings


class RatingIn(Schema):
    scores: list[int] = Field(..., description="每题 1–5 分，题目见 GET /training/rating-questions")
    comment: str = ""


class RatingOut(Schema):
    """No rater is named (nor their enrolment): the institution reads what was said."""

    id: int
    institution_id: int
    institution_name: str
    class_code: str
    class_name: str
    scores: list[int]
    average: Decimal
    comment: str
    created_at: dt.datetime

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name

    @staticmethod
    def resolve_class_code(obj):
        return obj.enrolment.training_class.code

    @staticmethod
    def resolve_class_name(obj):
        return obj.enrolment.training_class.name


class QuestionOut(Schema):
    key: str
    text: str


class InstitutionRatingOut(Schema):
    institution_name: str
    region_name: str
    average: Decimal | None
    count: int
    flagged: bool = Field(..., description=f"评价数不少于 {completion.RATING_MIN_COUNT} 条且平均分"
                                           "低于政策最低平均分，列入复核")


def _summary(s: completion.InstitutionRating) -> dict:
    return {"institution_name": s.institution.name, "region_name": s.institution.region.name,
            "average": s.average, "count": s.count, "flagged": s.flagged}


@router.get("/training/rating-questions", response=list[QuestionOut], auth=None,
            summary="培训评价的题目（每题 1–5 分）")
def rating_questions(request):
    return [{"key": k, "text": t} for k, t in completion.QUESTIONS]


@router.post("/training/enrolments/{enrolment_id}/rating", response={201: RatingOut},
             summary="结业学员评价培训班（每次培训一次）")
def submit_rating(request, enrolment_id: int, payload: RatingIn):
    enrolment = Enrolment.objects.restrict(request.auth, "view").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise NotFound()
    with transaction.atomic(durable=True):
        rating = completion.class_rating_submit(actor=request.auth, enrolment=enrolment,
                                                scores=payload.scores, comment=payload.comment)
    return Status(201, ClassRating.objects.select_related(
        "institution", "enrolment__training_class").get(pk=rating.pk))


@router.get("/training/ratings", response=list[RatingOut], summary="培训评价")
@paginate(Paging)
def list_ratings(request, q: str = ""):
    return completion.rating_list(user=request.auth, q=q)


@router.get("/training/ratings/flagged", response=list[InstitutionRatingOut],
            summary="评价偏低、列入复核的培训机构")
def list_flagged(request):
    from jineng.core.refusals import require

    require(request.auth, "training.view_classrating")
    return [_summary(s) for s in completion.flagged_institutions(user=request.auth)]


@router.get("/training/ratings/{rating_id}", response=RatingOut, summary="培训评价详情")
def get_rating(request, rating_id: int):
    return completion.rating_get(user=request.auth, pk=rating_id)


@router.get("/training/institution-ratings", response=list[InstitutionRatingOut], auth=None,
            summary="培训机构评价汇总（公开，无需登录）")
@paginate(Paging)
def public_ratings(request):
    return [_summary(s) for s in completion.public_ratings()]
