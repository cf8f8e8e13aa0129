"""The import API: start an import (multipart upload), poll its progress, fetch its report."""

import datetime as dt

from django.http import FileResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.core.api import ErrorOut, Paging
from jineng.core.errors import NotFound, ServiceError
from jineng.core.spreadsheets import XLSX_CONTENT_TYPE
from jineng.orgs.models import Region
from jineng.people.importing import service
from jineng.people.models import ImportMode, OnDuplicate

router = Router(tags=["花名册导入"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ImportOut(Schema):
    id: int
    status: str
    status_label: str
    file_name: str
    mode: str
    on_duplicate: str
    region_code: str
    rows_done: int
    total_rows: int | None
    rows_per_second: float | None
    eta_seconds: float | None
    percent: int
    created: int
    updated: int
    skipped: int
    rejected: int
    error_message: str
    has_report: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


@router.post("/people/imports", response={202: ImportOut, **ERRORS},
             summary="上传花名册并开始导入（后台执行，立即返回）")
def import_start(request, file: File[UploadedFile],
                 region_code: Form[str], mode: Form[str] = ImportMode.PARTIAL,
                 on_duplicate: Form[str] = OnDuplicate.SKIP):
    """`file`：.xlsx/.xls/.csv；`region_code`：默认地区（户籍地为空时使用）；`mode`：strict
    （有错误行则全部不导入）或 partial；`on_duplicate`：update、skip 或 error。"""
    region = Region.objects.filter(code=region_code.strip()).first()
    if region is None:
        raise ServiceError(f"区划代码 {region_code} 不存在",
                           errors={"region_code": f"区划代码 {region_code} 不存在"})
    imp = service.person_import_start(actor=request.auth, upload=file, file_name=file.name,
                                      region=region, mode=mode, on_duplicate=on_duplicate)
    imp.refresh_from_db()
    return Status(202, service.person_import_progress(imp))


class _Progressed:
    """A queryset that pages like one and gives each import's progress (rate, time left)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self):
        return self.queryset.count()

    def __getitem__(self, index):
        return [service.person_import_progress(i) for i in self.queryset[index]]


@router.get("/people/imports", response=list[ImportOut], summary="导入记录（按数据范围）")
@paginate(Paging)
def import_list(request):
    service.mark_orphaned_imports()
    return _Progressed(service.person_import_list(user=request.auth))


@router.get("/people/imports/{import_id}", response={200: ImportOut, **ERRORS},
            summary="导入进度：已处理行数、每秒行数、预计剩余秒数")
def import_get(request, import_id: int):
    return service.person_import_progress(service.person_import_now(
        service.person_import_get(user=request.auth, pk=import_id)))


@router.get("/people/imports/{import_id}/report", response={200: None, **ERRORS},
            summary="错误报告 .xlsx（每个被拒绝的行原样保留，并说明原因）")
def import_report(request, import_id: int):
    imp = service.person_import_get(user=request.auth, pk=import_id)
    return report_response(imp)


def report_response(imp) -> FileResponse:
    if not imp.report_path or not service.media_path(imp.report_path).is_file():
        raise NotFound("该导入还没有错误报告")
    response = FileResponse(open(service.media_path(imp.report_path), "rb"),  # noqa: SIM115
                            content_type=XLSX_CONTENT_TYPE, as_attachment=True,
                            filename=f"导入报告_{imp.pk}.xlsx")
    return response
