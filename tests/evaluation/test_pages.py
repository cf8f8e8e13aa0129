"""The pages of evaluation, each as the roles that use it and as one that must not: filings,
the public directory, plans with examiners, candidates, results (typed and imported),
publication by a second person, corrections, certificates, the worker's archive and the
public verification page."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from jineng.catalog.models import EvaluationType, Occupation, SkillLevel
from jineng.core.identity import make_resident_number
from jineng.core.review import review_of
from jineng.evaluation import certificates, plans, results
from jineng.evaluation.models import (
    BodyFiling,
    BodyKind,
    Certificate,
    EvaluationPlan,
    FilingStatus,
    PlanStatus,
    ResultStatus,
)
from jineng.orgs.models import Institution
from jineng.people.models import Person
from tests.evaluation import kit
from tests.training import factories

pytestmark = pytest.mark.django_db

WORKER_ID = make_resident_number("411402", dt.date(1990, 3, 7), 11)  # 张三 of the demo
# A training school of 梁园区 with no evaluation filing in the demo (its operator inst_411402)
SCHOOL = "商丘市梁园区金蓝领职业培训学校"


def html(response) -> str:
    return response.content.decode()


def menu_labels(response) -> list[str]:
    return [str(i["label"]) for _, items in response.context["menu_sections"] for i in items]


def published_plan(with_worker: bool = True) -> EvaluationPlan:
    """A plan of 豫东 with two trained candidates (and 张三, registered directly), held and
    published by the county officer: 考生0 and 张三 pass, 考生1 fails."""
    filing = kit.filed_body()
    plan = kit.draft(filing)
    actor = kit.user("eval_411402")
    for i in range(2):
        plans.examiner_add(actor=actor, plan=plan, person=factories.person("411402", f"考评员{i}"))
    for enrolment in kit.completed(2):
        plans.candidate_add(actor=actor, plan=plan, person=enrolment.person)
    if with_worker:
        plans.candidate_add(actor=actor, plan=plan,
                            person=Person.objects.get(user__username="worker_411402"))
    plans.plan_file(actor=actor, plan=plan)
    kit.decide_all(plan)
    plan.refresh_from_db()
    scores = [(80, 75), (50, 90)] + ([(70, 70)] if with_worker else [])
    plan = kit.held(plan, scores)
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    plan.refresh_from_db()
    return plan


def worker_certificate() -> Certificate:
    """张三's certificate of the plan `published_plan` publishes (the demo gave him another)."""
    plan = published_plan()
    return Certificate.objects.get(plan=plan, person__user__username="worker_411402")


# ---------------------------------------------------------------- menu


def test_each_role_finds_its_pages_in_the_menu(client_for):
    operator = menu_labels(client_for("eval_411402").get("/"))
    for label in ("评价机构备案", "申请评价机构备案", "考核计划", "职业技能等级证书", "证书查询",
                  "评价机构名录"):
        assert label in operator, label
    officer = menu_labels(client_for("county_411402").get("/"))
    assert {"评价机构备案", "考核计划", "职业技能等级证书"} <= set(officer)
    worker = menu_labels(client_for("worker_411402").get("/"))
    assert "我的证书" in worker and "证书查询" in worker
    assert "考核计划" not in worker and "评价机构备案" not in worker
    reviewer = menu_labels(client_for("reviewer_411400").get("/"))
    assert "评价机构备案" in reviewer and "申请评价机构备案" not in reviewer


def test_who_may_open_the_forms(client_for):
    for username in ("eval_411402", "ent_411402", "inst_411402", "county_411402"):
        assert client_for(username).get("/evaluation/apply/").status_code == 200, username
        assert client_for(username).get("/evaluation/plans/new/").status_code == 200, username
    for username in ("worker_411402", "reviewer_411400"):
        assert client_for(username).get("/evaluation/apply/").status_code == 403, username
        assert client_for(username).get("/evaluation/plans/new/").status_code == 403, username
    assert Client().get("/evaluation/apply/").status_code == 302
    assert client_for("reviewer_411400").post("/evaluation/apply/", _filing_post()).status_code \
        == 403


# ---------------------------------------------------------------- filings


def _filing_post(**changes) -> dict:
    data = {"institution": Institution.objects.get(name=SCHOOL).pk, "kind": BodyKind.SOCIAL,
            "evaluation_types": [EvaluationType.objects.get(code="skill_level").pk],
            "occupations": "电工（6-31-01-03）、家政服务员",
            "levels": [SkillLevel.objects.get(code="4").pk, SkillLevel.objects.get(code="3").pk],
            "valid_from": f"{timezone.localdate().year}-01-01",
            "valid_to": f"{timezone.localdate().year + 2}-12-31"}
    data.update(changes)
    return data


def test_a_body_files_on_the_page_choosing_occupations_by_name(client_for):
    client = client_for("inst_411402")
    form = html(client.get("/evaluation/apply/"))
    assert "评价职业" in form and "输入职业名称后从列表中选择" in form
    response = client.post("/evaluation/apply/", _filing_post())
    filing = BodyFiling.objects.get(institution__name=SCHOOL)
    assert response.status_code == 302 and response.url == f"/evaluation/filings/{filing.pk}/"
    assert filing.status == FilingStatus.APPLIED
    assert set(filing.occupations.values_list("name", flat=True)) == {"电工", "家政服务员"}
    detail = html(client.get(response.url))
    assert "已申请（待审核）" in detail and "电工（6-31-01-03）" in detail and "提交审核" in detail
    # the county officer finds it in the list and on their review link
    officer = client_for("county_411402")
    assert SCHOOL in html(officer.get("/evaluation/filings/?status=applied"))
    review = review_of(filing)
    assert f"/core/reviews/{review.pk}/" in html(officer.get(response.url))


def test_the_filing_form_says_what_is_wrong_in_chinese(client_for):
    client = client_for("inst_411402")
    response = client.post("/evaluation/apply/", {})
    page = html(response)
    assert response.status_code == 400
    for message in ("请选择评价机构", "请至少选择一种评价类型", "请至少选择一个评价职业",
                    "请至少选择一个评价等级", "请填写备案期起"):
        assert message in page, message
    page = html(client.post("/evaluation/apply/", _filing_post(
        occupations="电工、不存在的职业、电", valid_to="2001-01-01")))
    assert "现行职业分类大典中没有名称含「不存在的职业」的职业" in page
    assert "「电」对应多个职业" in page
    page = html(client.post("/evaluation/apply/", _filing_post(
        kind=BodyKind.ENTERPRISE)))
    assert "所选机构类别不适用于该机构" in page and "enterprise" not in page.split("<main")[1]
    form = html(client_for("ent_411402").get("/evaluation/apply/"))
    assert '<option value="enterprise" selected>企业自主评价</option>' in form
    assert "社会培训评价组织" not in form
    page = html(client.post("/evaluation/apply/", _filing_post(valid_to="2001-01-01")))
    assert "早于备案期起" in page
    assert not BodyFiling.objects.filter(institution__name=SCHOOL).exists()
    # a body with a filing in force files no second one
    page = html(client_for("eval_411402").post("/evaluation/apply/", _filing_post(
        institution=Institution.objects.get(name=kit.BODY).pk)))
    assert "已有状态为「已备案」的评价机构备案，不能重复申请" in page


def test_the_occupation_picker_lists_names_as_one_types(client_for):
    client = client_for("eval_411402")
    page = html(client.get("/evaluation/occupations/options/",
                           {"field": "occupations", "occupations": "家政服务员、电工"}))
    assert 'data-region-label="电工（6-31-01-03）"' in page
    assert "家政服务员" not in page  # only the name being typed, after the last 、
    assert Client().get("/evaluation/occupations/options/?q=电").status_code == 302


def test_filings_are_scoped_and_a_worker_may_not_list_them(client_for):
    filing = kit.filed_body()
    url = f"/evaluation/filings/{filing.pk}/"
    assert client_for("eval_411402").get(url).status_code == 200
    assert client_for("city_411400").get(url).status_code == 200
    assert client_for("reviewer_411400").get(url).status_code == 200
    assert client_for("county_411403").get(url).status_code == 404
    assert kit.BODY not in html(client_for("county_411403").get("/evaluation/filings/"))
    assert client_for("inst_411402").get(url).status_code == 404  # another institution
    assert client_for("worker_411402").get("/evaluation/filings/").status_code == 403
    assert client_for("worker_411402").get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_the_review_timeline_shows_each_decision(client_for):
    filing = kit.filed_body()
    page = html(client_for("eval_411402").get(f"/evaluation/filings/{filing.pk}/"))
    assert page.count("timeline-entry") == 3  # submitted, county approved, city approved
    assert "已备案" in page and "第 2 步/共 2 步" in page


def test_an_officer_suspends_and_withdraws_with_a_reason(client_for):
    filing = kit.filed_body()
    url = f"/evaluation/filings/{filing.pk}/"
    operator = client_for("eval_411402")
    assert "暂停评价机构" not in html(operator.get(url))
    assert operator.post(url + "suspend/", {"reason": "x"}).status_code == 403
    officer = client_for("county_411402")
    assert "暂停评价机构" in html(officer.get(url))
    page = html(officer.post(url + "suspend/", {"reason": ""}, follow=True))
    assert "暂停评价机构须填写原因" in page
    page = html(officer.post(url + "suspend/", {"reason": "考评员不足"}, follow=True))
    assert "已暂停该评价机构" in page and "考评员不足" in page
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUSPENDED
    page = html(officer.post(url + "withdraw/", {"reason": "违规发证"}, follow=True))
    filing.refresh_from_db()
    assert filing.status == FilingStatus.WITHDRAWN
    assert "监管记录" in page and "违规发证" in page
    assert officer.post(url + "nothing/").status_code == 404
    assert client_for("county_411403").post(url + "suspend/", {"reason": "x"}).status_code == 404


def test_a_returned_filing_is_changed_and_filed_again(client_for):
    client = client_for("inst_411402")
    client.post("/evaluation/apply/", _filing_post())
    filing = BodyFiling.objects.get(institution__name=SCHOOL)
    kit.decide_all(filing, "return", "请补充高级工的考评员名单")
    page = html(client.get(f"/evaluation/filings/{filing.pk}/"))
    assert "修改并重新提交" in page and "请补充高级工的考评员名单" in page
    form = html(client.get(f"/evaluation/filings/{filing.pk}/resubmit/"))
    assert "请补充高级工的考评员名单" in form and "电工（6-31-01-03）" in form
    response = client.post(f"/evaluation/filings/{filing.pk}/resubmit/",
                           _filing_post(occupations="电工"))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.APPLIED
    assert list(filing.occupations.values_list("name", flat=True)) == ["电工"]
    assert client_for("county_411403").get(
        f"/evaluation/filings/{filing.pk}/resubmit/").status_code == 404


# ---------------------------------------------------------------- public directory


def test_the_public_directory_lists_filed_bodies_only(client_for):
    kit.filed_body()
    client_for("inst_411402").post("/evaluation/apply/", _filing_post())
    page = html(Client().get("/evaluation/directory/"))
    assert kit.BODY in page and "职业技能等级认定" in page and "电工" in page
    assert "金蓝领" not in page  # applied, under review: not public
    assert kit.BODY in html(Client().get("/evaluation/directory/?region=梁园区&occupation=电工"))
    assert kit.BODY not in html(Client().get("/evaluation/directory/?region=睢阳区"))
    response = Client().get("/evaluation/directory/?region=火星")
    assert response.status_code == 404 and "火星" in html(response)


# ---------------------------------------------------------------- plans


def _plan_post(filing, **changes) -> dict:
    data = {"filing": filing.pk, "name": "电工四级第1期",
            "evaluation_type": EvaluationType.objects.get(code="skill_level").pk,
            "occupation": Occupation.objects.get(code=kit.OCCUPATION, is_current=True).pk,
            "work_type": "", "level": SkillLevel.objects.get(code="4").pk, "region": "梁园区",
            "venue": "梁园区考核站一楼", "site": "1",
            "exam_date": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}
    data.update(changes)
    return data


def test_a_plan_is_drafted_choosing_from_what_the_body_filed(client_for):
    filing = kit.filed_body()
    client = client_for("eval_411402")
    form = html(client.get("/evaluation/plans/new/"))
    assert "电工（6-31-01-03）" in form and "四级/中级工" in form
    assert "一级/高级技师" not in form  # not filed
    response = client.post("/evaluation/plans/new/", _plan_post(filing))
    plan = EvaluationPlan.objects.get(name="电工四级第1期")
    assert response.status_code == 302 and response.url == f"/evaluation/plans/{plan.pk}/"
    assert plan.status == PlanStatus.DRAFT and plan.region.code == "411402"
    page = html(client.get(response.url))
    assert "草稿" in page and "登记考评员" in page and "登记考生" in page


def test_the_plan_form_says_what_is_wrong_in_chinese(client_for):
    filing = kit.filed_body()
    client = client_for("eval_411402")
    page = html(client.post("/evaluation/plans/new/", {"filing": filing.pk}))
    for message in ("请填写计划名称", "请选择职业", "请选择等级", "请填写考核地点",
                    "请填写考核日期", "请选择考核地区"):
        assert message in page, message
    page = html(client.post("/evaluation/plans/new/", _plan_post(
        filing, level=SkillLevel.objects.get(code="1").pk, region="火星", site="1000")))
    assert "所选项不在您已备案的范围内" in page and "考核站点编号应为 1 至 999" in page
    assert "火星" in page
    late = (filing.valid_to + dt.timedelta(days=1)).isoformat()
    page = html(client.post("/evaluation/plans/new/", _plan_post(filing, exam_date=late)))
    assert "不在「商丘市梁园区豫东职业技能评价中心」的备案期" in page
    assert not EvaluationPlan.objects.filter(name="电工四级第1期").exists()


def test_without_a_filed_body_the_plan_form_says_how_to_start(client_for):
    page = html(client_for("inst_411402").get("/evaluation/plans/new/"))
    assert "还没有已备案的评价机构" in page and "/evaluation/apply/" in page
    assert client_for("worker_411402").get("/evaluation/plans/new/").status_code == 403


def test_examiners_and_candidates_are_added_by_identity_number_and_the_plan_filed(client_for):
    plan = kit.draft(kit.filed_body())
    url = f"/evaluation/plans/{plan.pk}/"
    client = client_for("eval_411402")
    page = html(client.post(url + "examiners/", {"examiner-id_number": "123"}))
    assert "证件号码" in page and "examiner-form" in page
    unknown = make_resident_number("411402", dt.date(1977, 7, 7), 55)
    page = html(client.post(url + "examiners/", {"examiner-id_number": unknown}))
    assert "该证件号码尚未实名登记" in page
    for i in range(2):
        person = factories.person("411402", f"考评员{i}")
        response = client.post(url + "examiners/", {"examiner-id_number": person.full_id,
                                                    "examiner-number": f"KPY-{i}"})
        assert response.status_code == 302
    page = html(client.get(url))
    assert "考评员0" in page and "KPY-1" in page
    page = html(client.post(url + "examiners/", {"examiner-id_number": person.full_id}))
    assert "已是本计划的考评员" in page
    enrolment = kit.completed(1)[0]
    response = client.post(url + "candidates/", {"candidate-id_number": enrolment.person.full_id})
    assert response.status_code == 302
    page = html(client.get(url))
    assert "培训结业" in page and enrolment.person.id_masked in page
    assert enrolment.person.full_id not in page
    page = html(client.post(url + "candidates/", {"candidate-id_number": person.full_id}))
    assert f"{person.name} 是本计划的考评员，不能同时作为考生" in page
    response = client.post(url + "file/", follow=True)
    assert "考核计划已报备，等待审核" in html(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FILED
    page = html(client.get(url))
    assert "登记考评员" not in page and "报备审核" not in page


def test_filing_a_plan_without_examiners_is_refused_in_chinese(client_for):
    plan = kit.draft(kit.filed_body())
    page = html(client_for("eval_411402").post(f"/evaluation/plans/{plan.pk}/file/",
                                              follow=True))
    assert "每场考核至少 2 名考评员，本计划只有 0 名" in page


def test_plans_are_scoped(client_for):
    plan = kit.approved_plan()
    url = f"/evaluation/plans/{plan.pk}/"
    for username in ("eval_411402", "county_411402", "city_411400", "reviewer_411400"):
        assert client_for(username).get(url).status_code == 200, username
    assert client_for("county_411403").get(url).status_code == 404
    assert client_for("inst_411402").get(url).status_code == 404
    assert client_for("worker_411402").get(url).status_code == 403
    assert plan.name in html(client_for("county_411402").get("/evaluation/plans/"))
    assert plan.name not in html(client_for("county_411403").get("/evaluation/plans/"))
    # nobody outside the plan's scope adds to it
    response = client_for("county_411403").post(url + "examiners/",
                                                 {"examiner-id_number": WORKER_ID})
    assert response.status_code == 404


# ---------------------------------------------------------------- results


def _approved_today(n: int = 3) -> EvaluationPlan:
    plan = kit.approved_plan(candidates=n)
    EvaluationPlan.objects.filter(pk=plan.pk).update(exam_date=timezone.localdate())
    plan.refresh_from_db()
    return plan


def test_results_wait_for_the_exam_day(client_for):
    plan = kit.approved_plan()
    page = html(client_for("eval_411402").get(f"/evaluation/plans/{plan.pk}/"))
    assert "当天及以后可录入成绩" in page and "results-form" not in page


def test_results_are_typed_row_by_row_with_errors_named(client_for):
    plan = _approved_today()
    url = f"/evaluation/plans/{plan.pk}/"
    client = client_for("eval_411402")
    c1, c2, c3 = plan.candidates.order_by("pk")
    response = client.post(url + "results/", {})
    assert response.status_code == 400 and "请至少填写一名考生的成绩" in html(response)
    response = client.post(url + "results/", {
        f"theory-{c1.pk}": "八十", f"practical-{c1.pk}": "70",
        f"theory-{c2.pk}": "101", f"practical-{c2.pk}": "70",
        f"theory-{c3.pk}": "60.25", f"practical-{c3.pk}": ""})
    page = html(response)
    assert response.status_code == 400
    assert f"（{c1.person.name}）：理论成绩「八十」不是数字" in page
    assert "理论成绩「101」超出 0–100 分" in page
    assert 'value="八十"' in page  # what was typed stays in the box
    assert (f'name="theory-{c1.pk}" value="八十" size="5" class="invalid" aria-invalid="true"'
            in page)
    assert f'name="practical-{c1.pk}" value="70" size="5" aria-label' in page
    assert f'name="theory-{c3.pk}" value="60.25" size="5" class="invalid"' in page
    response = client.post(url + "results/", {
        f"theory-{c1.pk}": "80", f"practical-{c1.pk}": "75.5",
        f"theory-{c2.pk}": "59", f"practical-{c2.pk}": "90",
        f"theory-{c3.pk}": "60", f"practical-{c3.pk}": "60"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.HELD
    page = html(client.get(url))
    assert 'value="75.5"' in page and "不合格" in page
    assert "须由录入人以外的另一人" in page and "确认发布成绩" not in page


def _csv(rows) -> SimpleUploadedFile:
    text = "身份证号,姓名,理论成绩,实操成绩\n" + "\n".join(",".join(r) for r in rows)
    return SimpleUploadedFile("成绩.csv", text.encode("utf-8"), content_type="text/csv")


def test_a_results_file_is_imported_or_every_bad_row_shown(client_for):
    plan = _approved_today(2)
    url = f"/evaluation/plans/{plan.pk}/"
    client = client_for("eval_411402")
    (name1, id1), (name2, id2) = _candidate_numbers(plan)
    stranger = make_resident_number("411402", dt.date(1980, 2, 2), 77)
    response = client.post(url + "results/import/", {"file": _csv([
        [id1, "张冠李戴", "80", "80"],
        [stranger, "路人", "80", "80"],
        ["12345", "某某", "80", "80"],
        [id2, name2, "80", "一百"]])})
    page = html(response)
    assert response.status_code == 400 and "全部未保存" in page
    assert "第 2 行「姓名」：「张冠李戴」与登记的考生姓名不一致" in page
    assert "第 3 行「身份证号」：该证件号码不是本计划的考生" in page
    assert "第 4 行「身份证号」" in page
    assert "第 5 行：实操成绩「一百」不是数字" in page
    assert not plan.candidates.filter(results__isnull=False).exists()
    response = client.post(url + "results/import/", {})
    assert "请选择成绩文件" in html(response)


def test_results_import_takes_an_xlsx(client_for, tmp_path):
    import xlsxwriter

    plan = _approved_today(2)
    numbers = _candidate_numbers(plan)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["身份证号", "姓名", "理论成绩", "实操成绩"])
    for row, (name, number) in enumerate(numbers, start=1):
        sheet.write_row(row, 0, [number, name, 88, 77])
    book.close()
    upload = SimpleUploadedFile("成绩.xlsx", buffer.getvalue())
    response = client_for("eval_411402").post(f"/evaluation/plans/{plan.pk}/results/import/",
                                              {"file": upload}, follow=True)
    assert "已导入 2 名考生的成绩" in html(response)
    assert set(plan.candidates.values_list("results__passed", flat=True)) == {True}


def _candidate_numbers(plan) -> list[tuple[str, str]]:
    """Each candidate's name and full identity number (decrypted, as a test may)."""
    from jineng.people.services import person_reveal_identity

    out = []
    for c in plan.candidates.select_related("person").order_by("pk"):
        revealed = person_reveal_identity(actor=kit.user("county_411402"), person=c.person,
                                          reason="测试")
        out.append((c.person.name, revealed.id_number))
    return out


def test_a_second_person_publishes_and_certificates_follow(client_for):
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    url = f"/evaluation/plans/{plan.pk}/"
    operator = client_for("eval_411402")
    assert operator.post(url + "results/publish/").status_code == 403
    officer = client_for("county_411402")
    assert "确认发布成绩" in html(officer.get(url))
    page = html(officer.post(url + "results/publish/", follow=True))
    assert "成绩已发布，颁发证书 2 本" in page
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    for number in Certificate.objects.filter(plan=plan).values_list("number", flat=True):
        assert number in page
    assert "申请更正" in page
    assert client_for("county_411403").post(url + "results/publish/").status_code == 404


def test_a_published_result_is_corrected_through_review(client_for):
    plan = kit.held(kit.approved_plan(candidates=1), [(59, 90)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    result = plan.candidates.get().results.get()
    url = f"/evaluation/results/{result.pk}/correct/"
    client = client_for("eval_411402")
    form = html(client.get(url))
    assert "现发布成绩" in form and 'value="59"' in form
    response = client.post(url, {"theory_score": "abc", "practical_score": "90", "reason": ""})
    page = html(response)
    assert response.status_code == 400
    assert "请填写更正原因" in page
    page = html(client.post(url, {"theory_score": "abc", "practical_score": "90",
                                  "reason": "阅卷漏计一题"}))
    assert "理论成绩「abc」不是数字" in page
    response = client.post(url, {"theory_score": "61", "practical_score": "90",
                                 "reason": "阅卷漏计一题"})
    assert response.status_code == 302
    correction = result.corrections.get()
    assert correction.status == ResultStatus.CORRECTION
    page = html(client_for("county_411402").get(f"/evaluation/plans/{plan.pk}/"))
    assert "更正待审核：理论 61.0，实操 90.0" in page
    assert f"/core/reviews/{review_of(correction).pk}/" in page
    assert client_for("county_411403").get(url).status_code == 404
    assert client_for("worker_411402").get(url).status_code == 404  # not their result


# ---------------------------------------------------------------- certificates


def test_certificates_are_listed_in_scope(client_for):
    plan = published_plan()
    numbers = list(Certificate.objects.filter(plan=plan).values_list("number", flat=True))
    assert len(numbers) == 2
    for username in ("eval_411402", "county_411402", "city_411400"):
        page = html(client_for(username).get("/evaluation/certificates/"))
        assert all(n in page for n in numbers), username
    assert not any(n in html(client_for("county_411403").get("/evaluation/certificates/"))
                   for n in numbers)
    page = html(client_for("worker_411402").get("/evaluation/certificates/"))
    mine = Certificate.objects.get(plan=plan, person__user__username="worker_411402").number
    assert mine in page and all(n not in page for n in numbers if n != mine)


def test_a_certificate_page_shows_its_qr_and_an_officer_revokes_it(client_for):
    certificate = worker_certificate()
    url = f"/evaluation/certificates/{certificate.pk}/"
    operator = client_for("eval_411402")
    page = html(operator.get(url))
    assert "有效" in page and certificates.qr_payload(certificate) in page
    assert "data:image/svg+xml" in page and f"{url}pdf/" in page
    assert "撤销证书" not in page
    assert operator.post(url + "revoke/", {"reason": "x"}).status_code == 403
    officer = client_for("county_411402")
    page = html(officer.post(url + "revoke/", {"reason": ""}, follow=True))
    assert "撤销证书须填写原因" in page
    page = html(officer.post(url + "revoke/", {"reason": "冒名顶替参加考核"}, follow=True))
    assert "证书已撤销" in page and "冒名顶替参加考核" in page
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert client_for("county_411403").get(url).status_code == 404


def test_the_pdf_is_for_the_holder_and_those_who_may_see_it(client_for, settings, tmp_path):
    settings.CERTIFICATE_PDF_DIR = tmp_path  # never the site's own folder of kept PDFs
    certificate = worker_certificate()
    url = f"/evaluation/certificates/{certificate.pk}/pdf/"
    assert client_for("county_411403").get(url).status_code == 404
    assert client_for("inst_411402").get(url).status_code == 404
    assert Client().get(url).status_code == 302
    other = Certificate.objects.filter(plan=certificate.plan).exclude(pk=certificate.pk).get()
    assert client_for("worker_411402").get(
        f"/evaluation/certificates/{other.pk}/pdf/").status_code == 404
    assert client_for("worker_411402").get(
        f"/evaluation/certificates/{other.pk}/").status_code == 404
    response = client_for("worker_411402").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_worker_sees_their_certificates_and_evaluations(client_for):
    certificate = worker_certificate()
    client = client_for("worker_411402")
    page = html(client.get("/evaluation/my/certificates/"))
    assert certificate.number in page and "下载证书" in page
    assert f"/evaluation/certificates/{certificate.pk}/pdf/" in page
    page = html(client.get(f"/evaluation/certificates/{certificate.pk}/"))
    assert "张三" in page and "我的证书" in page
    archive = html(client.get("/people/me/"))
    assert certificate.number in archive
    assert f'<a href="/evaluation/certificates/{certificate.pk}/pdf/">下载</a>' in archive
    assert "技能评价记录" in archive and "合格（理论 70，实操 70）" in archive


def test_an_unpublished_result_is_not_in_the_archive(client_for):
    plan = kit.draft(kit.filed_body())
    actor = kit.user("eval_411402")
    for i in range(2):
        plans.examiner_add(actor=actor, plan=plan, person=factories.person("411402", f"考评员{i}"))
    plans.candidate_add(actor=actor, plan=plan,
                        person=Person.objects.get(user__username="worker_411402"))
    plans.plan_file(actor=actor, plan=plan)
    kit.decide_all(plan)
    kit.held(plan, [(30, 30)])
    archive = html(client_for("worker_411402").get("/people/me/"))
    assert "成绩待发布" in archive and "30" not in archive.split("技能评价记录")[1][:2000]


# ---------------------------------------------------------------- public verification


def test_verification_by_number_answers_valid_revoked_and_not_found():
    certificate = worker_certificate()
    page = html(Client().get(f"/evaluation/verify/?number={certificate.number.lower()}"))
    assert "证书有效" in page and "张*" in page and "张三" not in page
    assert "电工" in page and "四级/中级工" in page and kit.BODY in page
    assert f"{certificate.issued_on:%Y}年" in page
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=certificate,
                                    reason="考核舞弊")
    page = html(Client().get(f"/evaluation/verify/?number={certificate.number}"))
    assert "证书已撤销" in page and "考核舞弊" in page and "撤销日期" in page
    missing = certificate.number[:-1] + ("9" if certificate.number[-1] != "9" else "8")
    page = html(Client().get(f"/evaluation/verify/?number={missing}"))
    assert "查无此证书" in page
    page = html(Client().get("/evaluation/verify/?number=ABC"))
    assert "证书编号应为 1 位字母（Y 或 S）加 21 位数字" in page


def test_verification_by_name_and_identity_number_is_a_post():
    certificate = worker_certificate()
    client = Client(enforce_csrf_checks=True)
    page = client.get("/evaluation/verify/")
    token = page.cookies["csrftoken"].value
    response = client.post("/evaluation/verify/", {"name": "张三", "id_number": WORKER_ID,
                                                   "csrfmiddlewaretoken": token})
    page = html(response)
    assert response.status_code == 200 and certificate.number in page and "证书有效" in page
    assert WORKER_ID not in page and "张*" in page
    page = html(client.post("/evaluation/verify/", {"name": "李四", "id_number": WORKER_ID,
                                                    "csrfmiddlewaretoken": token}))
    assert "未查到证书" in page and certificate.number not in page
    response = client.post("/evaluation/verify/", {"name": "", "id_number": "",
                                                   "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "请填写持证人姓名" in html(response)
    # an identity number in a URL is dropped, never echoed nor looked up
    response = Client().get(f"/evaluation/verify/?name=张三&id_number={WORKER_ID}")
    assert response.status_code == 302 and WORKER_ID not in response.url
    page = html(Client().get(response.url))
    assert "证件号码不能放在网址中" not in page or WORKER_ID not in page


# ---------------------------------------------------------------- markup


@pytest.mark.parametrize(("username", "path"), [
    ("eval_411402", "/evaluation/apply/"), ("eval_411402", "/evaluation/plans/new/"),
    (None, "/evaluation/verify/")])
def test_every_control_is_named_and_described(client_for, username, path):
    import re

    if username == "eval_411402" and path.startswith("/evaluation/plans"):
        kit.filed_body()
    client = client_for(username) if username else Client()
    page = html(client.get(path))
    assert 'for=""' not in page
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert all(part in ids for d in described for part in d.split()), described
    for control in re.findall(r'<(?:input|select|textarea)\b[^>]*>', page):
        if 'type="hidden"' in control or 'type="submit"' in control:
            continue
        own = re.search(r'\bid="([^"]+)"', control)
        named = "aria-label=" in control or (own and f'for="{own[1]}"' in page)
        assert named, control


def test_the_checker_reads_held_results_before_changing_them(client_for):
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    url = f"/evaluation/plans/{plan.pk}/"
    page = html(client_for("county_411402").get(url))
    assert "合格 2 人，不合格 1 人" in page and "确认发布成绩" in page
    assert "results-form" not in page and "?edit=1" in page
    page = html(client_for("county_411402").get(url + "?edit=1"))
    assert "results-form" in page
    assert "results-form" in html(client_for("eval_411402").get(url))


# ---------------------------------------------------------------- query counts


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_cost_the_same_with_more_rows(client_for):
    client = client_for("county_411402")
    published_plan(with_worker=False)
    pages = ["/evaluation/filings/", "/evaluation/plans/", "/evaluation/certificates/",
             "/evaluation/directory/"]
    before = {url: _queries(client, url) for url in pages}
    held = kit.held(kit.approved_plan(kit.filed_body(), candidates=2), [(70, 70), (80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=held)
    client_for("inst_411402").post("/evaluation/apply/", _filing_post())
    after = {url: _queries(client, url) for url in pages}
    assert after == before
