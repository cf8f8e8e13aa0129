import datetime as dt

import pytest

from jineng.catalog.models import PolicyDocument
from jineng.orgs.models import Region

D = dt.date


@pytest.fixture
def region():
    def get(code: str) -> Region:
        return Region.objects.get(code=code)

    return get


@pytest.fixture
def doc_shangqiu(db):
    return PolicyDocument.objects.get(number="商政办〔2022〕9号")


def eval_data(yuan_by_level: dict) -> dict:
    return {"amounts_fen": {k: v * 100 for k, v in yuan_by_level.items()}}


# Revisions may not take effect in the past, so tests that revise use years ahead of today.
NEXT = dt.date.today().year + 4
