import datetime as dt
import itertools

import pytest

from jineng.catalog.models import Occupation, SkillLevel
from jineng.core.identity import make_resident_number
from jineng.orgs.models import Institution, InstitutionKind, Region
from jineng.people import services as people_services
from jineng.training import services
from jineng.training.models import Ownership

_sequence = itertools.count(300)
YEAR = dt.date.today().year


@pytest.fixture
def occupation(db):
    return Occupation.objects.get(code="6-31-01-03", is_current=True)  # 电工


@pytest.fixture
def level(db):
    return SkillLevel.objects.get(code="4")


@pytest.fixture
def suiyang_school(db):
    """古城家政职业培训学校 of 睢阳区 (411403), with no designation in the demo."""
    return Institution.objects.get(name="商丘市睢阳区古城家政职业培训学校")


@pytest.fixture
def make_institution(db):
    def make(name: str, region_code: str = "411403", kind=InstitutionKind.TRAINING):
        return Institution.objects.create(
            name=name, kind=kind, region=Region.objects.get(code=region_code),
            credit_code=f"52{abs(hash(name)) % 10**16:016d}")
    return make


@pytest.fixture
def make_person(user_named):
    def make(name: str = "赵老师", region_code: str = "411403"):
        number = make_resident_number(region_code, dt.date(1980, 1, 1), next(_sequence))
        person = people_services.person_create(
            actor=user_named("city_411400"), id_number=number, name=name,
            household_region=region_code, residence_region=region_code)
        person.full_id = number  # what a form or the API is given
        return person
    return make


@pytest.fixture
def make_teacher(user_named, make_person):
    def make(institution, name="赵老师", expires=None):
        return services.teacher_register(
            actor=user_named("county_411403"), institution=institution,
            person=make_person(name, institution.region.code),
            qualification_number=f"豫培师{next(_sequence)}",
            qualification_expires=expires or dt.date(YEAR + 2, 12, 31))
    return make


@pytest.fixture
def apply(user_named, occupation, level):
    def make(institution, ownership=Ownership.PRIVATE, actor="county_411403", **kwargs):
        fields = {"occupations": [occupation], "levels": [level],
                  "valid_from": dt.date(YEAR, 1, 1), "valid_to": dt.date(YEAR + 1, 12, 31),
                  **kwargs}
        return services.designation_submit(actor=user_named(actor), institution=institution,
                                           ownership=ownership, **fields)
    return make


@pytest.fixture
def no_demo_wishes(db):
    """The demo records training wishes (and the notices of its classes); tests of wishes
    count their own from an empty start. Rolled back with the test."""
    from jineng.training.models import TrainingWish, WishNotice

    WishNotice.objects.all().delete()
    TrainingWish.objects.all().delete()


@pytest.fixture
def no_demo_ratings(db):
    """The demo's completers rate their class; rating tests count their own. Rolled back."""
    from jineng.training.models import ClassRating

    ClassRating.objects.all().delete()
