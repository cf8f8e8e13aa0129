"""Demo of online hours, completion and ratings (`jineng loaddemo`; idempotent), through the
services: `load_completion(classes)` takes the dict of the classes demo (`demo_classes()`:
{"past", "running", "upcoming", "suiyang", "apprenticeship"}) after enrolment and attendance.

- Online hours: the demo learning platform (platform_410000, 河南省) posts two records per
  trainee of every open demo class that allows online study (record ids are fixed, so a
  reload posts duplicates, counted once).
- The past class: exam results for its trainees (all pass but one without a login, who
  scores 55, when there are four or more), then completion — whoever the attendance demo
  left below the policy's minimum (a session counts with a confirmed check-in AND
  check-out) fails on attendance.
- Ratings: each completer rates the class on their own account (a worker login is made for a
  demo trainee who has none: trainee_<person id>, the demo password), except worker_411402,
  who is left to try the phone page (评价培训)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from jineng.core.crypto import decrypt
from jineng.orgs import services as orgs_services
from jineng.orgs.demo import DEMO_PASSWORD
from jineng.orgs.models import Role, User
from jineng.people import services as people_services
from jineng.training import attendance, completion
from jineng.training.models import ClassRating, EnrolmentStatus

PLATFORM = "platform_410000"
SCORES = [92, 85, 78, 88, 66, 95, 81, 73]
RATINGS = [[5, 5, 4, 5], [4, 4, 5, 4], [5, 4, 4, 4], [3, 4, 4, 3]]
LEFT_TO_RATE = "worker_411402"


def _operator(training_class) -> User | None:
    """Who records the class's results: its institution's operator, else its county officer."""
    for user in User.objects.filter(institution=training_class.institution, is_active=True):
        if user.has_permission("training.change_enrolment"):
            return user
    for user in User.objects.filter(region=training_class.region, is_active=True):
        if user.has_permission("training.change_enrolment"):
            return user
    return None


def _online(training_class, platform) -> int:
    if not (training_class.allows_online and training_class.status in completion.OPEN_STATES):
        return 0
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    day = min(training_class.end_date, yesterday)
    if day < training_class.start_date:
        return 0
    records = []
    for e in training_class.enrolments.filter(status=EnrolmentStatus.ENROLLED) \
            .select_related("person").order_by("pk")[:5]:
        for n, (course, hours) in enumerate([("安全生产与职业道德", "2"),
                                             ("岗位技能理论（线上）", "3.5")], start=1):
            records.append({"record_id": f"DEMO-{training_class.code}-{e.person_id}-{n}",
                            "id_number": decrypt(e.person.id_cipher), "course": course,
                            "hours": hours, "studied_on": day.isoformat()})
    if not records:
        return 0
    results = completion.online_hours_post(actor=platform, records=records)
    return sum(1 for r in results if r.status == "accepted")


def _complete(training_class) -> None:
    operator = _operator(training_class)
    if operator is None or training_class.status not in completion.OPEN_STATES:
        return
    enrolments = list(training_class.enrolments.filter(status=EnrolmentStatus.ENROLLED)
                      .select_related("person").order_by("pk"))
    if not enrolments:
        return
    # one fails the exam (not a trainee with a login: they are left to rate on the phone)
    no_login = [e.pk for e in enrolments if e.person.user_id is None]
    exam_fail = no_login[-1] if len(enrolments) >= 4 and no_login else None
    items = []
    for i, e in enumerate(enrolments):
        score = 55 if e.pk == exam_fail else SCORES[i % len(SCORES)]
        if e.exam_passed is None:
            items.append({"enrolment": e, "score": str(score), "row": e.person.name})
    if items:
        completion.exam_results_record(actor=operator, training_class=training_class,
                                       results=items)
    _late_results_approved(operator, training_class)
    try:
        completion.class_completion_submit(actor=operator, training_class=training_class)
    except completion.ServiceError:
        return  # e.g. its last session is still to come


def _late_results_approved(operator, training_class) -> None:
    """Last month's class is past the results deadline: the institution submits its
    attendance results late and the county officer approves them, as the rule asks."""
    if timezone.localdate() <= attendance.results_deadline(training_class):
        return
    officer = User.objects.filter(username=f"county_{training_class.region.code}").first()
    if training_class.results_submitted_at is None:
        attendance.attendance_results_submit(actor=operator, training_class=training_class)
    if officer is not None and training_class.late_approved_by_id is None:
        attendance.attendance_late_approve(actor=officer, training_class=training_class,
                                           reason="演示：逾期补报，经核实考勤记录后同意")


def _login(person) -> User | None:
    """The demo trainee's own worker login (made once, linked to their record)."""
    admin = User.objects.filter(username="sysadmin").first()
    officer = User.objects.filter(username="province_410000").first()
    if admin is None or officer is None:
        return None
    username = f"trainee_{person.pk}"
    user = User.objects.filter(username=username).first() or orgs_services.user_create(
        actor=admin, username=username, password=DEMO_PASSWORD, full_name=person.name,
        region=person.residence_region or person.household_region,
        roles=[Role.objects.get(code="worker")], must_change_password=False)
    people_services.person_link_user(actor=officer, person=person, user=user, source="demo")
    return user


def _ratings(training_class) -> int:
    made = 0
    for i, e in enumerate(training_class.enrolments.filter(status=EnrolmentStatus.COMPLETED)
                          .select_related("person__user").order_by("pk")):
        user = e.person.user or _login(e.person)
        if user is None or user.username == LEFT_TO_RATE:
            continue
        if ClassRating.objects.filter(enrolment=e).exists():
            continue
        completion.class_rating_submit(actor=user, enrolment=e,
                                       scores=RATINGS[i % len(RATINGS)], comment="")
        made += 1
    return made


@transaction.atomic
def load_completion(classes: dict, *, stdout=None) -> None:
    platform = User.objects.filter(username=PLATFORM, is_active=True).first()
    accepted = 0
    for training_class in classes.values():
        if training_class is None:
            continue
        training_class.refresh_from_db()
        if platform is not None:
            accepted += _online(training_class, platform)
    past = classes.get("past")
    if past is not None:
        past.refresh_from_db()
        _complete(past)
        _ratings(past)
    if stdout is not None:
        done = past.enrolments.filter(status=EnrolmentStatus.COMPLETED).count() if past else 0
        stdout.write(f"培训：线上学时新接收 {accepted} 条；往期班结业 {done} 人")
