"""Classes (培训班): filed through the review chain (county, then city; maker-checker), each
refusal in its own Chinese words naming the field, nothing half-written; changes after
approval re-reviewed; the states of a running class; apprenticeship classes; enterprise
staff; the demo's classes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.catalog.models import FundSource, Occupation, Programme, SkillLevel, WorkType
from jineng.core.errors import Conflict, Forbidden, ServiceError
from jineng.core.models import AuditEvent, ReviewState
from jineng.core.review import review_decide, review_of, review_queue
from jineng.orgs.models import Institution
from jineng.training import classes, services
from jineng.training.models import (
    ClassChangeStatus,
    ClassKind,
    ClassStatus,
    ClassTeacherRole,
    DesignationStatus,
    EngagementKind,
    Ownership,
    Session,
    TrainingClass,
    WishNotice,
)
from tests.training import factories
from tests.training.conftest import YEAR

pytestmark = pytest.mark.django_db
ZONE = timezone.get_current_timezone()
HOME_CARE = "4-10-01-06"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


def timetable(first: dt.date, days: int, teacher, hours=4) -> list[dict]:
    """Two sessions a day of 180 minutes (4 class hours) each."""
    rows = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        for start in (8, 14):
            rows.append({"starts_at": at(day, start, 30), "ends_at": at(day, start + 3, 30),
                         "hours": hours, "teacher": teacher})
    return rows


def engage(teacher, school, kind=EngagementKind.FULL_TIME, actor="county_411403",
           user_named=None):
    for year in (YEAR, YEAR + 1):
        services.engagement_add(actor=user_named(actor), teacher=teacher, institution=school,
                                year=year, kind=kind)
    return teacher


@pytest.fixture
def start():
    return timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def school(suiyang_school):
    """古城家政 (睢阳区), designated (public) for 家政服务员 level 5."""
    factories.designation(suiyang_school, HOME_CARE, "5")
    return suiyang_school


@pytest.fixture
def teacher(school, make_teacher, user_named):
    return engage(make_teacher(school, name="钱老师"), school, user_named=user_named)


@pytest.fixture
def fields(start, teacher):
    occupation = Occupation.objects.get(code=HOME_CARE, is_current=True)

    def make(**over):
        base = {
            "name": "家政服务员初级班", "programme": Programme.objects.get(code="SQ-2022-05"),
            "occupation": occupation, "level": SkillLevel.objects.get(code="5"),
            "work_type": WorkType.objects.get(occupation=occupation, name="家务服务员"),
            "fund_source": FundSource.objects.get(code="employment_subsidy"),
            "venue": "睢阳区古城家政实训室", "venue_lat": Decimal("34.388920"),
            "venue_lng": Decimal("115.653970"), "venue_radius_m": 300, "start_date": start,
            "end_date": start + dt.timedelta(days=9), "planned_hours": 64, "capacity": 30,
            "teachers": [teacher], "sessions": timetable(start, 8, teacher)}
        base.update(over)
        return base
    return make


@pytest.fixture
def file(school, fields, user_named):
    def make(actor="city_411400", institution=None, **over):
        return classes.class_file(actor=user_named(actor), institution=institution or school,
                                  **fields(**over))
    return make


def refusal(file, **over) -> ServiceError:
    with pytest.raises(ServiceError) as exc:
        file(**over)
    return exc.value


# ---------------------------------------------------------------- the chain


def test_a_class_is_filed_and_approved_by_the_county_then_the_city(file, user_named, school):
    filed = file(actor="county_411403")  # an officer files for the institution
    assert filed.status == ClassStatus.FILED
    assert filed.code == f"411403{YEAR}0002"  # region + year + serial (the demo filed one)
    review = review_of(filed)
    assert review.state == ReviewState.PENDING and review.step_region.code == "411403"
    with pytest.raises(Forbidden) as exc:  # the submitter cannot decide
        review_decide(actor=user_named("county_411403"), review=review, decision="approve")
    assert "不能审核自己提交的事项" in exc.value.message
    with pytest.raises(Forbidden):  # a sibling county is not this step's decider
        review_decide(actor=user_named("county_411402"), review=review, decision="approve")
    assert review.pk not in set(review_queue(user=user_named("county_411403"))
                                .values_list("pk", flat=True))
    assert review.pk in set(review_queue(user=user_named("city_411400"))
                            .values_list("pk", flat=True))
    review = review_decide(actor=user_named("city_411400"), review=review, decision="approve")
    filed.refresh_from_db()
    assert filed.status == ClassStatus.FILED  # one step of two
    assert review.step_region.code == "411400"
    with pytest.raises(Forbidden) as exc:  # who decided step 1 cannot decide step 2
        review_decide(actor=user_named("city_411400"), review=review, decision="approve")
    assert "您已审核过第 1 步" in exc.value.message
    review_decide(actor=user_named("reviewer_411400"), review=review, decision="approve")
    filed.refresh_from_db()
    assert filed.status == ClassStatus.APPROVED and filed.approved_at is not None
    assert filed.designation.institution == school
    actions = list(AuditEvent.objects.filter(object_type="training.trainingclass",
                                             object_id=str(filed.pk))
                   .order_by("id").values_list("action", flat=True))
    told = WishNotice.objects.filter(training_class=filed).exists()  # the demo's wishes
    assert actions == ["class_file", "class_approve"] + (["wish_notify"] if told else [])


def test_returned_with_a_reason_changed_and_filed_again_then_rejected(file, user_named, start):
    filed = file()
    with pytest.raises(ServiceError) as exc:
        review_decide(actor=user_named("county_411403"), review=review_of(filed),
                      decision="return", reason="")
    assert exc.value.errors["reason"] == "退回修改须填写理由"
    review_decide(actor=user_named("county_411403"), review=review_of(filed), decision="return",
                  reason="场地照片不清晰")
    filed.refresh_from_db()
    assert (filed.status, filed.reason) == (ClassStatus.RETURNED, "场地照片不清晰")
    classes.class_resubmit(actor=user_named("city_411400"), training_class=filed,
                           venue="睢阳区古城家政实训楼 2 层")
    filed.refresh_from_db()
    assert (filed.status, filed.venue, filed.reason) == (ClassStatus.FILED,
                                                         "睢阳区古城家政实训楼 2 层", "")
    review = review_of(filed)
    assert review.round == 2
    review = review_decide(actor=user_named("county_411403"), review=review, decision="approve")
    review_decide(actor=user_named("reviewer_411400"), review=review, decision="reject",
                  reason="重复开班")
    filed.refresh_from_db()
    assert (filed.status, filed.reason) == (ClassStatus.REJECTED, "重复开班")
    with pytest.raises(ServiceError) as exc:
        classes.class_submit(actor=user_named("city_411400"), training_class=filed)
    assert exc.value.errors["status"].startswith("只有草稿或退回修改的培训班可以修改后备案")


def test_a_draft_skips_the_filing_rules_until_it_is_filed(file, user_named, teacher, start):
    draft = file(draft=True, planned_hours=40, sessions=timetable(start, 5, teacher))
    assert draft.status == ClassStatus.DRAFT and review_of(draft) is None
    with pytest.raises(ServiceError) as exc:
        classes.class_submit(actor=user_named("city_411400"), training_class=draft)
    assert exc.value.errors["planned_hours"] == (
        "计划课时 40 课时，低于目录规定的最低培训课时 64 课时")
    classes.class_update(actor=user_named("city_411400"), training_class=draft,
                         planned_hours=64, sessions=timetable(start, 8, teacher))
    filed = classes.class_submit(actor=user_named("city_411400"), training_class=draft)
    assert filed.status == ClassStatus.FILED and filed.sessions.count() == 16


def test_an_institution_files_for_itself_only(file, user_named):
    jinlanling = user_named("inst_411402").institution
    with pytest.raises(Forbidden):
        file(actor="inst_411402")  # 古城家政 is not theirs
    with pytest.raises(Forbidden):
        file(actor="county_411402")  # nor a sibling county's
    with pytest.raises(ServiceError) as exc:  # their own, but not designated for 家政 on it
        file(actor="inst_411402", institution=jinlanling, teachers=[], sessions=[])
    assert exc.value.errors


# ---------------------------------------------------------------- refusals, each in its words


def test_reversed_dates_are_refused_naming_the_field(file, start):
    error = refusal(file, end_date=start - dt.timedelta(days=1))
    assert error.errors == {"end_date": f"结业日期（{start - dt.timedelta(days=1):%Y-%m-%d}）"
                                        f"早于开班日期（{start:%Y-%m-%d}）"}


def test_an_occupation_the_institution_is_not_designated_for(file):
    error = refusal(file, occupation=Occupation.objects.get(code="6-31-01-03", is_current=True),
                    work_type=None)
    assert error.errors["occupation"].startswith("「商丘市睢阳区古城家政职业培训学校」在 ")
    assert error.errors["occupation"].endswith(
        "不是「电工」五级/初级工的定点培训机构，不能备案该职业等级的培训班")


@pytest.mark.parametrize("service,word", [("designation_suspend", "已暂停"),
                                          ("designation_exit", "已退出")])
def test_a_suspended_or_exited_institution_cannot_file(file, school, user_named, service,
                                                       word):
    designation = school.designations.get(status=DesignationStatus.DESIGNATED)
    getattr(services, service)(actor=user_named("county_411403"), designation=designation,
                               reason="虚报学员")
    error = refusal(file)
    assert error.errors == {"institution": f"「商丘市睢阳区古城家政职业培训学校」的定点资格{word}"
                                           "（原因：虚报学员），不能备案新的培训班"}


def test_a_designation_that_ends_before_the_class_does_not_cover_it(file, school, start):
    school.designations.update(valid_to=start + dt.timedelta(days=3))
    assert "不是「家政服务员」五级/初级工的定点培训机构" in refusal(file).errors["occupation"]


def test_an_occupation_and_level_not_in_the_catalogue(file, school):
    factories.designation(school, HOME_CARE, "3")
    error = refusal(file, level=SkillLevel.objects.get(code="3"))
    assert error.errors == {
        "occupation": "商丘市现行补贴性培训职业目录未列入「家政服务员」三级/高级工"}


def test_a_catalogue_listed_by_work_type_needs_the_work_type(file):
    error = refusal(file, work_type=None)
    assert error.errors == {"work_type": "商丘市现行补贴性培训职业目录中「家政服务员」五级/初级工"
                                         "按工种列入，请选择工种：家务服务员"}


def test_planned_hours_below_the_catalogue_minimum_say_both_numbers(file, start, teacher):
    error = refusal(file, planned_hours=60, sessions=timetable(start, 8, teacher))
    assert error.errors == {"planned_hours": "计划课时 60 课时，低于目录规定的最低培训课时 64 课时"}


def test_a_timetable_short_of_the_planned_hours(file, start, teacher):
    error = refusal(file, planned_hours=80)
    assert error.errors == {"sessions": "课程表合计 64 课时，少于计划课时 80 课时"}


def test_a_session_outside_the_class_dates(file, start, teacher):
    rows = timetable(start, 8, teacher)
    rows[3] = {**rows[3], "starts_at": at(start + dt.timedelta(days=20), 8),
               "ends_at": at(start + dt.timedelta(days=20), 11)}
    message = refusal(file, sessions=rows).errors["sessions"]
    day = start + dt.timedelta(days=20)
    assert message == (f"第 4 课次（{day:%Y-%m-%d} 08:00–11:00）不在培训期 {start:%Y-%m-%d} 至 "
                       f"{start + dt.timedelta(days=9):%Y-%m-%d} 内")


def test_a_session_counts_at_most_one_hour_per_45_minutes(file, start, teacher):
    rows = timetable(start, 8, teacher)
    rows[0] = {**rows[0], "hours": 5}
    assert refusal(file, sessions=rows).errors["sessions"] == (
        "第 1 课次：课时 5 不正确，180 分钟最多计 4 课时（每课时 45 分钟）")


def test_two_sessions_of_one_class_at_once(file, start, teacher):
    rows = timetable(start, 8, teacher)
    rows.append({**rows[0], "starts_at": at(start, 9), "ends_at": at(start, 12)})
    message = refusal(file, planned_hours=64, sessions=rows).errors["sessions"]
    assert "时间重叠" in message and "第 1 课次" in message


@pytest.mark.parametrize("capacity", [0, -3])
def test_capacity_below_one(file, capacity):
    assert refusal(file, capacity=capacity).errors == {
        "capacity": f"计划人数应为不小于 1 的整数，当前为 {capacity}"}


@pytest.mark.parametrize("over,field,message", [
    ({"venue_lat": None}, "venue_lat", "请在地图上选择培训地点（须有经纬度）"),
    ({"venue_lat": Decimal("91")}, "venue_lat", "地点纬度应在 -90 到 90 之间，当前为 91"),
    ({"venue_lng": Decimal("-181")}, "venue_lng", "地点经度应在 -180 到 180 之间，当前为 -181"),
    ({"venue_radius_m": 30}, "venue_radius_m", "签到范围应在 50 到 5000 米之间，当前为 30"),
    ({"venue_radius_m": 6000}, "venue_radius_m", "签到范围应在 50 到 5000 米之间，当前为 6000"),
    ({"venue": " "}, "venue", "请填写培训地点"),
])
def test_the_venue_needs_a_map_point_and_a_radius(file, over, field, message):
    assert refusal(file, **over).errors == {field: message}


def test_a_teacher_whose_qualification_expired(file, school, make_teacher, user_named, start):
    expired = engage(make_teacher(school, name="孙过期", expires=start - dt.timedelta(days=1)),
                     school, user_named=user_named)
    error = refusal(file, teachers=[expired], sessions=timetable(start, 8, expired))
    assert error.errors["teachers"] == (
        f"教师「孙过期」的上岗资格（证号 {expired.qualification_number}）已于 "
        f"{start - dt.timedelta(days=1):%Y-%m-%d} 过期，不能安排授课")
    assert error.code == "teacher_expired"


def test_a_qualification_expiring_before_the_teachers_last_session(file, school, make_teacher,
                                                                   user_named, start):
    expires = start + dt.timedelta(days=2)
    short = engage(make_teacher(school, name="周将过期", expires=expires), school,
                   user_named=user_named)
    error = refusal(file, teachers=[short], sessions=timetable(start, 8, short))
    assert error.errors["teachers"] == (
        f"教师「周将过期」的上岗资格（证号 {short.qualification_number}）有效期至 "
        f"{expires:%Y-%m-%d}，早于其最后一次授课（{start + dt.timedelta(days=7):%Y-%m-%d}），"
        "不能安排授课")


def test_a_teacher_without_an_engagement_for_the_year(file, school, make_teacher, start):
    stranger = make_teacher(school, name="吴未聘")
    error = refusal(file, teachers=[stranger], sessions=timetable(start, 8, stranger))
    years = "、".join(str(y) for y in range(start.year, (start + dt.timedelta(days=9)).year + 1))
    assert error.errors["teachers"] == (
        f"教师「吴*聘」未登记 {years} 年度受聘于「商丘市睢阳区古城家政职业培训学校」，"
        "不能在本机构授课")


def test_a_session_teacher_not_on_the_class(file, school, make_teacher, user_named, start,
                                            teacher):
    other = engage(make_teacher(school, name="郑代课"), school, user_named=user_named)
    rows = timetable(start, 8, teacher)
    rows[-1] = {**rows[-1], "teacher": other}
    assert refusal(file, sessions=rows).errors["sessions"] == (
        "第 16 课次的授课教师「郑代课」不在本班教师名单中")


def test_a_private_institution_below_a_third_full_time(file, school, make_teacher, user_named,
                                                       teacher):
    school.designations.update(ownership=Ownership.PRIVATE)
    for name in ("兼甲", "兼乙", "兼丙"):
        engage(make_teacher(school, name=name), school, kind=EngagementKind.PART_TIME,
               user_named=user_named)
    error = refusal(file)
    assert error.errors["teachers"] == (
        f"民办培训机构「商丘市睢阳区古城家政职业培训学校」{YEAR} 年度专职教师 1 人，教师共 4 人，"
        "专职教师不得少于教师总数的 1/3（至少 2 人）")


def test_one_teacher_in_two_places_at_once_names_the_other_class(file, school, start,
                                                                 teacher, user_named):
    first = file(name="甲班")
    jinlanling = user_named("inst_411402").institution  # designated for 家政 level 5 too
    services.engagement_add(actor=user_named("inst_411402"), teacher=teacher,
                            institution=jinlanling, year=start.year,
                            kind=EngagementKind.PART_TIME)
    last = start + dt.timedelta(days=7)  # the last day of 甲班 is the first of 乙班
    error = refusal(file, actor="inst_411402", institution=jinlanling, name="乙班",
                    start_date=last, end_date=last + dt.timedelta(days=9),
                    sessions=timetable(last, 8, teacher))
    assert error.code == "teacher_overlap"
    assert error.errors["sessions"] == (
        f"第 1 课次（{last:%Y-%m-%d} 08:30–11:30）：教师「钱老师」同一时间已在"
        f"「商丘市睢阳区古城家政职业培训学校」的「甲班」（{first.code}）授课（{last:%Y-%m-%d} "
        "08:30–11:30，睢阳区古城家政实训室），不能同时在两地授课")


def test_nothing_is_written_when_a_filing_is_refused(file, start):
    before = (TrainingClass.objects.count(), Session.objects.count(),
              AuditEvent.objects.count())
    refusal(file, end_date=start - dt.timedelta(days=1))
    refusal(file, planned_hours=80)
    assert (TrainingClass.objects.count(), Session.objects.count(),
            AuditEvent.objects.count()) == before


# ---------------------------------------------------------------- changes after approval


def approve(subject, user_named):
    review = review_decide(actor=user_named("county_411403"), review=review_of(subject),
                           decision="approve")
    return review_decide(actor=user_named("reviewer_411400"), review=review, decision="approve")


def test_a_change_after_approval_is_reviewed_and_then_applies(file, user_named, school,
                                                              make_teacher, start):
    approved = file()
    approve(approved, user_named)
    approved.refresh_from_db()
    substitute = engage(make_teacher(school, name="冯替课"), school, user_named=user_named)
    sessions = [{"id": s.pk, "starts_at": s.starts_at, "ends_at": s.ends_at, "hours": s.hours,
                 "teacher": substitute if n >= 8 else s.teacher}
                for n, s in enumerate(approved.sessions.order_by("starts_at"))]
    change = classes.class_change_file(
        actor=user_named("city_411400"), training_class=approved, proposed={
            "venue": "睢阳区古城家政新实训楼", "venue_radius_m": 500,
            "teachers": [{"teacher_id": t.pk, "role": "teacher"}
                         for t in (approved.teachers.get().teacher, substitute)],
            "sessions": sessions})
    assert change.status == ClassChangeStatus.FILED
    approved.refresh_from_db()
    assert approved.venue == "睢阳区古城家政实训室"  # runs as approved until then
    with pytest.raises(Conflict) as exc:
        classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                  proposed={"venue": "又一处"})
    assert "已有一项「待审核」的变更申请" in exc.value.message
    approve(change, user_named)
    change.refresh_from_db()
    approved.refresh_from_db()
    assert change.status == ClassChangeStatus.APPROVED
    assert (approved.venue, approved.venue_radius_m) == ("睢阳区古城家政新实训楼", 500)
    assert approved.teachers.count() == 2
    assert approved.sessions.filter(teacher=substitute).count() == 8
    applied = AuditEvent.objects.get(action="class_change_apply", object_id=str(approved.pk))
    assert applied.changes["venue"] == ["睢阳区古城家政实训室", "睢阳区古城家政新实训楼"]


def test_a_change_is_held_to_the_same_rules(file, user_named, school, make_teacher, start):
    approved = file()
    approve(approved, user_named)
    approved.refresh_from_db()
    stranger = make_teacher(school, name="褚未聘")
    with pytest.raises(ServiceError) as exc:
        classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                  proposed={"teachers": [{"teacher_id": stranger.pk}],
                                            "sessions": timetable(start, 8, stranger)})
    assert "未登记" in exc.value.errors["teachers"]
    with pytest.raises(ServiceError) as exc:
        classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                  proposed={"venue_radius_m": 10})
    assert exc.value.errors == {"venue_radius_m": "签到范围应在 50 到 5000 米之间，当前为 10"}
    with pytest.raises(ServiceError) as exc:
        classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                  proposed={"capacity": 99})
    assert exc.value.errors == {"proposed": "只能变更教师、培训地点和课程表"}
    assert not approved.changes.exists()


def test_a_started_session_cannot_be_moved_by_a_change(user_named):
    running = factories.training_class(start=timezone.localdate() - dt.timedelta(days=1),
                                       status=ClassStatus.RUNNING)
    first = running.sessions.order_by("starts_at").first()
    with pytest.raises(ServiceError) as exc:
        classes.class_change_file(actor=user_named("county_411403"), training_class=running,
                                  proposed={"sessions": []})
    assert exc.value.errors["sessions"] == (
        f"课次 {timezone.localtime(first.starts_at):%Y-%m-%d %H:%M}–"
        f"{timezone.localtime(first.ends_at):%H:%M} 已开始，不能变更或删除")


def test_a_returned_change_is_filed_again(file, user_named):
    approved = file()
    approve(approved, user_named)
    change = classes.class_change_file(actor=user_named("city_411400"),
                                       training_class=approved, proposed={"venue": "新址"})
    review_decide(actor=user_named("county_411403"), review=review_of(change), decision="return",
                  reason="请写明门牌号")
    change.refresh_from_db()
    assert (change.status, change.reason) == (ClassChangeStatus.RETURNED, "请写明门牌号")
    # filing a change again (the page and the API do this) files the returned one again
    again = classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                      proposed={"venue": "新址 8 号"})
    change.refresh_from_db()
    assert again.pk == change.pk and approved.changes.count() == 1
    assert change.status == ClassChangeStatus.FILED and change.proposed == {"venue": "新址 8 号"}
    assert review_of(change).round == 2
    with pytest.raises(Conflict):  # one change under review at a time
        classes.class_change_file(actor=user_named("city_411400"), training_class=approved,
                                  proposed={"venue": "又一个新址"})


# ---------------------------------------------------------------- running a class


def test_a_class_starts_on_its_day_completes_after_its_last_session_and_closes(user_named):
    officer = user_named("county_411403")
    later = factories.training_class(start=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(ServiceError) as exc:
        classes.class_start(actor=officer, training_class=later)
    assert exc.value.errors["start_date"].endswith("尚未到开班日期")
    today = factories.training_class(start=timezone.localdate(), sessions=2)
    classes.class_start(actor=officer, training_class=today)
    today.refresh_from_db()
    assert today.status == ClassStatus.RUNNING
    with pytest.raises(ServiceError) as exc:
        classes.class_complete(actor=officer, training_class=today)
    assert exc.value.errors["status"].endswith("尚未结束，不能结业")
    with pytest.raises(ServiceError):
        classes.class_close(actor=officer, training_class=today)
    past = factories.training_class(start=timezone.localdate() - dt.timedelta(days=20),
                                    status=ClassStatus.RUNNING)
    classes.class_complete(actor=officer, training_class=past)
    classes.class_close(actor=officer, training_class=past)
    past.refresh_from_db()
    assert past.status == ClassStatus.CLOSED and past.completed_at is not None
    with pytest.raises(Forbidden):
        classes.class_start(actor=user_named("worker_411402"), training_class=later)


def test_approved_classes_whose_first_session_began_are_started(user_named):
    from jineng.core.actors import system_actor

    begun = factories.training_class(start=timezone.localdate() - dt.timedelta(days=1))
    later = factories.training_class(start=timezone.localdate() + dt.timedelta(days=5))
    assert classes.classes_start_due(actor=system_actor("loaddemo")) >= 1
    begun.refresh_from_db()
    later.refresh_from_db()
    assert (begun.status, later.status) == (ClassStatus.RUNNING, ClassStatus.APPROVED)


# ---------------------------------------------------------------- apprenticeship


@pytest.fixture
def enterprise():
    return Institution.objects.get(name="商丘睢阳纺织服装有限公司")


def test_an_apprenticeship_class_names_the_enterprise_and_a_school_teacher(
        file, enterprise, teacher, start):
    months = start + dt.timedelta(days=120)
    made = file(kind=ClassKind.APPRENTICESHIP, enterprise=enterprise, end_date=months,
                teachers=[(teacher, ClassTeacherRole.SCHOOL_TEACHER)])
    assert made.enterprise == enterprise and made.kind == ClassKind.APPRENTICESHIP
    assert made.teachers.get().role == ClassTeacherRole.SCHOOL_TEACHER


def test_apprenticeship_refusals(file, enterprise, teacher, start, school):
    assert refusal(file, kind=ClassKind.APPRENTICESHIP).errors == {
        "enterprise": "企业新型学徒制培训班须填写学徒所在企业"}
    assert refusal(file, kind=ClassKind.APPRENTICESHIP, enterprise=school).errors == {
        "enterprise": "「商丘市睢阳区古城家政职业培训学校」不是企业，不能作为学徒所在企业"}
    assert refusal(file, kind=ClassKind.APPRENTICESHIP, enterprise=enterprise).errors == {
        "teachers": "企业新型学徒制培训班须至少安排一名院校导师（企校双师）"}
    assert refusal(file, enterprise=enterprise).errors == {
        "enterprise": "只有企业新型学徒制培训班填写学徒所在企业"}
    assert refusal(file, end_date=start + dt.timedelta(days=200)).errors == {
        "end_date": "职业技能培训班的培训期最长 183 天，当前为 201 天"}


# ---------------------------------------------------------------- enterprise staff


def test_an_enterprise_declares_staff_through_the_registry_and_ends_it(user_named, make_person):
    operator = user_named("ent_411402")
    cold_chain = operator.institution
    known = make_person("何职工", "411402")
    staff = classes.enterprise_staff_declare(actor=operator, enterprise=cold_chain,
                                             id_number=known.full_id,
                                             since=dt.date(YEAR, 3, 1))
    assert staff.person == known
    assert classes.is_enterprise_staff(cold_chain, known, on=dt.date(YEAR, 3, 1))
    assert not classes.is_enterprise_staff(cold_chain, known, on=dt.date(YEAR, 2, 28))
    with pytest.raises(Conflict):
        classes.enterprise_staff_declare(actor=operator, enterprise=cold_chain,
                                         id_number=known.full_id, since=dt.date(YEAR, 4, 1))
    with pytest.raises(ServiceError) as exc:
        classes.enterprise_staff_end(actor=operator, staff=staff, until=dt.date(YEAR, 1, 1))
    assert exc.value.errors["until"] == (f"离职日期（{YEAR}-01-01）早于入职日期（{YEAR}-03-01）")
    classes.enterprise_staff_end(actor=operator, staff=staff, until=dt.date(YEAR, 6, 30))
    assert classes.is_enterprise_staff(cold_chain, known, on=dt.date(YEAR, 6, 30))
    assert not classes.is_enterprise_staff(cold_chain, known, on=dt.date(YEAR, 7, 1))


def test_an_unregistered_employee_is_registered_with_the_name_given(user_named):
    from jineng.core.identity import make_resident_number

    operator = user_named("ent_411402")
    number = make_resident_number("411402", dt.date(1995, 7, 7), 417)
    with pytest.raises(ServiceError) as exc:
        classes.enterprise_staff_declare(actor=operator, enterprise=operator.institution,
                                         id_number=number, since=dt.date(YEAR, 1, 5))
    assert exc.value.errors == {"name": "该证件号码尚未实名登记，请填写姓名以完成实名登记"}
    staff = classes.enterprise_staff_declare(actor=operator, enterprise=operator.institution,
                                             id_number=number, name="新学徒",
                                             since=dt.date(YEAR, 1, 5))
    assert staff.person.name == "新学徒"


def test_another_enterprise_cannot_declare_for_this_one(user_named, make_person, enterprise):
    with pytest.raises(Forbidden):
        classes.enterprise_staff_declare(actor=user_named("ent_411402"), enterprise=enterprise,
                                         id_number=make_person().full_id,
                                         since=dt.date(YEAR, 1, 1))


# ---------------------------------------------------------------- the demo


def test_the_demo_classes_were_decided_through_the_chain():
    from jineng.training.demo_classes import demo_classes

    found = demo_classes()
    assert set(found) == {"past", "running", "upcoming", "suiyang", "apprenticeship"}
    today = timezone.localdate()
    assert found["past"].end_date < today - dt.timedelta(days=20)
    assert found["running"].status == ClassStatus.RUNNING
    assert found["running"].sessions.filter(starts_at__date=today).exists() or \
        any(timezone.localtime(s.starts_at).date() == today
            for s in found["running"].sessions.all())
    assert found["upcoming"].status == ClassStatus.APPROVED
    assert found["upcoming"].start_date > today
    assert found["suiyang"].region.code == "411403"
    apprenticeship = found["apprenticeship"]
    assert apprenticeship.enterprise.name == "商丘梁园冷链食品有限公司"
    assert apprenticeship.institution.name == "商丘市梁园区金蓝领职业培训学校"
    assert (apprenticeship.end_date - apprenticeship.start_date).days > 90
    for made in found.values():
        review = review_of(made)
        assert review.state == ReviewState.APPROVED
        assert review.decisions.count() == 2


def test_a_draft_names_only_teachers_the_institution_engages(file, school, make_teacher, start):
    stranger = make_teacher(school, name="卫外聘")  # registered, never engaged here
    error = refusal(file, draft=True, teachers=[stranger], sessions=[])
    assert error.errors["teachers"].startswith("教师「卫*聘」未登记")
    assert not TrainingClass.objects.filter(status=ClassStatus.DRAFT, institution=school).exists()
