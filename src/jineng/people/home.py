"""Home panels of the registry: the people and roster imports in an officer's or an
institution's scope; a worker's own record, archive and access log."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jineng.core.home import HomePanel, Line, Panel, Stat
from jineng.core.menu import STAFF, Entry, shown_to
from jineng.people import selectors
from jineng.people.importing.service import person_import_list
from jineng.people.models import ImportStatus, Person


def _registry(user) -> Panel | None:
    if not shown_to(user, Entry("", "", "", "people.view_person", STAFF)):
        return None
    people = Person.objects.restrict(user)
    month_ago = timezone.now() - dt.timedelta(days=30)
    panel = Panel(_("实名登记"), stats=[
        Stat(_("登记人数"), people.count(), reverse("people:person_list"), "people"),
        Stat(_("近 30 天新登记"), people.filter(created_at__gte=month_ago).count(), "",
             "people-new"),
    ])
    if user.has_permission("people.import_person"):
        imports = person_import_list(user=user)
        panel.stats.append(Stat(
            _("进行中的导入"),
            imports.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).count(),
            reverse("people:import_list"), "imports-running"))
        panel.lines = [
            Line(i.file_name, _("%(status)s，新增 %(created)s，拒绝 %(rejected)s") % {
                "status": i.get_status_display(), "created": i.created, "rejected": i.rejected},
                reverse("people:import_detail", args=[i.pk]))
            for i in imports.order_by("-created_at", "-id")[:5]
        ]
        panel.empty_text = _("暂无花名册导入")
    return panel


def _archive_line(item) -> str:
    section = item["section"]
    if section.rows is None:
        return _("%(title)s：该业务尚未上线，暂无数据") % {"title": section.title}
    return _("%(title)s：%(n)s 条") % {"title": section.title, "n": len(item["rows"])}


def _my_archive(user) -> Panel | None:
    if not selectors.self_only(user):
        return None
    person = selectors.person_of_user(user=user)
    panel = Panel(_("我的档案"), links=[(_("查看我的档案"), reverse("people:my_archive"))])
    if person is None:
        panel.notes = [_("您的账号尚未关联实名登记信息，"
                         "请联系当地人社部门或培训机构办理实名登记。")]
        return panel
    panel.notes = [
        _("已实名登记：%(by)s，%(day)s") % {
            "by": person.registered_by.name if person.registered_by_id else _("人社部门"),
            "day": timezone.localtime(person.created_at).strftime("%Y-%m-%d")},
        *(_archive_line(item) for item in selectors.archive_sections(person=person, user=user)),
        _("报名培训：培训班报名尚未上线。可先查看本地补贴性培训职业目录。"),
    ]
    region = person.residence_region or person.household_region
    if region:
        panel.links.append((_("%(region)s补贴性培训职业目录") % {"region": region.name},
                            reverse("portal:catalogue") + "?" + urlencode({"region": region.code})))
    panel.lines = [
        Line(f"{e.organisation}{e.what}", timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
             reverse("people:my_archive") + "#access-log")
        for e in selectors.person_access_log(user=user, person=person, limit=3)
    ]
    panel.empty_text = _("暂无单位查看或修改您的信息")
    return panel


PANELS = [
    HomePanel("my_archive", 5, _my_archive),
    HomePanel("registry", 10, _registry),
]
