"""Demo attendance (`jineng loaddemo`; idempotent): the trainees of the class that ran last
month check in and out of its sessions on their phones, through `attendance.check_in` at
the sessions' times (`now=`). One checks in from about 1.2 km away (flagged: outside the
venue) and one comes late once; the last trainee is there only on the first day (the
completion demo fails them on attendance). Trainees without a login get a demo worker
account (the demo password), linked to their person, since only the trainee checks in."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jineng.orgs.models import Role, User
from jineng.people import services as people_services
from jineng.training import attendance
from jineng.training.models import CheckKind, Enrolment, EnrolmentStatus

MAX_TRAINEES = 20  # every trainee of the demo class
FAR_NORTH = Decimal("0.011")  # ≈ 1.2 km


def _account(person, *, sysadmin, officer, password) -> User | None:
    """The trainee's login: theirs, or a demo worker account made and linked now."""
    if person.user_id:
        return person.user
    from jineng.orgs import services as orgs_services

    username = f"trainee_{person.pk}"
    user = User.objects.filter(username=username).first() or orgs_services.user_create(
        actor=sysadmin, username=username, password=password, full_name=person.name,
        region=person.household_region, roles=[Role.objects.get(code="worker")],
        must_change_password=False)
    people_services.person_link_user(actor=officer, person=person, user=user, source="demo")
    return user


@transaction.atomic
def load_attendance(classes: dict, *, stdout=None) -> int:
    """Check-ins of the past class (`classes["past"]` of `demo_classes()`); the number of
    records made this time (none on a second run)."""
    from jineng.orgs.demo import DEMO_PASSWORD

    past = classes.get("past")
    sysadmin = User.objects.filter(username="sysadmin").first()
    officer = User.objects.filter(username="city_411400").first()
    if past is None or sysadmin is None or officer is None:
        return 0
    sessions = list(past.sessions.order_by("starts_at"))
    enrolments = list(Enrolment.objects.filter(training_class=past,
                                               status=EnrolmentStatus.ENROLLED)
                      .select_related("person__household_region", "person__user")
                      .order_by("pk")[:MAX_TRAINEES])
    now = timezone.now()
    made = 0
    for i, enrolment in enumerate(enrolments):
        user = _account(enrolment.person, sysadmin=sysadmin, officer=officer,
                        password=DEMO_PASSWORD)
        device = f"demo-phone-{enrolment.person_id}"
        absent = i == len(enrolments) - 1 and len(enrolments) > 2
        for day, session in enumerate(sessions):
            if session.ends_at > now or (absent and day > 0):
                continue
            lat, lng = past.venue_lat, past.venue_lng
            if i == 0 and day == 0:
                lat += FAR_NORTH  # outside the venue's radius: flagged
            minutes = 25 if (i == 1 and day == 1) else i - 10  # late once, else early
            for kind, at in ((CheckKind.IN, session.starts_at + dt.timedelta(minutes=minutes)),
                             (CheckKind.OUT, session.ends_at + dt.timedelta(minutes=2 + i))):
                done = attendance.check_in(
                    actor=user, token=attendance.qr_token(session, now=at), lat=lat,
                    lng=lng + Decimal(i) / 100000, device_id=device, kind=kind, now=at)
                made += done.created
    if stdout is not None:
        stdout.write(f"考勤：{past.name} 新增签到签退 {made} 条")
    return made
