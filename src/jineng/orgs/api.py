from ninja import Query, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import Paging, restricted_or_404
from jineng.orgs import selectors
from jineng.orgs.models import Department, Institution, Region

router = Router(tags=["组织机构"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    parent_name: str | None
    non_standard: bool
    is_active: bool

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_parent_name(obj):
        return obj.parent.name if obj.parent_id else None


class InRegion(Schema):
    """Every object that belongs to a region carries that region's code and name."""

    region_code: str
    region_name: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name


class DepartmentOut(InRegion):
    id: int
    code: str
    name: str
    is_active: bool


class InstitutionOut(InRegion):
    id: int
    name: str
    kind: str
    kind_label: str
    credit_code: str
    status: str
    address: str
    contact_name: str
    contact_phone: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class RegionFilter(Schema):
    q: str = ""
    level: int | None = None
    parent_code: str = ""


class DepartmentFilter(Schema):
    q: str = ""
    region_code: str = ""


class InstitutionFilter(Schema):
    q: str = ""
    kind: str = ""
    status: str = ""
    region_code: str = ""


@router.get("/regions", response=list[RegionOut], summary="行政区划列表（本人数据范围内）")
@paginate(Paging)
def list_regions(request, filters: Query[RegionFilter]):
    return selectors.region_list(user=request.auth, **filters.dict())


@router.get("/regions/{code}", response=RegionOut, summary="行政区划详情")
def get_region(request, code: str):
    return restricted_or_404(request, Region.objects.select_related("parent"), code=code)


@router.get("/departments", response=list[DepartmentOut], summary="责任单位列表")
@paginate(Paging)
def list_departments(request, filters: Query[DepartmentFilter]):
    return selectors.department_list(user=request.auth, **filters.dict())


@router.get("/departments/{department_id}", response=DepartmentOut, summary="责任单位详情")
def get_department(request, department_id: int):
    return restricted_or_404(request, Department.objects.select_related("region"),
                             pk=department_id)


@router.get("/institutions", response=list[InstitutionOut], summary="机构列表")
@paginate(Paging)
def list_institutions(request, filters: Query[InstitutionFilter]):
    return selectors.institution_list(user=request.auth, **filters.dict())


@router.get("/institutions/{institution_id}", response=InstitutionOut, summary="机构详情")
def get_institution(request, institution_id: int):
    return restricted_or_404(request, Institution.objects.select_related("region"),
                             pk=institution_id)
