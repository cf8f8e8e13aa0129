"""/api/v1/evaluation/... and /api/v1/certificates...: each endpoint over HTTP, the data
scope (an institution its own, a county its county, a worker their own; out of scope is the
404 of a record that does not exist), the Chinese refusals naming row and field, and the
public checks that need no token and say no more than a printed certificate does."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jineng.catalog.models import Occupation
from jineng.core.crypto import decrypt
from jineng.core.identity import make_resident_number
from jineng.evaluation import certificates, plans, results
from jineng.evaluation.models import (
    BodyFiling,
    Certificate,
    EvaluationPlan,
    PlanStatus,
    Result,
    ResultStatus,
)
from jineng.orgs.models import Institution
from jineng.people.models import Person
from tests.evaluation import kit
from tests.training import factories

pytestmark = pytest.mark.django_db

BODY_ID = "商丘市梁园区豫东职业技能评价中心"
MISSING = 987654321
CJK = re.compile(r"[\u4e00-\u9fff]")
PUBLIC_FIELDS = {"code", "message", "number", "holder", "occupation_code", "occupation_name",
                 "work_type", "level_code", "level_name", "evaluation_type", "body_name",
                 "issued_on", "status", "status_label", "revoked_reason", "revoked_on"}


@pytest.fixture(autouse=True)
def no_demo_evaluation(db):
    """These tests count what they make: the demo's filings, plan and certificates go first
    (rolled back with the test)."""
    from jineng.evaluation.models import Candidate, CertificateSerial, Examiner

    for model in (Certificate, CertificateSerial, Result, Candidate, Examiner, EvaluationPlan,
                  BodyFiling):
        model.objects.all().delete()


@pytest.fixture(autouse=True)
def fresh_lookup_counts():
    cache.clear()  # the name-and-number look-ups counted per address and minute
    yield
    cache.clear()


def full_id(person: Person) -> str:
    return decrypt(person.id_cipher)


def items(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def ids(response) -> set:
    return {row["id"] for row in items(response)}


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type="application/json")


def same_404(client, url: str, missing_url: str) -> None:
    refused, missing = client.get(url), client.get(missing_url)
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert refused.json()["message"] == "记录不存在或无权访问"


def not_filed_occupation() -> Occupation:
    return (Occupation.objects.filter(is_current=True, level=4).exclude(code=kit.OCCUPATION)
            .order_by("code").first())


@pytest.fixture
def published():
    """A plan of 豫东 published by the county officer: 考生0 and 考生2 pass, 考生1 fails."""
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    plan.refresh_from_db()
    return plan


# ---------------------------------------------------------------- bodies


def filing_body(**changes) -> dict:
    today = timezone.localdate()
    body = {"institution_id": Institution.objects.get(name=BODY_ID).pk, "kind": "social",
            "evaluation_type_codes": ["skill_level"], "occupation_codes": [kit.OCCUPATION],
            "level_codes": ["4", "3"], "valid_from": str(today),
            "valid_to": str(today + dt.timedelta(days=365))}
    return {**body, **changes}


def test_a_body_files_on_the_api_and_sees_only_its_own(api_for):
    made = post(api_for("eval_411402"), "/api/v1/evaluation/bodies", filing_body())
    assert made.status_code == 201, made.content
    filing = made.json()
    assert filing["status"] == "applied" and filing["status_label"] == "已申请（待审核）"
    assert filing["institution_name"] == BODY_ID
    assert [o["code"] for o in filing["occupations"]] == [kit.OCCUPATION]
    assert {lv["code"] for lv in filing["levels"]} == {"4", "3"}
    url = f"/api/v1/evaluation/bodies/{filing['id']}"
    for reader in ("eval_411402", "county_411402", "city_411400"):
        assert filing["id"] in ids(api_for(reader).get("/api/v1/evaluation/bodies"))
        assert api_for(reader).get(url).json()["id"] == filing["id"]
    for outsider in ("inst_411402", "county_411403", "worker_411402"):
        client = api_for(outsider)
        assert filing["id"] not in ids(client.get("/api/v1/evaluation/bodies"))
        same_404(client, url, f"/api/v1/evaluation/bodies/{MISSING}")


def test_a_filing_is_refused_in_chinese_naming_the_field_sent(api_for):
    client = api_for("eval_411402")
    unknown = post(client, "/api/v1/evaluation/bodies",
                   filing_body(occupation_codes=["9-99-99-99"]))
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"occupation_codes": "职业代码 9-99-99-99 不存在"}
    wrong_kind = post(client, "/api/v1/evaluation/bodies", filing_body(kind="enterprise"))
    assert wrong_kind.status_code == 400
    assert "不能备案为企业自主评价" in wrong_kind.json()["errors"]["kind"]
    reversed_ = post(client, "/api/v1/evaluation/bodies",
                     filing_body(valid_to=str(timezone.localdate() - dt.timedelta(days=1))))
    assert "早于备案期起" in reversed_.json()["errors"]["valid_to"]
    assert post(client, "/api/v1/evaluation/bodies", filing_body()).status_code == 201
    again = post(client, "/api/v1/evaluation/bodies", filing_body())
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate"
    assert "不能重复申请" in again.json()["errors"]["institution_id"]
    other = post(client, "/api/v1/evaluation/bodies", filing_body(
        institution_id=Institution.objects.get(name="商丘市睢阳区古城家政职业培训学校").pk))
    assert other.status_code == 400
    assert other.json()["errors"] == {"institution_id": "机构不存在或无权访问"}
    assert BodyFiling.objects.count() == 1


def test_an_officer_suspends_and_withdraws_a_filing_with_a_reason(api_for):
    filing = kit.filed_body()
    county = api_for("county_411402")
    url = f"/api/v1/evaluation/bodies/{filing.pk}"
    bare = post(county, f"{url}/suspend", {"reason": " "})
    assert bare.status_code == 400 and bare.json()["errors"] == {"reason": "暂停评价机构须填写原因"}
    assert post(api_for("eval_411402"), f"{url}/suspend", {"reason": "自查"}).status_code == 403
    suspended = post(county, f"{url}/suspend", {"reason": "考点条件不符"})
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["reason"] == "考点条件不符"
    assert post(county, f"{url}/withdraw", {"reason": "整改不到位"}).json()["status"] == \
        "withdrawn"
    refused = post(api_for("county_411403"), f"{url}/suspend", {"reason": "越权"})
    assert refused.status_code == 404


def test_a_returned_filing_is_changed_and_filed_again(api_for):
    made = post(api_for("eval_411402"), "/api/v1/evaluation/bodies", filing_body()).json()
    kit.decide_all(BodyFiling.objects.get(pk=made["id"]), "return", "请补充等级")
    again = post(api_for("eval_411402"), f"/api/v1/evaluation/bodies/{made['id']}/resubmit", {
        "evaluation_type_codes": ["skill_level"], "occupation_codes": [kit.OCCUPATION],
        "level_codes": ["5", "4", "3"], "valid_from": made["valid_from"],
        "valid_to": made["valid_to"]})
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "applied"
    assert {lv["code"] for lv in again.json()["levels"]} == {"5", "4", "3"}


# ---------------------------------------------------------------- plans


def plan_body(filing: BodyFiling, **changes) -> dict:
    body = {"filing_id": filing.pk, "name": "电工四级考核（接口）",
            "evaluation_type_code": "skill_level", "occupation_code": kit.OCCUPATION,
            "level_code": "4", "venue": "梁园区考核站",
            "exam_date": str(timezone.localdate() + dt.timedelta(days=5))}
    return {**body, **changes}


def test_a_plan_is_drafted_staffed_and_filed_on_the_api(api_for):
    filing = kit.filed_body()
    client = api_for("eval_411402")
    made = post(client, "/api/v1/evaluation/plans", plan_body(filing, site=7))
    assert made.status_code == 201, made.content
    plan = made.json()
    assert plan["status"] == "draft" and plan["site"] == 7
    assert plan["region_code"] == "411402" and plan["institution_name"] == BODY_ID
    assert plan["examiners"] == [] and plan["candidates"] == []
    url = f"/api/v1/evaluation/plans/{plan['id']}"
    for i in range(2):
        examiner = factories.person("411402", f"考评员{i}")
        added = post(client, f"{url}/examiners", {"id_number": examiner.full_id,
                                                  "number": f"KPY-{i}"})
        assert added.status_code == 201, added.content
        assert added.json()["number"] == f"KPY-{i}"
    people = [e.person for e in kit.completed(2)]
    for person in people:
        added = post(client, f"{url}/candidates", {"id_number": person.full_id})
        assert added.status_code == 201, added.content
        assert added.json()["source"] == "completion"
        assert added.json()["class_name"] == "电工培训班"
    filed = post(client, f"{url}/file")
    assert filed.status_code == 200, filed.content
    assert filed.json()["status"] == "filed"
    detail = client.get(url)
    body = detail.json()
    assert [c["name"] for c in body["candidates"]] == ["考生0", "考生1"]
    assert len(body["examiners"]) == 2
    assert all("*" in row["id_masked"] for row in body["candidates"] + body["examiners"])
    text = detail.content.decode()
    assert not any(p.full_id in text for p in people)  # numbers only masked
    assert plan["id"] in ids(client.get("/api/v1/evaluation/plans?status=filed"))
    assert plan["id"] not in ids(client.get("/api/v1/evaluation/plans?status=draft"))


def test_a_plan_for_an_occupation_the_body_has_not_filed_is_refused(api_for):
    filing = kit.filed_body()
    other = not_filed_occupation()
    refused = post(api_for("eval_411402"), "/api/v1/evaluation/plans",
                   plan_body(filing, occupation_code=other.code))
    assert refused.status_code == 400
    answer = refused.json()
    assert answer["code"] == "not_filed"
    assert answer["errors"]["occupation_code"] == (
        f"「{BODY_ID}」未备案职业「{other.code} {other.name}」，不能组织该职业的考核")
    level = post(api_for("eval_411402"), "/api/v1/evaluation/plans",
                 plan_body(filing, level_code="1"))
    assert level.json()["code"] == "not_filed" and "未备案等级" in level.json()["message"]
    unknown = post(api_for("eval_411402"), "/api/v1/evaluation/plans",
                   plan_body(filing, occupation_code="0-00-00-00"))
    assert unknown.json()["errors"] == {
        "occupation_code": "职业代码 0-00-00-00 不在现行职业分类大典中"}
    assert not EvaluationPlan.objects.exists()


def test_a_plan_of_another_institution_is_not_found(api_for):
    filing = kit.filed_body()
    refused = post(api_for("inst_411402"), "/api/v1/evaluation/plans", plan_body(filing))
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"filing_id": "评价机构备案不存在或无权访问"}
    plan = kit.draft(filing)
    url = f"/api/v1/evaluation/plans/{plan.pk}"
    for outsider in ("inst_411402", "county_411403", "worker_411402"):
        client = api_for(outsider)
        assert plan.pk not in ids(client.get("/api/v1/evaluation/plans"))
        same_404(client, url, f"/api/v1/evaluation/plans/{MISSING}")
        same_404(client, f"{url}/results", f"/api/v1/evaluation/plans/{MISSING}/results")
        person = factories.person("411402", "越权考生")
        added = post(client, f"{url}/candidates", {"id_number": person.full_id})
        assert added.status_code == 404
    assert not plan.candidates.exists()
    for reader in ("eval_411402", "county_411402", "city_411400", "reviewer_411400"):
        assert plan.pk in ids(api_for(reader).get("/api/v1/evaluation/plans"))


def test_examiners_and_candidates_are_refused_in_chinese_on_the_id_number(api_for):
    plan = kit.draft(kit.filed_body())
    client = api_for("eval_411402")
    url = f"/api/v1/evaluation/plans/{plan.pk}"
    malformed = post(client, f"{url}/candidates", {"id_number": "41140219900307001"})
    assert malformed.status_code == 400 and "id_number" in malformed.json()["errors"]
    unregistered = make_resident_number("411402", dt.date(1991, 1, 1), 555)
    missing = post(client, f"{url}/candidates", {"id_number": unregistered})
    assert missing.json()["errors"] == {
        "id_number": "该证件号码尚未实名登记，请先在“实名登记”中登记该人员"}
    person = kit.completed(1)[0].person
    assert post(client, f"{url}/candidates", {"id_number": person.full_id}).status_code == 201
    twice = post(client, f"{url}/candidates", {"id_number": person.full_id})
    assert twice.status_code == 409 and twice.json()["errors"] == {"id_number": "已是考生"}
    both = post(client, f"{url}/examiners", {"id_number": person.full_id})
    assert both.status_code == 400
    assert both.json()["errors"]["id_number"].endswith("不能同时担任考评员")
    not_enough = post(client, f"{url}/file")
    assert not_enough.status_code == 400
    assert "至少 2 名考评员" in not_enough.json()["errors"]["examiners"]


# ---------------------------------------------------------------- results


def day_has_come(plan: EvaluationPlan) -> EvaluationPlan:
    EvaluationPlan.objects.filter(pk=plan.pk).update(exam_date=timezone.localdate())
    plan.refresh_from_db()
    return plan


def rows_for(plan: EvaluationPlan, scores) -> list[dict]:
    people = [c.person for c in plan.candidates.select_related("person").order_by("pk")]
    return [{"id_number": full_id(p), "theory_score": t, "practical_score": s}
            for p, (t, s) in zip(people, scores, strict=True)]


def test_scores_are_entered_as_rows_and_read_back(api_for):
    plan = day_has_come(kit.approved_plan())
    client = api_for("eval_411402")
    url = f"/api/v1/evaluation/plans/{plan.pk}/results"
    assert items(client.get(url)) == []
    entered = post(client, url, {"rows": rows_for(plan, [(80, 75.5), ("59", 90), (60, "60")])})
    assert entered.status_code == 200, entered.content
    assert entered.json() == {"entered": 3, "status": "held",
                              "status_label": "已考核（成绩待发布）"}
    listed = items(client.get(url))
    assert [(r["name"], r["theory_score"], r["practical_score"], r["passed"]) for r in listed] \
        == [("考生0", 80.0, 75.5, True), ("考生1", 59.0, 90.0, False), ("考生2", 60.0, 60.0, True)]
    assert all(r["status"] == "entered" and r["certificate_number"] is None for r in listed)
    again = post(client, url, {"rows": rows_for(plan, [(81, 75), (61, 90), (60, 60)])})
    assert again.json()["entered"] == 3  # before publication, entered again replaces
    assert Result.objects.filter(candidate__plan=plan).count() == 3
    assert [r["passed"] for r in items(client.get(url))] == [True, True, True]


def test_bad_rows_are_named_by_row_and_field_and_nothing_is_written(api_for):
    plan = day_has_come(kit.approved_plan())
    rows = rows_for(plan, [(120, 75), (59, None), (60, 60)])
    stranger = factories.person("411402", "旁人")
    rows += [{"id_number": stranger.full_id, "theory_score": 70, "practical_score": 70},
             {"id_number": "123", "theory_score": 70, "practical_score": 70},
             {**rows[2], "theory_score": 61},
             {"id_number": rows[2]["id_number"].replace(rows[2]["id_number"][-1], "")
              + "X", "theory_score": True, "practical_score": "七十"}]
    refused = post(api_for("eval_411402"), f"/api/v1/evaluation/plans/{plan.pk}/results",
                   {"rows": rows})
    assert refused.status_code == 400, refused.content
    answer = refused.json()
    assert answer["code"] == "bad_rows"
    errors = answer["errors"]
    assert errors["rows.0.theory_score"] == "第 1 行（考生0）：理论成绩「120」超出 0–100 分"
    assert errors["rows.1.practical_score"] == "第 2 行（考生1）：请填写实操成绩"
    assert errors["rows.3.id_number"] == "第 4 行「身份证号」：该证件号码不是本计划的考生"
    assert errors["rows.4.id_number"].startswith("第 5 行「身份证号」：")
    assert errors["rows.5.id_number"] == "第 6 行「身份证号」：与第 3 行是同一考生（考生2）"
    assert "rows.6.id_number" in errors
    assert "rows.2.theory_score" not in errors and "rows.2.id_number" not in errors
    assert errors["rows"][0] == errors["rows.0.theory_score"]
    assert answer["message"].startswith("第 1 行（考生0）：理论成绩「120」超出 0–100 分；")
    assert not Result.objects.filter(candidate__plan=plan).exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_a_score_that_is_not_a_number_is_refused_on_its_row(api_for):
    plan = day_has_come(kit.approved_plan(candidates=1))
    row = rows_for(plan, [(True, "七十")])
    refused = post(api_for("eval_411402"), f"/api/v1/evaluation/plans/{plan.pk}/results",
                   {"rows": row}).json()
    errors = refused["errors"]
    assert errors["rows.0.theory_score"] == "第 1 行（考生0）：理论成绩「True」不是数字"
    assert errors["rows.0.practical_score"] == "第 1 行（考生0）：实操成绩「七十」不是数字"
    one_decimal = post(api_for("eval_411402"), f"/api/v1/evaluation/plans/{plan.pk}/results",
                       {"rows": rows_for(plan, [(60.25, 70)])}).json()
    assert one_decimal["errors"]["rows.0.theory_score"].endswith("最多保留一位小数")
    empty = post(api_for("eval_411402"), f"/api/v1/evaluation/plans/{plan.pk}/results",
                 {"rows": []})
    assert empty.status_code == 422 and empty.json()["errors"] == {"rows": "至少需要 1 项"}


def test_a_special_ability_test_takes_the_practical_score_alone(api_for):
    actor = kit.user("eval_411402")
    plan = kit.draft(kit.filed_body(), type_code="special_ability")
    for i in range(2):
        plans.examiner_add(actor=actor, plan=plan, person=factories.person("411402", f"考评{i}"))
    for enrolment in kit.completed(2):
        plans.candidate_add(actor=actor, plan=plan, person=enrolment.person)
    plans.plan_file(actor=actor, plan=plan)
    kit.decide_all(plan)
    plan = day_has_come(plan)
    entered = post(api_for("eval_411402"), f"/api/v1/evaluation/plans/{plan.pk}/results",
                   {"rows": rows_for(plan, [(None, 70), ("", 50)])})
    assert entered.status_code == 200, entered.content
    assert list(Result.objects.filter(candidate__plan=plan).order_by("candidate_id")
                .values_list("theory_score", "passed")) == [(None, True), (None, False)]


def test_scores_before_the_exam_day_or_by_a_reviewer_are_refused(api_for):
    plan = kit.approved_plan(candidates=1)
    url = f"/api/v1/evaluation/plans/{plan.pk}/results"
    early = post(api_for("eval_411402"), url, {"rows": rows_for(plan, [(70, 70)])})
    assert early.status_code == 400 and "还没到" in early.json()["errors"]["exam_date"]
    day_has_come(plan)
    reviewer = post(api_for("reviewer_411400"), url, {"rows": rows_for(plan, [(70, 70)])})
    assert reviewer.status_code == 403 and reviewer.json()["message"] == "没有录入考核成绩的权限"


def test_results_are_published_by_a_second_person_once(api_for):
    plan = day_has_come(kit.approved_plan())
    maker = api_for("eval_411402")
    url = f"/api/v1/evaluation/plans/{plan.pk}/results"
    post(maker, url, {"rows": rows_for(plan, [(80, 75), (59, 90), (60, 60)])})
    own = post(maker, f"{url}/publish")
    assert own.status_code == 403
    assert own.json()["message"] == "成绩须由录入人以外的另一人确认发布（双人复核）"
    published = post(api_for("county_411402"), f"{url}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["certificates_issued"] == 2
    assert published.json()["status"] == "published"
    second = post(api_for("county_411402"), f"{url}/publish")
    assert second.status_code == 400
    assert second.json()["code"] == "wrong_state"
    assert second.json()["errors"]["status"] == (
        "考核计划「电工四级考核」当前为「成绩已发布」，只有已录入成绩的计划可以发布")
    assert Certificate.objects.filter(plan=plan).count() == 2
    listed = items(maker.get(url))
    assert [bool(r["certificate_number"]) for r in listed] == [True, False, True]
    late = post(maker, url, {"rows": rows_for(plan, [(90, 90), (90, 90), (90, 90)])})
    assert late.status_code == 400 and late.json()["code"] == "wrong_state"


def test_a_published_result_is_corrected_as_a_new_record(api_for, published):
    result = Result.objects.get(candidate__plan=published, passed=False)
    url = f"/api/v1/evaluation/results/{result.pk}/correct"
    bare = post(api_for("eval_411402"), url, {"theory_score": 65, "practical_score": 90})
    assert bare.status_code == 422 and "reason" in bare.json()["errors"]
    made = post(api_for("eval_411402"), url,
                {"theory_score": 65, "practical_score": 90, "reason": "理论卷漏登一题"})
    assert made.status_code == 201, made.content
    assert made.json()["status"] == "correction" and made.json()["corrects_id"] == result.pk
    result.refresh_from_db()
    assert result.status == ResultStatus.PUBLISHED
    assert post(api_for("inst_411402"), url, {"theory_score": 65, "practical_score": 90,
                                              "reason": "越权"}).status_code == 404


# ---------------------------------------------------------------- certificates in scope


def test_certificates_in_scope_an_institution_a_county_a_worker(api_for, published):
    own = set(Certificate.objects.filter(plan=published).values_list("pk", flat=True))
    assert len(own) == 2
    for reader in ("eval_411402", "county_411402", "city_411400"):
        assert ids(api_for(reader).get("/api/v1/certificates")) >= own
    some = next(iter(own))
    for outsider in ("inst_411402", "county_411403", "worker_411402"):
        client = api_for(outsider)
        assert not ids(client.get("/api/v1/certificates")) & own
        same_404(client, f"/api/v1/certificates/{some}", f"/api/v1/certificates/{MISSING}")


def test_a_worker_sees_their_own_certificate_and_no_one_elses(api_for):
    worker = kit.user("worker_411402")
    zhang = Person.objects.get(user=worker)
    plan = kit.draft(kit.filed_body())
    actor = kit.user("eval_411402")
    for i in range(2):
        plans.examiner_add(actor=actor, plan=plan, person=factories.person("411402", f"考评{i}"))
    plans.candidate_add(actor=actor, plan=plan, person=zhang)
    plans.candidate_add(actor=actor, plan=plan, person=kit.completed(1)[0].person)
    plans.plan_file(actor=actor, plan=plan)
    kit.decide_all(plan)
    plan = kit.held(EvaluationPlan.objects.get(pk=plan.pk), [(90, 90), (90, 90)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    mine = Certificate.objects.get(person=zhang)
    theirs = Certificate.objects.exclude(person=zhang).get(plan=plan)
    client = api_for("worker_411402")
    listed = items(client.get("/api/v1/certificates"))
    assert [row["id"] for row in listed] == [mine.pk]
    assert listed[0]["holder_name"] == "张三" and listed[0]["status"] == "valid"
    detail = client.get(f"/api/v1/certificates/{mine.pk}").json()
    assert detail["qr_payload"] == certificates.qr_payload(mine)
    same_404(client, f"/api/v1/certificates/{theirs.pk}", f"/api/v1/certificates/{MISSING}")
    assert post(client, f"/api/v1/certificates/{mine.pk}/revoke",
                {"reason": "自己撤"}).status_code == 403
    # A bug fixed: the name as typed with a space between its characters was "not found".
    spaced = post(Client(), "/api/v1/certificates/verify",
                  {"name": " 张 三 ", "id_number": full_id(zhang)}).json()
    assert spaced["code"] == "found"
    assert [c["number"] for c in spaced["certificates"]] == [mine.number]


def test_the_qr_payload_of_the_api_checks_offline_with_the_public_keys(api_for, published):
    certificate = Certificate.objects.filter(plan=published).first()
    detail = api_for("eval_411402").get(f"/api/v1/certificates/{certificate.pk}").json()
    keys = Client().get("/api/v1/certificates/keys").json()
    assert keys["algorithm"] == "Ed25519" and keys["current_key_id"] == certificate.key_id
    assert keys["keys"] == certificates.public_keys()
    check = certificates.verify_payload(detail["qr_payload"], keys["keys"])
    assert check.genuine, check.message
    forged = detail["qr_payload"].replace("|4|", "|3|")
    assert not certificates.verify_payload(forged, keys["keys"]).genuine


def test_the_certificate_list_filters(api_for, published):
    client = api_for("county_411402")
    number = Certificate.objects.filter(plan=published).first().number
    assert [r["number"] for r in items(client.get(f"/api/v1/certificates?q={number}"))] == \
        [number]
    assert [r["holder_name"] for r in items(client.get("/api/v1/certificates?q=考生0"))] == \
        ["考生0"]
    assert items(client.get("/api/v1/certificates?status=revoked")) == []
    assert len(items(client.get(f"/api/v1/certificates?plan_id={published.pk}"))) == 2
    assert items(client.get(f"/api/v1/certificates?plan_id={MISSING}")) == []


def test_list_query_counts_do_not_grow_with_rows(api_for, published):
    client = api_for("county_411402")
    urls = ("/api/v1/certificates", "/api/v1/evaluation/plans", "/api/v1/evaluation/bodies",
            f"/api/v1/evaluation/plans/{published.pk}/results")
    before = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as counted:
            client.get(url)
        before[url] = len(counted)
    more = kit.held(kit.approved_plan(published.filing, candidates=4), [(90, 90)] * 4)
    results.plan_results_publish(actor=kit.user("county_411402"), plan=more)
    kit.filed_body("商丘梁园冷链食品有限公司", "enterprise", actor="ent_411402")
    for url in urls[:3]:
        with CaptureQueriesContext(connection) as counted:
            assert len(items(client.get(url))) > 1
        assert len(counted) == before[url], (url, before[url], len(counted))


# ---------------------------------------------------------------- the public checks


def test_verify_by_number_needs_no_token_and_says_only_what_is_printed(published):
    certificate = Certificate.objects.filter(plan=published).order_by("pk").first()
    response = Client().get(f"/api/v1/certificates/verify?number={certificate.number}")
    assert response.status_code == 200
    answer = response.json()
    assert answer["code"] == "valid" and answer["message"] == "证书有效"
    assert set(answer) == PUBLIC_FIELDS
    assert answer["holder"] == "考*0"
    assert answer["occupation_code"] == kit.OCCUPATION and answer["level_code"] == "4"
    assert answer["body_name"] == BODY_ID
    assert answer["issued_on"] == str(certificate.issued_on)
    assert answer["revoked_reason"] is None and answer["revoked_on"] is None
    text = response.content.decode()
    person = certificate.person
    assert person.name not in text and person.id_masked not in text
    assert full_id(person) not in text
    lower = Client().get(f"/api/v1/certificates/verify?number= {certificate.number.lower()} ")
    assert lower.json()["code"] == "valid"


def test_verify_reads_a_number_typed_full_width_or_in_groups(published):
    """A bug fixed: a number typed on a phone (full-width) or copied with the printed
    spaces was "not found"; and digits of other scripts passed the layout check."""
    number = Certificate.objects.filter(plan=published).order_by("pk").first().number
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number.lower())
    grouped = f"{number[0]} {number[1:7]} {number[7:9]} {number[9:12]} {number[12:15]} " \
              f"{number[15:]}"
    for typed in (full_width, grouped):
        answer = Client().get("/api/v1/certificates/verify", {"number": typed}).json()
        assert answer["code"] == "valid" and answer["number"] == number, typed
    arabic = number[0] + "".join(chr(0x0660 + int(d)) for d in number[1:])
    assert certificates.number_layout(arabic) is None
    assert Client().get("/api/v1/certificates/verify", {"number": arabic}).json()[
        "message"] == "证书编号应为 1 位字母（Y 或 S）加 21 位数字"


def test_verify_answers_revoked_and_not_found_with_stable_codes(api_for, published):
    certificate = Certificate.objects.filter(plan=published).order_by("pk").first()
    revoked = post(api_for("county_411402"), f"/api/v1/certificates/{certificate.pk}/revoke",
                   {"reason": "考核舞弊"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = post(api_for("county_411402"), f"/api/v1/certificates/{certificate.pk}/revoke",
                 {"reason": "再撤"})
    assert again.status_code == 400 and again.json()["code"] == "wrong_state"
    answer = Client().get(f"/api/v1/certificates/verify?number={certificate.number}").json()
    today = timezone.localdate()
    assert answer["code"] == "revoked" and answer["status"] == "revoked"
    assert answer["revoked_reason"] == "考核舞弊" and answer["revoked_on"] == str(today)
    assert answer["message"] == f"该证书已于 {today:%Y年%m月%d日} 撤销，原因：考核舞弊"
    unknown = certificate.number[:-7] + "9999999"
    missing = Client().get(f"/api/v1/certificates/verify?number={unknown}").json()
    assert missing == {**{k: None for k in PUBLIC_FIELDS}, "code": "not_found",
                       "message": "查无此证书：请核对证书编号，或证书不是本系统颁发的"}
    malformed = Client().get("/api/v1/certificates/verify?number=abc").json()
    assert malformed["code"] == "not_found"
    assert malformed["message"] == "证书编号应为 1 位字母（Y 或 S）加 21 位数字"
    absent = Client().get("/api/v1/certificates/verify")
    assert absent.status_code == 422 and absent.json()["errors"] == {"number": "必填"}


def test_verify_by_name_and_number_is_a_post_that_says_only_found_or_not(published):
    certificate = Certificate.objects.filter(plan=published).order_by("pk").first()
    person = certificate.person
    anyone = Client()
    found = post(anyone, "/api/v1/certificates/verify",
                 {"name": person.name, "id_number": full_id(person)})
    assert found.status_code == 200, found.content
    answer = found.json()
    assert answer["code"] == "found" and answer["message"] == "查到 1 本证书"
    assert [c["number"] for c in answer["certificates"]] == [certificate.number]
    assert set(answer["certificates"][0]) == PUBLIC_FIELDS
    assert answer["certificates"][0]["holder"] == "考*0"
    # Nobody learns more than "no certificate found": a wrong name, a person without a
    # certificate (考生1 failed) and a number nobody holds all read the same.
    failed = Result.objects.get(candidate__plan=published, passed=False).candidate.person
    unregistered = make_resident_number("411402", dt.date(1992, 2, 2), 321)
    answers = [post(anyone, "/api/v1/certificates/verify", body).json() for body in (
        {"name": "考生9", "id_number": full_id(person)},
        {"name": failed.name, "id_number": full_id(failed)},
        {"name": "无名氏", "id_number": unregistered})]
    assert answers[0] == answers[1] == answers[2] == {
        "code": "not_found", "certificates": [],
        "message": "未查到证书：请核对姓名和证件号码，或证书不是本系统颁发的"}
    malformed = post(anyone, "/api/v1/certificates/verify", {"name": "x", "id_number": "123"})
    assert malformed.status_code == 400 and "id_number" in malformed.json()["errors"]
    # never by GET: the number is not read from the address
    by_get = anyone.get(f"/api/v1/certificates/verify?name={person.name}"
                        f"&id_number={full_id(person)}")
    assert by_get.status_code == 422 and by_get.json()["errors"] == {"number": "必填"}


def test_name_and_number_look_ups_are_limited_per_address(published):
    anyone = Client(REMOTE_ADDR="203.0.113.9")
    body = {"name": "无名氏", "id_number": make_resident_number("411402", dt.date(1992, 2, 2), 1)}
    codes = [post(anyone, "/api/v1/certificates/verify", body).status_code for _ in range(21)]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    limited = post(anyone, "/api/v1/certificates/verify", body).json()
    assert limited == {"code": "too_many_requests", "message": "查询过于频繁，请一分钟后再试",
                       "errors": {}}
    other = Client(REMOTE_ADDR="203.0.113.10")
    assert post(other, "/api/v1/certificates/verify", body).status_code == 200
    number = Certificate.objects.filter(plan=published).first().number
    assert anyone.get(f"/api/v1/certificates/verify?number={number}").status_code == 200


def test_the_revocation_list_is_signed_and_lists_what_was_revoked(api_for, published):
    certificate = Certificate.objects.filter(plan=published).order_by("pk").first()
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=certificate,
                                    reason="证书信息有误")
    crl = Client().get("/api/v1/certificates/revocations").json()
    keys = Client().get("/api/v1/certificates/keys").json()["keys"]
    assert certificates.revocation_list_problem(crl, keys) == ""
    assert crl["revoked"] == [[certificate.number, str(timezone.localdate()), "证书信息有误"]]
    tampered = {**crl, "revoked": []}
    assert certificates.revocation_list_problem(tampered, keys) != ""
    offline = certificates.verify_payload(certificates.qr_payload(certificate), keys, crl)
    assert offline.revoked and "证书信息有误" in offline.message


def test_the_openapi_document_has_chinese_summaries_and_public_checks_need_no_token():
    schema = Client().get("/api/v1/openapi.json").json()
    mine = {(m, p): op for p, ops in schema["paths"].items() for m, op in ops.items()
            if p.startswith(("/api/v1/evaluation/", "/api/v1/certificates"))}
    assert len(mine) == 23
    for (method, path), operation in mine.items():
        assert CJK.search(operation.get("summary", "")), (method, path)
        for parameter in operation.get("parameters", []):
            assert parameter["name"] not in ("id_number", "name"), (method, path)
    public = {("get", "/api/v1/certificates/verify"), ("post", "/api/v1/certificates/verify"),
              ("get", "/api/v1/certificates/revocations"), ("get", "/api/v1/certificates/keys")}
    for key, operation in mine.items():
        assert bool(operation.get("security")) == (key not in public), key
    holder = mine[("post", "/api/v1/certificates/verify")]
    assert "application/json" in holder["requestBody"]["content"]
    assert 401 not in holder["responses"] and "401" not in holder["responses"]


def test_the_public_checks_answer_without_a_token_and_the_rest_ask_for_one(published):
    anyone = Client()
    for url in ("/api/v1/certificates/revocations", "/api/v1/certificates/keys",
                "/api/v1/certificates/verify?number=S0000014100126400000001"):
        assert anyone.get(url).status_code == 200, url
    for url in ("/api/v1/certificates", "/api/v1/evaluation/bodies", "/api/v1/evaluation/plans",
                f"/api/v1/evaluation/plans/{published.pk}",
                f"/api/v1/certificates/{Certificate.objects.first().pk}"):
        refused = anyone.get(url)
        assert refused.status_code == 401, url
        assert refused.json()["code"] == "unauthorized"


def test_a_body_that_is_not_json_is_refused_in_chinese(api_for):
    client = api_for("eval_411402")
    response = client.post("/api/v1/evaluation/bodies", "{not json",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == "请求内容不是有效的 JSON，无法解析"
