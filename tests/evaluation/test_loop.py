"""The loop of evaluation end to end: a body files, its plan is reviewed, held, its results
published by a second person, and each pass gets a certificate anyone can verify."""

import pytest

from jineng.core.errors import Forbidden
from jineng.evaluation import certificates, results
from jineng.evaluation.models import Certificate, FilingStatus, PlanStatus, ResultStatus
from tests.evaluation import kit

pytestmark = pytest.mark.django_db


def test_a_body_files_and_the_chain_files_it():
    filing = kit.filed_body()
    assert filing.status == FilingStatus.FILED


def test_a_plan_is_held_and_published_into_certificates():
    plan = kit.held(kit.approved_plan(), [(80, 75), (59, 90), (60, 60)])
    assert plan.status == PlanStatus.HELD
    with pytest.raises(Forbidden, match="双人复核"):
        results.plan_results_publish(actor=kit.user("eval_411402"), plan=plan)
    issued = results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    assert issued == 2
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    assert set(plan.candidates.values_list("results__status", flat=True)) == {
        ResultStatus.PUBLISHED}
    numbers = list(Certificate.objects.filter(plan=plan).values_list("number", flat=True))
    assert len(numbers) == 2
    layout = certificates.number_layout(numbers[0])
    assert layout["letter"] == "S" and layout["province"] == "41" and layout["level"] == "4"
    assert certificates.verify_number(numbers[0]).code == "valid"
    cert = Certificate.objects.get(number=numbers[0])
    check = certificates.verify_payload(certificates.qr_payload(cert), certificates.public_keys())
    assert check.genuine, check.message
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=cert,
                                    reason="考核舞弊")
    assert certificates.verify_number(numbers[0]).code == "revoked"
    offline = certificates.verify_payload(certificates.qr_payload(cert),
                                          certificates.public_keys(),
                                          certificates.revocation_list())
    assert offline.revoked and "考核舞弊" in offline.message


def test_the_pdf_embeds_its_font_and_marks_a_revoked_certificate(settings, tmp_path):
    from jineng.evaluation import pdf

    settings.CERTIFICATE_PDF_DIR = tmp_path
    plan = kit.held(kit.approved_plan(candidates=1), [(88, 91)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    cert = Certificate.objects.get(plan=plan)
    data = pdf.certificate_pdf(cert)
    assert data.startswith(b"%PDF") and b"/FontFile2" in data and b"WenQuanYiMicroHei" in data
    assert pdf.cache_path(cert).read_bytes() == data  # kept
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=cert,
                                    reason="证书信息有误")
    cert.refresh_from_db()
    revoked = pdf.certificate_pdf(cert)
    assert revoked != data and pdf.cache_path(cert).exists()
    assert pdf.cache_path(cert).name.startswith(f"{cert.number}-revoked-")
    (tmp_path / "shown.pdf").write_bytes(revoked)


def test_the_command_checks_a_qr_offline_with_the_public_key_only(tmp_path):
    import json

    from django.core.management import CommandError, call_command

    plan = kit.held(kit.approved_plan(candidates=1), [(70, 70)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    cert = Certificate.objects.get(plan=plan)
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(certificates.public_keys()))
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        call_command("verify_certificate", certificates.qr_payload(cert), keys=str(keys),
                     stdout=stream)
    assert "签名真实" in out.read_text() and cert.number in out.read_text()
    forged = certificates.qr_payload(cert).replace("|4|", "|3|")  # the level raised
    with pytest.raises(CommandError, match="签名不符"):
        call_command("verify_certificate", forged, keys=str(keys))
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=cert,
                                    reason="冒名顶替")
    crl = tmp_path / "crl.json"
    crl.write_text(json.dumps(certificates.revocation_list(), ensure_ascii=False))
    with pytest.raises(CommandError, match="已被撤销.*冒名顶替"):
        call_command("verify_certificate", certificates.qr_payload(cert), keys=str(keys),
                     revocations=str(crl))


def test_the_commit_of_a_publication_signs_its_certificates(django_capture_on_commit_callbacks):
    plan = kit.held(kit.approved_plan(candidates=2), [(80, 80), (90, 90)])
    with django_capture_on_commit_callbacks(execute=True):
        results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    signed = Certificate.objects.filter(plan=plan)
    assert signed.count() == 2 and not signed.filter(signature="").exists()
    keys = certificates.public_keys()
    for cert in signed:
        assert certificates.verify_payload(certificates.qr_payload(cert), keys).genuine


def test_after_a_key_rotation_old_certificates_verify_with_the_key_that_signed_them(settings):
    from jineng.core.keys import new_certificate_key

    old = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=old)
    before = Certificate.objects.get(plan=old)
    old_payload = certificates.qr_payload(before)
    settings.CERTIFICATE_KEYS = {**settings.CERTIFICATE_KEYS, "c9": new_certificate_key()}
    settings.CERTIFICATE_KEY_ID = "c9"
    new = kit.held(kit.approved_plan(candidates=1), [(80, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=new)
    after = Certificate.objects.get(plan=new)
    assert before.key_id != "c9" and after.key_id == "c9"
    keys = certificates.public_keys()
    assert certificates.verify_payload(old_payload, keys).genuine
    assert certificates.verify_payload(certificates.qr_payload(after), keys).genuine
    without_old = {"c9": keys["c9"]}
    assert "不在已知公钥中" in certificates.verify_payload(old_payload, without_old).message


def test_an_examiner_is_not_also_a_candidate():
    """examiner_add refused a candidate; candidate_add now refuses an examiner too."""
    from jineng.core.errors import ServiceError
    from jineng.evaluation import plans
    from tests.training import factories

    plan = kit.draft(kit.filed_body())
    examiner = factories.person("411402", "考评员甲")
    plans.examiner_add(actor=kit.user("eval_411402"), plan=plan, person=examiner)
    with pytest.raises(ServiceError, match="是本计划的考评员，不能同时作为考生"):
        plans.candidate_add(actor=kit.user("eval_411402"), plan=plan, person=examiner)


def test_a_kept_pdf_is_never_served_for_another_certificate_of_the_same_number(settings,
                                                                               tmp_path):
    """A number issued again (a database restored from a backup, then a new publication)
    must not get the PDF kept for the first holder."""
    from jineng.evaluation import pdf

    settings.CERTIFICATE_PDF_DIR = tmp_path
    plan = kit.held(kit.approved_plan(candidates=2), [(88, 91), (77, 80)])
    results.plan_results_publish(actor=kit.user("county_411402"), plan=plan)
    first, second = Certificate.objects.filter(plan=plan).order_by("pk")
    kept = pdf.certificate_pdf(first)
    second.number = first.number  # the same number, another holder (not saved)
    assert pdf.cache_path(second) != pdf.cache_path(first)
    assert pdf.certificate_pdf(second) != kept
