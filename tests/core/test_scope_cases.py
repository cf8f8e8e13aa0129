"""The scope case matrix (tests/scope_cases.py) for core's scoped models: a review chain and
a review, each in 睢阳区 (411403)."""

from jineng.core.models import Review, ReviewChain, ReviewLevel
from jineng.core.review import review_chain_save, review_submit
from jineng.orgs.models import Institution, Region
from tests.core.review_kit import FIRST, KIND, setup_kind
from tests.scope_cases import ScopeCases


class TestReviewChainScope(ScopeCases):
    model = ReviewChain

    def make(self, user_named):
        setup_kind()
        return review_chain_save(actor=user_named("province_410000"), kind=KIND,
                                 region=Region.objects.get(code="411403"),
                                 steps=[(FIRST, ReviewLevel.COUNTY)])


class TestReviewScope(ScopeCases):
    model = Review

    def make(self, user_named):
        setup_kind()
        institution = Institution.objects.get(name="商丘市睢阳区古城家政职业培训学校")
        return review_submit(actor=user_named("sysadmin"), kind=KIND, subject=institution)
