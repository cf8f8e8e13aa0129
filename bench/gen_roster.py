"""Deterministic generator of realistic rosters for the import benchmark.

    .venv/bin/python bench/gen_roster.py --rows 1000000 --out var/bench/roster_1m.xlsx
    .venv/bin/python bench/gen_roster.py --rows 10000 --out var/bench/roster_10k.csv

Same seed, same file. Identity numbers are valid (GB 11643 check character) in real county
divisions (GB/T 2260, from core/data), birth dates agree with the numbers, names are common
Chinese names. The cells are as messy as real ones: several date spellings and Excel serial
numbers, full-width digits, stray spaces and line breaks. About 1% of rows are bad in the ways
real rosters are (wrong check character, an identity number stored as a number, a birth date
or sex that disagrees with the number, a malformed phone, an unknown region code or target
group, a missing name), and about 0.2% repeat an earlier person.
"""

import argparse
import csv
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jineng.core.identity import check_char  # noqa: E402
from jineng.core.reference import current_divisions  # noqa: E402

HEADERS = ["姓名", "身份证号", "性别", "出生日期", "手机号", "户籍地", "文化程度", "就业状态",
           "重点群体", "社保卡号"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
            "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史")
DOUBLE_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "皇甫"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉建国红梅丹鹏辉宇浩凯俊鑫晨雪婷琳"
EDUCATION = ["初中", "高中", "中专", "大专", "本科", "小学", "技校", "研究生"]
EMPLOYMENT = ["失业", "就业", "灵活就业", "在校学生", "自主创业", "未就业（非失业登记）"]
GROUPS = ["农村转移劳动力", "高校毕业生", "脱贫劳动力（含监测帮扶对象）", "失业人员", "退役军人",
          "就业困难人员", "企业职工", "灵活就业人员", "新就业形态", "残疾人", "易地搬迁劳动力"]
WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
EXCEL_EPOCH = dt.date(1899, 12, 30)
BAD_KINDS = ("check", "numeric_id", "birth", "sex", "phone", "region", "group", "name")


def county_codes() -> list[str]:
    return sorted(c for c in current_divisions()
                  if not c.endswith("00") and c[:2] not in ("71", "81", "82"))


def rows(n: int, seed: int = 20260115, bad_rate: float = 0.01, dup_rate: float = 0.002):
    """Yield n rows (lists of cell values: str, or int/float for number cells)."""
    rnd = random.Random(seed)
    codes = county_codes()
    used: set[str] = set()
    earlier: list[list] = []
    start = dt.date(1960, 1, 1).toordinal()
    span = dt.date(2006, 12, 31).toordinal() - start
    for i in range(n):
        if earlier and rnd.random() < dup_rate:
            yield list(rnd.choice(earlier))
            continue
        code = rnd.choice(codes)
        while True:
            born = dt.date.fromordinal(start + rnd.randrange(span))
            seq = rnd.randrange(1000)
            first17 = f"{code}{born:%Y%m%d}{seq:03d}"
            if first17 not in used:
                used.add(first17)
                break
        number = first17 + check_char(first17)
        male = seq % 2 == 1
        surname = rnd.choice(DOUBLE_SURNAMES) if rnd.random() < 0.01 else rnd.choice(SURNAMES)
        name = surname + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2, 2))))
        style = rnd.random()
        if style < 0.55:
            birth = born.isoformat()
        elif style < 0.7:
            birth = f"{born.year}/{born.month}/{born.day}"
        elif style < 0.8:
            birth = f"{born.year}年{born.month}月{born.day}日"
        elif style < 0.88:
            birth = f"{born:%Y%m%d}"
        elif style < 0.93:
            birth = f"{born.year}.{born.month}.{born.day}"
        else:
            birth = (born - EXCEL_EPOCH).days  # an Excel serial number
        phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        if rnd.random() < 0.05:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        id_cell = number
        ugly = rnd.random()
        if ugly < 0.01:
            id_cell = number.translate(WIDE)
        elif ugly < 0.03:
            id_cell = f" {number}\n"
        groups = "、".join(rnd.sample(GROUPS, rnd.choice((0, 1, 1, 1, 2))))
        row = [name, id_cell, "男" if male else "女", birth, phone, code,
               rnd.choice(EDUCATION), rnd.choice(EMPLOYMENT), groups, ""]
        if rnd.random() < bad_rate:
            kind = BAD_KINDS[i % len(BAD_KINDS)]
            if kind == "check":
                wrong = "0" if number[-1] != "0" else "1"
                row[1] = number[:-1] + wrong
            elif kind == "numeric_id":
                row[1] = float(number[:17] + "0")  # Excel turned it into a number
            elif kind == "birth":
                row[3] = (born + dt.timedelta(days=1)).isoformat()
            elif kind == "sex":
                row[2] = "女" if male else "男"
            elif kind == "phone":
                row[4] = phone[:7]
            elif kind == "region":
                row[5] = "999999"
            elif kind == "group":
                row[8] = "外星来客"
            else:
                row[0] = ""
        elif len(earlier) < 5000:
            earlier.append(row)
        yield row


def write_xlsx(path: Path, n: int, seed: int, bad_rate: float = 0.01,
               dup_rate: float = 0.002) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows(n, seed, bad_rate, dup_rate), start=1):
        for c, value in enumerate(row):
            if value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def write_csv(path: Path, n: int, seed: int, encoding: str, bad_rate: float = 0.01,
              dup_rate: float = 0.002) -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for row in rows(n, seed, bad_rate, dup_rate):
            out.writerow([f"{v:.15g}" if isinstance(v, float) else v for v in row])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", required=True, help=".xlsx or .csv")
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--encoding", default="utf-8", help="for .csv: utf-8, utf-8-sig, gbk")
    parser.add_argument("--bad-rate", type=float, default=0.01, help="share of bad rows")
    parser.add_argument("--dup-rate", type=float, default=0.002, help="share of repeated people")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".xlsx":
        write_xlsx(out, args.rows, args.seed, args.bad_rate, args.dup_rate)
    else:
        write_csv(out, args.rows, args.seed, args.encoding, args.bad_rate, args.dup_rate)
    print(out, out.stat().st_size)


if __name__ == "__main__":
    main()
