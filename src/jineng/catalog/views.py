"""Officers' pages of the catalogue (thin: selectors read, services write)."""

import datetime as dt
import json
import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jineng.catalog import forms, selectors, services, uploads
from jineng.catalog.models import (
    OccupationLevel,
    PolicyKind,
    PolicyVersion,
    Programme,
    ProgrammeKind,
    SkillLevel,
)
from jineng.catalog.policies import AWARD_LABELS, ENTERPRISE_SIZE_LABELS, FIELD_LABELS
from jineng.core.errors import NotFound, ServiceError
from jineng.core.refusals import require
from jineng.core.scope import permission_code, region_allowed
from jineng.core.views import Column, Filter, ScopedListPage, ServiceFormPage
from jineng.orgs.forms import RegionField, region_filter
from jineng.orgs.models import Region
from jineng.orgs.target_groups import target_group_names


def yuan(fen) -> str:
    if not isinstance(fen, int):
        return ""
    return _("%(amount)s 元") % {"amount": f"{fen // 100:,}.{fen % 100:02d}"}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _period(v) -> str:
    if v.valid_to:
        return _("%(start)s 至 %(end)s") % {"start": v.valid_from, "end": v.valid_to}
    return _("%(start)s 起") % {"start": v.valid_from}


# ---------------------------------------------------------------- lists


class OccupationList(ScopedListPage):
    title = _("职业分类（大典 2022）")
    permission = "catalog.view_occupation"
    export_permission = "catalog.export_occupation"
    selector = selectors.occupation_list
    object_type = "catalog.occupation"
    filters = [
        Filter("level", _("层级"), [(str(v), label) for v, label in OccupationLevel.choices]),
        Filter("mark", _("标识"), [("S", _("数字职业")), ("L", _("绿色职业"))]),
    ]
    columns = [
        Column(_("代码"), lambda o: o.code),
        Column(_("名称"), lambda o: o.name),
        Column(_("层级"), lambda o: o.get_level_display()),
        Column(_("上级"), lambda o: o.parent.name if o.parent_id else ""),
        Column(_("标识"), lambda o: o.mark),
        Column(_("版本"), lambda o: o.edition),
    ]

    def filter_values(self, request):
        values = super().filter_values(request)
        values["level"] = int(values["level"]) if values["level"].isdigit() else None
        return values


class WorkTypeList(ScopedListPage):
    title = _("工种")
    permission = "catalog.view_worktype"
    export_permission = "catalog.export_worktype"
    add_permission = "catalog.add_worktype"
    create_url_name = "catalog:work_type_create"
    selector = selectors.work_type_list
    object_type = "catalog.worktype"
    filters = [Filter("occupation_code", _("职业代码")),
               Filter("status", _("状态"), [("active", _("启用")), ("retired", _("已停用"))])]
    columns = [
        Column(_("职业代码"), lambda w: w.occupation.code),
        Column(_("职业"), lambda w: w.occupation.name),
        Column(_("工种"), lambda w: w.name, link=True),
        Column(_("状态"), lambda w: _("启用") if w.is_active else _("已停用")),
    ]

    def respond(self, request):
        self.can_change = request.user.has_permission("catalog.change_worktype")
        return super().respond(request)

    def row_url(self, obj):
        return reverse("catalog:work_type_edit", args=[obj.pk]) if self.can_change else None


class LevelList(ScopedListPage):
    title = _("技能等级")
    permission = "catalog.view_skilllevel"
    selector = selectors.level_list
    object_type = "catalog.skilllevel"
    columns = [
        Column(_("编码"), lambda lv: lv.code),
        Column(_("名称"), lambda lv: lv.name),
        Column(_("简称"), lambda lv: lv.short_name),
        Column(_("等级数字"), lambda lv: lv.digit or "—"),
        Column(_("新八级工新增"), lambda lv: _("是") if lv.is_eight_level_addition else ""),
    ]


class PolicyList(ScopedListPage):
    title = _("政策版本")
    permission = "catalog.view_policyversion"
    export_permission = "catalog.export_policyversion"
    add_permission = "catalog.add_policyversion"
    create_url_name = "catalog:policy_create"
    selector = selectors.policy_version_list
    object_type = "catalog.policyversion"
    filters = [
        Filter("kind", _("政策类型"), PolicyKind.choices),
        region_filter(),
        Filter("in_force_on", _("生效于（YYYY-MM-DD）")),
    ]
    columns = [
        Column(_("政策"), lambda v: v.get_kind_display(), link=True),
        Column(_("地区"), lambda v: v.region.name),
        Column(_("版本"), lambda v: _("第 %(n)s 版") % {"n": v.number}),
        Column(_("期间"), _period),
        Column(_("依据"), lambda v: v.short_source),
    ]

    def filter_values(self, request):
        values = super().filter_values(request)
        values["in_force_on"] = _date(values["in_force_on"])
        return values

    def row_url(self, obj):
        return reverse("catalog:policy_detail", args=[obj.pk])


class DocumentList(ScopedListPage):
    title = _("政策文件")
    permission = "catalog.view_policydocument"
    export_permission = "catalog.export_policydocument"
    add_permission = "catalog.add_policydocument"
    create_url_name = "catalog:document_create"
    selector = selectors.document_list
    object_type = "catalog.policydocument"
    filters = [region_filter()]
    columns = [
        Column(_("标题"), lambda d: d.title),
        Column(_("文号"), lambda d: d.number),
        Column(_("发文机关"), lambda d: d.issuer),
        Column(_("地区"), lambda d: d.region.name),
        Column(_("成文日期"), lambda d: d.issued_on or ""),
    ]


class ProgrammeList(ScopedListPage):
    title = _("计划与工程")
    permission = "catalog.view_programme"
    export_permission = "catalog.export_programme"
    add_permission = "catalog.add_programme"
    create_url_name = "catalog:programme_create"
    selector = selectors.programme_list
    object_type = "catalog.programme"
    filters = [Filter("kind", _("类别"), ProgrammeKind.choices),
               region_filter()]
    columns = [
        Column(_("编号"), lambda p: p.code, link=True),
        Column(_("名称"), lambda p: p.name, link=True),
        Column(_("类别"), lambda p: p.get_kind_display()),
        Column(_("地区"), lambda p: p.region.name),
        Column(_("期间"), lambda p: _("%(start)s 至 %(end)s") % {
            "start": p.period_start, "end": p.period_end or ""}),
        Column(_("责任单位"), lambda p: p.responsible),
    ]

    def row_url(self, obj):
        return reverse("catalog:programme_detail", args=[obj.pk])


class BudgetList(ScopedListPage):
    title = _("资金预算")
    permission = "catalog.view_fundbudget"
    export_permission = "catalog.export_fundbudget"
    add_permission = "catalog.add_fundbudget"
    create_url_name = "catalog:budget_set"
    selector = selectors.fund_budget_list
    object_type = "catalog.fundbudget"
    filters = [Filter("year", _("年度")), region_filter()]
    columns = [
        Column(_("地区"), lambda b: b.region.name),
        Column(_("年度"), lambda b: b.year),
        Column(_("资金来源"), lambda b: b.source.name),
        Column(_("预算"), lambda b: yuan(b.amount_fen)),
        Column(_("说明"), lambda b: (str(_("【示例】")) if b.is_sample else "") + b.note),
    ]

    def filter_values(self, request):
        values = super().filter_values(request)
        values["year"] = int(values["year"]) if values["year"].isdigit() else None
        return values


# ---------------------------------------------------------------- policy pages


def _figure(value, labels: dict | None = None) -> str:
    if value is None:
        return _("未规定")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict) and "denominator" in value:
        return f"{value['numerator']}/{value['denominator']}"
    if isinstance(value, list):
        return "、".join(str((labels or {}).get(v, v)) for v in value) or "—"
    return str(value)


# The lists of codes a policy table holds, and the names they are shown by.
VALUE_LABELS = {"enterprise_sizes": ENTERPRISE_SIZE_LABELS}


def figure_rows(version: PolicyVersion) -> list[tuple[str, str]]:
    """The version's figures as (label, value) rows, amounts in yuan."""
    data = version.data
    if version.kind == PolicyKind.EVALUATION_SUBSIDY:
        amounts = data["amounts_fen"]
        rows = [(lv.name, yuan(amounts[lv.code]))
                for lv in SkillLevel.objects.order_by("rank") if lv.code in amounts]
        return rows + [(FIELD_LABELS["once_per_person_occupation_level"],
                        _figure(data["once_per_person_occupation_level"]))]
    if version.kind == PolicyKind.COMPETITION_PRIZE:
        rows = [(f"{t['name']} · {AWARD_LABELS[a['award']]}", yuan(a["amount_fen"]))
                for t in data["tiers"] for a in t["awards"]]
        return rows + [(FIELD_LABELS["coach_team_same"], _figure(data["coach_team_same"]))]
    if version.kind == PolicyKind.TRAINING_SUBSIDY:
        return [(_("目录条目数"), str(len(data["entries"])))]
    return [(FIELD_LABELS.get(k, k).replace("（分）", ""),
             yuan(v) if "_fen" in k and v is not None else _figure(v, VALUE_LABELS.get(k)))
            for k, v in data.items()]


def _entry_row(entry) -> dict:
    return {"entry": entry, "subsidy": yuan(entry.subsidy_fen),
            "groups": "、".join(target_group_names(entry)) or "—"}


@login_required
def policy_detail_view(request, pk):
    try:
        version = selectors.policy_version_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    entries = selectors.catalogue_entries(version) \
        if version.kind == PolicyKind.TRAINING_SUBSIDY else None
    return render(request, "catalog/policy_detail.html", {
        "title": str(version), "version": version, "rows": figure_rows(version),
        "entries": [_entry_row(e) for e in entries] if entries is not None else None,
        "history": selectors.version_history(version), "period": _period(version),
        "can_revise": region_allowed(request.user, PolicyVersion, "add", version.region)
        and not hasattr(version, "superseded_by"),
    })


@login_required
def policy_in_force_view(request):
    """Which policies are in force for the officer's region, and which came from above."""
    require(request.user, "catalog.view_policyversion")
    on_date = _date(request.GET.get("date", "")) or selectors.today()
    typed = request.GET.get("region", "").strip()
    field = RegionField(required=False, scope="above",
                        regions=selectors.regions_visible(request.user))
    region, problem = selectors.home_region(request.user), ""
    if typed:
        try:
            region = field.clean(typed)
        except ValidationError as exc:
            region, problem = None, exc.messages[0]
    items = selectors.policies_in_force(user=request.user, region=region, on_date=on_date) \
        if region else []
    picker = field.widget.render("region", region or typed, attrs={
        "id": "region", "aria-label": _("地区"), "placeholder": _("地区名称或代码（默认本地区）")})
    return render(request, "catalog/in_force.html", {
        "title": _("在用政策"), "region": region, "on_date": on_date, "items": items,
        "region_picker": picker, "problem": problem,
    }, status=404 if problem else 200)


# ---------------------------------------------------------------- forms


class _HomeRegionInitial:
    """Forms whose region field starts at the officer's own region."""

    def initial(self, obj):
        home = selectors.home_region(self.request.user)
        return {"region": home.code if home else ""}


def _regions(user, action="add", model=PolicyVersion):
    if not user.has_permission(permission_code(model, action)):
        return Region.objects.none()
    return Region.objects.restrict(user, "view")


class PolicyPublish(_HomeRegionInitial, ServiceFormPage):
    title = _("发布政策版本")
    form_class = forms.PolicyPublishForm
    success_message = _("政策版本已发布")

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_policyversion")

    def get_form_kwargs(self, request, obj):
        return {"regions": _regions(request.user),
                "documents": selectors.document_list(user=request.user)}

    def initial(self, obj):
        return {**super().initial(obj), "data": "{}"}

    def save(self, request, obj, data):
        return services.policy_version_publish(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("catalog:policy_detail", args=[obj.pk])


class PolicyRevise(ServiceFormPage):
    title = _("修订政策")
    form_class = forms.PolicyReviseForm
    success_message = _("已发布新版本；旧版本的期间已截止")

    def get_object(self, request, pk):
        return selectors.policy_version_get(user=request.user, pk=pk)

    def check_allowed(self, request, obj):
        if not region_allowed(request.user, PolicyVersion, "add", obj.region):
            raise Http404

    def get_form_kwargs(self, request, obj):
        return {"documents": selectors.document_list(user=request.user)}

    def initial(self, obj):
        return {"data": json.dumps(obj.data, ensure_ascii=False, indent=2),
                "document": obj.document_id, "section": obj.section,
                "is_sample": obj.is_sample}

    def save(self, request, obj, data):
        return services.policy_version_revise(actor=request.user, version=obj, **data)

    def success_url(self, obj):
        return reverse("catalog:policy_detail", args=[obj.pk])


class CatalogueUpload(_HomeRegionInitial, ServiceFormPage):
    """Publish (or revise) a region's catalogue from a spreadsheet."""

    title = _("上传培训职业目录")
    form_class = forms.CatalogueUploadForm
    success_message = _("目录已发布")

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_policyversion")

    def get_form_kwargs(self, request, obj):
        return {"regions": _regions(request.user), "files": request.FILES or None,
                "documents": selectors.document_list(user=request.user)}

    def save(self, request, obj, data):
        """Every bad row goes under the file field, so the officer sees them all at once."""
        try:
            return self._publish(request, data)
        except ServiceError as exc:
            rows = [m for k, m in exc.errors.items() if k.startswith("row")]
            if rows:
                raise ServiceError(exc.message, errors={"file": rows[:200]}) from None
            raise

    def _publish(self, request, data):
        upload = data.pop("file")
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            lines = uploads.catalogue_lines_from_file(tmp.name, upload.name)
        return services.catalogue_publish(actor=request.user, lines=lines, **data)

    def success_url(self, obj):
        return reverse("catalog:policy_detail", args=[obj.pk])


class DocumentCreate(_HomeRegionInitial, ServiceFormPage):
    title = _("登记政策文件")
    form_class = forms.DocumentForm

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_policydocument")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view")}

    def save(self, request, obj, data):
        return services.policy_document_create(actor=request.user, **data)

    def success_url(self, obj):
        return reverse("catalog:document_list")


class ProgrammeCreate(_HomeRegionInitial, ServiceFormPage):
    title = _("新增计划/工程")
    form_class = forms.ProgrammeForm

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_programme")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view"),
                "documents": selectors.document_list(user=request.user)}

    def save(self, request, obj, data):
        occupations = _occupations(data.pop("occupation_codes"))
        return services.programme_create(actor=request.user, occupations=occupations,
                                         fund_sources=list(data.pop("fund_sources")), **data)

    def success_url(self, obj):
        return reverse("catalog:programme_detail", args=[obj.pk])


def _occupations(codes: list[str]) -> list:
    occupations = []
    for code in codes:
        occupation = services.occupation_current(code)
        if occupation is None:
            message = _("职业代码 %(code)s 不存在") % {"code": code}
            raise ServiceError(message, errors={"occupation_codes": message})
        occupations.append(occupation)
    return occupations


class ProgrammeEdit(ServiceFormPage):
    """Opening needs the programme to be readable; saving needs "change" in its region."""

    title = _("编辑计划/工程")
    form_class = forms.ProgrammeForm
    success_message = _("计划/工程已更新")

    def get_object(self, request, pk):
        return selectors.programme_get(user=request.user, pk=pk)

    def check_allowed(self, request, obj):
        if not region_allowed(request.user, Programme, "change", obj.region):
            raise Http404

    def get_form_kwargs(self, request, obj):
        return {"documents": selectors.document_list(user=request.user), "editing": True,
                "kept_groups": obj.target_groups}

    def initial(self, obj):
        return {
            "name": obj.name, "kind": obj.kind,
            "period_start": obj.period_start, "period_end": obj.period_end, "goal": obj.goal,
            "responsible": obj.responsible, "target_groups": list(obj.target_groups),
            "occupation_codes": ", ".join(o.code for o in obj.occupations.all()),
            "fund_sources": list(obj.fund_sources.all()), "document": obj.document_id,
            "section": obj.section,
        }

    def save(self, request, obj, data):
        occupations = _occupations(data.pop("occupation_codes"))
        return services.programme_update(actor=request.user, programme=obj,
                                         occupations=occupations,
                                         fund_sources=list(data.pop("fund_sources")), **data)

    def success_url(self, obj):
        return reverse("catalog:programme_detail", args=[obj.pk])


@login_required
def programme_detail_view(request, pk):
    try:
        programme = selectors.programme_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "catalog/programme_detail.html", {
        "title": programme.name, "programme": programme,
        "target_groups": "、".join(target_group_names(programme)) or "—",
        "can_edit": region_allowed(request.user, Programme, "change", programme.region),
    })


class BudgetSet(_HomeRegionInitial, ServiceFormPage):
    title = _("设定资金预算")
    form_class = forms.BudgetForm

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_fundbudget")

    def get_form_kwargs(self, request, obj):
        return {"regions": Region.objects.restrict(request.user, "view")}

    def save(self, request, obj, data):
        amount = data.pop("amount_yuan") * 100
        if amount != int(amount):
            message = str(_("金额最多两位小数"))
            raise ServiceError(message, errors={"amount_yuan": message})
        try:
            return services.fund_budget_set(actor=request.user, amount_fen=int(amount), **data)
        except ServiceError as exc:
            if "amount_fen" in exc.errors:  # the form asks in yuan
                exc.errors["amount_yuan"] = exc.errors.pop("amount_fen")
            raise

    def success_url(self, obj):
        return reverse("catalog:budget_list")


class WorkTypeCreate(ServiceFormPage):
    title = _("新增工种")
    form_class = forms.WorkTypeForm

    def check_allowed(self, request, obj):
        require(request.user, "catalog.add_worktype")

    def save(self, request, obj, data):
        occupation, problem = services.occupation_find(data["occupation_code"])
        if occupation is None:
            raise ServiceError(problem, errors={"occupation_code": problem})
        return services.work_type_create(actor=request.user, occupation=occupation,
                                         name=data["name"])

    def initial(self, obj):
        return {"occupation_code": self.request.GET.get("occupation", "")}

    def success_url(self, obj):
        return reverse("catalog:work_type_list") + f"?occupation_code={obj.occupation.code}"


class WorkTypeEdit(ServiceFormPage):
    title = _("修改工种")
    form_class = forms.WorkTypeEditForm
    success_message = _("工种已保存")

    def get_object(self, request, pk):
        return selectors.work_type_get(user=request.user, pk=pk)

    def check_allowed(self, request, obj):
        require(request.user, "catalog.change_worktype")

    def initial(self, obj):
        return {"name": obj.name, "is_active": obj.is_active}

    def save(self, request, obj, data):
        return services.work_type_update(actor=request.user, work_type=obj, **data)

    def success_url(self, obj):
        return reverse("catalog:work_type_list") + f"?occupation_code={obj.occupation.code}"
