"""After completing, the trainee rates the class on their phone, once; each institution's
average and count show on its designation page and in the public directory; an institution
below the policy's threshold (sample: 3.0) with at least RATING_MIN_COUNT ratings is flagged
for review."""

from decimal import Decimal

import pytest

from jineng.core.errors import Conflict, Forbidden, NotFound, ServiceError
from jineng.training import completion
from jineng.training.models import ClassRating, Designation, DesignationStatus, EnrolmentStatus
from tests.training import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_demo_ratings")]


def _completed(user_named, who=None, school=None):
    school = school or user_named("inst_411402").institution
    training_class = factories.training_class(school)
    return factories.enrolment(training_class, who=who, status=EnrolmentStatus.COMPLETED)


def _rate(enrolments, scores):
    for e in enrolments:
        ClassRating.objects.create(enrolment=e, institution=e.training_class.institution,
                                   scores=scores, average=Decimal(sum(scores)) / len(scores))


def test_a_completer_rates_once_on_the_phone_page(client_for, user_named):
    worker = user_named("worker_411402")
    enrolment = _completed(user_named, who=worker.person)
    client = client_for("worker_411402")
    mine = client.get("/training/ratings/mine/").content.decode()
    assert enrolment.training_class.name in mine and "去评价" in mine
    url = f"/training/enrolments/{enrolment.pk}/rate/"
    form = client.get(url).content.decode()
    assert all(text in form for _key, text in completion.QUESTIONS)
    missing = client.post(url, {"q1": "5", "q2": "4"})
    assert missing.status_code == 400 and "请选择 1–5 分" in missing.content.decode()
    saved = client.post(url, {"q1": "5", "q2": "4", "q3": "4", "q4": "3", "comment": "实操多"})
    assert saved.status_code == 302
    rating = ClassRating.objects.get(enrolment=enrolment)
    assert (rating.scores, rating.average, rating.comment) == ([5, 4, 4, 3], Decimal("4.00"),
                                                               "实操多")
    assert rating.institution == enrolment.training_class.institution
    again = client.post(url, {"q1": "1", "q2": "1", "q3": "1", "q4": "1"})
    assert "您已评价过该培训班，每次培训只能评价一次" in again.content.decode()
    assert ClassRating.objects.filter(enrolment=enrolment).count() == 1
    assert "已评价：4.00 分" in client.get("/training/ratings/mine/").content.decode()


def test_rating_twice_through_the_service_is_a_conflict(user_named):
    worker = user_named("worker_411402")
    enrolment = _completed(user_named, who=worker.person)
    completion.class_rating_submit(actor=worker, enrolment=enrolment, scores=[5, 5, 5, 5])
    with pytest.raises(Conflict):
        completion.class_rating_submit(actor=worker, enrolment=enrolment, scores=[1, 1, 1, 1])


def test_only_the_completer_rates_and_only_after_completing(user_named):
    worker = user_named("worker_411402")
    failed = _completed(user_named, who=worker.person)
    failed.status = EnrolmentStatus.FAILED
    failed.save()
    with pytest.raises(ServiceError) as exc:
        completion.class_rating_submit(actor=worker, enrolment=failed, scores=[5, 5, 5, 5])
    assert exc.value.message == "结业后才能评价，该报名当前为「未通过」"
    someone_else = _completed(user_named)
    with pytest.raises(NotFound):
        completion.class_rating_submit(actor=worker, enrolment=someone_else, scores=[5, 5, 5, 5])
    with pytest.raises(Forbidden):  # an officer or institution has no say here
        completion.class_rating_submit(actor=user_named("county_411402"),
                                       enrolment=someone_else, scores=[5, 5, 5, 5])


def test_bad_scores_name_the_question(user_named):
    worker = user_named("worker_411402")
    enrolment = _completed(user_named, who=worker.person)
    with pytest.raises(ServiceError) as exc:
        completion.class_rating_submit(actor=worker, enrolment=enrolment, scores=[5, 6, 5, 5])
    assert exc.value.errors == {"q2": "第 2 题「教师讲解清楚，实操指导到位」请选择 1–5 分"}
    with pytest.raises(ServiceError) as short:
        completion.class_rating_submit(actor=worker, enrolment=enrolment, scores=[5, 5])
    assert short.value.errors == {"scores": "请回答全部 4 个问题"}
    assert not ClassRating.objects.filter(enrolment=enrolment).exists()


def test_the_api_takes_a_rating_from_the_worker(api_for, user_named):
    worker = user_named("worker_411402")
    enrolment = _completed(user_named, who=worker.person)
    url = f"/api/v1/training/enrolments/{enrolment.pk}/rating"
    response = api_for("worker_411402").post(url, {"scores": [4, 4, 5, 5], "comment": ""},
                                             content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["average"] == "4.50"
    again = api_for("worker_411402").post(url, {"scores": [4, 4, 5, 5]},
                                          content_type="application/json")
    assert again.status_code == 409


def _demo_designation(user_named):
    return Designation.objects.filter(institution=user_named("inst_411402").institution,
                                      status=DesignationStatus.DESIGNATED).order_by("pk").first()


def test_average_and_count_show_on_the_designation_page_and_directory(client_for, user_named):
    enrolments = [_completed(user_named) for _ in range(3)]
    _rate(enrolments[:2], [5, 4, 4, 5])
    _rate(enrolments[2:], [3, 3, 3, 3])
    designation = _demo_designation(user_named)
    page = client_for("county_411402").get(f"/training/designations/{designation.pk}/")
    html = page.content.decode()
    assert "平均 4.0 分（满分 5 分，3 条评价）" in html  # (4.5 + 4.5 + 3) / 3
    assert 'data-testid="rating-flag"' not in html
    directory = client_for("worker_411402").get("/training/directory/?region=梁园区")
    assert "4.0 分（3 条）" in directory.content.decode()
    public = client_for("worker_411402").get("/api/v1/training/institution-ratings").json()
    mine = [r for r in public["items"] if r["institution_name"] == designation.institution.name]
    assert mine == [{"institution_name": designation.institution.name, "region_name": "梁园区",
                     "average": "4.00", "count": 3, "flagged": False}]


def test_below_the_threshold_with_enough_ratings_is_flagged(client_for, user_named):
    designation = _demo_designation(user_named)
    low = [_completed(user_named) for _ in range(completion.RATING_MIN_COUNT)]
    _rate(low[:-1], [2, 3, 3, 3])  # 2.75 each
    summary = completion.institution_rating(designation.institution)
    assert (summary.count, summary.flagged) == (completion.RATING_MIN_COUNT - 1, False)
    _rate(low[-1:], [2, 3, 3, 3])
    summary = completion.institution_rating(designation.institution)
    assert (summary.average, summary.flagged) == (Decimal("2.75"), True)
    html = client_for("county_411402").get(
        f"/training/designations/{designation.pk}/").content.decode()
    assert "评价平均分低于 3.0 分，列入复核" in html
    flagged = client_for("city_411400").get("/training/ratings/flagged/")
    assert [s.institution for s in flagged.context["flagged"]] == [designation.institution]
    sibling = client_for("county_411403").get("/training/ratings/flagged/")
    assert sibling.context["flagged"] == []
    api = client_for("county_411402").get("/api/v1/training/ratings/flagged")
    assert api.status_code == 200
    assert [(r["institution_name"], r["flagged"]) for r in api.json()] == [
        (designation.institution.name, True)]


def test_at_the_threshold_is_not_flagged(user_named):
    designation = _demo_designation(user_named)
    enrolments = [_completed(user_named) for _ in range(completion.RATING_MIN_COUNT)]
    _rate(enrolments, [3, 3, 3, 3])
    assert not completion.institution_rating(designation.institution).flagged


def test_a_worker_sees_only_their_own_ratings(client_for, user_named):
    worker = user_named("worker_411402")
    mine = _completed(user_named, who=worker.person)
    other = _completed(user_named)
    _rate([mine, other], [4, 4, 4, 4])
    listing = client_for("worker_411402").get("/training/ratings/")
    assert [r.enrolment_id for r in listing.context["page"].object_list] == [mine.pk]
