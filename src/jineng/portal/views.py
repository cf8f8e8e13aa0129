"""Public pages: they need no login and show only what the bureaus publish."""

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from jineng.catalog import selectors
from jineng.catalog.models import SAMPLE_LABEL, PolicyKind, PolicyVersion, SkillLevel
from jineng.core import spreadsheets
from jineng.core.spreadsheets import XLSX_CONTENT_TYPE, xlsx_bytes
from jineng.orgs.forms import RegionPicker
from jineng.orgs.models import Region
from jineng.orgs.selectors import region_find
from jineng.orgs.target_groups import target_group_names

TITLE = _("补贴性培训职业目录")
PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
HEADERS = [_("职业代码"), _("职业"), _("工种"), _("等级"), _("培训补贴标准（元）"),
           _("最低培训课时"), _("证书直补"), _("适用群体")]
# Every row says where its figure comes from: on the page one column, in the export the
# version, its period and its document (or the sample label, never a document).
PAGE_HEADERS = [*HEADERS, _("依据")]
EXPORT_HEADERS = [*HEADERS, _("目录版本"), _("生效日期"), _("截止日期"), _("依据文件"),
                  _("文号"), _("条款"), _("示例数据")]


def _row(entry) -> list:
    fen = entry.subsidy_fen
    return [entry.occupation.code, entry.occupation.name,
            entry.work_type.name if entry.work_type_id else "", entry.level.name,
            f"{fen // 100}.{fen % 100:02d}", entry.min_hours,
            str(_("是") if entry.direct_subsidy else _("否")),
            "、".join(target_group_names(entry))]


def _page_row(entry) -> list:
    return [*_row(entry), entry.version.short_source if not entry.version.is_sample
            else SAMPLE_LABEL]


def _export_row(entry) -> list:
    version = entry.version
    document = version.document if version.document_id else None
    return [*_row(entry), f"{version.region.name}第{version.number}版",
            version.valid_from.isoformat(),
            version.valid_to.isoformat() if version.valid_to else str(_("长期")),
            document.title if document else "", document.number if document else "",
            version.section, SAMPLE_LABEL if version.is_sample else ""]


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _region_asked(text: str) -> tuple[Region | None, str]:
    """The region typed (a name, a code or a picker label), or the default one."""
    if not text:
        return selectors.public_default_region(), ""
    return region_find(text, Region.objects.filter(is_active=True))


def catalogue_view(request):
    """The subsidised-occupation catalogue in force for a region (searchable, .xlsx). It opens
    on a default region; any region in force can be chosen by name or code."""
    typed = request.GET.get("region", "").strip()
    on_date = _date(request.GET.get("date", "")) or selectors.today()
    q, level = request.GET.get("q", "").strip(), request.GET.get("level", "").strip()
    region, problem = _region_asked(typed)
    version, entries = (selectors.catalogue_in_force(region=region, on_date=on_date, q=q,
                                                     level=level)
                        if region else (None, None))
    if region and request.GET.get("export") == "xlsx":
        rows = (_export_row(e) for e in entries[:EXPORT_LIMIT].iterator(2000))
        response = HttpResponse(xlsx_bytes([str(h) for h in EXPORT_HEADERS], rows, str(TITLE)),
                                content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, spreadsheets.export_filename(TITLE, region.name, on_date=on_date))
        return response
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")) if region else None
    published = Region.objects.filter(
        pk__in=PolicyVersion.objects.filter(kind=PolicyKind.TRAINING_SUBSIDY)
        .values("region")).order_by("code")
    picker = RegionPicker(scope="all").render("region", region or typed, attrs={
        "id": "region", "aria-label": _("地区"), "placeholder": _("地区名称或代码，如 梁园区")})
    return render(request, "portal/catalogue.html", {
        "title": TITLE, "region": region, "region_picker": picker, "on_date": on_date,
        "q": q, "level": level, "version": version, "page": page,
        "rows": [_page_row(e) for e in page.object_list] if page else [],
        "headers": PAGE_HEADERS, "sample_label": SAMPLE_LABEL,
        "levels": SkillLevel.objects.all(), "published": published, "problem": problem,
    }, status=404 if problem else 200)
