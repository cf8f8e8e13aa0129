"""/api/v1/ endpoints of training wishes (培训意愿摸排): the scoped list (an officer's region and
below, a worker's own), recording one (an officer by identity number, a worker their own), the
summary (counts only: what institutions planning classes read), and a worker's notices of
classes that opened."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import Paging
from jineng.core.errors import ServiceError
from jineng.orgs.models import Region
from jineng.orgs.selectors import region_find
from jineng.people.selectors import self_only
from jineng.training import wishes

router = Router(tags=["培训意愿"])


class WishOut(Schema):
    id: int
    person_name: str
    id_masked: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: str | None
    region_code: str
    region_name: str
    available_from: dt.date | None
    available_to: dt.date | None
    time_note: str
    source: str
    source_label: str
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_id_masked(obj):
        return obj.person.id_masked

    @staticmethod
    def resolve_occupation_code(obj):
        return obj.occupation.code

    @staticmethod
    def resolve_occupation_name(obj):
        return obj.occupation.name

    @staticmethod
    def resolve_work_type(obj):
        return obj.work_type.name if obj.work_type_id else None

    @staticmethod
    def resolve_level(obj):
        return obj.level.name if obj.level_id else None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_source_label(obj):
        return obj.get_source_display()


class WishFilter(Schema):
    q: str = ""
    region_code: str = ""
    occupation: str = ""
    source: str = ""
    active: str = "1"


class WishIn(Schema):
    """An officer gives `id_number` (the person must be registered); a worker leaves it out
    and records their own. `occupation`, `work_type`, `level` and `region` take a code or a
    name (a worker's region defaults to where they live)."""

    id_number: str = ""
    occupation: str
    work_type: str = ""
    level: str = ""
    region: str = ""
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    time_note: str = ""


class SummaryRowOut(Schema):
    key: str
    label: str
    wishes: int
    people: int


class SummaryOut(Schema):
    """Counts only: never a name or an identity number."""

    region_code: str
    region_name: str
    year: int | None
    occupation: str | None
    wishes: int
    people: int
    by_region: list[SummaryRowOut]
    by_target_group: list[SummaryRowOut]
    by_occupation: list[SummaryRowOut]


class SummaryQuery(Schema):
    region: str = ""
    occupation: str = ""
    year: int | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None


class NoticeOut(Schema):
    id: int
    class_name: str
    institution_name: str
    occupation_name: str
    region_name: str
    venue: str
    start_date: dt.date
    end_date: dt.date
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_class_name(obj):
        return obj.training_class.name

    @staticmethod
    def resolve_institution_name(obj):
        return obj.training_class.institution.name

    @staticmethod
    def resolve_occupation_name(obj):
        return obj.training_class.occupation.name

    @staticmethod
    def resolve_region_name(obj):
        return obj.training_class.region.name

    @staticmethod
    def resolve_venue(obj):
        return obj.training_class.venue

    @staticmethod
    def resolve_start_date(obj):
        return obj.training_class.start_date

    @staticmethod
    def resolve_end_date(obj):
        return obj.training_class.end_date


def _bad(field: str, message: str) -> ServiceError:
    return ServiceError(message, errors={field: message})


@router.get("/training-wishes/summary", response=SummaryOut,
            summary="培训意愿汇总（按地区、重点群体、职业计数，不含个人信息）",
            description="region：地区名称或区划代码（默认本地区）；occupation：职业名称或代码；"
                        "year：登记年度；period_from、period_to：可参训时间与此期间重叠的意愿。")
def wish_summary(request, query: Query[SummaryQuery]):
    user = request.auth
    region = None
    if query.region:
        region, problem = region_find(query.region, Region.objects.filter(is_active=True))
        if region is None:
            raise _bad("region", problem)
    occupation = None
    if query.occupation:
        try:
            occupation = wishes.parse_occupation(query.occupation)
        except ValueError as exc:
            raise _bad("occupation", str(exc)) from None
    summary = wishes.wish_summary(user=user, region=region, occupation=occupation,
                                  year=query.year, period_from=query.period_from,
                                  period_to=query.period_to)
    return {
        "region_code": summary.region.code, "region_name": summary.region.name,
        "year": summary.year,
        "occupation": f"{occupation.code} {occupation.name}" if occupation else None,
        "wishes": summary.wishes, "people": summary.people,
        "by_region": summary.by_region, "by_target_group": summary.by_group,
        "by_occupation": summary.by_occupation,
    }


@router.get("/training-wishes", response=list[WishOut],
            summary="培训意愿（经办人员：本地区及下级；劳动者：本人）")
@paginate(Paging)
def list_wishes(request, filters: Query[WishFilter]):
    return wishes.wish_list(user=request.auth, **filters.dict())


@router.get("/training-wishes/{wish_id}", response=WishOut, summary="培训意愿详情")
def get_wish(request, wish_id: int):
    return wishes.wish_get(user=request.auth, pk=wish_id)


@router.post("/training-wishes", response={201: WishOut, 200: WishOut},
             summary="登记培训意愿（同一人员同一职业再次登记即为更新，返回 200）")
def record_wish(request, payload: WishIn):
    user = request.auth
    data = payload.dict()
    id_number = data.pop("id_number").strip()
    fields = dict(data)
    if self_only(user):
        if not fields["region"]:
            person = wishes.own_person(user)
            home = person.residence_region or person.household_region
            fields["region"] = home.code if home else ""
        wish = wishes.wish_record_self(actor=user, **fields)
    else:
        if not id_number:
            raise _bad("id_number", "请填写证件号码（须已实名登记）")
        wish = wishes.wish_record_by_id(actor=user, id_number=id_number, **fields)
    return Status(200 if wish.was_update else 201, wish)


@router.post("/training-wishes/{wish_id}/withdraw", response=WishOut,
             summary="撤销培训意愿")
def withdraw_wish(request, wish_id: int):
    wish = wishes.wish_get(user=request.auth, pk=wish_id, action="change")
    return wishes.wish_withdraw(actor=request.auth, wish=wish)


@router.get("/wish-notices", response=list[NoticeOut], summary="我的开班通知（劳动者本人）")
@paginate(Paging)
def list_notices(request):
    return wishes.my_notices(user=request.auth)


@router.post("/wish-notices/{notice_id}/read", response=NoticeOut, summary="开班通知标为已读")
def read_notice(request, notice_id: int):
    notice = wishes.notice_get(user=request.auth, pk=notice_id)
    wishes.notice_mark_read(actor=request.auth, notice=notice)
    return wishes.notice_get(user=request.auth, pk=notice_id)

