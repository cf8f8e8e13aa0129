"""Row locks of the registry (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.people.models import Person


def person_lock(person: Person) -> Person:
    return locked(Person.objects.filter(pk=person.pk)).get()

