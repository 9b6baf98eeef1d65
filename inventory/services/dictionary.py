"""A dataset's data dictionary in Frictionless Table Schema terms: drafted from a sample CSV, read from a Table Schema
JSON, and published as one.

The functions here speak one shape, the **field dict**, whose keys are the :class:`~inventory.models.DataField`
columns::

    {"name": "case_id", "title": "Case id", "type": "integer", "format": "", "description": "",
     "required": True, "unique": False, "allowed_values": [], "minimum": "", "maximum": "", "pattern": ""}

``dictionary_from_csv`` and ``dictionary_from_table_schema`` return a list of them (nothing is written: a form can
show them for the user to correct); :func:`inventory.services.datasets.dataset_save_dictionary`, the one write path
of a dictionary, writes a list of them; ``table_schema_for`` publishes the stored dictionary. Errors a user can fix
arrive as :class:`~django.core.exceptions.ValidationError` with a message that says what is wrong and where.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from typing import Any

from django.core.exceptions import ValidationError

from core.safejson import UnsafeJSON, loads_checked
from core.uploads import HTML_MESSAGE, MAX_COLUMNS, looks_like_html, too_many_columns_message

from ..models import DataField, Dataset, FieldType

#: The keys of a field dict, in the order the dictionary shows them.
FIELD_KEYS = (
    "name",
    "title",
    "type",
    "format",
    "description",
    "required",
    "unique",
    "allowed_values",
    "minimum",
    "maximum",
    "pattern",
)
#: Read no more of a sample CSV than this: the first rows are enough to draft a dictionary.
CSV_SAMPLE_BYTES = 5 * 1024 * 1024
#: A Table Schema JSON larger than this is not a dictionary someone wrote.
TABLE_SCHEMA_MAX_BYTES = 2 * 1024 * 1024
NUMERIC_TYPES = (FieldType.INTEGER, FieldType.NUMBER)


def empty_field(name: str = "", **values: Any) -> dict:
    """A field dict with every key, defaults for those not given."""
    field = {
        "name": name,
        "title": "",
        "type": FieldType.STRING.value,
        "format": "",
        "description": "",
        "required": False,
        "unique": False,
        "allowed_values": [],
        "minimum": "",
        "maximum": "",
        "pattern": "",
    }
    field.update(values)
    return field


def title_from_name(name: str) -> str:
    """``case_number`` or ``caseNumber`` → ``Case number``: a first draft of a human title."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ").split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:]


# --- drafting from a sample CSV ----------------------------------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?(0|[1-9]\d*)$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
_BOOLEANS = {"true", "false", "yes", "no", "t", "f", "y", "n"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
#: Other date and date-time spellings a city's exports use, with the Table Schema format that reads them.
_DATE_FORMATS = ("%m/%d/%Y",)
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.datetime.strptime(value, fmt)  # noqa: DTZ007 - only checks the spelling
    except ValueError:
        return False
    return True


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_iso_datetime(value: str) -> bool:
    if not _ISO_DATETIME.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def infer_type(values: list[str]) -> tuple[str, str]:
    """The narrowest Table Schema ``(type, format)`` every one of ``values`` (non-blank strings) parses as.

    Explicit parsing, most specific first: integer (a leading zero, as in ZIP codes, keeps it a string), number,
    boolean, date, datetime, else string. No values at all: string.
    """
    if not values:
        return FieldType.STRING.value, ""
    if any(_LEADING_ZERO.match(v) for v in values):
        pass  # codes such as ZIP codes and account numbers: text, whatever their digits say
    elif all(_INTEGER.match(v) for v in values):
        return FieldType.INTEGER.value, ""
    elif all(_NUMBER.match(v) for v in values):
        return FieldType.NUMBER.value, ""
    if all(v.lower() in _BOOLEANS for v in values):
        return FieldType.BOOLEAN.value, ""
    if all(_is_iso_date(v) for v in values):
        return FieldType.DATE.value, ""
    for fmt in _DATE_FORMATS:
        if all(_parses(v, fmt) for v in values):
            return FieldType.DATE.value, fmt
    if all(_is_iso_datetime(v) for v in values):
        return FieldType.DATETIME.value, ""
    for fmt in _DATETIME_FORMATS:
        if all(_parses(v, fmt) for v in values):
            return FieldType.DATETIME.value, fmt
    return FieldType.STRING.value, ""


def _read_bytes(file: Any, limit: int) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file[:limit])
    if isinstance(file, str):
        return file.encode()[:limit]
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(limit)
    return data.encode() if isinstance(data, str) else data


def _decode_text(raw: bytes, what: str) -> str:
    if b"\x00" in raw:
        raise ValidationError(f"This does not look like a {what}: it holds binary data. Upload a text file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(f"This {what} is in an encoding that could not be read. Save it as UTF-8 and try again.")


def dictionary_from_csv(file: Any, *, sample_rows: int = 1000) -> list[dict]:
    """Draft a data dictionary from a sample CSV: one field dict per column of the header row.

    ``file`` is an uploaded file, any binary or text file object, or bytes. Reads at most the first
    ``sample_rows`` data rows (and 5 MB). Handles a UTF-8 byte-order mark and Windows-1252 text, and comma,
    semicolon, tab or pipe delimiters (found by :class:`csv.Sniffer`). Each field's type is the narrowest that
    every non-blank sample value parses as (see :func:`infer_type`); it is required when no sampled row leaves it
    blank. Nothing is written.

    Raises ValidationError, with a message for the user, for an empty or binary file (a NUL byte anywhere in the
    sample), a web page, a file that is not CSV, a header wider than ``core.uploads.MAX_COLUMNS``, and a header with
    a blank or repeated column name.
    """
    raw = _read_bytes(file, CSV_SAMPLE_BYTES)
    if looks_like_html(raw):
        raise ValidationError(HTML_MESSAGE)
    text = _decode_text(raw, "CSV file")
    if len(raw) == CSV_SAMPLE_BYTES:
        # The cut may fall mid-row: drop the partial last line.
        text = text[: text.rfind("\n") + 1] or text
    if not text.strip():
        raise ValidationError("The CSV file is empty: it needs at least a header row naming the columns.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[: 64 * 1024], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader, [])
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            if len(rows) >= sample_rows:
                break
    except csv.Error as exc:
        raise ValidationError(f"This file could not be read as CSV (line {reader.line_num}): {exc}.") from exc

    names = [name.strip() for name in header]
    if len(names) > MAX_COLUMNS:
        raise ValidationError(too_many_columns_message(len(names)))
    if not any(names):
        raise ValidationError("The CSV file has no header row: its first line must name the columns.")
    for position, name in enumerate(names, start=1):
        if not name:
            raise ValidationError(f"Column {position} of the header row has no name. Name every column.")
    seen: set[str] = set()
    for name in names:
        if name.lower() in seen:
            raise ValidationError(f"The header row names the column “{name}” twice. Column names must be unique.")
        seen.add(name.lower())
    if len(names) == 1 and len(text.splitlines()[0]) > 200:
        raise ValidationError("This does not look like a CSV file: no delimiter separates its columns.")

    fields = []
    for index, name in enumerate(names):
        cells = [row[index].strip() if index < len(row) else "" for row in rows]
        present = [cell for cell in cells if cell]
        type_, fmt = infer_type(present)
        fields.append(
            empty_field(
                name[:200],
                title=title_from_name(name)[:200],
                type=type_,
                format=fmt,
                required=bool(rows) and len(present) == len(cells),
            )
        )
    return fields


# --- reading a Table Schema JSON ---------------------------------------------------------------------------------


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_json(data: Any) -> Any:
    if isinstance(data, dict | list):
        return data
    raw = _read_bytes(data, TABLE_SCHEMA_MAX_BYTES + 1)
    if len(raw) > TABLE_SCHEMA_MAX_BYTES:
        raise ValidationError("This Table Schema file is too large (over 2 MB).")
    text = _decode_text(raw, "Table Schema JSON file")
    try:
        return loads_checked(text)
    except UnsafeJSON as exc:
        raise ValidationError(str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "Upload a Table Schema JSON file."
        ) from exc


def dictionary_from_table_schema(data: Any) -> list[dict]:
    """Read a Frictionless Table Schema into field dicts (nothing is written).

    ``data`` is the parsed JSON (a dict), JSON text, bytes, or a file. The schema must be an object with a
    ``fields`` list, each field an object with a unique ``name`` and, if given, a Table Schema ``type``;
    ``constraints`` (required, unique, enum, minimum, maximum, pattern) are read into the matching keys.
    Unknown properties are ignored.

    Raises ValidationError naming every problem (by field position and name) when the JSON is not valid, or is
    not a Table Schema.
    """
    schema = _load_json(data)
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise ValidationError(
            "This is not a Table Schema: it must be a JSON object with a “fields” list "
            "(see https://specs.frictionlessdata.io/table-schema/)."
        )
    if not schema["fields"]:
        raise ValidationError("This Table Schema has no fields.")
    if len(schema["fields"]) > MAX_COLUMNS:
        raise ValidationError(
            f"This Table Schema has {len(schema['fields']):,} fields, more than the {MAX_COLUMNS:,} a data dictionary "
            "may hold."
        )
    errors: list[str] = []
    fields: list[dict] = []
    seen: set[str] = set()
    for position, item in enumerate(schema["fields"], start=1):
        where = f"Field {position}"
        if not isinstance(item, dict):
            errors.append(f"{where} is not an object.")
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where} has no name.")
            continue
        name = name.strip()
        where = f"Field {position} ({name})"
        if name.lower() in seen:
            errors.append(f"{where}: the name is used by another field.")
        seen.add(name.lower())
        type_ = item.get("type", FieldType.STRING.value)
        if type_ not in FieldType.values:
            errors.append(f"{where}: “{type_}” is not a Table Schema type ({', '.join(FieldType.values)}).")
            continue
        fmt = item.get("format", "")
        fmt = "" if fmt in ("default", None) else fmt
        constraints = item.get("constraints") or {}
        if not isinstance(constraints, dict):
            errors.append(f"{where}: “constraints” must be an object.")
            continue
        enum = constraints.get("enum", [])
        if not isinstance(enum, list):
            errors.append(f"{where}: the “enum” constraint must be a list.")
            continue
        pattern = constraints.get("pattern", "")
        if not isinstance(pattern, str):
            errors.append(f"{where}: the “pattern” constraint must be a string.")
            continue
        field = empty_field(
            name,
            title=str(item.get("title") or ""),
            type=type_,
            format=str(fmt),
            description=str(item.get("description") or ""),
            required=constraints.get("required") is True,
            unique=constraints.get("unique") is True,
            allowed_values=[_scalar_text(v) for v in enum],
            minimum=_scalar_text(constraints["minimum"]) if constraints.get("minimum") is not None else "",
            maximum=_scalar_text(constraints["maximum"]) if constraints.get("maximum") is not None else "",
            pattern=pattern,
        )
        problems = field_problems(field)
        errors.extend(f"{where}: {problem}" for problem in problems)
        fields.append(field)
    if errors:
        raise ValidationError(errors)
    return fields


# --- publishing a dictionary as Table Schema ---------------------------------------------------------------------


def _number(value: str, type_: str) -> int | float | str:
    """A constraint value as a JSON number where the field is numeric (else the text as written)."""
    if type_ not in NUMERIC_TYPES:
        return value
    try:
        number = float(value)
    except ValueError:
        return value
    if type_ == FieldType.INTEGER or (number.is_integer() and _INTEGER.match(value.strip())):
        return int(number)
    return number


def table_schema_field(field: DataField) -> dict:
    """One DataField as a Table Schema field descriptor."""
    descriptor: dict[str, Any] = {"name": field.name}
    if field.title:
        descriptor["title"] = field.title
    descriptor["type"] = field.type
    if field.format:
        descriptor["format"] = field.format
    if field.description:
        descriptor["description"] = field.description
    constraints: dict[str, Any] = {}
    if field.required:
        constraints["required"] = True
    if field.unique:
        constraints["unique"] = True
    if field.allowed_values:
        constraints["enum"] = [_number(str(v), field.type) for v in field.allowed_values]
    if field.minimum != "":
        constraints["minimum"] = _number(field.minimum, field.type)
    if field.maximum != "":
        constraints["maximum"] = _number(field.maximum, field.type)
    if field.pattern:
        constraints["pattern"] = field.pattern
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_schema_for(dataset: Dataset) -> dict:
    """The dataset's data dictionary as a Frictionless Table Schema dict, fields in their dictionary order.

    Numeric constraints (minimum, maximum, enum) are JSON numbers when the field's type is integer or number.
    Uses ``dataset.fields.all()``, so a prefetch of ``fields`` makes it query-free.
    """
    return {"fields": [table_schema_field(field) for field in dataset.fields.all()]}


# --- checking a field read from a Table Schema ---------------------------------------------------------------------


def field_problems(field: dict) -> list[str]:
    """What is wrong with one field dict read from a Table Schema, in words (empty when it can be shown for review;
    saving it checks it again, see :func:`inventory.services.datasets.field_problems`)."""
    problems = []
    if field.get("type") not in FieldType.values:
        problems.append(f"“{field.get('type')}” is not a field type.")
    if len(str(field.get("name", ""))) > 200:
        problems.append("the name is longer than 200 characters.")
    if len(str(field.get("title", ""))) > 200:
        problems.append("the title is longer than 200 characters.")
    for key in ("minimum", "maximum"):
        value = str(field.get(key, ""))
        if len(value) > 100:
            problems.append(f"the {key} is longer than 100 characters.")
        elif value and field.get("type") in NUMERIC_TYPES and not _NUMBER.match(value.strip()):
            problems.append(f"the {key} “{value}” is not a number.")
    pattern = field.get("pattern") or ""
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"the pattern is not a valid regular expression ({exc}).")
    if not isinstance(field.get("allowed_values", []), list):
        problems.append("the allowed values must be a list.")
    return problems
