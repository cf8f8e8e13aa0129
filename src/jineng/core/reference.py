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
