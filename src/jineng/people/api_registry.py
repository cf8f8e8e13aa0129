"""The registry API: create, read, update and search people (scoped, masked), the audited
unmasked view, the enrolment look-up, and target groups."""

import datetime as dt
from functools import wraps

from django.views.decorators.cache import never_cache
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from jineng.core.api import ErrorOut, Paging
from jineng.core.errors import NotFound, ServiceError
from jineng.core.scope import get_restricted
from jineng.orgs.models import TargetGroup
from jineng.people import selectors, services

router = Router(tags=["实名登记"])

# Service field names -> the names the API uses for them.
_API_FIELDS = {"household_region": "household_region_code",
               "residence_region": "residence_region_code"}
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _api_errors(func):
    """Rename service field names in errors to the API's field names."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ServiceError as exc:
            exc.errors = {_API_FIELDS.get(k, k): v for k, v in exc.errors.items()}
            raise

    return wrapper


class PersonOut(Schema):
    id: int
    doc_type: str
    doc_type_label: str
    id_masked: str = Field(description="证件号码（脱敏）")
    name: str
    sex: str
    birth_date: dt.date | None
    phone_masked: str
    region_code: str | None = Field(description="户籍地（无则常住地）区划代码")
    region_name: str | None
    household_region_code: str | None
    household_region_name: str | None
    residence_region_code: str | None
    residence_region_name: str | None
    education: str
    employment_status: str
    target_groups: list[str] = Field(description="重点群体编码")
    target_group_names: list[str]
    has_social_security_card: bool
    registered_by_id: int | None
    has_login: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_doc_type_label(obj):
        return obj.get_doc_type_display()

    @staticmethod
    def _region(obj):
        return obj.household_region if obj.household_region_id else obj.residence_region

    @staticmethod
    def resolve_region_code(obj):
        region = PersonOut._region(obj)
        return region.code if region else None

    @staticmethod
    def resolve_region_name(obj):
        region = PersonOut._region(obj)
        return region.name if region else None

    @staticmethod
    def resolve_household_region_code(obj):
        return obj.household_region.code if obj.household_region_id else None

    @staticmethod
    def resolve_household_region_name(obj):
        return obj.household_region.name if obj.household_region_id else None

    @staticmethod
    def resolve_residence_region_code(obj):
        return obj.residence_region.code if obj.residence_region_id else None

    @staticmethod
    def resolve_residence_region_name(obj):
        return obj.residence_region.name if obj.residence_region_id else None

    @staticmethod
    def resolve_target_groups(obj):
        return list(obj.target_groups)

    @staticmethod
    def resolve_target_group_names(obj):
        return selectors.person_group_names(obj)

    @staticmethod
    def resolve_has_social_security_card(obj):
        return bool(obj.social_security_card)

    @staticmethod
    def resolve_has_login(obj):
        return obj.user_id is not None


class PersonIn(Schema):
    doc_type: str | None = Field(None, description="resident / hmt_permit / foreign_pr / "
                                 "passport；不填按号码推断")
    id_number: str = Field(description="证件号码（全角、空格、连字符、小写 x 均可）")
    name: str
    sex: str = Field("", description="M/F 或 男/女；须与证件号码一致")
    birth_date: dt.date | None = Field(None, description="须与证件号码一致")
    phone: str = ""
    household_region_code: str = ""
    residence_region_code: str = ""
    education: str = ""
    employment_status: str = ""
    target_groups: list[str] = Field([], description="重点群体编码或名称")
    social_security_card: str = ""


class PersonPatch(Schema):
    doc_type: str | None = None
    id_number: str | None = None
    name: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = Field(None, description="空字符串表示清除")
    household_region_code: str | None = None
    residence_region_code: str | None = None
    education: str | None = None
    employment_status: str | None = None
    target_groups: list[str] | None = None
    social_security_card: str | None = None


class PersonQuery(Schema):
    """The filters a URL may carry: no identity number (that goes in a POST body)."""

    q: str = Field("", description="姓名前缀（证件号码请用 POST /people/search）")
    name: str = ""
    region_code: str = Field("", description="户籍地或常住地在此区划及其下级")
    target_group: str = Field("", description="重点群体编码")
    doc_type: str = ""


class PersonFilter(PersonQuery):
    q: str = Field("", description="姓名前缀；形如证件号码时按号码精确查找")
    id_number: str = Field("", description="证件号码，精确匹配（经密钥哈希）")


NUMBER_IN_URL = ("出于保护，证件号码不能放在网址中：请改用 POST /api/v1/people/search，"
                 "把号码放在请求体的 id_number 中")


class LookupIn(Schema):
    id_number: str
    doc_type: str | None = None


class LookupPerson(Schema):
    person_id: int
    name_masked: str
    id_masked: str
    sex: str
    birth_year: int | None


class LookupOut(Schema):
    found: bool
    person: LookupPerson | None = None


class RevealOut(Schema):
    id_number: str
    phone: str
    social_security_card: str


class ChangeOut(Schema):
    at: dt.datetime
    actor_name: str
    source: str
    changes: dict


class TargetGroupOut(Schema):
    id: int
    code: str
    name: str
    builtin: bool
    is_active: bool
    sort_order: int


class TargetGroupIn(Schema):
    code: str
    name: str
    sort_order: int = 100


class TargetGroupPatch(Schema):
    name: str | None = None
    is_active: bool | None = None
    sort_order: int | None = None


def _service_fields(data: dict) -> dict:
    for api_name, field in (("household_region_code", "household_region"),
                            ("residence_region_code", "residence_region")):
        if api_name in data:
            data[field] = data.pop(api_name)
    return data


def _reload(request, pk):
    return selectors.person_get(user=request.auth, pk=pk)


# ---------------------------------------------------------------- people


def _numbers_in_url(request) -> list[str]:
    """The query parameters that would carry an identity number."""
    leaked = ["id_number"] if request.GET.get("id_number", "").strip() else []
    if selectors.looks_like_id_number(request.GET.get("q", "")):
        leaked.append("q")
    return leaked


@router.get("/people", response={200: list[PersonOut], 400: ErrorOut},
            summary="查询劳动者（数据范围内，号码脱敏；按证件号码查找请用 POST /people/search）")
@paginate(Paging)
def list_people(request, filters: Query[PersonQuery]):
    """A full number is never taken from the URL (it would stay in logs and histories):
    `id_number`, or a `q` that looks like a number, answers 400."""
    leaked = _numbers_in_url(request)
    if leaked:
        raise ServiceError(NUMBER_IN_URL, code="number_in_url",
                           errors={field: NUMBER_IN_URL for field in leaked})
    return selectors.person_list(user=request.auth, **filters.dict())


@router.post("/people/search", response=list[PersonOut],
             summary="查询劳动者（条件放在请求体中，完整证件号码不出现在网址里）")
@paginate(Paging)
def search_people(request, filters: PersonFilter):
    return selectors.person_list(user=request.auth, **filters.dict())


@router.post("/people", response={201: PersonOut, **ERRORS}, summary="登记劳动者")
@_api_errors
def create_person(request, payload: PersonIn):
    data = _service_fields(payload.dict())
    person = services.person_create(actor=request.auth, source="api", **data)
    return Status(201, _reload(request, person.pk))


@router.get("/people/me", response={200: PersonOut, 404: ErrorOut},
            summary="本人的实名信息（劳动者）")
def my_person(request):
    person = selectors.person_of_user(user=request.auth)
    if person is None:
        raise NotFound("您的账号尚未关联实名登记信息")
    return person


@router.post("/people/lookup", response={200: LookupOut, **ERRORS},
             summary="按完整证件号码查找（报名核验，仅返回脱敏的最少信息，并记录审计）")
@_api_errors
def lookup_person(request, payload: LookupIn):
    result = services.person_lookup_for_enrolment(
        actor=request.auth, id_number=payload.id_number, doc_type=payload.doc_type
    )
    if result is None:
        return {"found": False, "person": None}
    return {"found": True, "person": result.__dict__}


@router.get("/people/{int:person_id}", response={200: PersonOut, 404: ErrorOut},
            summary="劳动者详情")
def get_person(request, person_id: int):
    return selectors.person_get(user=request.auth, pk=person_id)


@router.patch("/people/{int:person_id}", response={200: PersonOut, **ERRORS},
              summary="修改劳动者信息（只改传入的字段）")
@_api_errors
def update_person(request, person_id: int, payload: PersonPatch):
    person = selectors.person_get(user=request.auth, pk=person_id, action="change")
    data = _service_fields(payload.dict(exclude_unset=True))
    services.person_update(actor=request.auth, person=person, source="api", **data)
    return _reload(request, person_id)


class LoginIn(Schema):
    username: str = Field("", description="劳动者本人的登录账号；空字符串表示取消关联")


@router.put("/people/{int:person_id}/login", response={200: PersonOut, **ERRORS},
            summary="关联劳动者本人的登录账号")
def link_login(request, person_id: int, payload: LoginIn):
    person = selectors.person_get(user=request.auth, pk=person_id, action="change")
    services.person_link_login(actor=request.auth, person=person, username=payload.username,
                               source="api")
    return _reload(request, person_id)


@router.post("/people/{int:person_id}/reveal", response={200: RevealOut, **ERRORS},
             summary="查看完整证件号码与手机号（需要权限，记录审计；响应不得缓存）")
@decorate_view(never_cache)
def reveal_person(request, person_id: int, reason: str = ""):
    return services.person_reveal(actor=request.auth, pk=person_id, reason=reason).__dict__


@router.get("/people/{int:person_id}/history", response=list[ChangeOut],
            summary="信息变更记录（脱敏）")
@paginate(Paging)
def person_history(request, person_id: int):
    person = selectors.person_get(user=request.auth, pk=person_id)
    return selectors.person_change_list(user=request.auth, person=person)


# ---------------------------------------------------------------- target groups


@router.get("/target-groups", response=list[TargetGroupOut], summary="重点群体")
@paginate(Paging)
def list_target_groups(request, q: str = "", is_active: bool | None = None):
    return selectors.target_group_list(user=request.auth, q=q, is_active=is_active)


@router.post("/target-groups", response={201: TargetGroupOut, **ERRORS},
             summary="新增重点群体")
def create_target_group(request, payload: TargetGroupIn):
    return Status(201, services.target_group_create(actor=request.auth, **payload.dict()))


@router.patch("/target-groups/{int:group_id}", response={200: TargetGroupOut, **ERRORS},
              summary="修改重点群体")
def update_target_group(request, group_id: int, payload: TargetGroupPatch):
    # Found through "view" so that a role without orgs.change_targetgroup hears why (403).
    group = get_restricted(TargetGroup, request.auth, "view", pk=group_id)
    return services.target_group_update(actor=request.auth, target_group=group,
                                        **payload.dict(exclude_unset=True))
