"""CSV and XLSX import (with a dry run) and export of datasets.

An import follows ``core.import_plan``. :func:`read_table` turns an uploaded file into rows of text (or raises
:class:`TableError` with a message a person can act on); :func:`import_plan` says, row by row, what importing them
would do (new, changed and which fields, unchanged, or invalid and why) without writing anything. The view keeps the
rows between the preview and the confirmation; :func:`datasets_import` plans them again against the database as it is
now and writes every valid row in one transaction. Invalid rows are skipped and listed; one bad row never
half-writes, because each row is written in its own savepoint.

Each row is validated by the API's own input serializer (:class:`~inventory.serializers.DatasetImportSerializer`
reads the spreadsheet's cells into its fields), so the form, the API and the import agree on what a dataset may
hold; the rights rule comes from it, and who may import what (the Stat lead and analysts any department, a
department contact only their own department's datasets, never moving one to another) from ``inventory.access``,
which :func:`~inventory.services.datasets.dataset_create` and :func:`~inventory.services.datasets.dataset_update`
enforce again as they write.

Exports have the same columns, so an export imports back unchanged. Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading apostrophe in CSV and are
written as text cells in XLSX; the import strips that apostrophe again.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from core.import_plan import CHANGED, FIRST_LINE, NEW, UNCHANGED, Outcome, Plan, PlannedRow, Repeats, commit
from core.spreadsheets import FORM_UPLOAD_LIMITS, xlsx_rows
from core.uploads import RefusedFile, refuse_html, refuse_nul, refuse_wide
from team.access import actor_for, enforce
from team.models import Department, Person, Role, RoleAssignment

from ..access import can_create_dataset_in, can_import_datasets, can_move_dataset, can_write_dataset
from ..models import VALUE_FLAG_NAMES, Dataset, Initiative
from ..selectors import importable_departments
from ..serializers import DatasetImportSerializer
from .datasets import dataset_create, dataset_update, initiative_get_or_create
from .writes import allows

if TYPE_CHECKING:
    from django.contrib.auth.models import User


#: Largest upload accepted, and most rows read from it.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

FLAG_COLUMNS = VALUE_FLAG_NAMES
#: Columns of an import or export, in order.
COLUMNS = (
    "identifier",
    "title",
    "description",
    "department",
    "contact_email",
    "keywords",
    "themes",
    "access_level",
    "rights",
    "license",
    "accrual_periodicity",
    "temporal",
    "spatial",
    "issued",
    "modified",
    "landing_page",
    "source_system",
    "privacy_notes",
    "published",
    "status",
    *FLAG_COLUMNS,
    "initiatives",
)
REQUIRED_COLUMNS = ("title", "department")
LIST_COLUMNS = ("keywords", "themes", "initiatives")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    """The file cannot be read as a table of datasets; the message says why, for the person who uploaded it."""


# --- reading ---------------------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header(cells: Iterable) -> list[str]:
    return [_cell_text(c).strip().lower().replace(" ", "_") for c in cells]


def _rows_from(header: list[str], body: Iterable[Iterable]) -> tuple[list[str], list[dict[str, str]]]:
    refuse_wide(len(header))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TableError(
            f"The file has no {' or '.join(repr(c) for c in missing)} column. The first row must name the columns: "
            f"{', '.join(COLUMNS)}."
        )
    columns = [c for c in header if c in COLUMNS]
    rows: list[dict[str, str]] = []
    for cells in body:
        values = [_cell_text(c) for c in cells]
        if not any(v.strip() for v in values):
            continue  # blank lines are not rows
        if len(rows) >= MAX_ROWS:
            raise TableError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
        row = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header) if name in COLUMNS}
        rows.append(row)
    if not rows:
        raise TableError("The file has a header row but no datasets under it.")
    return columns, rows


def read_table(upload, filename: str = "") -> tuple[list[str], list[dict[str, str]]]:
    """The columns and rows of an uploaded CSV or XLSX file, every cell as text.

    Raises :class:`TableError` when the file is too big, empty, neither CSV (UTF-8) nor XLSX, a web page, has a NUL
    byte anywhere, is wider than ``core.uploads.MAX_COLUMNS``, or lacks a required column (``title``,
    ``department``). A workbook is bounded before it is parsed and read as a stream (``core.spreadsheets``)."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise TableError("The file is empty.")
    name = (filename or getattr(upload, "name", "") or "").lower()
    try:
        if data[:4] == b"PK\x03\x04":
            return _read_xlsx(data)
        if name.endswith((".xlsx", ".xls", ".ods")):
            raise TableError("The file is not a valid XLSX workbook. Save it from your spreadsheet as .xlsx or .csv.")
        refuse_html(data)
        if b"\x00" in data[:4096]:
            raise TableError("The file is not a CSV or XLSX file. Upload a .csv (UTF-8) or .xlsx file.")
        refuse_nul(data)
        return _read_csv(data)
    except RefusedFile as exc:
        raise TableError(str(exc)) from exc


def _read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(
            "The file is not UTF-8 text. In your spreadsheet choose “Save as… CSV UTF-8”, or upload it as .xlsx."
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European locale save "CSV" with semicolons between the columns.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = _header(next(reader, []))
        return _rows_from(header, reader)
    except csv.Error as exc:
        raise TableError(f"The file is not valid CSV: {exc}.") from exc


def _read_xlsx(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The first worksheet's rows, read as a stream within the bounds of a form's upload."""
    with xlsx_rows(io.BytesIO(data), FORM_UPLOAD_LIMITS) as rows:
        header = _header(next(rows, ()) or ())
        return _rows_from(header, rows)


# --- planning ----------------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class RowPlan(PlannedRow):
    """What importing one row would do: the dataset it names, the values and tags it would write, and (for a change)
    which columns differ."""

    identifier: str
    title: str
    changes: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    dataset: Dataset | None = None


ImportPlan = Plan[RowPlan]


def _unescape(value: str) -> str:
    """Undo the export's formula guard: ``'=SUM(..)`` → ``=SUM(..)``."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _lookups(rows: list[dict[str, str]], by: User | None) -> tuple[dict, dict[str, Dataset]]:
    """What the file's rows name, each kind read with one query: the serializer's context (departments by code, the
    codes ``by`` may use, current department contacts by email and department, every email known) and the datasets
    by identifier."""
    emails = {r.get("contact_email", "").strip().lower() for r in rows} - {""}
    stewards: dict[tuple[str, int], Person] = {}
    assignments = (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_CONTACT, person__active=True)
        .select_related("person")
    )
    for assignment in assignments:
        email = assignment.person.email.lower()
        if email in emails and assignment.department_id is not None:  # a contact's role always names one
            stewards[(email, assignment.department_id)] = assignment.person
    context = {
        "departments": {d.code.lower(): d for d in Department.objects.all()},
        "department_codes": [
            f"{d.code} ({d.name})" for d in importable_departments(None if by is None else actor_for(by))
        ],
        "stewards": stewards,
        "people": set(
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
            .values_list("email_lower", flat=True)
        ),
    }
    identifiers = {r.get("identifier", "").strip() for r in rows} - {""}
    datasets = {
        d.identifier: d
        for d in Dataset.objects.filter(identifier__in=identifiers)
        .select_related("department", "contact")
        .prefetch_related("keywords", "themes", "initiatives")
    }
    return context, datasets


def _plan_row(
    line: int, raw: dict[str, str], columns: list[str], existing: Dataset | None, serializer, by: User | None
) -> RowPlan:
    raw = {k: _unescape(v.strip()) for k, v in raw.items()}
    identifier = raw.get("identifier", "")
    plan = RowPlan(line=line, identifier=identifier, title=raw.get("title", ""), dataset=existing)
    # The file's columns, as the API would receive them: a change sends only those (a partial update).
    data = {name: raw.get(name, "") for name in columns if name != "identifier" or identifier}
    serializer.instance, serializer.partial = existing, existing is not None
    # Every problem of the row at once (each cell's, the steward's, the rights rule's, who may write it), so the
    # file is fixed in one pass rather than one problem per upload.
    values, problems = serializer.row_values(data)
    if problems:
        plan.refuse(*problems)
    tags = {name: values.pop(name) for name in LIST_COLUMNS if name in values}
    department = values.get("department")
    if existing is None:
        if department is not None and not allows(by, lambda actor: can_create_dataset_in(actor, department.pk)):
            plan.refuse(f"You may not add datasets to {department.name}.")
    elif not allows(by, lambda actor: can_write_dataset(actor, existing)):
        plan.refuse(f"You may not change {existing.identifier} (it belongs to {existing.department.name}).")
    elif department is not None and not allows(by, lambda actor: can_move_dataset(actor, existing, department)):
        plan.refuse("You may not move a dataset to another department.")
    plan.fields, plan.tags = values, tags
    if not plan.is_valid:
        return plan
    if existing is None:
        plan.action = NEW
        return plan
    plan.changes = _changed_fields(existing, values, tags)
    plan.action = CHANGED if plan.changes else UNCHANGED
    return plan


def _changed_fields(dataset: Dataset, values: dict, tags: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        if name == "identifier":
            continue
        old = getattr(dataset, name)
        if old != value:
            changed.append("contact_email" if name == "contact" else name)
    for name, names in tags.items():
        old = {str(t).lower() for t in getattr(dataset, name).all()}
        if old != {n.lower() for n in names}:
            changed.append(name)
    return changed


def import_plan(*, columns: list[str], rows: list[dict[str, str]], by: User | None) -> ImportPlan:
    """What importing ``rows`` would do, row by row, with ``by``'s rights; writes nothing. A row with an identifier
    updates that dataset (or creates one with it); a row without creates a new dataset; an identifier twice in a file
    is refused. Reads the database a fixed number of times, however many rows."""
    context, datasets = _lookups(rows, by)
    serializer = DatasetImportSerializer(context=context)
    repeats = Repeats()
    plans = []
    for index, raw in enumerate(rows):
        line = index + FIRST_LINE
        identifier = raw.get("identifier", "").strip()
        plan = _plan_row(line, raw, columns, datasets.get(identifier) if identifier else None, serializer, by)
        if plan.identifier:
            earlier = repeats.earlier_line(plan.identifier, line)
            if earlier is not None:
                plan.refuse(f"The identifier {plan.identifier} is also on line {earlier}.")
        plans.append(plan)
    return Plan(rows=plans)


ImportResult = Outcome[Dataset, RowPlan]


def _initiatives(names: list[str], *, by: User | None) -> list[Initiative]:
    return [initiative_get_or_create(name=name, by=by) for name in names]


@transaction.atomic
def datasets_import(
    *, columns: list[str], rows: list[dict[str, str]], by: User | None, progress: Callable[..., None] | None = None
) -> ImportResult:
    """Import the valid rows of a file in one transaction, re-checking every row against the database as it is now.

    Guarantees: only those who may import (the Stat lead and analysts, department contacts) import, else
    ``PermissionDenied``; invalid rows are skipped and returned in ``skipped`` with their reasons, a row the services
    refuse as they write it too; each valid row is written whole or not at all (its own savepoint); importing the
    same file twice changes nothing the second time."""
    enforce(by, can_import_datasets, "Only the Stat team and department contacts can import datasets.")
    plan = import_plan(columns=columns, rows=rows, by=by)

    def write(row: RowPlan) -> Dataset:
        tags = dict(row.tags)
        if "initiatives" in tags:
            tags["initiatives"] = _initiatives(tags["initiatives"], by=by)
        if row.action == NEW:
            return dataset_create(by=by, **tags, **row.fields)
        assert row.dataset is not None, "a changed row names its dataset"
        return dataset_update(dataset=row.dataset, by=by, reason="Imported", **tags, **row.fields)

    return commit(plan, write, progress=progress)


# --- export ------------------------------------------------------------------------------------------------------


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def export_queryset(queryset: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return queryset.select_related("department", "contact").prefetch_related("keywords", "themes", "initiatives")


def export_rows(queryset: QuerySet[Dataset]) -> Iterable[list]:
    """The header, then one row per dataset, in :data:`COLUMNS` order (values as Python values, not yet escaped)."""
    yield list(COLUMNS)
    for d in export_queryset(queryset).order_by("department__code", "identifier"):
        row = {
            "identifier": d.identifier,
            "title": d.title,
            "description": d.description,
            "department": d.department.code,
            "contact_email": d.contact.email if d.contact else "",
            "keywords": "; ".join(k.name for k in d.keywords.all()),
            "themes": "; ".join(t.name for t in d.themes.all()),
            "access_level": d.access_level,
            "rights": d.rights,
            "license": d.license,
            "accrual_periodicity": d.accrual_periodicity,
            "temporal": d.temporal,
            "spatial": d.spatial,
            "issued": d.issued.isoformat() if d.issued else "",
            "modified": d.modified.isoformat() if d.modified else "",
            "landing_page": d.landing_page,
            "source_system": d.source_system,
            "privacy_notes": d.privacy_notes,
            "published": "yes" if d.published else "no",
            "status": d.status,
            "initiatives": "; ".join(i.name for i in d.initiatives.all()),
        }
        for flag in FLAG_COLUMNS:
            row[flag] = "yes" if getattr(d, flag) else "no"
        yield [row[c] for c in COLUMNS]


def export_csv(queryset: QuerySet[Dataset]) -> str:
    """The datasets as CSV text (UTF-8 when encoded), formula-looking cells prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in export_rows(queryset):
        writer.writerow([_safe(str(v)) for v in row])
    return buffer.getvalue()


def export_xlsx(queryset: QuerySet[Dataset]) -> bytes:
    """The datasets as an XLSX workbook whose every cell is a text cell (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Datasets")
    for row in export_rows(queryset):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.data_type = "s"  # text, even when it starts with "=": a spreadsheet never evaluates it
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
