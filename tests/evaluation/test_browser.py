"""A real browser on a phone (390×844): anyone verifies a certificate by its number and by
the holder's name and identity number (sent in the body, never in the address), and sees a
revoked one as revoked, with its reason."""

import pytest

from tests.core.test_accessibility import SIZES, serious_violations
from tests.evaluation import kit
from tests.evaluation.test_pages import WORKER_ID, published_plan
from tests.orgs.test_browser import (  # noqa: F401  (fixtures)
    SHOTS,
    browser,
    database_snapshot,
    site,
)

pytestmark = pytest.mark.browser


def test_anyone_verifies_a_certificate_on_a_phone(browser, site):  # noqa: F811
    from jineng.evaluation import certificates
    from jineng.evaluation.models import Certificate

    plan = published_plan()
    mine = Certificate.objects.get(plan=plan, person__user__username="worker_411402")
    other = Certificate.objects.filter(plan=plan).exclude(pk=mine.pk).get()
    certificates.certificate_revoke(actor=kit.user("county_411402"), certificate=other,
                                    reason="考核中有人替考")
    context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES["phone"])
    page = context.new_page()
    page.goto(f"{site}/evaluation/verify/")
    assert page.get_by_role("heading", name="职业技能等级证书查询").is_visible()
    assert not serious_violations(page)

    page.get_by_label("证书编号").fill(mine.number.lower())
    page.get_by_test_id("by-number").get_by_role("button", name="查询").click()
    page.wait_for_url(f"{site}/evaluation/verify/?number=*")
    answer = page.get_by_test_id("answer")
    assert answer.get_by_test_id("answer-status").inner_text() == "✓ 证书有效"
    text = answer.inner_text()
    assert "张*" in text and "张三" not in text and "电工" in text and "四级/中级工" in text
    assert kit.BODY in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "jineng-verify-valid-phone.png"), full_page=True)

    page.get_by_label("证书编号").fill(other.number)
    page.get_by_test_id("by-number").get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    answer = page.get_by_test_id("answer")
    assert answer.get_by_test_id("answer-status").inner_text() == "✕ 证书已撤销"
    assert answer.get_by_test_id("revoked-reason").inner_text() == "考核中有人替考"
    page.screenshot(path=str(SHOTS / "jineng-verify-revoked-phone.png"), full_page=True)

    page.get_by_label("证书编号").fill("S" + "1" * 21)
    page.get_by_test_id("by-number").get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("answer-status").inner_text() == "查无此证书"

    page.get_by_label("持证人姓名").fill("张三")
    page.get_by_label("证件号码").fill(WORKER_ID)
    page.get_by_test_id("by-holder").get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert WORKER_ID not in page.url and "id_number" not in page.url
    # every certificate of 张三 (the demo's 家政服务员 one too), each with its status
    answer = page.get_by_test_id("answer").filter(has_text=mine.number)
    assert answer.get_by_test_id("answer-status").inner_text() == "✓ 证书有效"
    assert page.get_by_test_id("answer").count() == Certificate.objects.filter(
        person__user__username="worker_411402").count()
    assert WORKER_ID not in page.content()  # nor written back into the box
    assert not serious_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SHOTS / "jineng-verify-holder-phone.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_evaluation_pages_pass_axe(browser, site, demo_password, size):  # noqa: F811
    from jineng.evaluation.models import BodyFiling, Certificate, EvaluationPlan
    from tests.orgs.test_browser import sign_in

    plan = EvaluationPlan.objects.order_by("pk").first()  # the demo's, published
    filing = BodyFiling.objects.order_by("pk").first()
    certificate = Certificate.objects.filter(person__user__username="worker_411402").first()
    visits = [(None, ["/evaluation/verify/", f"/evaluation/verify/?number={certificate.number}",
                      "/evaluation/directory/"]),
              ("eval_411402", ["/evaluation/apply/", "/evaluation/plans/new/",
                               f"/evaluation/plans/{plan.pk}/"]),
              ("county_411402", [f"/evaluation/filings/{filing.pk}/",
                                 f"/evaluation/certificates/{certificate.pk}/",
                                 "/evaluation/plans/"]),
              ("worker_411402", ["/evaluation/my/certificates/"])]
    found = {}
    for username, paths in visits:
        context = browser.new_context(locale="zh-CN", bypass_csp=True, **SIZES[size])
        page = context.new_page()
        if username:
            sign_in(page, site, username, demo_password)
        for path in paths:
            page.goto(f"{site}{path}")
            if problems := serious_violations(page):
                found[f"{username or '未登录'} {path}"] = problems
            if size == "phone":
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 390, (path, width)
        context.close()
    assert not found, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in found.items())
