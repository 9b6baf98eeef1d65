"""CSV and XLSX import (with a dry run) and export of datasets.

An import happens in two steps. :func:`read_table` turns an uploaded file into rows of text (or raises
:class:`TableError` with a message a person can act on); :func:`import_plan` says, row by row, what importing them
would do (new, changed and which fields, unchanged, or invalid and why) without writing anything. The view keeps the
rows between the preview and the confirmation; :func:`datasets_import` plans them again against the database as it is
now and writes every valid row in one transaction. Invalid rows are skipped and listed; one bad row never
half-writes, because each row is written in its own savepoint.

Who may import what follows ``team.access.DATASETS``: the Stat lead and analysts any department; a department
contact only rows of their own department (other rows are invalid, with the reason).

Exports have the same columns, so an export imports back unchanged. Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) get a leading apostrophe in CSV and are
written as text cells in XLSX; the import strips that apostrophe again.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from team.access import Actor
from team.models import Department, Person, Role, RoleAssignment

from ..access import DATASETS
from ..models import AccessLevel, Dataset, Frequency, Initiative, Status
from .datasets import dataset_create, dataset_update, initiative_get_or_create

#: Largest upload accepted, and most rows read from it.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

FLAG_COLUMNS = (
    "critical_to_decisions",
    "public_demand",
    "grant_reporting",
    "legislative_reporting",
    "performance_budgeting",
    "sensitive",
    "ready",
)
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
TEXT_COLUMNS = ("title", "description", "rights", "temporal", "spatial", "source_system", "privacy_notes")
URL_COLUMNS = ("license", "landing_page")
DATE_COLUMNS = ("issued", "modified")
BOOL_COLUMNS = ("published", *FLAG_COLUMNS)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = {"yes", "y", "true", "t", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "f", "0", ""}
FREQUENCY_ALIASES = {
    "annually": Frequency.ANNUAL,
    "yearly": Frequency.ANNUAL,
    "continuous": Frequency.CONTINUOUS,
    "continuously": Frequency.CONTINUOUS,
    "real-time": Frequency.CONTINUOUS,
    "realtime": Frequency.CONTINUOUS,
    "fortnightly": Frequency.BIWEEKLY,
    "semiannually": Frequency.SEMIANNUAL,
    "biannual": Frequency.SEMIANNUAL,
}

_url = URLValidator(schemes=["http", "https"])


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
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise TableError(
            f"The file has no {' or '.join(repr(c) for c in missing)} column. The first row must name the columns: "
            f"{', '.join(COLUMNS)}."
        )
    columns = [c for c in header if c in COLUMNS]
    rows = []
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

    Raises :class:`TableError` when the file is too big, empty, neither CSV (UTF-8) nor XLSX, or lacks a required
    column (``title``, ``department``)."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise TableError("The file is empty.")
    name = (filename or getattr(upload, "name", "") or "").lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith((".xlsx", ".xls", ".ods")):
        raise TableError("The file is not a valid XLSX workbook. Save it from your spreadsheet as .xlsx or .csv.")
    return _read_csv(data)


def _read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    if b"\x00" in data[:4096]:
        raise TableError("The file is not a CSV or XLSX file. Upload a .csv (UTF-8) or .xlsx file.")
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
        return _rows_from(header, list(reader))
    except csv.Error as exc:
        raise TableError(f"The file is not valid CSV: {exc}.") from exc


def _read_xlsx(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(
            "The file is not a valid XLSX workbook. Save it from your spreadsheet as .xlsx or .csv."
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = _header(next(rows, ()) or ())
        return _rows_from(header, list(rows))
    finally:
        workbook.close()


# --- planning ----------------------------------------------------------------------------------------------------


NEW, CHANGED, UNCHANGED, INVALID = "new", "changed", "unchanged", "invalid"


@dataclass
class RowPlan:
    """What importing one row would do. ``line`` is the row's line in the file (the header is line 1)."""

    line: int
    identifier: str
    title: str
    action: str = NEW
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    tags: dict = field(default_factory=dict)
    dataset: Dataset | None = None

    @property
    def is_valid(self) -> bool:
        return self.action != INVALID


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    columns: list[str]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (NEW, CHANGED, UNCHANGED, INVALID)}

    @property
    def to_write(self) -> int:
        return self.count(NEW) + self.count(CHANGED)


def _unescape(value: str) -> str:
    """Undo the export's formula guard: ``'=SUM(..)`` → ``=SUM(..)``."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _choice(value: str, choices, aliases: dict | None = None) -> str | None:
    wanted = value.strip().lower()
    for choice in choices:
        if wanted in (choice.value.lower(), choice.label.lower()):
            return choice.value
    if aliases and wanted in aliases:
        return aliases[wanted]
    return None


class _Lookups:
    """Departments, stewards, datasets and initiatives named in the file, each read with one query."""

    def __init__(self, rows: list[dict[str, str]], actor: Actor):
        self.departments = {d.code.lower(): d for d in Department.objects.all()}
        emails = {r.get("contact_email", "").strip().lower() for r in rows} - {""}
        self.contacts: dict[tuple[str, int], Person] = {}
        assignments = (
            RoleAssignment.objects.current()
            .filter(role=Role.DEPARTMENT_CONTACT, person__active=True)
            .select_related("person")
        )
        for assignment in assignments:
            email = assignment.person.email.lower()
            if email in emails:
                self.contacts[(email, assignment.department_id)] = assignment.person
        self.known_people = set(
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
            .values_list("email_lower", flat=True)
        )
        identifiers = {r.get("identifier", "").strip() for r in rows} - {""}
        self.datasets = {
            d.identifier: d
            for d in Dataset.objects.filter(identifier__in=identifiers)
            .select_related("department", "contact")
            .prefetch_related("keywords", "themes", "initiatives")
        }
        self.writable_ids = set(
            DATASETS.writable(actor, Dataset.objects.filter(identifier__in=identifiers)).values_list("pk", flat=True)
        )


def _plan_row(line: int, raw: dict[str, str], columns: list[str], lookups: _Lookups, actor: Actor) -> RowPlan:
    raw = {k: _unescape(v.strip()) for k, v in raw.items()}
    identifier = raw.get("identifier", "")
    plan = RowPlan(line=line, identifier=identifier, title=raw.get("title", ""))
    errors = plan.errors
    existing = lookups.datasets.get(identifier) if identifier else None
    values: dict = {}

    code = raw.get("department", "")
    department = lookups.departments.get(code.lower())
    if not code:
        errors.append("The department code is missing.")
    elif department is None:
        errors.append(f"No department has the code “{code}”.")
    else:
        values["department"] = department

    for name in TEXT_COLUMNS:
        if name in columns:
            values[name] = raw.get(name, "")
    if "title" in columns and not values.get("title"):
        errors.append("The title is missing.")
    if existing is None and not raw.get("description"):
        errors.append("A new dataset needs a description.")
    elif "description" in columns and not raw.get("description"):
        errors.append("The description is empty.")

    if "contact_email" in columns:
        email = raw.get("contact_email", "").lower()
        if not email:
            values["contact"] = None
        elif department is not None:
            person = lookups.contacts.get((email, department.pk))
            if person is None:
                if email in lookups.known_people:
                    errors.append(f"{email} is not a current department contact of {department.name}.")
                else:
                    errors.append(f"Nobody in the team has the email address {email}.")
            else:
                values["contact"] = person

    if "access_level" in columns:
        level = _choice(raw.get("access_level", "") or AccessLevel.NON_PUBLIC, AccessLevel)
        if level is None:
            errors.append(f"“{raw['access_level']}” is not an access level (public, restricted public or non-public).")
        else:
            values["access_level"] = level
    if "accrual_periodicity" in columns:
        frequency = _choice(raw.get("accrual_periodicity", "") or Frequency.IRREGULAR, Frequency, FREQUENCY_ALIASES)
        if frequency is None:
            errors.append(
                f"“{raw['accrual_periodicity']}” is not an update frequency: use daily, weekly, monthly, annual... "
                "or an ISO 8601 value such as R/P1M."
            )
        else:
            values["accrual_periodicity"] = frequency
    if "status" in columns:
        status = _choice(raw.get("status", "") or Status.IDENTIFIED, Status)
        if status is None:
            errors.append(f"“{raw['status']}” is not a status ({', '.join(Status.labels).lower()}).")
        else:
            values["status"] = status
    for name in URL_COLUMNS:
        if name in columns:
            value = raw.get(name, "")
            if value:
                try:
                    _url(value)
                except ValidationError:
                    errors.append(f"The {name.replace('_', ' ')} “{value}” is not a web address (http or https).")
                    continue
            values[name] = value
    for name in DATE_COLUMNS:
        if name in columns:
            value = raw.get(name, "")
            try:
                values[name] = datetime.date.fromisoformat(value[:10]) if value else None
            except ValueError:
                errors.append(f"The {name} date “{value}” is not a date written YYYY-MM-DD.")
    for name in BOOL_COLUMNS:
        if name in columns:
            value = raw.get(name, "").lower()
            if value in TRUE_WORDS:
                values[name] = True
            elif value in FALSE_WORDS:
                values[name] = False
            else:
                errors.append(f"{name.replace('_', ' ').capitalize()} must be yes or no, not “{raw[name]}”.")

    # Rights: the value the dataset would end with, not just the cell.
    final_level = values.get("access_level", existing.access_level if existing else AccessLevel.NON_PUBLIC)
    final_rights = values.get("rights", existing.rights if existing else "")
    if final_level != AccessLevel.PUBLIC and not final_rights.strip():
        errors.append("A dataset that is not public needs a rights statement saying why.")

    tags = {name: _split(raw.get(name, "")) for name in LIST_COLUMNS if name in columns}

    # Who may write it.
    if existing is not None:
        if existing.pk not in lookups.writable_ids:
            errors.append(f"You may not change {existing.identifier} (it belongs to {existing.department.name}).")
        elif (
            department is not None
            and department.pk != existing.department_id
            and not actor.has_role(*DATASETS.write_all)
        ):
            errors.append("You may not move a dataset to another department.")
    elif department is not None and not DATASETS.can_create_in(actor, department.pk):
        errors.append(f"You may not add datasets to {department.name}.")

    plan.fields, plan.tags, plan.dataset = values, tags, existing
    if errors:
        plan.action = INVALID
        return plan
    # Let the model check the rest (lengths, choices) on an unsaved copy. The related objects were looked up above
    # and the one constraint (rights unless public) checked, so this costs no query per row.
    candidate = copy.copy(existing) if existing else Dataset()
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.identifier = identifier or "pending-identifier"
    try:
        candidate.full_clean(
            exclude=["keywords", "themes", "initiatives", "department", "contact", "discovered_from"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            label = "" if name == "__all__" else f"{name.replace('_', ' ').capitalize()}: "
            errors.extend(f"{label}{m}" for m in messages)
        plan.action = INVALID
        return plan
    if existing is None:
        plan.action = NEW
        if identifier:
            values["identifier"] = identifier
        return plan
    plan.changes = _changed_fields(existing, values, tags)
    plan.action = CHANGED if plan.changes else UNCHANGED
    return plan


def _changed_fields(dataset: Dataset, values: dict, tags: dict) -> list[str]:
    changed = []
    for name, value in values.items():
        old = getattr(dataset, name)
        if old != value:
            changed.append("contact_email" if name == "contact" else name)
    for name, names in tags.items():
        old = {str(t).lower() for t in getattr(dataset, name).all()}
        if old != {n.lower() for n in names}:
            changed.append(name)
    return changed


def import_plan(*, columns: list[str], rows: list[dict[str, str]], actor: Actor) -> ImportPlan:
    """What importing ``rows`` would do, row by row; writes nothing. A row with an identifier updates that dataset
    (or creates one with it); a row without creates a new dataset; an identifier twice in a file is refused."""
    lookups = _Lookups(rows, actor)
    seen: dict[str, int] = {}
    plans = []
    for index, raw in enumerate(rows):
        line = index + 2
        plan = _plan_row(line, raw, columns, lookups, actor)
        identifier = plan.identifier
        if identifier:
            if identifier in seen:
                plan.errors.append(f"The identifier {identifier} is also on line {seen[identifier]}.")
                plan.action = INVALID
            else:
                seen[identifier] = line
        plans.append(plan)
    return ImportPlan(rows=plans, columns=columns)


@dataclass
class ImportResult:
    created: list[Dataset] = field(default_factory=list)
    updated: list[Dataset] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[RowPlan] = field(default_factory=list)


def _initiatives(names: list[str]) -> list[Initiative]:
    return [initiative_get_or_create(name=name) for name in names]


@transaction.atomic
def datasets_import(*, columns: list[str], rows: list[dict[str, str]], actor: Actor, by=None) -> ImportResult:
    """Import the valid rows of a file in one transaction, re-checking every row against the database as it is now.

    Guarantees: invalid rows are skipped and returned in ``skipped`` with their reasons; each valid row is written
    whole or not at all (its own savepoint); importing the same file twice changes nothing the second time."""
    plan = import_plan(columns=columns, rows=rows, actor=actor)
    result = ImportResult()
    for row in plan.rows:
        if row.action == INVALID:
            result.skipped.append(row)
            continue
        if row.action == UNCHANGED:
            result.unchanged += 1
            continue
        tags = dict(row.tags)
        if "initiatives" in tags:
            tags["initiatives"] = _initiatives(tags["initiatives"])
        try:
            with transaction.atomic():
                if row.action == NEW:
                    result.created.append(dataset_create(by=by, **tags, **row.fields))
                else:
                    result.updated.append(
                        dataset_update(dataset=row.dataset, by=by, reason="Imported", **tags, **row.fields)
                    )
        except ValidationError as exc:
            row.action = INVALID
            row.errors.extend(exc.messages)
            result.skipped.append(row)
    return result


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
