"""Row locks of the registry (see core/lock_objects.py)."""

from jineng.core.lock_objects import locked
from jineng.people.models import Person


def person_lock(person: Person) -> Person:
    return locked(Person.objects.filter(pk=person.pk)).get()


def people_lock(ids) -> list[Person]:
    """Several people, in primary-key order (as every multi-row lock is taken)."""
    return list(locked(Person.objects.filter(pk__in=ids)))

