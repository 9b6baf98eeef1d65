"""The budget import (bdata): the dry run's counts and reasons, the commit in one transaction, re-importing, the
portfolio restriction, the file bounds."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied

from budget.importing import TableError, guess_mapping, import_plan, read_table
from budget.models import BudgetImport, BudgetLine, FiscalYear, FiscalYearStatus, Fund, MonthlyActual, Program
from budget.services import imports
from budget.services.data import fiscal_year_create, fiscal_year_set_status
from budget.services.imports import budget_import

from .data_support import HEADER, MAPPING, ROWS, csv_bytes, rows_of, source

pytestmark = pytest.mark.django_db


def _import(by=None, content=None):
    return budget_import(source=source(), file_name="export.csv", sha256="0" * 64, rows=rows_of(content), by=by)


def test_preview_counts_and_reasons(city):
    plan = import_plan(rows=rows_of(), by=None)
    assert plan.counts == {"new": 5, "changed": 0, "unchanged": 0, "invalid": 1}
    (bad,) = [row for row in plan.rows if row.action == "invalid"]
    assert bad.line == 6
    assert bad.errors == ["No department has the code or name “Water Dept”."]
    assert not BudgetLine.objects.exists() and not FiscalYear.objects.exists()  # a dry run writes nothing


def test_preview_says_what_changes(city):
    _import()
    changed = csv_bytes([["2027", "100", "General Fund", "PD", "PATROL", "Patrol", "personnel", "1000000", "1050000",
                          "250000.00", "1100000", "", ""]])  # fmt: skip
    plan = import_plan(rows=rows_of(changed), by=None)
    assert plan.rows[0].action == "changed"
    assert plan.rows[0].changes == ["amended"]


def test_invalid_reasons(city):
    fiscal_year_create(year=2026, by=None)
    fy = FiscalYear.objects.get(year=2026)
    fiscal_year_set_status(fiscal_year=fy, status="adopted", by=None)
    fiscal_year_set_status(fiscal_year=fy, status="closed", by=None)
    rows = [
        ["2026", "100", "", "PD", "P", "", "operating", "1", "", "", "", "", ""],
        ["twenty", "100", "", "PD", "P", "", "operating", "1", "", "", "", "", ""],
        ["2027", "100", "", "PD", "P", "", "travel", "1", "", "", "", "", ""],
        ["2027", "100", "", "PD", "P", "", "operating", "lots", "", "", "", "", ""],
        ["2027", "", "", "PD", "P", "", "operating", "1", "", "", "", "", ""],
        ["2027", "100", "", "PD", "P", "", "operating", "1", "", "", "", "", ""],
        ["2027", "100", "", "PD", "P", "", "operating", "2", "", "", "", "", ""],
        ["2027", "100", "", "PD", "P", "", "operating", "", "", "", "", "2025-01", "5"],
        ["2027", "100", "", "PD", "Q", "", "operating", "", "", "", "", "2026-09", "5"],
    ]
    plan = import_plan(rows=rows_of(csv_bytes(rows)), by=None)
    reasons = [row.errors for row in plan.rows]
    assert reasons[0] == ["FY2026 is closed: its budget no longer changes."]
    assert "is not a fiscal year" in reasons[1][0]
    assert "“travel” is not a category" in reasons[2][0]
    assert reasons[3] == ["Adopted: “lots” is not an amount."]
    assert reasons[4] == ["No fund code."]
    assert reasons[5] == []
    assert reasons[6] == ["The same line (year, fund, program, category) is also on line 7."]
    assert reasons[7] == ["January 2025 is not in FY2027."]
    assert "No budget line" in reasons[8][0]


def test_commit_writes_lines_actuals_and_parents_and_logs(city):
    done = _import()
    assert done.record.created == 5 and done.record.invalid == 1
    assert BudgetImport.objects.get().created == 5
    assert FiscalYear.objects.get().status == FiscalYearStatus.OPEN
    assert set(Fund.objects.values_list("code", "name")) == {("100", "General Fund")}
    assert Program.objects.get(code="PATROL").department == city["police"]
    line = BudgetLine.objects.get(program__code="PATROL", category="operating")
    assert line.adopted == Decimal("200000.50") and line.amended == Decimal("210000.00") and line.actual is None
    actual = MonthlyActual.objects.get()
    assert actual.month.isoformat() == "2026-08-01" and actual.amount == Decimal("80000.00")
    assert actual.line.category == "personnel"


def test_reimport_changes_nothing(city):
    _import()
    before = list(BudgetLine.objects.order_by("pk").values())
    done = _import()
    assert done.plan.counts == {"new": 0, "changed": 0, "unchanged": 5, "invalid": 1}
    assert list(BudgetLine.objects.order_by("pk").values()) == before
    assert MonthlyActual.objects.count() == 1


def test_a_failing_write_mid_commit_leaves_nothing(city, monkeypatch):
    """The lines, funds, programs and the year are written when the monthly actuals' write fails: none is kept."""
    written = []
    real = imports._write_months

    def failing(plan, parents):
        written.append(BudgetLine.objects.count())
        real(plan, parents)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(imports, "_write_months", failing)
    with pytest.raises(RuntimeError):
        _import()
    assert written == [4]  # the lines were in the database when it failed
    assert not BudgetLine.objects.exists()
    assert not Program.objects.exists() and not Fund.objects.exists() and not FiscalYear.objects.exists()
    assert not BudgetImport.objects.exists()


def test_budget_analyst_imports_their_portfolio_only(users, city):
    plan = import_plan(rows=rows_of(), by=users["budget_analyst"])
    parks = [row for row in plan.rows if row.label.startswith("2027 · PRD")]
    assert parks[0].errors == ["Parks & Recreation: not your portfolio."]
    assert plan.counts["invalid"] == 2
    _import(by=users["budget_analyst"])
    assert not Program.objects.filter(department=city["parks"]).exists()
    assert Program.objects.filter(department=city["fire"]).exists()


def test_stat_lead_imports_every_department(users, city):
    _import(by=users["stat_lead"])
    assert Program.objects.filter(department=city["parks"]).exists()


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead", "parks_contact", "principal"])
def test_others_may_not_import(users, city, persona):
    with pytest.raises(PermissionDenied):
        _import(by=users[persona])
    assert not BudgetLine.objects.exists()


def test_mapping_guessed_from_saved_and_from_names():
    assert guess_mapping(HEADER, MAPPING) == MAPPING
    guessed = guess_mapping(["Fiscal Year", "fund_code", "Department", "Program", "category", "Adopted Budget"])
    assert guessed == {
        "fiscal_year": "Fiscal Year",
        "fund_code": "fund_code",
        "department": "Department",
        "program_code": "Program",
        "category": "category",
        "adopted": "Adopted Budget",
    }


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def test_xlsx_bomb_refused_before_parsing():
    with pytest.raises(TableError, match="(?i)larger|compress|MB"):
        read_table(io.BytesIO(_bomb()), "budget.xlsx")


def test_xlsx_read(city):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([2027, 100, "General Fund", "PD", "PATROL", "Patrol", "personnel", 1000.5, *[None] * 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    table = read_table(buffer, "budget.xlsx")
    assert table.header == HEADER
    assert table.rows[0][:8] == ["2027", "100", "General Fund", "PD", "PATROL", "Patrol", "personnel", "1000.5"]


def test_web_page_and_nul_refused():
    with pytest.raises(TableError, match="web page"):
        read_table(io.BytesIO(b"<!doctype html><html></html>"), "x.csv")
    with pytest.raises(TableError, match="NUL"):
        read_table(io.BytesIO(b"a,b\n1,\x002\n"), "x.csv")


def test_a_committed_import_refreshes_the_budget_pages_caches(city, django_capture_on_commit_callbacks):
    """The import writes in bulk (no save signals): it tells the pages' caches itself once it commits."""
    from budget.selectors import budget_version

    before = budget_version()
    with django_capture_on_commit_callbacks(execute=True):
        _import()
    assert budget_version() != before


def test_amounts_are_read_to_the_cent_exactly(city):
    """Amounts as finance systems write them, each read to the exact cent (half a cent rounds up, away from zero),
    the largest amount a line holds included: never through a float that could be a cent off."""
    cells = ["0.29", "(1,234.50)", "$1,000,000.07", "12.345", "-12.345", "99999999999999.99", "1e3", "5.", "7"]
    rows = [
        ["2027", "100", "", "PD", f"P{i}", "", "operating", cell, "", "", "", "", ""] for i, cell in enumerate(cells)
    ]
    plan = import_plan(rows=rows_of(csv_bytes(rows)), by=None)
    assert [row.amounts["adopted"] for row in plan.rows] == [
        Decimal("0.29"), Decimal("-1234.50"), Decimal("1000000.07"), Decimal("12.35"), Decimal("-12.35"),
        Decimal("99999999999999.99"), Decimal("1000.00"), Decimal("5.00"), Decimal("7.00"),
    ]  # fmt: skip
    del rows[5]  # SQLite keeps a decimal as a float: 16 digits do not survive it (PostgreSQL's numeric does)
    _import(content=csv_bytes(rows))
    stored = dict(BudgetLine.objects.values_list("program__code", "adopted"))
    assert stored["P1"] == Decimal("-1234.50") and stored["P0"] == Decimal("0.29") and stored["P3"] == Decimal("12.35")
    again = import_plan(rows=rows_of(csv_bytes(rows)), by=None)
    assert again.counts["unchanged"] == len(rows)


def test_a_row_wider_than_the_header_keeps_its_columns(city):
    """A finance export whose rows carry a trailing cell the header does not name is read as before (the extra cell
    dropped), not refused."""
    content = csv_bytes() + b"2027,100,General Fund,FD,EMS,EMS,operating,10,,,,,,extra\n"
    plan = import_plan(rows=rows_of(content), by=None)
    assert plan.counts["new"] == 6
    assert plan.rows[-1].amounts["adopted"] == Decimal("10.00")


def _semicolons() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerows([HEADER, *ROWS])
    return buffer.getvalue().encode()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xef\xbb\xbf" + csv_bytes(), id="byte-order mark"),
        pytest.param(_semicolons(), id="semicolons"),
        pytest.param(csv_bytes().replace(b"\n", b"\r\n"), id="CRLF"),
        pytest.param(csv_bytes().replace(b"\n", b"\n\n ,  ,\n", 2), id="blank rows"),
    ],
)
def test_the_shapes_finance_systems_write_read_alike(city, content):
    """A byte-order mark, semicolons, Windows line ends and blank or empty-celled rows read as the plain file does."""
    plain = import_plan(rows=rows_of(), by=None)
    plan = import_plan(rows=rows_of(content), by=None)
    assert plan.counts == plain.counts
    assert [row.label for row in plan.rows] == [row.label for row in plain.rows]
    assert [row.amounts for row in plan.rows] == [row.amounts for row in plain.rows]


@pytest.mark.parametrize("block_bytes", [1 << 20, 64])
def test_cells_are_read_as_written(city, monkeypatch, block_bytes):
    """Codes keep their leading zeros, "NA" and "null" stay text, a name may hold a line break inside its quotes (also
    where the reader's threads split the file), and a row shorter than the header is read with its missing cells
    blank."""
    monkeypatch.setattr("budget.importing._BLOCK_BYTES", block_bytes)
    rows = [
        ["2027", "007", "Fund\nSeven", "PD", "0042", "Line one\r\nline two", "operating", "12", "", "", "", "", ""],
        ["2027", "NA", "null", "PD", "NULL", "N/A", "capital", "5", "", "", "", "", ""],
    ]
    content = csv_bytes(rows) + b"2027,100,General Fund,PD,SHORT,Short,operating,3\n"
    table = read_table(io.BytesIO(content), "export.csv")
    assert table.rows[0][1:6] == ["007", "Fund\nSeven", "PD", "0042", "Line one\r\nline two"]
    assert table.rows[1][1:6] == ["NA", "null", "PD", "NULL", "N/A"]
    assert table.rows[2] == ["2027", "100", "General Fund", "PD", "SHORT", "Short", "operating", "3"] + [""] * 5
    plan = import_plan(rows=rows_of(content), by=None)
    assert plan.counts == {"new": 3, "changed": 0, "unchanged": 0, "invalid": 0}
    assert [row.key[1] for row in plan.rows] == ["007", "NA", "100"]
    assert plan.rows[2].amounts["adopted"] == Decimal("3.00")


def test_a_plan_of_no_rows_counts_nothing(city):
    """A job's file whose every row was blank plans nothing and writes nothing, rather than failing."""
    assert import_plan(rows=[], by=None).counts == {"new": 0, "changed": 0, "unchanged": 0, "invalid": 0}
    empty = {field: [] for field in MAPPING}
    assert import_plan(rows=pd.DataFrame(empty, dtype=str), by=None).counts["new"] == 0


def test_a_page_cached_while_a_change_was_being_written_is_not_served_after_it_commits(
    city, django_capture_on_commit_callbacks
):
    """A request that reads the budget between a save and its commit still sees the old rows, and caches them under
    the generation the save bumped: the commit bumps it again, so the next request builds the page afresh."""
    from budget.models import Program
    from budget.selectors import budget_cached

    program = Program.objects.create(department=city["police"], code="P1", name="Patrol")
    with django_capture_on_commit_callbacks(execute=True):
        program.name = "Patrol and response"
        program.save()
        # Another request, meanwhile, caches what it read from the old rows (it cannot see the uncommitted name).
        assert budget_cached("programs", lambda: ["Patrol"]) == ["Patrol"]
    assert budget_cached("programs", lambda: [p.name for p in Program.objects.all()]) == ["Patrol and response"]
