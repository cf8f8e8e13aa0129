"""The 1/3 full-time rule on any counts, an institution that is not in good standing, and
the demo loading again without adding anything."""

import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from jineng.core.errors import ServiceError
from jineng.orgs.models import InstitutionStatus
from jineng.training.models import Designation, Engagement, SchoolReport, Teacher
from jineng.training.selectors import share_problem


@given(full=st.integers(0, 60), part=st.integers(0, 120))
def test_the_share_is_kept_exactly_when_full_time_teachers_are_a_third(full, part):
    total = full + part
    problem = share_problem("某校", 2026, full, total)
    assert (problem is None) == (total > 0 and 3 * full >= total)
    if problem and total:
        assert f"专职教师 {full} 人，教师共 {total} 人" in problem
        assert f"至少 {-(-total // 3)} 人" in problem


@pytest.mark.django_db
def test_a_suspended_institution_cannot_apply(apply, suiyang_school):
    suiyang_school.status = InstitutionStatus.SUSPENDED
    suiyang_school.save()
    with pytest.raises(ServiceError) as exc:
        apply(suiyang_school)
    assert exc.value.errors["institution"] == (
        "「商丘市睢阳区古城家政职业培训学校」的机构状态为「暂停」，不能申请定点")


@pytest.mark.django_db
def test_loaddemo_again_adds_nothing():
    models = (Designation, Teacher, Engagement, SchoolReport)
    before = [m.objects.count() for m in models]
    call_command("loaddemo", stdout=io.StringIO())
    assert [m.objects.count() for m in models] == before
    assert before[0] >= 1 and before[1] >= 2
