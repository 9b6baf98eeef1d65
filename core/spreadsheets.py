"""The one way to open a ZIP-based file a user sent (an XLSX workbook today, any later format tomorrow): bounded
before anything is parsed, and read as a stream.

A 4.9 MB workbook whose shared strings inflate to 1.5 GB once held a worker at 11 GB for 11 minutes. So, before a
single XML element is parsed:

1. the ZIP's end record is read by hand: too many members, or a central directory too large, is refused before
   :mod:`zipfile` builds an entry per member;
2. every member's declared size is checked: the total and each member's uncompressed size, and each large member's
   compression ratio (real workbooks compress about 10 to 1; a bomb of repeated bytes about 1,000 to 1). Python's
   :mod:`zipfile` stops at the declared size while inflating, so a member cannot lie its way past these;
3. the parts openpyxl parses whole (workbook, styles, relationships, content types) and the shared strings have caps
   of their own, and the shared strings' declared count is checked.

Then the workbook is opened with openpyxl in read-only mode, its shared strings read by a streaming reader that
counts them as it goes and keeps nothing but the strings (openpyxl's own keeps every parsed element), and the first
worksheet's rows are yielded one at a time, each counted against the row, column and cell limits. Nothing is held
but the shared strings and the row being read.

Everything refused raises :class:`core.uploads.RefusedFile` with a message for the person who sent the file.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .uploads import MAX_COLUMNS, RefusedFile, too_many_columns_message

MB = 1024 * 1024

#: Openpyxl's tag for one shared string.
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHARED_STRING_TAG = f"{_MAIN}si"
_TEXT_TAG = f"{_MAIN}t"
_DECLARED_COUNT = re.compile(rb"""\buniqueCount\s*=\s*["'](\d+)["']""")
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


@dataclass(frozen=True)
class ZipLimits:
    """What a ZIP may hold before it is opened."""

    max_members: int = 2000
    max_directory_bytes: int = 4 * MB
    max_total_bytes: int = 512 * MB
    #: One member's uncompressed size (``None``: the total).
    max_member_bytes: int | None = None
    #: Largest compression ratio of a member larger than ``ratio_floor_bytes`` (small ones compress as they will).
    max_ratio: int = 100
    ratio_floor_bytes: int = 1 * MB


@dataclass(frozen=True)
class SheetLimits:
    """What a workbook may hold: its ZIP's limits, then the parts parsed whole, and the first sheet's size."""

    zip: ZipLimits = ZipLimits()
    #: Any XML part openpyxl parses whole (workbook, styles, relationships, content types, properties).
    max_xml_part_bytes: int = 32 * MB
    max_shared_strings: int = 1_000_000
    max_shared_strings_bytes: int = 64 * MB
    #: Excel's own row limit: no workbook a spreadsheet wrote has more.
    max_rows: int = 1_048_576
    max_columns: int = MAX_COLUMNS
    max_cells: int = 50_000_000

    def with_total(self, max_total_bytes: int) -> SheetLimits:
        """These limits with another cap on the whole workbook's uncompressed size."""
        return replace(self, zip=replace(self.zip, max_total_bytes=max_total_bytes))


#: A workbook a person uploads through a page and waits for (an import of a few thousand rows): small bounds, so the
#: web worker reading it stays small too.
FORM_UPLOAD_LIMITS = SheetLimits(
    zip=ZipLimits(max_total_bytes=128 * MB),
    max_xml_part_bytes=16 * MB,
    max_shared_strings=250_000,
    max_shared_strings_bytes=16 * MB,
    max_rows=100_000,
    max_cells=2_000_000,
)


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold (whole numbers without ``.0``, dates as ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _size(count: int) -> str:
    if count >= 1024 * MB:
        return f"{count / 1024 / MB:,.1f} GB"
    return f"{max(count / MB, 0.1):,.1f} MB" if count >= MB // 10 else f"{count:,} bytes"


def _damaged(exc: BaseException | None = None) -> RefusedFile:
    detail = f" ({exc.__class__.__name__}: {str(exc)[:200]})" if exc is not None and str(exc) else ""
    return RefusedFile(
        f"The file is not a valid XLSX workbook: it is damaged and cannot be opened{detail}. Save it again from your "
        "spreadsheet as .xlsx or as CSV."
    )


# --- the ZIP -----------------------------------------------------------------------------------------------------


def _end_record(fh: IO[bytes]) -> tuple[int, int]:
    """The member count and central directory size the ZIP's end record declares (ZIP64 too), read without
    :mod:`zipfile` (which would first build an entry for every member)."""
    fh.seek(0, 2)
    size = fh.tell()
    tail_start = max(0, size - (22 + 65535))
    fh.seek(tail_start)
    tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        raise _damaged()
    _sig, _disk, _cd_disk, _on_disk, members, directory_bytes, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    if members == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        locator_at = at - 20
        if locator_at < 0 or tail[locator_at : locator_at + 4] != _ZIP64_LOCATOR:
            raise _damaged()
        (record_offset,) = struct.unpack("<Q", tail[locator_at + 8 : locator_at + 16])
        fh.seek(record_offset)
        record = fh.read(56)
        if len(record) < 56 or record[:4] != _ZIP64_EOCD:
            raise _damaged()
        members, directory_bytes = struct.unpack("<QQ", record[32:48])
    fh.seek(0)
    return members, directory_bytes


def check_zip_directory(fh: IO[bytes], limits: ZipLimits) -> None:
    """Refuse a ZIP with too many members or too large a central directory, before :mod:`zipfile` reads it."""
    members, directory_bytes = _end_record(fh)
    if members > limits.max_members:
        raise RefusedFile(
            f"The file is a ZIP archive of {members:,} parts, more than the {limits.max_members:,} a workbook may "
            "hold; it was not opened. Save the sheet as .xlsx again, or as CSV."
        )
    if directory_bytes > limits.max_directory_bytes:
        raise RefusedFile(
            f"The ZIP archive's table of contents is {_size(directory_bytes)}, more than the "
            f"{_size(limits.max_directory_bytes)} a workbook needs; it was not opened."
        )


def check_zip_members(archive: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse a ZIP whose members (as its directory declares them) inflate past the limits."""
    per_member = limits.max_member_bytes if limits.max_member_bytes is not None else limits.max_total_bytes
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size > per_member:
            raise RefusedFile(
                f"A part of the file ({info.filename[:100]}) inflates to {_size(info.file_size)}, more than the "
                f"{_size(per_member)} accepted; it may be a compression bomb and was not opened. Publish a smaller "
                "extract, or the data as CSV."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise RefusedFile(
                f"A part of the file ({info.filename[:100]}) is compressed {ratio:,.0f} to 1, far more than real "
                "spreadsheets are (about 10 to 1): it looks like a compression bomb and was not opened."
            )
    if total > limits.max_total_bytes:
        raise RefusedFile(
            f"The file inflates to {_size(total)} when unpacked, more than the {_size(limits.max_total_bytes)} "
            "accepted; it may be a compression bomb and was not opened. Publish a smaller extract, or the data as CSV."
        )


@contextlib.contextmanager
def open_zip(fh: IO[bytes], limits: ZipLimits) -> Iterator[zipfile.ZipFile]:
    """A ZIP archive (from a seekable binary file) whose directory and declared sizes are within ``limits``."""
    check_zip_directory(fh, limits)
    try:
        archive = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged(exc) from exc
    with archive:
        check_zip_members(archive, limits)
        yield archive


def is_workbook(archive: zipfile.ZipFile) -> bool:
    """Whether a ZIP is an Excel workbook (XLSX, XLSM)."""
    return "xl/workbook.xml" in archive.NameToInfo


# --- the workbook ------------------------------------------------------------------------------------------------


def _check_parts(archive: zipfile.ZipFile, limits: SheetLimits) -> None:
    """The parts openpyxl parses whole have a cap; the shared strings a cap and a declared count."""
    for info in archive.infolist():
        name = info.filename.lower()
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            continue  # streamed row by row, bounded by the row and cell limits
        if name.endswith("sharedstrings.xml"):
            if info.file_size > limits.max_shared_strings_bytes:
                raise RefusedFile(
                    f"The spreadsheet's texts (its shared strings) inflate to {_size(info.file_size)}, more than the "
                    f"{_size(limits.max_shared_strings_bytes)} accepted; it may be a compression bomb and was not "
                    "opened. Publish a smaller extract, or the data as CSV."
                )
            with archive.open(info) as src:
                head = src.read(4096)
            declared = _DECLARED_COUNT.search(head)
            if declared and int(declared.group(1)) > limits.max_shared_strings:
                raise _too_many_strings(int(declared.group(1)), limits)
        elif name.endswith((".xml", ".rels")) and info.file_size > limits.max_xml_part_bytes:
            raise RefusedFile(
                f"A part of the spreadsheet ({info.filename[:100]}) inflates to {_size(info.file_size)}, more than "
                f"the {_size(limits.max_xml_part_bytes)} a workbook needs; it was not opened."
            )


def _too_many_strings(count: int, limits: SheetLimits) -> RefusedFile:
    return RefusedFile(
        f"The spreadsheet holds {count:,} distinct texts, more than the {limits.max_shared_strings:,} accepted; it "
        "was not read. Publish a smaller extract, or the data as CSV."
    )


def _read_shared_strings(src: IO[bytes], limits: SheetLimits) -> list[str]:
    """The shared strings, counted as they are read; only the strings are kept (each parsed element is dropped)."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.functions import iterparse

    strings: list[str] = []
    root = None
    for event, node in iterparse(src, events=("start", "end")):
        if root is None:
            root = node
        if event != "end" or node.tag != _SHARED_STRING_TAG:
            continue
        if len(strings) >= limits.max_shared_strings:
            raise _too_many_strings(len(strings) + 1, limits)
        if len(node) == 1 and node[0].tag == _TEXT_TAG and not len(node[0]):
            text = node[0].text or ""  # plain text, the usual case: read directly (Text.from_tree is slow)
        else:
            text = Text.from_tree(node).content or ""  # rich text runs, phonetic hints
        strings.append(text.replace("x005F_", ""))
        root.clear()
    return strings


def _bounded_reader(fh: IO[bytes], limits: SheetLimits) -> Any:
    """Openpyxl's read-only workbook reader, with the shared strings read by :func:`_read_shared_strings`."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class BoundedReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as src:
                    self.shared_strings = _read_shared_strings(src, limits)

    return BoundedReader(fh, read_only=True, data_only=True, keep_links=False)


#: What a broken workbook raises inside openpyxl, zipfile or the XML parser.
_BROKEN = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError, OSError, EOFError, SyntaxError)


def _rows(sheet: Any, limits: SheetLimits) -> Iterator[Sequence[Any]]:
    cells = 0
    for rows, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if rows > limits.max_rows:
            raise RefusedFile(
                f"The spreadsheet's first sheet has more than {limits.max_rows:,} rows, the most accepted. Publish "
                "it in parts, or as CSV."
            )
        cells += max(len(row), 1)
        if cells > limits.max_cells:
            raise RefusedFile(
                f"The spreadsheet's first sheet has more than {limits.max_cells:,} cells, the most accepted. Publish "
                "it in parts, or as CSV."
            )
        if len(row) > limits.max_columns:
            width = len(row)
            while width and row[width - 1] in (None, ""):
                width -= 1
            if width > limits.max_columns:
                raise RefusedFile(too_many_columns_message(width, limits.max_columns))
            row = row[:width]
        yield row


@contextlib.contextmanager
def xlsx_rows(source: Path | IO[bytes], limits: SheetLimits | None = None) -> Iterator[Iterator[Sequence[Any]]]:
    """The rows of a workbook's first worksheet, as sequences of cell values (``None`` for an empty cell), read as a
    stream within ``limits``::

        with xlsx_rows(path, limits) as rows:
            header = next(rows, ())
            for row in rows: ...

    Raises :class:`~core.uploads.RefusedFile` before parsing when the ZIP or its parts are over the limits, when it
    is not a workbook, or while reading when the sheet grows past them or turns out to be damaged."""
    limits = limits or SheetLimits()
    with contextlib.ExitStack() as stack:
        fh: IO[bytes] = stack.enter_context(open(source, "rb")) if isinstance(source, Path) else source
        with open_zip(fh, limits.zip) as archive:
            if not is_workbook(archive):
                raise RefusedFile(
                    "The file is a ZIP archive, not an Excel workbook (.xlsx): publish the table inside it as CSV."
                )
            _check_parts(archive, limits)
        fh.seek(0)
        try:
            reader = _bounded_reader(fh, limits)
            reader.read()
        except RefusedFile:
            raise
        except _BROKEN as exc:
            raise _damaged(exc.__cause__ if isinstance(exc.__cause__, Exception) else exc) from exc
        workbook = reader.wb
        stack.callback(workbook.close)
        if not workbook.worksheets:
            raise RefusedFile("The workbook has no worksheet with data.")
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > limits.max_rows:
            raise RefusedFile(
                f"The spreadsheet's first sheet says it has {sheet.max_row:,} rows, more than the "
                f"{limits.max_rows:,} accepted. Publish it in parts, or as CSV."
            )
        # Rows are as long as their last cell: a declared size (which may say A1:XFD1048576) pads nothing.
        sheet.reset_dimensions()
        yield _guarded(_rows(sheet, limits))


def _guarded(rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """``rows``, with a damaged part found while streaming refused in words."""
    try:
        yield from rows
    except RefusedFile:
        raise
    except _BROKEN as exc:
        raise _damaged(exc) from exc
