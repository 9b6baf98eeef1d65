"""Hostile files, made at test time and small on disk: workbooks whose parts inflate hugely (written to the ZIP as a
stream of repeated bytes, so a 200 MB part is a few hundred KB), a ZIP of 100,000 members, a gzip bomb, and text files
with a NUL late in them, a wrong encoding, ragged rows, a huge header line, 200,000 columns, JSON nested a million
levels deep, and a web page where a CSV was expected."""

from __future__ import annotations

import gzip
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
Writer = Callable[[zipfile.ZipFile], None]


def sheet_xml(rows: Iterable[Iterable[object]]) -> bytes:
    """A worksheet: an int is a number cell, a string ``"s:N"`` shared string N."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>']
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row):
            reference = f"{chr(ord('A') + column)}{number}"
            if isinstance(value, str):
                cells.append(f'<c r="{reference}" t="s"><v>{value.removeprefix("s:")}</v></c>')
            else:
                cells.append(f'<c r="{reference}"><v>{value}</v></c>')
        out.append(f'<row r="{number}">{"".join(cells)}</row>')
    out.append("</sheetData></worksheet>")
    return "".join(out).encode()


def shared_strings_xml(strings: Iterable[str], declared: int | None = None) -> bytes:
    count = f' uniqueCount="{declared}"' if declared is not None else ""
    body = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"{count}>{body}</sst>'.encode()


#: A small sheet: header ``title, department``, then rows of shared strings 2.. and the department code PD.
GOOD_STRINGS = ["title", "department", "Calls for service", "PD"]
GOOD_ROWS = [["s:0", "s:1"], ["s:2", "s:3"]]


def write_workbook(
    path: Path,
    *,
    sheet: bytes | Writer | None = None,
    shared_strings: bytes | Writer | None = None,
    extra: Writer | None = None,
) -> Path:
    """An XLSX at ``path``: the parts given (bytes, or a function streaming the part into the open ZIP), else a small
    good sheet."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, part, default in (
            ("xl/worksheets/sheet1.xml", sheet, sheet_xml(GOOD_ROWS)),
            ("xl/sharedStrings.xml", shared_strings, shared_strings_xml(GOOD_STRINGS)),
        ):
            if callable(part):
                part(archive)
            else:
                archive.writestr(name, part if part is not None else default)
        if extra is not None:
            extra(archive)
    return path


def _stream(name: str, head: bytes, repeated: bytes, total: int, tail: bytes) -> Writer:
    def write(archive: zipfile.ZipFile) -> None:
        with archive.open(name, "w", force_zip64=True) as out:
            out.write(head)
            chunk = repeated * max(1, (4 * MB) // len(repeated))
            written = 0
            while written < total:
                out.write(chunk)
                written += len(chunk)
            out.write(tail)

    return write


def shared_strings_bomb(path: Path, inflated: int = 200 * MB) -> Path:
    """A good workbook whose shared strings inflate to ``inflated`` bytes (the 4.9 MB file of issue 11 was 1.5 GB)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>title</t></si><si><t>department</t></si>'
    strings = _stream("xl/sharedStrings.xml", head.encode(), b"<si><t>" + b"A" * 40 + b"</t></si>", inflated, b"</sst>")
    return write_workbook(path, shared_strings=strings)


def ratio_bomb(path: Path, inflated: int = 100 * MB) -> Path:
    """A workbook whose worksheet is mostly whitespace, compressed about 1,000 to 1."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    return write_workbook(
        path, sheet=_stream("xl/worksheets/sheet1.xml", head, b" ", inflated, b"</sheetData></worksheet>")
    )


def many_members(path: Path, members: int = 100_000) -> Path:
    """A good workbook with ``members`` empty parts beside it, every part stored, the ZIP written by hand (zipfile
    takes seconds for 100,000 entries)."""
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("xl/workbook.xml", WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.encode()),
        ("xl/worksheets/sheet1.xml", sheet_xml(GOOD_ROWS)),
        ("xl/sharedStrings.xml", shared_strings_xml(GOOD_STRINGS)),
    ]
    local, central, offset = [], [], 0
    for name, data in [*parts, *((f"x/{n}", b"") for n in range(members))]:
        raw, crc = name.encode(), zlib.crc32(data)
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, len(data), len(data), len(raw), 0)
        local.append(header + raw + data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                0,
                0,
                0,
                crc,
                len(data),
                len(data),
                len(raw),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw
        )
        offset += len(local[-1])
    directory = b"".join(central)
    count = min(len(central), 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    if len(central) > 0xFFFF:  # ZIP64: the counts live in a ZIP64 end record, found through its locator
        zip64 = struct.pack(
            "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, len(central), len(central), len(directory), offset
        )
        locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(directory), 1)
        end = zip64 + locator + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(directory), offset, 0)
    path.write_bytes(b"".join(local) + directory + end)
    return path


def gzip_bomb(inflated: int = 50 * MB) -> bytes:
    return gzip.compress(b"period,value\n" + b"2026-01,1\n" * (inflated // 10), compresslevel=9)


# --- text --------------------------------------------------------------------------------------------------------

HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>\n"


def nul_late(header: bytes, row: bytes, at: int = 10_000) -> bytes:
    """A good CSV with a NUL byte past the first ``at`` bytes (sniffers read the first KB or four)."""
    body = header + row * (at // len(row) + 1)
    return body + row[:1] + b"\x00" + row[1:] + row


def wide(columns: int = 200_000) -> bytes:
    """A header of ``columns`` columns and one row."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" for _ in range(columns)) + "\n").encode()


def huge_header(length: int) -> bytes:
    """One header line of ``length`` bytes without a delimiter, and a row."""
    return b"h" * length + b"\n1\n"


def deep_json(levels: int = 1_000_000) -> bytes:
    return b"[" * levels + b"]" * levels


LATIN1 = "title,department\nCafé,PD\n".encode("latin-1")
UTF16_NO_BOM = "title,department\nCafé,PD\n".encode("utf-16-le")
