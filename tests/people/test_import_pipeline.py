"""Duplicates, modes, idempotence and the report."""

import pytest

import tests.people.test_import_kit as kit
from jineng.core.crypto import blind_index, decrypt
from jineng.people.importing.rows import identity_hash
from jineng.people.models import Person, PersonChange
from tests.people.test_import_kit import (
    HEADERS,
    number,
    person,
    person_row,
    read_report,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
run_import = kit.run_import  # the fixture


def state():
    return (Person.objects.count(), PersonChange.objects.count(),
            sorted(Person.objects.values_list("id", "name", "target_groups", "updated_at")))


def test_hash_matches_the_registry():
    from jineng.people import services

    assert identity_hash("resident", number(1)) == blind_index(
        f"resident:{number(1)}", purpose="identity")
    assert identity_hash("resident", number(1)) == services.identity_hash("resident", number(1))


def test_stored_values_are_encrypted_and_masked(tmp_path, run_import):
    run_import(write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(101)]))
    p = person(101)
    assert decrypt(p.id_cipher) == number(101)
    assert decrypt(p.phone_cipher) == "13800000101"
    assert p.id_masked == number(101)[:4] + "*" * 10 + number(101)[-4:]
    assert (p.sex, p.birth_date.isoformat(), p.household_region.code) == ("M", "1990-01-01",
                                                                           "411402")
    assert p.target_groups == ["rural_migrant"]


@pytest.mark.parametrize("on_duplicate,expected", [
    ("skip", (2, 0, 1, 0)), ("error", (2, 0, 0, 1)), ("update", (2, 0, 1, 0))])
def test_identical_duplicates_inside_the_file(on_duplicate, expected, tmp_path, run_import):
    rows = [HEADERS, person_row(103), person_row(105), person_row(103)]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), on_duplicate=on_duplicate)
    assert (r.created, r.updated, r.skipped, r.rejected) == expected
    if on_duplicate == "error":
        assert read_report(tmp_path / "report.xlsx")[1][len(HEADERS)] == (
            "第 4 行 身份证号：与第 2 行的证件号码重复")


def test_conflicting_duplicates_inside_the_file_are_not_silently_merged(tmp_path, run_import):
    rows = [HEADERS, person_row(107), person_row(107, 姓名="另一个名字")]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), on_duplicate="update")
    assert (r.created, r.rejected) == (1, 1)
    assert person(107).name == kit.person_name(107)
    assert "与第 2 行是同一人，但其他信息不一致" in read_report(tmp_path / "report.xlsx")[1][-2]


def test_conflicting_duplicate_across_batches(tmp_path, run_import):
    rows = [HEADERS, person_row(109), person_row(111), person_row(109, 姓名="改名")]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), on_duplicate="update", batch_size=1)
    assert (r.created, r.updated, r.rejected) == (2, 0, 1)


def test_duplicates_against_the_registry(tmp_path, run_import):
    run_import(write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(113), person_row(115)]))
    changed = [HEADERS, person_row(113, 姓名="新名字", 手机号="13900000113",
                                   重点群体="农村转移劳动力、退役军人", 就业状态=""),
               person_row(117)]
    path = write_xlsx(tmp_path / "b.xlsx", changed)

    r = run_import(path, on_duplicate="skip", report="r1.xlsx")
    assert (r.created, r.updated, r.skipped, r.rejected) == (1, 0, 1, 0)
    assert person(113).name == kit.person_name(113)

    r = run_import(path, on_duplicate="error", report="r2.xlsx")
    assert (r.created, r.updated, r.skipped, r.rejected) == (0, 0, 0, 2)
    reasons = [row[-2] for row in read_report(tmp_path / "r2.xlsx")[1:]]
    assert reasons == ["第 2 行 身份证号：该证件号码已在实名库中登记（测***三）",
                       "第 3 行 身份证号：该证件号码已在实名库中登记（测***七）"]

    r = run_import(path, on_duplicate="update", report="r3.xlsx")
    assert (r.created, r.updated, r.skipped, r.rejected) == (0, 1, 1, 0)
    p = person(113)
    assert (p.name, decrypt(p.phone_cipher), p.phone_masked) == ("新名字", "13900000113",
                                                                 "139****0113")
    assert p.employment_status == "unemployed"  # a blank cell keeps what is registered
    assert p.target_groups == ["rural_migrant", "veteran"]
    change = PersonChange.objects.get(person=p)
    assert change.source == "import"
    assert change.changes["name"] == [kit.person_name(113), "新名字"]
    assert change.changes["phone"] == ["138****0113", "139****0113"]
    assert change.changes["target_groups"] == [["农村转移劳动力"], ["农村转移劳动力", "退役军人"]]


def test_rerunning_the_same_file_changes_nothing(tmp_path, run_import):
    rows = [HEADERS] + [person_row(s) for s in range(121, 141, 2)] + [person_row(1, 手机号="1")]
    path = write_xlsx(tmp_path / "a.xlsx", rows)
    first = run_import(path, on_duplicate="update", batch_size=3)
    assert (first.created, first.rejected) == (10, 1)
    before = state()
    again = run_import(path, on_duplicate="update", batch_size=3, report="again.xlsx")
    assert (again.created, again.updated, again.skipped, again.rejected) == (0, 0, 10, 1)
    assert state() == before


def test_strict_mode_leaves_the_database_unchanged(tmp_path, run_import):
    run_import(write_xlsx(tmp_path / "seed.xlsx", [HEADERS, person_row(143)]))
    before = state()
    rows = [HEADERS, person_row(145), person_row(143, 姓名="改了"), person_row(147, 性别="女"),
            person_row(149)]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), mode="strict", on_duplicate="update",
                   batch_size=2)
    assert r.rolled_back and (r.rows, r.created, r.updated, r.rejected) == (4, 0, 0, 1)
    assert state() == before
    summary = dict((row[0], row[1]) for row in _sheet(tmp_path / "report.xlsx", 1))
    assert summary["结果"] == "存在错误行，全部未导入（已回滚）"


def test_strict_mode_without_errors_imports_everything(tmp_path, run_import):
    rows = [HEADERS, person_row(151), person_row(153)]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), mode="strict", batch_size=1)
    assert not r.rolled_back and r.created == 2


def test_partial_mode_keeps_the_good_rows(tmp_path, run_import):
    rows = [HEADERS, person_row(155), person_row(157, 性别="女"), person_row(159)]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), mode="partial", batch_size=1)
    assert (r.created, r.rejected) == (2, 1)
    assert person(155) and person(159) and not person(157)


def test_report_keeps_rejected_rows_as_they_were(tmp_path, run_import):
    import datetime as dt

    bad = person_row(161, 出生日期=dt.date(1990, 1, 2), 手机号=13800000161.0, 姓名=" 孙\n悟空 ")
    path = write_xlsx(tmp_path / "a.xlsx", [["花名册"], HEADERS, person_row(163), bad])
    r = run_import(path)
    assert (r.created, r.rejected) == (1, 1)
    rows = read_report(tmp_path / "report.xlsx")
    assert rows[0] == [*HEADERS, "错误原因", "原行号"]
    assert rows[1][0] == " 孙\n悟空 "  # the name as it was, spaces and line break kept
    assert rows[1][3] == dt.date(1990, 1, 2)  # the date cell stays a date
    assert rows[1][4] == 13800000161  # the number stays a number
    assert rows[1][-2] == "第 4 行 出生日期：1990-01-02 与证件号码中的出生日期 1990-01-01 不一致"
    assert rows[1][-1] == 4
    summary = dict((row[0], row[1]) for row in _sheet(tmp_path / "report.xlsx", 1))
    assert (summary["新增"], summary["拒绝"]) == (1, 1)


def _sheet(path, index):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(index).to_python()


def _workers_die(monkeypatch):
    """Every worker process exits on its first part, as the kernel's OOM killer would."""
    import multiprocessing
    import os

    from jineng.people.importing import pipeline

    real = pipeline.PartWork.__call__

    def dying(self, part):
        if multiprocessing.parent_process() is not None:
            os._exit(9)
        return real(self, part)

    monkeypatch.setattr(pipeline.PartWork, "__call__", dying)
    monkeypatch.setattr(pipeline, "POOL_FROM_ROWS", 0)  # small files get workers too


def test_a_worker_that_dies_fails_the_import_instead_of_hanging(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from jineng.orgs.models import Region
    from jineng.people.importing.run import ImportOptions, import_file

    _workers_die(monkeypatch)
    before = state()
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(171), person_row(173)])
    options = ImportOptions(region=Region.objects.get(code="411402"), mode="strict",
                            report_path=str(tmp_path / "r.xlsx"), workers=2)
    with pytest.raises(BrokenProcessPool):
        import_file(path, options)
    assert state() == before


def test_the_import_says_so_when_a_worker_dies(tmp_path, monkeypatch):
    from jineng.orgs.models import Region
    from jineng.people.importing.service import person_import_from_path, person_import_run
    from jineng.people.models import ImportStatus, PersonImport

    _workers_die(monkeypatch)
    path = write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(175)])
    imp = person_import_from_path(path=path, region=Region.objects.get(code="411402"),
                                  mode="strict", on_duplicate="skip")
    assert person_import_run(imp.pk) is None
    imp = PersonImport.objects.get(pk=imp.pk)
    assert imp.status == ImportStatus.FAILED
    assert imp.error_message.startswith("读取和校验文件的工作进程意外退出")
    assert "已全部撤销" in imp.error_message and not person(175)


def test_sheet_blocks_reach_the_workers_through_the_pipe(tmp_path, monkeypatch, run_import):
    """A large .xlsx goes to the workers as many small blocks of sheet XML: the result is
    what the inline import gives."""
    from jineng.core import spreadsheet_reader, xlsx_stream

    monkeypatch.setattr(spreadsheet_reader, "STREAM_ABOVE_BYTES", -1)
    monkeypatch.setattr(xlsx_stream, "CHUNK", 1500)  # blocks of about 1,000 to 2,500 bytes
    seqs = list(range(201, 601, 2))
    rows = [HEADERS] + [person_row(s) for s in seqs] + [person_row(201), person_row(1, 手机号="1")]
    r = run_import(write_xlsx(tmp_path / "a.xlsx", rows), batch_size=50)
    assert (r.created, r.skipped, r.rejected) == (len(seqs), 1, 1)
    assert [person(s).name for s in seqs] == [kit.person_name(s) for s in seqs]


@pytest.mark.parametrize("mode", ["partial", "strict"])
def test_a_registered_person_late_in_a_first_import_writes_nobody_twice(
        tmp_path, run_import, mode):
    """The first batches go in without a look-up; the batch holding someone registered
    already is refused whole by the unique index and then takes the look-up, so that person
    is skipped and everyone else is created once."""
    run_import(write_xlsx(tmp_path / "a.xlsx", [HEADERS, person_row(707)]), report="a.xlsx")
    seqs = list(range(701, 741, 2))  # 707 is the fourth row: in the second batch of three
    rows = [HEADERS] + [person_row(s) for s in seqs]
    r = run_import(write_xlsx(tmp_path / "b.xlsx", rows), batch_size=3, mode=mode)
    assert (r.created, r.skipped, r.rejected) == (len(seqs) - 1, 1, 0)
    assert Person.objects.filter(id_hash__in=[identity_hash("resident", number(s))
                                              for s in seqs]).count() == len(seqs)
