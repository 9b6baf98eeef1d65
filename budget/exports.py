"""The budget as CSV, and as a Frictionless Fiscal Data Package (OpenSpending's standard: a ``datapackage.json``
whose ``model`` maps the CSV's columns to measures and dimensions, plus the CSV, in a zip).

The export's columns are the import's default names, so an export imports back unchanged. The public version (for
the public budget pages and open-data portals) holds the adopted amounts of public fiscal years only
(``budget.access.public_lines``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import BudgetLine

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Every column of the full export, in order; the public export drops the amounts after ``adopted``.
COLUMNS = (
    "fiscal_year",
    "fiscal_year_start",
    "fiscal_year_end",
    "fund_code",
    "fund_name",
    "department_code",
    "department_name",
    "program_code",
    "program_name",
    "category",
    "adopted",
    "amended",
    "actual",
    "requested",
)
PUBLIC_COLUMNS = COLUMNS[: COLUMNS.index("adopted") + 1]
CSV_NAME = "budget.csv"

#: OpenSpending's budget phases of our amounts.
PHASES = {"adopted": "approved", "amended": "adjusted", "actual": "executed", "requested": "proposed"}


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _rows(lines: QuerySet[BudgetLine], columns: tuple[str, ...]) -> Iterator[list[str]]:
    yield list(columns)
    values = lines.order_by(
        "-fiscal_year__year", "program__department__code", "program__code", "fund__code", "category"
    ).values_list(
        "fiscal_year__year",
        "fiscal_year__starts_on",
        "fiscal_year__ends_on",
        "fund__code",
        "fund__name",
        "program__department__code",
        "program__department__name",
        "program__code",
        "program__name",
        "category",
        "adopted",
        "amended",
        "actual",
        "requested",
    )
    for row in values.iterator(chunk_size=2000):
        cells = ["" if v is None else str(v) for v in row]
        yield [_safe(cell) for cell in cells[: len(columns)]]


def export_csv(lines: QuerySet[BudgetLine], *, public: bool = False) -> str:
    """The lines as CSV text; ``public``: their adopted amounts only (the caller gives ``public_lines``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(_rows(lines, PUBLIC_COLUMNS if public else COLUMNS))
    return buffer.getvalue()


def _field(name: str) -> dict:
    if name == "fiscal_year":
        return {"name": name, "type": "year", "title": "Fiscal year (the calendar year it ends in)"}
    if name in ("fiscal_year_start", "fiscal_year_end"):
        return {"name": name, "type": "date", "format": "%Y-%m-%d"}
    if name in PHASES:
        return {"name": name, "type": "number", "decimalChar": ".", "groupChar": "", "title": name.title()}
    return {"name": name, "type": "string"}


def datapackage(*, public: bool = False) -> dict:
    """The ``datapackage.json`` of the export: its resource's schema, and the fiscal ``model`` (OpenSpending's
    Fiscal Data Package) whose measures and dimensions name the CSV's own columns."""
    columns = PUBLIC_COLUMNS if public else COLUMNS
    currency = settings.CURRENCY
    measures = {
        name: {"source": name, "currency": currency, "direction": "expenditure", "phase": PHASES[name]}
        for name in PHASES
        if name in columns
    }
    dimensions = {
        "fiscal_year": {
            "dimensionType": "datetime",
            "primaryKey": ["year"],
            "attributes": {
                "year": {"source": "fiscal_year"},
                "start": {"source": "fiscal_year_start"},
                "end": {"source": "fiscal_year_end"},
            },
        },
        "fund": {
            "dimensionType": "classification",
            "classificationType": "fund",
            "primaryKey": ["code"],
            "attributes": {"code": {"source": "fund_code"}, "name": {"source": "fund_name", "labelfor": "code"}},
        },
        "department": {
            "dimensionType": "entity",
            "primaryKey": ["code"],
            "attributes": {
                "code": {"source": "department_code"},
                "name": {"source": "department_name", "labelfor": "code"},
            },
        },
        "program": {
            "dimensionType": "activity",
            "primaryKey": ["department", "code"],
            "attributes": {
                "department": {"source": "department_code"},
                "code": {"source": "program_code"},
                "name": {"source": "program_name", "labelfor": "code"},
            },
        },
        "category": {
            "dimensionType": "classification",
            "classificationType": "economic",
            "primaryKey": ["category"],
            "attributes": {"category": {"source": "category"}},
        },
    }
    program = settings.PROGRAM_NAME
    return {
        "profile": "fiscal-data-package",
        "name": f"{program.lower()}-budget{'-public' if public else ''}",
        "title": f"{program} budget{' (adopted, public fiscal years)' if public else ''}",
        "created": timezone.now().isoformat(timespec="seconds"),
        "granularity": "aggregated",
        "resources": [
            {
                "name": "budget",
                "path": CSV_NAME,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [_field(name) for name in columns],
                    "primaryKey": ["fiscal_year", "fund_code", "department_code", "program_code", "category"],
                },
            }
        ],
        "model": {"measures": measures, "dimensions": dimensions},
    }


def fiscal_data_package(lines: QuerySet[BudgetLine], *, public: bool = False) -> bytes:
    """A zip of ``datapackage.json`` and ``budget.csv``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage(public=public), indent=2))
        archive.writestr(CSV_NAME, export_csv(lines, public=public))
    return buffer.getvalue()
