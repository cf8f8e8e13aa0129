"""Bad input meets a Chinese refusal naming what is wrong, and nothing is half-written: a
candidate without the training the type requires, a score out of range, a second certificate
of one occupation and level, a plan for what the body did not file, a forged QR, a revoked
certificate presented offline with a revocation list."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.catalog.models import Occupation
from jineng.core.errors import ServiceError
from jineng.evaluation import certificates, plans, results
from jineng.evaluation.models import Certificate, EvaluationPlan, Result
from tests.evaluation import kit
from tests.training import factories

pytestmark = pytest.mark.django_db


def test_a_candidate_without_the_training_the_type_requires_is_refused():
    plan = kit.draft(kit.filed_body(), type_code="special_ability", level="4")
    stranger = factories.person("411402", "未培训者")
    refusal = "未培训者 没有电工的培训结业记录：专项职业能力考核须先完成培训"
    with pytest.raises(ServiceError, match=refusal):
        plans.candidate_add(actor=kit.user("eval_411402"), plan=plan, person=stranger)
    assert not plan.candidates.exists()


def test_a_plan_for_an_occupation_the_body_did_not_file_is_refused():
    filing = kit.filed_body()
    with pytest.raises(ServiceError, match="未备案职业「.*」，不能组织该职业的考核"):
        plans.plan_draft(
            actor=kit.user("eval_411402"), filing=filing, name="焊工考核",
            evaluation_type=filing.evaluation_types.first(), level=filing.levels.first(),
            occupation=Occupation.objects.filter(is_current=True, level=4).exclude(
                pk__in=filing.occupations.all()).first(),
            region=filing.institution.region, venue="考场",
            exam_date=timezone.localdate() + dt.timedelta(days=2))
    assert not EvaluationPlan.objects.filter(name="焊工考核").exists()


def test_an_examiner_who_taught_a_candidate_is_refused():
    plan = kit.draft(kit.filed_body())
    enrolment = kit.completed(1)[0]
    plans.candidate_add(actor=kit.user("eval_411402"), plan=plan, person=enrolment.person)
    teacher = enrolment.training_class.teachers.get().teacher.person
    with pytest.raises(ServiceError, match="所在培训班的授课教师，不能担任本计划的考评员"):
        plans.examiner_add(actor=kit.user("eval_411402"), plan=plan, person=teacher)


def test_a_plan_needs_two_examiners():
    plan = kit.draft(kit.filed_body())
    plans.candidate_add(actor=kit.user("eval_411402"), plan=plan,
                        person=kit.completed(1)[0].person)
    plans.examiner_add(actor=kit.user("eval_411402"), plan=plan,
                       person=factories.person("411402", "唯一考评员"))
    with pytest.raises(ServiceError, match="每场考核至少 2 名考评员，本计划只有 1 名"):
        plans.plan_file(actor=kit.user("eval_411402"), plan=plan)


def test_scores_out_of_range_name_each_candidate_and_nothing_is_written():
    plan = kit.approved_plan(candidates=3)
    EvaluationPlan.objects.filter(pk=plan.pk).update(exam_date=timezone.localdate())
    rows = [results.ScoreRow(c, t, p) for c, (t, p) in zip(
        plan.candidates.order_by("pk"), [(80, 80), (101, 80), ("六十", 70)], strict=True)]
    with pytest.raises(ServiceError) as refused:
        results.results_enter(actor=kit.user("eval_411402"), plan=plan, rows=rows)
    assert "理论成绩「101」超出 0–100 分" in refused.value.message
    assert "理论成绩「六十」不是数字" in refused.value.message
    assert not Result.objects.filter(candidate__plan=plan).exists()


def test_an_imported_sheet_names_the_row_and_the_column(tmp_path):
    import xlsxwriter

    from jineng.core.crypto import decrypt

    plan = kit.approved_plan(candidates=2)
    EvaluationPlan.objects.filter(pk=plan.pk).update(exam_date=timezone.localdate())
    first, second = plan.candidates.select_related("person").order_by("pk")
    path = tmp_path / "scores.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate([["身份证号", "姓名", "理论成绩", "实操成绩"],
                             [decrypt(first.person.id_cipher), first.person.name, 75, 80],
                             [decrypt(second.person.id_cipher), "李鬼", 75, 80],
                             ["110101199003070000", "无名", 60, -1]]):
        sheet.write_row(r, 0, row)
    book.close()
    upload = io.BytesIO(path.read_bytes())
    upload.name = "scores.xlsx"
    with pytest.raises(ServiceError) as refused:
        results.results_import(actor=kit.user("eval_411402"), plan=plan, upload=upload)
    message = refused.value.message
    assert "第 3 行「姓名」：「李鬼」与登记的考生姓名不一致" in message
    assert "第 4 行「身份证号」" in message
    assert not Result.objects.filter(candidate__plan=plan).exists()


def test_a_second_certificate_of_the_same_occupation_and_level_is_refused():
    plan = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    holder = plan.candidates.get().person
    again = kit.draft(kit.filed_body())
    with pytest.raises(ServiceError, match="已持有电工四级/中级工的有效证书（编号 S"):
        plans.candidate_add(actor=kit.user("eval_411402"), plan=again, person=holder)
    assert Certificate.objects.filter(person=holder).count() == 1


def test_a_published_result_is_corrected_only_through_review():
    plan = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    published = Result.objects.get(candidate__plan=plan, status="published")
    correction = results.result_correct(actor=kit.user("eval_411402"), result=published,
                                        theory=50, practical=80, reason="理论卷误判")
    published.refresh_from_db()
    assert published.status == "published" and correction.status == "correction"
    kit.decide_all(correction)
    published.refresh_from_db()
    assert published.status == "superseded"
    cert = Certificate.objects.get(plan=plan)
    assert cert.status == "revoked" and "理论卷误判" in cert.revoked_reason


def _published_certificate() -> Certificate:
    plan = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    return Certificate.objects.get(plan=plan)


@settings(max_examples=40, deadline=None)
@given(field=st.integers(min_value=1, max_value=10), text=st.text(min_size=1, max_size=8))
def test_any_change_to_a_signed_field_is_found_offline(field, text):
    cert = Certificate.objects.select_related(
        "person", "occupation", "level", "evaluation_type", "body", "work_type").filter(
        status="valid").first()
    parts = certificates.qr_payload(cert).split("|")
    if parts[field] == text or "|" in text:
        return
    parts[field] = text
    check = certificates.verify_payload("|".join(parts), certificates.public_keys())
    assert not check.genuine


@settings(max_examples=40, deadline=None)
@given(digits=st.text(alphabet="0123456789", min_size=21, max_size=21),
       letter=st.sampled_from("YS"))
def test_a_number_reads_back_as_the_layout_it_was_made_of(digits, letter):
    number = letter + digits
    layout = certificates.number_layout(number)
    assert "".join(layout.values()) == number
    assert certificates.number_layout(number[:-1]) is None
    assert certificates.number_layout("X" + digits) is None


def test_a_revoked_certificate_presented_offline_with_the_list_is_reported():
    cert = _published_certificate()
    payload, keys = certificates.qr_payload(cert), certificates.public_keys()
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=cert,
                                    reason="冒用他人身份参考")
    crl = certificates.revocation_list()
    check = certificates.verify_payload(payload, keys, crl)
    assert check.revoked and "该证书已被撤销" in check.message
    crl["revoked"] = []  # an edited list is not trusted
    tampered = certificates.verify_payload(payload, keys, crl)
    assert "撤销名单的签名不符" in tampered.message and not tampered.revoked


def test_a_suspended_body_cannot_publish_its_results():
    from jineng.evaluation import bodies

    plan = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    bodies.filing_suspend(actor=kit.user("county_411402"), filing=plan.filing,
                          reason="考核现场监管不到位")
    plan.refresh_from_db()
    with pytest.raises(ServiceError, match="评价机构备案当前为「暂停」，不能发布成绩"):
        results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    assert not Certificate.objects.filter(plan=plan).exists()
