"""The review pages and API: the 待我审核 queue, the decision form, the chain page, the home
panel and the menu, GET /api/v1/reviews and POST /api/v1/reviews/{id}/decision."""

import pytest

from jineng.core.models import ReviewChain, ReviewLevel, ReviewState
from jineng.core.review import review_decide, review_of, review_submit
from tests.core.review_kit import FIRST, KIND, SECOND, grant, setup_kind, subject

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(user_named):
    setup_kind()
    grant(user_named("county_411402"), FIRST)
    grant(user_named("county_411403"), FIRST)
    grant(user_named("reviewer_411400"), SECOND)
    return review_submit(actor=user_named("inst_411402"), kind=KIND, subject=subject())


def test_the_queue_page_lists_kind_title_region_submitter_and_step(submitted, client_for):
    page = client_for("county_411402").get("/core/reviews/")
    body = page.content.decode()
    assert page.status_code == 200
    for text in ("测试机构备案", "商丘市梁园区金蓝领职业培训学校的备案", "梁园区",
                 "金蓝领培训学校经办人", "第 1 步/共 2 步", f"/core/reviews/{submitted.pk}/"):
        assert text in body, text
    assert "金蓝领" not in client_for("county_411403").get("/core/reviews/").content.decode()


def test_deciding_on_the_page_moves_the_review_on(submitted, client_for):
    client = client_for("county_411402")
    url = f"/core/reviews/{submitted.pk}/"
    refused = client.post(url, {"decision": "return", "reason": ""})
    assert refused.status_code == 400
    assert "退回修改须填写理由" in refused.content.decode()
    done = client.post(url, {"decision": "approve", "reason": ""})
    assert done.status_code == 302
    assert review_of(subject()).step_index == 1
    # Now city's: the county officer may still read it, with its timeline, but not decide.
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="decision-form"' not in page.content.decode()
    assert "第 1 步/共 2 步（县级）" in page.content.decode()


def test_a_review_out_of_reach_is_a_404(submitted, client_for):
    assert client_for("county_411403").get(f"/core/reviews/{submitted.pk}/").status_code == 404
    assert client_for("county_411403").get("/core/reviews/987654/").status_code == 404


def test_home_panel_and_menu_for_reviewers_only(submitted, client_for):
    home = client_for("county_411402").get("/").content.decode()
    assert "待我审核 1 件" in home
    assert 'href="/core/reviews/"' in home
    worker = client_for("worker_411402").get("/").content.decode()
    assert "待我审核" not in worker


def test_the_chain_page_shows_labels_and_the_province_edits(submitted, client_for):
    listing = client_for("county_411402").get("/core/reviews/chains/").content.decode()
    assert "测试机构备案" in listing and "县级 · 测试初审" in listing
    assert "/core/reviews/chains/test.institution_filing/" not in listing
    assert client_for("county_411402").get(
        f"/core/reviews/chains/{KIND}/").status_code == 403

    client = client_for("province_410000")
    form = client.get(f"/core/reviews/chains/{KIND}/")
    assert form.status_code == 200 and "测试复审" in form.content.decode()
    # Swap the two steps and add a province step; remove nothing.
    saved = client.post(f"/core/reviews/chains/{KIND}/", {
        "steps-TOTAL_FORMS": "3", "steps-INITIAL_FORMS": "2",
        "steps-0-order": "2", "steps-0-permission": FIRST, "steps-0-level": "3",
        "steps-1-order": "1", "steps-1-permission": SECOND, "steps-1-level": "2",
        "steps-2-order": "3", "steps-2-permission": SECOND, "steps-2-level": "1",
    })
    assert saved.status_code == 302
    chain = ReviewChain.objects.get(kind=KIND, region__code="410000")
    assert [(s.permission, s.level) for s in chain.steps.all()] == [
        (SECOND, ReviewLevel.CITY), (FIRST, ReviewLevel.COUNTY), (SECOND, ReviewLevel.PROVINCE)]
    removed = client.post(f"/core/reviews/chains/{KIND}/", {
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "2",
        "steps-0-order": "1", "steps-0-permission": FIRST, "steps-0-level": "3",
        "steps-0-DELETE": "on",
        "steps-1-order": "2", "steps-1-permission": SECOND, "steps-1-level": "2",
        "steps-1-DELETE": "on",
    })
    assert removed.status_code == 400
    assert "审核流程至少需要一个步骤" in removed.content.decode()


def test_the_api_lists_my_queue_and_takes_a_decision(submitted, api_for):
    api = api_for("county_411402")
    items = api.get("/api/v1/reviews").json()["items"]
    assert [(i["id"], i["step_label"], i["region_code"], i["submitted_by"]) for i in items] == [
        (submitted.pk, "第 1 步/共 2 步", "411402", "inst_411402")]
    assert api_for("county_411403").get("/api/v1/reviews").json()["items"] == []

    url = f"/api/v1/reviews/{submitted.pk}/decision"
    missing = api.post(url, {"decision": "reject"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["errors"] == {"reason": "驳回须填写理由"}
    outsider = api_for("county_411403").post(url, {"decision": "approve"},
                                             content_type="application/json")
    assert outsider.status_code == 404
    done = api.post(url, {"decision": "approve"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["step_label"] == "第 2 步/共 2 步"
    again = api.post(url, {"decision": "approve"}, content_type="application/json")
    assert again.status_code == 403
    assert again.json()["message"] == "第 2 步须具有「测试复审」权限，您没有该权限"


def test_the_submitter_cannot_approve_through_the_api(submitted, api_for, user_named):
    review_decide(actor=user_named("county_411402"), review=submitted, decision="approve")
    response = api_for("inst_411402").post(f"/api/v1/reviews/{submitted.pk}/decision",
                                           {"decision": "approve"},
                                           content_type="application/json")
    assert response.status_code in (403, 404)
    assert review_of(subject()).state == ReviewState.PENDING


def test_the_queue_costs_the_same_for_one_review_or_three(submitted, client_for, api_for,
                                                          user_named):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jineng.orgs.models import Institution

    def cost() -> tuple[int, int]:
        client, api = client_for("county_411402"), api_for("county_411402")
        with CaptureQueriesContext(connection) as page:
            assert client.get("/core/reviews/").status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert api.get("/api/v1/reviews").status_code == 200
        return len(page), len(listing)

    one = cost()
    for other in Institution.objects.filter(region__code="411402").exclude(pk=subject().pk):
        review_submit(actor=user_named("inst_411402"), kind=KIND, subject=other)
    assert len(client_for("county_411402").get("/core/reviews/").context["rows"]) == 3
    assert cost() == one


def test_the_queue_in_english(submitted, client_for):
    from jineng.orgs.models import User

    User.objects.filter(username="county_411402").update(language="en")
    body = client_for("county_411402").get("/core/reviews/").content.decode()
    assert "Awaiting my review" in body and "Step 1 of 2" in body and "待我审核" not in body
