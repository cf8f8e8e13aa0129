"""Reference data shipped in core/data (see its README for provenance)."""

import csv
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def current_divisions() -> dict[str, dict]:
    """GB/T 2260 divisions in force (2026), by code."""
    return {row["code"]: row for row in read_csv("divisions_2026.csv")}


@cache
def statistical_divisions() -> dict[str, dict]:
    """国家统计局 statistical codes (2023), which include functional zones xx71–xx79."""
    return {row["code"]: row for row in read_csv("divisions_statistical_2023.csv")}


@cache
def known_division_codes() -> frozenset[str]:
    """Every code that was ever a real division (current, statistical or historical): an
    identity number issued before a change keeps its old address code."""
    codes = set(current_divisions()) | set(statistical_divisions())
    for row in read_csv("division_changes_1980_2026.csv"):
        for key in ("old_code", "new_code"):
            if len(row[key]) == 6 and row[key].isdigit():
                codes.add(row[key])
    return frozenset(codes)


@cache
def urban_district_codes() -> frozenset[str]:
    """市辖区 codes (xxxx01) of every prefecture-level city, current or historical: before a
    city's districts had codes of their own, numbers were issued under its 市辖区 code, and
    the division tables list no such code."""
    cities = {code for code, row in current_divisions().items()
              if row["level"] == "prefecture" and row["name"].endswith("市")}
    for row in read_csv("division_changes_1980_2026.csv"):
        for code, name in ((row["old_code"], row["old_name"]), (row["new_code"], row["new_name"])):
            if len(code) == 6 and code.isascii() and code.isdigit() and code.endswith("00") \
                    and not code.endswith("0000") and name.endswith("市"):
                cities.add(code)
    return frozenset(code[:4] + "01" for code in cities)


# Not foreign nationalities: China, and its Taiwan, Hong Kong and Macao entries in ISO 3166.
NOT_FOREIGN = frozenset({"156", "158", "344", "446"})


@cache
def province_codes() -> frozenset[str]:
    """The two-digit codes of the mainland's provinces (the issuing province of a foreigner's
    permanent-residence number)."""
    return frozenset(code[:2] for code, row in current_divisions().items()
                     if row["level"] == "province" and code[:2] not in {"71", "81", "82"})


@cache
def country_codes() -> frozenset[str]:
    """GB/T 2659 (ISO 3166-1) numeric codes of foreign countries and territories."""
    return frozenset(row["numeric"] for row in read_csv("iso3166_countries.csv")
                     if row["numeric"] not in NOT_FOREIGN)
