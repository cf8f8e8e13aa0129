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


def eval_table(five_fen: int = 20000) -> dict:
    """A complete evaluation-subsidy table (all six levels) with a chosen 五级 figure."""
    return {"amounts_fen": {"special": 10000, "5": five_fen, "4": 24000, "3": 28000,
                            "2": 35000, "1": 38000}}


def eval_data(yuan_by_level: dict) -> dict:
    return {"amounts_fen": {k: v * 100 for k, v in yuan_by_level.items()}}


# Revisions may not take effect in the past, so tests that revise use years ahead of today.
NEXT = dt.date.today().year + 4
