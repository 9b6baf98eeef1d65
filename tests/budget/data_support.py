"""What the budget data tests share (bdata): a finance export in our column names, and the upload of it."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from budget.importing import guess_mapping, mapped_rows, read_table
from budget.services.data import import_source_save

HEADER = ["FY", "Fund", "Fund Name", "Dept", "Program", "Program Name", "Category", "Adopted", "Amended", "Actual",
          "Requested", "Month", "Month Amount"]  # fmt: skip
#: Our field → the export's column (what a budget analyst maps once).
MAPPING = {
    "fiscal_year": "FY",
    "fund_code": "Fund",
    "fund_name": "Fund Name",
    "department": "Dept",
    "program_code": "Program",
    "program_name": "Program Name",
    "category": "Category",
    "adopted": "Adopted",
    "amended": "Amended",
    "actual": "Actual",
    "requested": "Requested",
    "month": "Month",
    "amount": "Month Amount",
}

ROWS = [
    ["2027", "100", "General Fund", "PD", "PATROL", "Patrol", "personnel", "1,000,000.00", "", "250000", "1100000", "", ""],  # noqa: E501
    ["FY2027", "100", "General Fund", "Police", "PATROL", "Patrol", "Operating", "$200,000.50", "210000", "", "", "", ""],  # noqa: E501
    ["2027", "100", "General Fund", "FD", "SUPP", "Suppression", "capital", "50000", "", "", "", "", ""],
    ["2027", "100", "General Fund", "PRD", "POOLS", "Pools", "operating", "75000", "", "", "", "", ""],
    ["2027", "100", "General Fund", "Water Dept", "X", "X", "operating", "1", "", "", "", "", ""],
    ["2027", "100", "General Fund", "PD", "PATROL", "Patrol", "personnel", "", "", "", "", "2026-08", "80000"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]] = ROWS, header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def upload(content: bytes | None = None, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes() if content is None else content, content_type="text/csv")


def rows_of(content: bytes | None = None) -> list[dict[str, str]]:
    table = read_table(io.BytesIO(csv_bytes() if content is None else content), "export.csv")
    return mapped_rows(table, guess_mapping(table.header, MAPPING))


def source(name: str = "Munis"):
    return import_source_save(name=name, mapping=MAPPING, by=None)
