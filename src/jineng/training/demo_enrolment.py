"""Demo enrolments (`jineng loaddemo`): 张三 (worker_411402) and a dozen local people in the
running and past demo classes, through the enrolment service; idempotent."""

from django.db import transaction

from jineng.core.errors import ServiceError
from jineng.orgs.models import User
from jineng.people.models import Person
from jineng.training import enrolment
from jineng.training.models import Enrolment

DEMO_TRAINEES = 12


def _enrolling_actor(training_class):
    """Who enrols into a class in the demo: an operator of its institution, or else the
    county officer of its region."""
    operator = (User.objects.filter(institution=training_class.institution, is_active=True)
                .order_by("pk").first())
    return operator or User.objects.filter(
        username=f"county_{training_class.institution.region.code}").first()


def load_enrolments(classes: dict, stdout=None) -> int:
    """Enrol 张三 (worker_411402) and a dozen demo people into the running and past classes
    of `classes` (demo_classes()'s dict), through the services; idempotent (who is enrolled
    stays, a refusal — a class full, a person not eligible — is skipped)."""
    made = 0
    worker = User.objects.filter(username="worker_411402").first()
    zhang = Person.objects.filter(user=worker).first() if worker else None
    for key in ("running", "past", "suiyang"):
        training_class = classes.get(key)
        if training_class is None:
            continue
        actor = _enrolling_actor(training_class)
        if actor is None:
            continue
        region = training_class.institution.region
        candidates = list(
            Person.objects.filter(household_region__path__startswith=region.path,
                                  teacher__isnull=True)
            .exclude(pk=getattr(zhang, "pk", None))
            .order_by("pk")[:DEMO_TRAINEES * 3])
        people = ([zhang] if zhang else []) + candidates
        enrolled = 0
        for person in people:
            if enrolled >= DEMO_TRAINEES + 1:
                break
            if Enrolment.objects.filter(training_class=training_class, person=person).exists():
                enrolled += 1
                continue
            try:
                with transaction.atomic():
                    enrolment.enrol(actor=actor, training_class=training_class, person=person)
            except ServiceError:
                continue
            enrolled += 1
            made += 1
    if stdout is not None:
        stdout.write(f"培训：新增报名 {made} 人次")
    return made
