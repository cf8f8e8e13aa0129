"""Designation: one service per arrow, each refusal in its own Chinese words; what the review
chain's callbacks call (approve, return, reject) tested directly."""

import datetime as dt

import pytest

from jineng.core.errors import Forbidden, ServiceError
from jineng.core.models import AuditEvent
from jineng.core.review import review_decide, review_of
from jineng.training import selectors, services
from jineng.training.models import DesignationStatus, EngagementKind, Ownership
from tests.training.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_an_institution_applies_and_a_reviewer_designates_it(apply, suiyang_school,
                                                             user_named, occupation, level):
    designation = apply(suiyang_school, ownership=Ownership.PUBLIC)
    assert designation.status == DesignationStatus.APPLIED
    assert not selectors.designation_covers(suiyang_school, occupation, level)
    services.designation_approve(actor=user_named("reviewer_411400"), designation=designation)
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.DESIGNATED
    assert selectors.designation_covers(suiyang_school, occupation, level,
                                        on=dt.date(YEAR, 6, 1))
    assert not selectors.designation_covers(suiyang_school, occupation, level,
                                            on=dt.date(YEAR + 2, 1, 1))
    actions = list(AuditEvent.objects.filter(object_type="training.designation",
                                             object_id=str(designation.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["designation_submit", "designation_approve"]


def test_only_a_training_institution_or_school_may_apply(apply, make_institution):
    enterprise = make_institution("睢阳测试企业", kind="enterprise")
    with pytest.raises(ServiceError) as exc:
        apply(enterprise)
    assert exc.value.errors["institution"] == "「睢阳测试企业」不是培训机构或技工院校，不能申请定点"


def test_reversed_period_and_empty_lists_are_refused(apply, suiyang_school):
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school, valid_from=dt.date(YEAR, 6, 1), valid_to=dt.date(YEAR, 1, 1))
    assert "早于定点期起" in exc.value.errors["valid_to"]
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school, occupations=[])
    assert exc.value.errors["occupations"] == "请至少选择一个培训职业"
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school, levels=[])
    assert exc.value.errors["levels"] == "请至少选择一个培训等级"


def test_a_second_application_while_one_is_live_is_refused(apply, suiyang_school):
    apply(suiyang_school, ownership=Ownership.PUBLIC)
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school, ownership=Ownership.PUBLIC)
    assert "已有状态为「已申请（待审核）」的定点记录" in exc.value.message


def test_a_sibling_county_cannot_apply_for_an_institution_of_another(apply, suiyang_school):
    with pytest.raises(Forbidden):
        apply(suiyang_school, actor="county_411402")


def test_an_institution_cannot_review_its_own_application(apply, user_named):
    operator = user_named("inst_411402")
    designation = _applied_jinlanling(apply, user_named)
    with pytest.raises(Forbidden) as exc:
        services.designation_approve(actor=operator, designation=designation)
    assert exc.value.message == "没有审核定点培训机构的权限"


def _applied_jinlanling(apply, user_named):
    """The demo designates 金蓝领; exit it so it may apply again."""
    operator = user_named("inst_411402")
    officer = user_named("county_411402")
    for d in selectors.designation_list(user=officer).filter(
            institution=operator.institution, status=DesignationStatus.DESIGNATED):
        services.designation_exit(actor=officer, designation=d, reason="测试：重新申请")
    return apply(operator.institution, actor="inst_411402")


def test_return_and_reject_need_a_reason_and_an_application_under_review(
        apply, suiyang_school, user_named):
    reviewer = user_named("reviewer_411400")
    designation = apply(suiyang_school, ownership=Ownership.PUBLIC, actor="province_410000")
    with pytest.raises(ServiceError) as exc:
        services.designation_return(actor=reviewer, designation=designation, reason="  ")
    assert exc.value.errors["reason"] == "退回修改须填写原因"
    with pytest.raises(ServiceError) as exc:
        services.designation_reject(actor=reviewer, designation=designation, reason="")
    assert exc.value.errors["reason"] == "不予认定须填写原因"
    # the chain's first step (the county) returns it: the review calls designation_return
    review_decide(actor=user_named("county_411403"), review=review_of(designation),
                  decision="return", reason="缺少场地证明")
    designation.refresh_from_db()
    assert (designation.status, designation.reason) == (DesignationStatus.RETURNED,
                                                        "缺少场地证明")
    with pytest.raises(ServiceError) as exc:
        services.designation_approve(actor=reviewer, designation=designation)
    assert exc.value.errors["status"] == "该申请当前为「退回修改」，只有待审核的申请可以认定"
    services.designation_resubmit(
        actor=user_named("county_411403"), designation=designation, ownership=Ownership.PUBLIC,
        occupations=list(designation.occupations.all()), levels=list(designation.levels.all()),
        valid_from=designation.valid_from, valid_to=designation.valid_to)
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.APPLIED
    services.designation_reject(actor=reviewer, designation=designation, reason="场地不符")
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.REJECTED


def test_suspend_and_exit_need_a_reason_and_end_the_cover(apply, suiyang_school, user_named,
                                                         occupation, level):
    officer = user_named("county_411403")
    designation = apply(suiyang_school, ownership=Ownership.PUBLIC)
    with pytest.raises(ServiceError) as exc:
        services.designation_suspend(actor=officer, designation=designation, reason="违规")
    assert exc.value.errors["status"] == (
        "只有定点状态的机构可以暂停，该记录当前为「已申请（待审核）」")
    services.designation_approve(actor=user_named("reviewer_411400"), designation=designation)
    with pytest.raises(ServiceError) as exc:
        services.designation_suspend(actor=officer, designation=designation, reason="")
    assert exc.value.errors["reason"] == "暂停定点资格须填写原因"
    services.designation_suspend(actor=officer, designation=designation, reason="虚报学员")
    assert not selectors.designation_covers(suiyang_school, occupation, level,
                                            on=dt.date(YEAR, 6, 1))
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school, ownership=Ownership.PUBLIC)
    assert exc.value.errors["institution"] == (
        "「商丘市睢阳区古城家政职业培训学校」的定点资格已暂停，暂停期间不能申请新的定点")
    with pytest.raises(ServiceError) as exc:
        services.designation_exit(actor=officer, designation=designation, reason="")
    assert exc.value.errors["reason"] == "退出定点须填写原因"
    services.designation_exit(actor=officer, designation=designation, reason="整改不到位")
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.EXITED
    with pytest.raises(ServiceError) as exc:
        services.designation_exit(actor=officer, designation=designation, reason="再次")
    assert exc.value.errors["status"] == "只有定点或暂停状态的机构可以退出，该记录当前为「已退出」"
    assert not selectors.designation_covers(suiyang_school, occupation, level,
                                            on=dt.date(YEAR, 6, 1))


def test_a_private_institution_is_designated_only_with_a_third_full_time(
        apply, suiyang_school, user_named, make_teacher):
    reviewer = user_named("reviewer_411400")
    officer = user_named("county_411403")
    designation = apply(suiyang_school, ownership=Ownership.PRIVATE)
    with pytest.raises(ServiceError) as exc:
        services.designation_approve(actor=reviewer, designation=designation)
    assert exc.value.errors["teachers"] == (
        f"民办培训机构「商丘市睢阳区古城家政职业培训学校」尚未登记 {YEAR} 年度的教师聘用")
    for name in ("兼职甲", "兼职乙", "兼职丙", "兼职丁"):
        teacher = make_teacher(suiyang_school, name=name)
        services.engagement_add(actor=officer, teacher=teacher, institution=suiyang_school,
                                year=YEAR, kind=EngagementKind.PART_TIME)
    full = make_teacher(suiyang_school, name="专职甲")
    services.engagement_add(actor=officer, teacher=full, institution=suiyang_school, year=YEAR,
                            kind=EngagementKind.FULL_TIME)
    assert not selectors.full_time_share_ok(suiyang_school, YEAR)
    with pytest.raises(ServiceError) as exc:
        services.designation_approve(actor=reviewer, designation=designation)
    assert exc.value.errors["teachers"] == (
        f"民办培训机构「商丘市睢阳区古城家政职业培训学校」{YEAR} 年度专职教师 1 人，教师共 5 人，"
        "专职教师不得少于教师总数的 1/3（至少 2 人）")
    second = make_teacher(suiyang_school, name="专职乙")
    services.engagement_add(actor=officer, teacher=second, institution=suiyang_school,
                            year=YEAR, kind=EngagementKind.FULL_TIME)
    assert selectors.full_time_share_ok(suiyang_school, YEAR)  # 2 of 6
    services.designation_approve(actor=reviewer, designation=designation)
    designation.refresh_from_db()
    assert designation.status == DesignationStatus.DESIGNATED


def test_the_demo_designates_jinlanling_with_two_teachers_one_full_time(user_named):
    school = user_named("inst_411402").institution
    assert selectors.full_time_share(school, YEAR) == (1, 2)
    assert selectors.full_time_share_ok(school, YEAR)
    designated = selectors.public_directory().filter(institution=school)
    assert [d.status for d in designated] == [DesignationStatus.DESIGNATED]
