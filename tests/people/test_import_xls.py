"""The legacy .xls format (BIFF8), read by python-calamine like .xlsx.

The file below was written once with xlwt 1.3.0 (not a dependency: `pip install --target
/tmp/xlwt xlwt`) and is embedded here, compressed: a merged title row, then 姓名 /
公民身份号码 / 性别 / 出生日期 / 联系电话 / 户籍所在地, and three people — a text number
with a date cell, a 15-digit legacy number in a number cell with a 年月日 date and a numeric
phone, and an 18-digit number in a number cell (precision lost) with a serial date.
"""

import base64
import datetime as dt
import zlib

import pytest

import tests.people.test_import_kit as kit
from jineng.people.models import Person
from tests.people.test_import_kit import read_report

pytestmark = pytest.mark.django_db
run_import = kit.run_import  # the fixture

XLS = """
eNrtWGtIFFEU/u7M7EtdXcuCCkyi9wN2XSMNantQ/WrJlMyK0m2XiszCkh5E2cNfPQiCouhPUD8ievinB0UURAQF
hUJBEWjln6IfQdFTt3PO3NmsDBIqKOYb5sw9555zvzv3PXP/Xn778ZbBHfgOU2GiOx2At4dN0R1wlBAoP53mpPP0
05128U8h4KeO9HpwJXjXx33I/d0BA+etGySBp3QvwTrE19aniv4iZkgdahXXYQpJhWNkycUgqVU/kctF9hd5Tjyv
ipwmln0ip5Bvu1qEe7H42FI9ihcawyQvF1zuRYl5JJYIBuA2j+LtB5Tt68H0hlW1df9YRqGVgxOgDp2Tqk81sJ6H
k8gCNhMmrFkzIZlsRwF19gm8TRcBb5xZfb3Itf9duwLZ339r9/3E7qdO/N5+0LCAJqRrZJI006C+aXGOqVp2Biv3
ln/GY5oiPGWAIFQxwihGCTYs3bHy1YLJFR+qzuyxHSm8rTpY6YWqK8+vO72/K/6uQm0i66iacfMtqI/lQxs7U0NX
ULKy6dPWiY1P9nigJiXmbp2WGF0VriLP6sWIE09JJFISLo6UlUXCxeFoNBwpVeTYmE3zK1oWZpDN6/hJ3N44uayv
zoaKoAylmEgVjFBF/SuiNCk7UyZUYmP00OQK8Q7EnehoFu9JsoaFvlnDgjK3c0gmkSfpfJnhIWrEz6det85NzIst
E0uT7Fv27jaCGxNp7OAICs6VHA+cUsdKxDiRO6XUIZIeLLKAPOk5ct4AnZi9S3x2S+5I4okK2mKjeqRHU7r5Zfml
wuZnsTGUPjunY0vB2Yex4xhGu22S4vnahfFqvDp6hHE55jyVXgmfiBz0w6roN0K67mm9heehi9cBQr7Ia7yRS+s4
l0eiVC9RSqJY2prTprZmkGZmNJM0K6NZUq6jeUjz6toZvfAYwuPT/nbf+TMa8/ApZJvBmkkt8NRn6Dzmycp4Mk+2
5jF74TGFJ4cnC/W0KTw11uFbFxLvZtj5zBXU5ZnyTrkZb0tacF1t4HlAezNfnuazeuGzhC+kS7CE787w7MLkg0Mz
7XyHj9/NEr7WF0rHeqR3gE7dE/bInGr0wwVuMNr1viILLly4cOHChQsXPwOfJPj4wGchS591+Wzm0/91uujudn+T
/LeYj7V0baCPylmop2cDNvdp/AyERzllqV+Mcf4XMqqIvQGrkZB6rO7z+KXvH9XzfX45MPT7plBf+bv7Us8/zP8F
eZIfxA==
"""


def test_xls_roster(tmp_path, run_import):
    path = tmp_path / "花名册.xls"
    path.write_bytes(zlib.decompress(base64.b64decode("".join(XLS.split()))))
    result = run_import(str(path))
    assert (result.rows, result.created, result.rejected) == (3, 2, 1)
    assert result.header_row == 2
    one = Person.objects.get(name="孙一")
    assert (one.birth_date, one.phone_masked, one.household_region.code) == (
        dt.date(1991, 2, 3), "139****0301", "411402")
    two = Person.objects.get(name="孙二")  # 411403851231302 → 18 digits, born 1985-12-31
    assert (two.id_masked[:4], two.birth_date, two.sex, two.household_region.code) == (
        "4114", dt.date(1985, 12, 31), "F", "411403")
    assert len(two.id_masked) == 18
    reason = read_report(tmp_path / "report.xlsx")[1][-2]
    assert reason.startswith("第 5 行 公民身份号码：被 Excel 存成了数字")
