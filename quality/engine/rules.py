"""A Table Schema field as SQL: whether a text value is valid for its type and format, and its typed value.

Every value arrives as text (VARCHAR). Validity is decided by an explicit regular expression for the type's lexical
form, then a cast (TRY_CAST or TRY_STRPTIME) for the calendar, never by DuckDB's lenient casts alone (which would
accept ``1_000`` or `` 12 `` as integers and ``2024-1-5`` as a date). Supported, after the Table Schema spec:

* integer: optional sign and digits (``bareNumber: false`` allows text around them); number: decimal or exponent
  notation, NaN, INF, -INF, with ``decimalChar`` and ``groupChar``; boolean: ``trueValues`` / ``falseValues``
  (defaults true/True/TRUE/1 and false/False/FALSE/0);
* date, datetime, time: ISO 8601 by default (a datetime may leave out seconds and carry Z or an offset), ``any``
  (ISO or a few common spellings), or a ``%``-pattern such as ``%d/%m/%Y``;
* year (four digits), yearmonth (``YYYY-MM``), duration (ISO 8601), geopoint (``lon, lat``), object / array /
  geojson (JSON text of that shape); string formats email, uri, uuid; string default and ``any`` take any text.

Constraints: enum (numbers compared as numbers, booleans as booleans, everything else as written), minimum and
maximum (numbers, dates, times, years; as written for yearmonth), pattern (a full match, RE2 syntax), required,
unique (as written). A value that is not valid for its type counts as a type error only, not also as a constraint
error, as Frictionless does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INTEGER_RE = r"[+-]?[0-9]+"
NUMBER_RE = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(NaN|INF|nan|inf|Infinity)"
DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATETIME_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
TIME_RE = r"[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
ZONE_RE = r"(Z|[+-][0-9]{2}:?[0-9]{2})$"
STRING_FORMATS = {
    "email": r"[^@\s]+@[^@\s]+\.[^@\s]+",
    "uri": r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+",
    "uuid": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "binary": r"[A-Za-z0-9+/\r\n]*={0,2}",
}
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
#: ``format: any`` dates and datetimes: ISO first, then these spellings.
ANY_DATE_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%Y", "%b %d, %Y", "%d %b %Y")
ANY_DATETIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S")
TYPE_WORDS = {
    "integer": "whole numbers",
    "number": "numbers",
    "boolean": "yes/no values",
    "date": "dates",
    "datetime": "dates and times",
    "time": "times",
    "year": "years",
    "yearmonth": "year-months (YYYY-MM)",
    "duration": "ISO 8601 durations",
    "geopoint": "geographic points",
    "object": "JSON objects",
    "array": "JSON arrays",
    "geojson": "GeoJSON objects",
}


def one_row(cursor: Any) -> tuple[Any, ...]:
    """The one row an aggregate query answers (DuckDB types ``fetchone`` as optional; an aggregate always has a
    row, so its absence is a bug, not a state to handle)."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("An aggregate query returned no row.")
    return row


def lit(value: Any) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _json_shape(text: str, opener: str) -> str:
    """Valid JSON that is an object (``{``) or an array (``[``); json_type() would raise on invalid JSON."""
    return f"(json_valid({text}) AND left(ltrim({text}), 1) = {lit(opener)})"


def regex(column: str, pattern: str) -> str:
    return f"regexp_full_match({column}, {lit(pattern)})"


@dataclass
class ColumnRule:
    """One schema field matched to a column of the file (``sql`` is the column's name in the DuckDB table)."""

    name: str
    sql: str
    type: str = "string"
    format: str = ""
    required: bool = False
    unique: bool = False
    enum: list[Any] = field(default_factory=list)
    minimum: Any = None
    maximum: Any = None
    pattern: str = ""
    missing_values: list[str] = field(default_factory=lambda: [""])
    true_values: list[str] = field(default_factory=lambda: list(TRUE_VALUES))
    false_values: list[str] = field(default_factory=lambda: list(FALSE_VALUES))
    decimal_char: str = "."
    group_char: str = ""
    bare_number: bool = True

    @classmethod
    def from_field(cls, descriptor: dict, sql: str, missing_values: list[str]) -> ColumnRule:
        constraints = descriptor.get("constraints") or {}
        fmt = descriptor.get("format") or ""
        return cls(
            name=descriptor["name"],
            sql=sql,
            type=descriptor.get("type") or "string",
            format="" if fmt == "default" else str(fmt),
            required=constraints.get("required") is True,
            unique=constraints.get("unique") is True,
            enum=list(constraints.get("enum") or []),
            minimum=constraints.get("minimum"),
            maximum=constraints.get("maximum"),
            pattern=constraints.get("pattern") or "",
            missing_values=[str(v) for v in descriptor.get("missingValues", missing_values)],
            true_values=[str(v) for v in descriptor.get("trueValues", TRUE_VALUES)],
            false_values=[str(v) for v in descriptor.get("falseValues", FALSE_VALUES)],
            decimal_char=str(descriptor.get("decimalChar", ".")),
            group_char=str(descriptor.get("groupChar", "")),
            bare_number=descriptor.get("bareNumber", True) is not False,
        )

    # --- SQL ------------------------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The value as text. DuckDB reads an empty field as NULL: where "" is a missing value (the default) the
        checks skip empty values anyway, so the column is used as it is; otherwise NULL becomes ""."""
        return self.sql if "" in self.missing_values else f"coalesce({self.sql}, '')"

    @property
    def empty(self) -> str:
        """True where the value is missing: empty, or one of the schema's ``missingValues``."""
        values = [v for v in self.missing_values if v != ""]
        # The loader turns every empty field (quoted or not, CSV or JSON) into NULL.
        parts = [f"{self.sql} IS NULL"] if "" in self.missing_values else []
        if values:
            parts.append(f"{self.sql} IN ({', '.join(lit(v) for v in values)})")
        return "(" + " OR ".join(parts) + ")" if parts else "false"

    def _number_text(self) -> str:
        value = self.text
        if self.group_char:
            value = f"replace({value}, {lit(self.group_char)}, '')"
        if self.decimal_char != ".":
            value = f"replace({value}, {lit(self.decimal_char)}, '.')"
        if not self.bare_number:
            value = f"regexp_replace({value}, '^[^0-9+.-]+|[^0-9.]+$', '', 'g')"
        return value

    def _parse_calendar(self, value: str, cast: str, default_re: str, any_formats: tuple[str, ...]) -> str:
        """The typed value (NULL when it does not parse) of a date, datetime or time in this field's format."""
        fmt = self.format
        if "%" in fmt:
            return f"try_strptime({value}, {lit(fmt)})::{cast}"
        # DuckDB casts "...T10:20:30Z" itself; only a value with an offset needs it cut off.
        stripped = f"try_cast(regexp_replace({value}, {lit(ZONE_RE)}, '') AS {cast})"
        iso = f"CASE WHEN {regex(value, default_re)} THEN coalesce(try_cast({value} AS {cast}), {stripped}) END"
        if fmt == "any":
            tries = [iso, f"try_cast({value} AS {cast})"] + [
                f"try_strptime({value}, {lit(f)})::{cast}" for f in any_formats
            ]
            return "coalesce(" + ", ".join(tries) + ")"
        return iso

    def typed(self, value: str | None = None) -> str | None:
        """SQL for the typed value of ``value`` (this column's text by default), NULL where it is not valid; None
        when the type is compared as text."""
        value = value or self.text
        if self.type == "integer":
            return f"try_cast({self._number_text() if value == self.text else value} AS HUGEINT)"
        if self.type == "number":
            return f"try_cast({self._number_text() if value == self.text else value} AS DOUBLE)"
        if self.type == "date":
            return self._parse_calendar(value, "DATE", DATE_RE, ANY_DATE_FORMATS)
        if self.type == "datetime":
            return self._parse_calendar(value, "TIMESTAMP", DATETIME_RE, ANY_DATETIME_FORMATS + ANY_DATE_FORMATS)
        if self.type == "time":
            return self._parse_calendar(value, "TIME", TIME_RE, ("%H:%M", "%I:%M %p", "%I:%M:%S %p"))
        if self.type == "year":
            return f"try_cast({value} AS INTEGER)"
        if self.type == "boolean":
            return f"({value} IN ({', '.join(lit(v) for v in self.true_values)}))"
        return None

    def valid(self) -> str | None:
        """SQL true where a non-empty value is valid for the type and format; None when every text is valid."""
        text = self.text
        if self.type == "integer":
            pattern = INTEGER_RE if self.bare_number else r"[^0-9+-]*" + INTEGER_RE + r"[^0-9]*"
            return regex(self._number_text() if self.group_char else text, pattern)
        if self.type == "number":
            return regex(self._number_text(), NUMBER_RE)
        if self.type in ("date", "datetime", "time"):
            return f"({self.typed()}) IS NOT NULL"
        if self.type == "year":
            return regex(text, r"-?[0-9]{4}")
        if self.type == "yearmonth":
            return regex(text, r"[0-9]{4}-(0[1-9]|1[0-2])")
        if self.type == "boolean":
            return f"{text} IN ({', '.join(lit(v) for v in self.true_values + self.false_values)})"
        if self.type == "duration":
            return (
                f"({regex(text, r'P([0-9.]+Y)?([0-9.]+M)?([0-9.]+W)?([0-9.]+D)?(T([0-9.]+H)?([0-9.]+M)?([0-9.]+S)?)?')}"
                f" AND {text} NOT IN ('P', 'PT'))"
            )
        if self.type == "geopoint":
            if self.format == "array":
                return regex(text, r"\[\s*-?[0-9.]+\s*,\s*-?[0-9.]+\s*\]")
            if self.format == "object":
                return _json_shape(text, "{")
            return regex(text, r"-?[0-9]+(\.[0-9]+)?\s*,\s*-?[0-9]+(\.[0-9]+)?")
        if self.type in ("object", "geojson"):
            return _json_shape(text, "{")
        if self.type == "array":
            return _json_shape(text, "[")
        if self.type == "string" and self.format in STRING_FORMATS:
            return regex(text, STRING_FORMATS[self.format])
        return None

    def literal(self, value: Any) -> str | None:
        """A constraint value (minimum, maximum, enum item) as typed SQL, or None where the type has no order."""
        if self.type in ("integer", "number"):
            try:
                return repr(float(value)) if self.type == "number" else str(int(float(value)))
            except (TypeError, ValueError, OverflowError):
                return "NULL"
        if self.type == "boolean":
            if isinstance(value, bool):
                return "true" if value else "false"
            return self.typed(lit(value))
        if self.type in ("date", "datetime", "time"):
            typed = self.typed(lit(value))
            cast = {"date": "DATE", "datetime": "TIMESTAMP", "time": "TIME"}[self.type]
            return f"coalesce({typed}, try_cast({lit(value)} AS {cast}))"
        if self.type == "year":
            return f"try_cast({lit(value)} AS INTEGER)"
        if self.type == "yearmonth":
            return lit(value)
        return None

    @property
    def type_words(self) -> str:
        words = TYPE_WORDS.get(self.type, self.type)
        if self.format and self.format not in ("any", "default"):
            words += f" in the format {self.format}"
        return words
