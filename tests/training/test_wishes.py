"""Training wishes (培训意愿摸排): recording (officer, worker), each refusal, one active wish per
person and occupation, withdrawing; matching classes that open, idempotently; the worker's
pages."""

import datetime as dt

import pytest

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.errors import Forbidden, NotFound, ServiceError
from jineng.core.models import AuditEvent
from jineng.core.refusals import OutOfScope
from jineng.orgs.models import Region
from jineng.people.models import Person
from jineng.training import demo_wishes, wishes
from jineng.training.models import ClassStatus, Enrolment, TrainingWish, WishNotice, WishSource
from tests.training import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_wishes")]

TODAY = dt.date.today()
YEAR = TODAY.year


@pytest.fixture
def electrician(db):
    return Occupation.objects.get(code="6-31-01-03", is_current=True)


@pytest.fixture
def housekeeper(db):
    return Occupation.objects.get(code="4-10-01-06", is_current=True)


def _record(user_named, who, occupation="电工", region="411403", actor="county_411403",
            **fields):
    return wishes.wish_record(actor=user_named(actor), person=who, occupation=occupation,
                              region=region, **fields)


def _zhang():
    return Person.objects.get(user__username="worker_411402")


# ---------------------------------------------------------------- recording


def test_an_officer_records_a_wish_by_identity_number(user_named, electrician):
    who = factories.person("411403", "周想学")
    wish = wishes.wish_record_by_id(
        actor=user_named("county_411403"), id_number=who.full_id, occupation="6-31-01-03",
        level="四级", region="睢阳区", available_from=TODAY,
        available_to=TODAY + dt.timedelta(days=90), time_note="周末")
    assert (wish.person, wish.occupation, wish.level.code, wish.region.code) == (
        who, electrician, "4", "411403")
    assert wish.source == WishSource.OFFICER and wish.time_note == "周末"
    assert wish.recorded_by.username == "county_411403" and not wish.was_update
    event = AuditEvent.objects.filter(action="wish_record", object_id=str(wish.pk)).get()
    assert event.changes["person"] == who.id_masked
    assert who.full_id not in str(event.changes)  # only the masked number is audited


def test_the_same_person_and_occupation_again_is_an_update_not_a_second_wish(user_named,
                                                                             electrician):
    who = factories.person("411403")
    first = _record(user_named, who, time_note="周末")
    second = _record(user_named, who, occupation="电工", time_note="晚上", level="5")
    assert second.pk == first.pk and second.was_update
    assert TrainingWish.objects.filter(person=who, occupation=electrician).count() == 1
    second.refresh_from_db()
    assert second.time_note == "晚上" and second.level.code == "5"
    update = AuditEvent.objects.get(action="wish_update", object_id=str(first.pk))
    assert update.changes["time_note"] == ["周末", "晚上"]


def test_a_person_may_want_several_occupations(user_named, housekeeper):
    who = factories.person("411403")
    _record(user_named, who)
    _record(user_named, who, occupation=housekeeper)
    assert TrainingWish.objects.filter(person=who, is_active=True).count() == 2


def test_a_withdrawn_wish_no_longer_counts_and_a_new_one_may_be_recorded(user_named):
    who = factories.person("411403")
    wish = _record(user_named, who)
    wishes.wish_withdraw(actor=user_named("county_411403"), wish=wish)
    wish.refresh_from_db()
    assert not wish.is_active
    with pytest.raises(ServiceError, match="已撤销"):
        wishes.wish_withdraw(actor=user_named("county_411403"), wish=wish)
    again = _record(user_named, who)
    assert again.pk != wish.pk and not again.was_update


@pytest.mark.parametrize("fields, field, text", [
    ({"occupation": "不存在的职业"}, "occupation", "不存在"),
    ({"occupation": "9-99-99-99"}, "occupation", "职业代码 9-99-99-99 不存在"),
    ({"occupation": ""}, "occupation", "请填写想学的职业"),
    ({"occupation": "6-31-01"}, "occupation", "不存在"),
    ({"work_type": "飞行员"}, "work_type", "职业「电工」下没有工种「飞行员」"),
    ({"level": "十级"}, "level", "不是可识别的等级"),
    ({"region": "火星"}, "region", "不存在"),
    ({"available_from": TODAY + dt.timedelta(days=30), "available_to": TODAY},
     "available_to", "早于可参训起"),
    ({"available_to": TODAY - dt.timedelta(days=1)}, "available_to", "已经过去"),
    ({"available_from": "明年"}, "available_from", "不是可识别的日期"),
    ({"time_note": "周" * 61}, "time_note", "最多 60 个字"),
])
def test_each_bad_field_is_refused_in_chinese_naming_the_field(user_named, fields, field,
                                                               text):
    who = factories.person("411403")
    data = {"occupation": "电工", "region": "411403", **fields}
    with pytest.raises(ServiceError) as refused:
        wishes.wish_record(actor=user_named("county_411403"), person=who, **data)
    assert text in refused.value.errors[field]
    assert not TrainingWish.objects.filter(person=who).exists()


def test_an_unregistered_number_is_refused_naming_the_field(user_named):
    from jineng.core.identity import make_resident_number

    with pytest.raises(ServiceError) as refused:
        wishes.wish_record_by_id(actor=user_named("county_411403"),
                                 id_number=make_resident_number("411403", dt.date(1991, 1, 1),
                                                                777),
                                 occupation="电工", region="411403")
    assert "尚未实名登记" in refused.value.errors["id_number"]
    with pytest.raises(ServiceError) as refused:
        wishes.wish_record_by_id(actor=user_named("county_411403"), id_number="12345",
                                 occupation="电工", region="411403")
    assert "id_number" in refused.value.errors


def test_an_officer_records_only_in_their_region(user_named):
    who = factories.person("411403")
    with pytest.raises(OutOfScope) as refused:
        _record(user_named, who, region="411402")  # 睢阳区's officer, 梁园区
    assert refused.value.errors["region"] == "无权在「梁园区」登记培训意愿"
    with pytest.raises(OutOfScope):
        _record(user_named, who, region="411400")  # the city above
    assert _record(user_named, who, region="411400", actor="city_411400").region.code == "411400"


def test_an_officer_may_record_for_a_person_registered_elsewhere(user_named):
    """A worker registered in 睢阳区 who lives and trains in 梁园区."""
    who = factories.person("411403")
    wish = wishes.wish_record_by_id(actor=user_named("county_411402"), id_number=who.full_id,
                                    occupation="电工", region="梁园区")
    assert wish.region.code == "411402"


def test_an_officer_cannot_take_over_another_countys_wish(user_named):
    who = factories.person("411403")
    _record(user_named, who)  # in 睢阳区
    with pytest.raises(OutOfScope) as refused:
        _record(user_named, who, region="411402", actor="county_411402")
    assert "不在您的管辖范围内" in refused.value.errors["occupation"]


def test_an_institution_and_a_reviewer_record_no_wishes(user_named):
    who = factories.person("411402")
    for username in ("inst_411402", "reviewer_411400"):
        with pytest.raises(Forbidden):
            _record(user_named, who, region="411402", actor=username)


def test_a_worker_records_only_their_own_wish(user_named):
    worker = user_named("worker_411402")
    own = wishes.wish_record_self(actor=worker, occupation="电工", region="梁园区",
                                  time_note="晚上")
    assert own.person == _zhang() and own.source == WishSource.SELF
    other = factories.person("411402")
    with pytest.raises(Forbidden, match="只能填报本人的培训意愿"):
        wishes.wish_record(actor=worker, person=other, occupation="电工", region="411402",
                           source=WishSource.SELF)
    with pytest.raises(OutOfScope):  # as an officer would
        wishes.wish_record(actor=worker, person=other, occupation="电工", region="411402")
    with pytest.raises(NotFound):
        wishes.wish_withdraw(actor=worker, wish=_record(user_named, other, region="411403"))


# ---------------------------------------------------------------- matching classes


@pytest.fixture
def suiyang_class(db):
    """An approved 电工 四级 class in 睢阳区 from in 10 days, for 10 days."""
    return factories.training_class(start=TODAY + dt.timedelta(days=10), days=10)


def test_a_class_that_opens_tells_every_matching_wish_once(user_named, suiyang_class,
                                                           housekeeper):
    start, end = suiyang_class.start_date, suiyang_class.end_date
    county = _record(user_named, factories.person("411403", "县里人"))
    city = _record(user_named, factories.person("411402", "市里人"), region="411400",
                   actor="city_411400")
    level = _record(user_named, factories.person("411403", "要四级"), level="4",
                    available_from=start - dt.timedelta(days=5), available_to=start)
    no = [
        _record(user_named, factories.person("411402"), region="411402",
                actor="county_411402"),  # the sibling county
        _record(user_named, factories.person("411403"), occupation=housekeeper),
        _record(user_named, factories.person("411403"), level="5"),  # another level
        _record(user_named, factories.person("411403"),
                available_from=end + dt.timedelta(days=1)),  # only free after the class
        _record(user_named, factories.person("411403"),
                available_to=start - dt.timedelta(days=1)),  # free only before
    ]
    gone = _record(user_named, factories.person("411403"))
    wishes.wish_withdraw(actor=user_named("county_411403"), wish=gone)
    enrolled = _record(user_named, factories.person("411403"))
    Enrolment.objects.create(training_class=suiyang_class, person=enrolled.person)

    assert wishes.notify_class_opened(suiyang_class) == 3
    told = set(WishNotice.objects.filter(training_class=suiyang_class)
               .values_list("wish_id", flat=True))
    assert told == {county.pk, city.pk, level.pk}
    assert not told & {w.pk for w in [*no, gone, enrolled]}
    assert wishes.notify_class_opened(suiyang_class) == 0  # idempotent
    assert WishNotice.objects.filter(training_class=suiyang_class).count() == 3
    assert AuditEvent.objects.filter(action="wish_notify",
                                     object_id=str(suiyang_class.pk)).count() == 1
    later = _record(user_named, factories.person("411403"))
    assert wishes.notify_class_opened(suiyang_class) == 1  # only the new wish
    assert WishNotice.objects.filter(wish=later).exists()


def test_a_class_filed_for_the_whole_city_meets_its_counties_wishes_and_a_draft_none(
        user_named):
    county = _record(user_named, factories.person("411403"))
    sibling = _record(user_named, factories.person("411402"), region="411402",
                      actor="county_411402")
    elsewhere = _record(user_named, factories.person("532501"), region="532501",
                        actor="city_532500")  # 红河州, another province
    citywide = factories.training_class(region=Region.objects.get(code="411400"))
    matched = set(wishes.matching_wishes(citywide))
    assert {county, sibling} <= matched and elsewhere not in matched
    draft = factories.training_class(status=ClassStatus.FILED)
    assert county in wishes.matching_wishes(draft)  # it would match, but is not open yet
    assert wishes.notify_class_opened(draft) == 0
    assert not WishNotice.objects.filter(training_class=draft).exists()


def test_the_work_type_a_wish_names_must_be_the_class_one(user_named, suiyang_class,
                                                          electrician):
    from jineng.catalog.models import WorkType

    kind = WorkType.objects.filter(occupation=electrician).first() or WorkType.objects.create(
        occupation=electrician, name="维修电工")
    named = _record(user_named, factories.person("411403"), work_type=kind.name)
    assert named not in wishes.matching_wishes(suiyang_class)  # the class names no 工种
    suiyang_class.work_type = kind
    assert named in wishes.matching_wishes(suiyang_class)


# ---------------------------------------------------------------- the worker's pages


def test_a_worker_fills_in_a_wish_on_the_phone_and_sees_it(client_for):
    client = client_for("worker_411402")
    form = client.get("/training/my/wishes/new/")
    assert form.status_code == 200
    html = form.content.decode()
    assert "填报培训意愿" in html and "梁园区" in html  # where they live, filled in
    response = client.post("/training/my/wishes/new/", {
        "occupation": "电工", "region": "411402", "level": "", "time_note": "周末",
        "available_from": "", "available_to": ""})
    assert response.status_code == 302 and response["Location"] == "/training/my/wishes/"
    wish = TrainingWish.objects.get(person=_zhang())
    assert wish.source == WishSource.SELF and wish.time_note == "周末"
    page = client.get("/training/my/wishes/").content.decode()
    assert "电工" in page and "周末" in page and "有效" in page
    archive = client.get("/people/me/").content.decode()
    assert "培训意愿" in archive and "电工" in archive


def test_the_worker_form_names_a_bad_occupation_and_writes_nothing(client_for):
    response = client_for("worker_411402").post("/training/my/wishes/new/", {
        "occupation": "会飞的职业", "region": "411402"})
    assert response.status_code == 400
    assert "会飞的职业" in response.content.decode()
    assert not TrainingWish.objects.filter(person=_zhang()).exists()


def test_a_worker_withdraws_their_own_wish_on_the_page(client_for, user_named):
    wish = wishes.wish_record_self(actor=user_named("worker_411402"), occupation="电工",
                                   region="411402")
    client = client_for("worker_411402")
    response = client.post(f"/training/wishes/{wish.pk}/withdraw/")
    assert response.status_code == 302 and response["Location"] == "/training/my/wishes/"
    wish.refresh_from_db()
    assert not wish.is_active
    assert "已撤销" in client.get("/training/my/wishes/").content.decode()


def test_a_worker_reads_the_notice_of_a_class_that_opened_and_marks_it_read(
        client_for, user_named, suiyang_class):
    wishes.wish_record_self(actor=user_named("worker_411402"), occupation="电工",
                            region="411400")
    assert wishes.notify_class_opened(suiyang_class) == 1
    notice = WishNotice.objects.get(wish__person=_zhang())
    client = client_for("worker_411402")
    assert "有 1 条新的开班通知" in client.get("/training/my/wishes/").content.decode()
    listing = client.get("/training/my/notices/").content.decode()
    assert suiyang_class.name in listing and f"/training/my/notices/{notice.pk}/" in listing
    assert "未读" in listing
    detail = client.get(f"/training/my/notices/{notice.pk}/").content.decode()
    assert suiyang_class.venue in detail and suiyang_class.institution.name in detail
    archive = client.get("/people/me/").content.decode()
    assert "开班通知" in archive and f"/training/my/notices/{notice.pk}/" in archive
    response = client.post(f"/training/my/notices/{notice.pk}/read/")
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "有 1 条新的开班通知" not in client.get("/training/my/wishes/").content.decode()


def test_another_persons_notice_is_the_same_404_as_a_missing_one(client_for, user_named,
                                                                 suiyang_class):
    _record(user_named, factories.person("411403"))
    wishes.notify_class_opened(suiyang_class)
    notice = WishNotice.objects.get()
    client = client_for("worker_411402")
    assert client.get(f"/training/my/notices/{notice.pk}/").status_code == 404
    assert client.post(f"/training/my/notices/{notice.pk}/read/").status_code == 404
    assert client.get("/training/my/notices/987654/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_all_read(client_for, user_named, suiyang_class):
    wishes.wish_record_self(actor=user_named("worker_411402"), occupation="电工",
                            region="411402")
    other = factories.training_class(factories.institution("411402"),
                                     start=TODAY + dt.timedelta(days=3))
    wishes.notify_class_opened(other)
    client = client_for("worker_411402")
    assert client.post("/training/my/notices/read-all/").status_code == 302
    assert not WishNotice.objects.filter(wish__person=_zhang(), read_at__isnull=True).exists()


# ---------------------------------------------------------------- officers' pages


def test_an_officer_records_on_the_page_and_the_list_masks_the_number(client_for):
    who = factories.person("411403", "页面登记")
    client = client_for("county_411403")
    response = client.post("/training/wishes/new/", {
        "id_number": who.full_id, "occupation": "电工", "region": "411403",
        "time_note": "晚上"})
    assert response.status_code == 302
    wish = TrainingWish.objects.get(person=who)
    assert response["Location"] == f"/training/wishes/{wish.pk}/"
    listing = client.get("/training/wishes/?q=页面登记").content.decode()
    assert "页面登记" in listing and who.id_masked in listing and who.full_id not in listing
    detail = client.get(f"/training/wishes/{wish.pk}/").content.decode()
    assert who.id_masked in detail and who.full_id not in detail


def test_the_record_page_names_an_unregistered_number(client_for):
    from jineng.core.identity import make_resident_number

    response = client_for("county_411403").post("/training/wishes/new/", {
        "id_number": make_resident_number("411403", dt.date(1992, 2, 2), 555),
        "occupation": "电工", "region": "411403"})
    assert response.status_code == 400
    assert "尚未实名登记" in response.content.decode()


def test_a_worker_opening_the_officers_list_lands_on_their_own(client_for):
    response = client_for("worker_411402").get("/training/wishes/")
    assert response.status_code == 302 and response["Location"] == "/training/my/wishes/"
    assert client_for("worker_411402").get("/training/wishes/new/").status_code == 403


def test_menu_shows_wishes_to_officers_and_the_workers_own_pages_to_workers(client_for):
    officer = client_for("county_411403").get("/").content.decode()
    assert "/training/wishes/" in officer and "/training/wishes/summary/" in officer
    worker = client_for("worker_411402").get("/").content.decode()
    assert "/training/my/wishes/" in worker and "/training/my/notices/" in worker
    assert "/training/wishes/summary/" not in worker
    institution = client_for("inst_411402").get("/").content.decode()
    assert "/training/wishes/summary/" in institution
    assert 'href="/training/wishes/"' not in institution


def test_the_demo_loads_wishes_through_the_services_once(user_named, electrician):
    first = demo_wishes.load_wishes()
    assert first >= 20
    assert demo_wishes.load_wishes() == 0
    zhang = TrainingWish.objects.get(person=_zhang(), occupation=electrician, is_active=True)
    assert zhang.region.code == "411402" and zhang.source == WishSource.SELF
    regions = set(TrainingWish.objects.values_list("region__code", flat=True))
    assert {"411402", "411403"} <= regions
    assert AuditEvent.objects.filter(action="wish_record").count() >= first


def test_the_level_parser_takes_codes_names_and_short_names():
    assert wishes.parse_level("4").code == "4"
    assert wishes.parse_level("四级").code == "4"
    assert wishes.parse_level("中级工").code == "4"
    assert wishes.parse_level("四级/中级工").code == "4"
    assert wishes.parse_level(5.0).code == "5"
    assert wishes.parse_level("") is None
    assert wishes.parse_level(SkillLevel.objects.get(code="3")).code == "3"

