"""Pages of the roster import: upload, list, progress (htmx polling), report and template."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jineng.core.errors import NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.spreadsheets import XLSX_CONTENT_TYPE
from jineng.orgs.forms import RegionField
from jineng.people.api_import import report_response
from jineng.people.importing import service
from jineng.people.importing.columns import write_template
from jineng.people.models import ImportMode, OnDuplicate

PAGE_SIZE = 25


class ImportForm(forms.Form):
    file = forms.FileField(label=_("花名册文件"),
                           help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码）"))
    region = RegionField(label=_("默认地区"),
                         help_text=_("户籍地为空的行记入此地区；输入名称或区划代码，如 梁园区"))
    mode = forms.ChoiceField(label=_("导入模式"), choices=ImportMode.choices,
                             initial=ImportMode.PARTIAL)
    on_duplicate = forms.ChoiceField(label=_("人员已登记时"), choices=OnDuplicate.choices,
                                     initial=OnDuplicate.SKIP)


def _allowed(request):
    require(request.user, service.IMPORT_PERMISSION)


def _get(request, pk):
    _allowed(request)
    try:
        return service.person_import_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
def import_list_view(request):
    _allowed(request)
    from django.core.paginator import Paginator

    service.mark_orphaned_imports()
    page = Paginator(service.person_import_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [(i, service.person_import_progress(i)) for i in page.object_list]
    return render(request, "people/import_list.html",
                  {"title": _("花名册导入"), "page": page, "rows": rows})


@login_required
def import_create_view(request):
    _allowed(request)
    initial = {"region": request.user.region.code if request.user.region_id else ""}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imp = service.person_import_start(
                actor=request.user, upload=data["file"], file_name=data["file"].name,
                region=data["region"], mode=data["mode"], on_duplicate=data["on_duplicate"])
        except ServiceError as exc:
            placed = False
            for field, message in exc.errors.items():
                if field in form.fields:
                    form.add_error(field, message)
                    placed = True
            if not placed:
                form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("文件已上传，正在后台导入"))
            return redirect("people:import_detail", pk=imp.pk)
    return render(request, "people/import_form.html", {"title": _("导入花名册"), "form": form},
                  status=400 if form.errors else 200)


@login_required
def import_detail_view(request, pk: int):
    imp = service.person_import_now(_get(request, pk))
    context = {"title": gettext("导入 #%(pk)s") % {"pk": imp.pk}, "imp": imp,
               "p": service.person_import_progress(imp)}
    if request.headers.get("HX-Request"):
        return render(request, "people/import_progress.html", context)
    return render(request, "people/import_detail.html", context)


@login_required
def import_report_view(request, pk: int):
    imp = _get(request, pk)
    try:
        return report_response(imp)
    except NotFound:
        raise Http404 from None


@login_required
def import_template_view(request):
    _allowed(request)
    buffer = io.BytesIO()
    write_template(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E5%AF%BC%E5%85%A5%E6%A8%A1"
        "%E6%9D%BF.xlsx")
    return response


def detail_url(pk: int) -> str:
    return reverse("people:import_detail", kwargs={"pk": pk})
