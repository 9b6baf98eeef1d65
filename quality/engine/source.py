"""Turn whatever file a source gave into one UTF-8 text table DuckDB can read, or say clearly why it cannot be read.

Formats: CSV and TSV (delimiter sniffed among comma, semicolon, tab and pipe), JSON records (an array of objects,
newline-delimited JSON, or a single object wrapping its records as ArcGIS, CKAN and most APIs do), XLSX (the first
worksheet), and gzip of any of these. The format comes from the content first (gzip and ZIP magic bytes, a leading
``[`` or ``{``), then the media type and file extension; the latter also say which delimiter to expect.

Encodings: UTF-8 (with or without a byte-order mark) is read as it is. A file that is not UTF-8 but decodes as
Windows-1252 (a superset of Latin-1 for text) or carries a UTF-16 byte-order mark is a wrong encoding: its "encoding"
check is an error (so the run's result is "error"), and it is converted to UTF-8 so that the other checks still run
and the user sees everything. Anything else is refused (:class:`UnreadableSource`).

Bounds (:mod:`core.uploads`, :mod:`core.spreadsheets`): a gzip file may inflate to ``max_decompressed_bytes``; a
workbook likewise, and it is refused before it is parsed when its ZIP has too many members, a member compressed like
a bomb, or too many shared strings, and while it streams when its first sheet has too many rows or cells. A text file
with a NUL byte anywhere is not text; a header of more than ``core.uploads.MAX_COLUMNS`` columns is refused.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.safejson import UnsafeJSON, loads_checked
from core.spreadsheets import SheetLimits, cell_text, xlsx_rows
from core.uploads import RefusedFile, looks_like_html, refuse_nul_in_file, refuse_wide

from .result import ERROR, PASS, WARN, CheckOutcome, UnreadableSource

CHUNK = 1024 * 1024
SAMPLE_BYTES = 1024 * 1024
#: A JSON file that is one object wrapping its records is parsed whole, so only up to this size.
WRAPPED_JSON_MAX_BYTES = 256 * 1024 * 1024
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
#: Where APIs keep the records inside a wrapping object (ArcGIS: features[].attributes; CKAN: result.records).
RECORD_KEYS = ("features", "records", "data", "rows", "items", "results", "result", "value", "elements")

XLSX_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
}
JSON_TYPES = {"application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "text/json"}
TSV_TYPES = {"text/tab-separated-values", "text/tsv"}
CSV_TYPES = {"text/csv", "application/csv", "text/comma-separated-values"}

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Office file: save it as .xlsx or CSV",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
    b"PAR1": "a Parquet file",
}


@dataclass
class PreparedSource:
    """A file ready for the checks: ``kind`` is "csv", "json" or "xlsx" (TSV is a CSV with tabs)."""

    kind: str
    path: Path
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    #: Lines the header row takes (a quoted name may span lines).
    header_lines: int = 1
    #: Checks settled while preparing the file (encoding, delimiter).
    checks: list[CheckOutcome] = field(default_factory=list)
    #: Examples give ``row`` as the record number (JSON) rather than a line in a text file.
    rows_are_records: bool = False
    #: The file's newline count and last byte, when preparing it already read it whole (CSV and TSV), so the
    #: example rows' line numbers need not read it again.
    newlines: tuple[int, bytes] | None = None


def _declared_kind(path: Path, media_type: str) -> str:
    """What the name and media type say the file is: csv, tsv, json, xlsx or "" (nothing said)."""
    media = (media_type or "").split(";")[0].strip().lower()
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if media in XLSX_TYPES or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if media in JSON_TYPES or name.endswith((".json", ".ndjson", ".jsonl", ".geojson")):
        return "json"
    if media in TSV_TYPES or name.endswith((".tsv", ".tab")):
        return "tsv"
    if media in CSV_TYPES or name.endswith(".csv"):
        return "csv"
    return ""


def _decompress(path: Path, workdir: Path, limit: int) -> Path:
    """Inflate a gzip file into ``workdir``, refusing it once it grows past ``limit`` bytes."""
    target = workdir / "inflated"
    written = 0
    try:
        with gzip.open(path, "rb") as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise UnreadableSource(
                        f"The compressed file inflates to more than {limit / 1024 / 1024:,.0f} MB, the most "
                        "accepted; it may be a compression bomb. Publish it uncompressed or in smaller parts."
                    )
                out.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableSource(f"The gzip file is damaged or cut short and cannot be decompressed ({exc}).") from exc
    return target


def _refuse_binary(head: bytes) -> None:
    if not head.strip():
        raise UnreadableSource("The file is empty: there is no header row and no data.")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise UnreadableSource(f"This is not a data table but {what}.")
    if looks_like_html(head):
        raise UnreadableSource(
            "The file is a web page (HTML), not data: the address probably serves an error or sign-in page instead "
            "of the file. Check the download address."
        )


def _refuse_wide(columns: int) -> None:
    try:
        refuse_wide(columns)
    except RefusedFile as exc:
        raise UnreadableSource(str(exc)) from exc


def _transcode(path: Path, workdir: Path, encoding: str) -> Path:
    target = workdir / "utf8.txt"
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
            while chunk := source.read(CHUNK):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise UnreadableSource(
            f"The file's text is in an encoding that could not be read (neither UTF-8 nor {encoding}); "
            "save it as UTF-8 and try again."
        ) from exc
    return target


def _fix_encoding(path: Path, workdir: Path, head: bytes) -> tuple[Path, CheckOutcome]:
    """UTF-8 stays as it is; UTF-16 (with its byte-order mark) and Windows-1252 are converted, with a warning."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcode(path, workdir, "utf-16"), CheckOutcome(
            "encoding",
            ERROR,
            message="Wrong encoding: the file is UTF-16, not UTF-8, so most programs will misread it. It was "
            "converted to UTF-8 to run the other checks; save it as UTF-8 (CSV UTF-8) and publish it again.",
        )
    if b"\x00" in head:
        raise UnreadableSource("This is not a text table: the file holds binary data.")
    controls = sum(head.count(bytes([c])) for c in range(1, 32) if c not in (9, 10, 13))
    if controls > max(8, len(head) // 100):
        raise UnreadableSource("This is not a text table: the file holds binary data.")
    try:
        head.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError as exc:
        # A sample cut inside a multi-byte character is still UTF-8; so is a file that says so with a byte-order
        # mark (its undecodable rows are then reported one by one).
        utf8 = (exc.start >= len(head) - 3 and len(head) == SAMPLE_BYTES) or head.startswith(codecs.BOM_UTF8)
    if utf8:
        bom = " (with a byte-order mark)" if head.startswith(codecs.BOM_UTF8) else ""
        return path, CheckOutcome("encoding", PASS, message=f"The file is UTF-8{bom}.")
    try:
        head.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise UnreadableSource(
            "The file's text is in an encoding that could not be read (neither UTF-8 nor Windows-1252); "
            "save it as UTF-8 and try again."
        ) from exc
    return _transcode(path, workdir, "cp1252"), CheckOutcome(
        "encoding",
        ERROR,
        message="Wrong encoding: the file is not UTF-8; it looks like Windows-1252 (Latin-1), so accented letters "
        "and symbols come out garbled in most programs. It was read as Windows-1252 to run the other checks; save it "
        "as UTF-8 (CSV UTF-8) and publish it again.",
    )


def _text_sample(path: Path) -> str:
    with open(path, "rb") as fh:
        raw = fh.read(SAMPLE_BYTES)
    text = raw.decode("utf-8", errors="replace")
    if len(raw) == SAMPLE_BYTES:
        text = text[: text.rfind("\n") + 1] or text
    return text.lstrip("\ufeff")


def _field_counts(text: str, delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    counts = []
    with contextlib.suppress(csv.Error):
        for row in reader:
            if row:
                counts.append(len(row))
            if len(counts) >= 50:
                break
    return counts


def sniff_delimiter(text: str, expected: str) -> str:
    """The delimiter among comma, semicolon, tab and pipe that splits the header into the most columns and most of
    the next rows into as many; ``expected`` wins a tie, and a one-column file keeps it."""
    best, best_key = expected, (0.0, 0, False)
    for delimiter in DELIMITERS:
        counts = _field_counts(text, delimiter)
        if not counts or counts[0] < 2:
            continue
        rows = counts[1:] or counts
        consistent = sum(1 for n in rows if n == counts[0]) / len(rows)
        key = (round(consistent, 1), counts[0], delimiter == expected)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _delimiter_check(delimiter: str, declared: str) -> CheckOutcome:
    expected = "\t" if declared == "tsv" else ","
    words = DELIMITERS[delimiter]
    if delimiter == expected or not declared:
        return CheckOutcome("delimiter", PASS, message=f"Columns are separated by {words}.")
    named = "tab-separated (TSV)" if declared == "tsv" else "comma-separated (CSV)"
    return CheckOutcome(
        "delimiter",
        WARN,
        message=f"The file is named or served as {named}, but its columns are separated by {words}; it was read "
        f"with {words}. Programs that trust the name will read it as one column.",
    )


def _header(text: str, delimiter: str) -> tuple[list[str], int]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise UnreadableSource("The file has no header row naming its columns.") from exc
    return header, reader.line_num


def _xlsx_to_csv(path: Path, workdir: Path, limit: int) -> Path:
    """The first worksheet as a CSV (one line per sheet row, so line numbers are the sheet's row numbers), read as a
    stream by :func:`core.spreadsheets.xlsx_rows`: a workbook that inflates past ``limit``, or past any of its other
    bounds (members, compression ratio, shared strings, rows, columns, cells), is refused before it is parsed."""
    try:
        with xlsx_rows(path, SheetLimits().with_total(limit)) as rows:
            return _write_sheet(rows, workdir / "sheet.csv")
    except RefusedFile as exc:
        raise UnreadableSource(str(exc)) from exc


def _write_sheet(rows: Iterator[Sequence[object]], target: Path) -> Path:
    width = 0
    pending_blank = 0
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for number, row in enumerate(rows):
            cells = [cell_text(v) for v in row]
            if number == 0:
                while cells and not cells[-1]:
                    cells.pop()
                width = len(cells)
            else:
                while len(cells) > width and not cells[-1]:
                    cells.pop()
                cells += [""] * (width - len(cells))
            if number and not any(cells):
                pending_blank += 1  # trailing blank rows are formatting, not data: write them only if data follows
                continue
            for _ in range(pending_blank):
                writer.writerow([""] * width)
            pending_blank = 0
            writer.writerow(cells)
    if target.stat().st_size == 0:
        raise UnreadableSource("The spreadsheet's first sheet is empty: there is no header row and no data.")
    return target


def _find_records(document: object) -> list | None:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    for key in RECORD_KEYS:
        value = document.get(key)
        if isinstance(value, dict):
            value = _find_records(value)
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            if key == "features" and all(isinstance(item.get("attributes"), dict) for item in value):
                return [item["attributes"] for item in value]
            if key == "features" and all(isinstance(item.get("properties"), dict) for item in value):
                return [item["properties"] for item in value]
            return value
    return None


def _unwrap_json(path: Path, workdir: Path, head: bytes) -> Path:
    """A JSON file whose top level is one object wrapping the records: write the records as NDJSON. An array, or
    NDJSON (one record per line), is returned as it is."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"{"):
        return path
    try:
        first = loads_checked(stripped.split(b"\n", 1)[0])
    except ValueError:
        first = None  # one object spread over several lines: a wrapper
    if isinstance(first, dict) and not _is_wrapper(first):
        if b"\n" in stripped.strip():
            return path  # NDJSON: one record per line
        raise UnreadableSource(
            "The JSON holds no list of records, only one object (an API error or a summary?): expected an array of "
            f"objects, one object per line, or an object with its records under one of: {', '.join(RECORD_KEYS)}."
        )
    if path.stat().st_size > WRAPPED_JSON_MAX_BYTES:
        raise UnreadableSource("This JSON object is too large to unwrap; publish its records as an array or NDJSON.")
    try:
        document = loads_checked(path.read_bytes().decode("utf-8-sig"))
    except UnsafeJSON as exc:
        raise UnreadableSource(str(exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableSource(f"The file is not valid JSON ({exc}).") from exc
    records = _find_records(document)
    if records is None:
        raise UnreadableSource(
            "The JSON holds no list of records: expected an array of objects, one object per line, or an object "
            f"with its records under one of: {', '.join(RECORD_KEYS)}."
        )
    target = workdir / "records.ndjson"
    with open(target, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return target


def _is_wrapper(document: object) -> bool:
    return isinstance(document, dict) and _find_records(document) is not None


def prepare(path: Path, workdir: Path, *, media_type: str = "", max_decompressed_bytes: int) -> PreparedSource:
    """Make ``path`` checkable: decompress, detect the format, fix the encoding, sniff the delimiter, read the
    header. Temporary files go in ``workdir`` (the caller removes it). Raises UnreadableSource."""
    declared = _declared_kind(path, media_type)
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head:
        raise UnreadableSource("The file is empty: there is no header row and no data.")
    if head.startswith(b"\x1f\x8b"):
        path = _decompress(path, workdir, max_decompressed_bytes)
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
        if not head:
            raise UnreadableSource("The compressed file is empty: there is no header row and no data.")
    if head.startswith(b"PK\x03\x04"):
        sheet = _xlsx_to_csv(path, workdir, max_decompressed_bytes)
        text = _text_sample(sheet)
        header, lines = _header(text, ",")
        _refuse_wide(len(header))
        return PreparedSource("xlsx", sheet, ",", header, lines)

    _refuse_binary(head)
    path, encoding = _fix_encoding(path, workdir, head)
    if path.name == "utf8.txt":
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    try:
        newlines = refuse_nul_in_file(path)  # past the sample too: a NUL byte anywhere is not text
    except RefusedFile as exc:
        raise UnreadableSource(str(exc)) from exc
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"[", b"{")):
        path = _unwrap_json(path, workdir, head)
        return PreparedSource("json", path, checks=[encoding], rows_are_records=True)
    if declared == "json":
        raise UnreadableSource("The file is named or served as JSON but does not start with [ or {.")

    text = _text_sample(path)
    if not text.strip():
        raise UnreadableSource("The file is empty: there is no header row and no data.")
    expected = "\t" if declared == "tsv" else ","
    delimiter = sniff_delimiter(text, expected)
    header, lines = _header(text, delimiter)
    _refuse_wide(len(header))
    checks = [encoding, _delimiter_check(delimiter, declared)]
    if len(header) == 1 and len(header[0]) > 200:
        raise UnreadableSource("This does not look like a table: no comma, semicolon, tab or pipe separates columns.")
    return PreparedSource("csv", path, delimiter, header, lines, checks, newlines=newlines)
