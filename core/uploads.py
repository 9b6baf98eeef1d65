"""What every reader of an uploaded or fetched table checks before it parses anything: a file that is a web page, a
text file with a NUL byte anywhere in it (not only in the first bytes a sniffer reads), and a header row too wide to
show or check.

Each check raises :class:`RefusedFile` with a message for the person who sent the file; each reader turns it into its
own error (the import's ``TableError``, the engine's ``UnreadableSource``, a form's ``ValidationError``...) with the
same words. ZIP-based files (XLSX) are bounded by :mod:`core.spreadsheets`, which raises the same exception.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The most columns a table may have: a data dictionary, a preview or the quality checks of a wider file would be
#: too large to show (a 200,000-column sample made a 111 MB page) and no person could read them.
MAX_COLUMNS = 1000

#: A web page where a table was expected: an error or sign-in page saved or served instead of the file.
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
#: ...or one whose tag opens a line after some stray bytes (a proxy's banner, a blank line, a byte-order mark).
_HTML_LINE = re.compile(rb"(^|\n)\s*<html[\s>]", re.IGNORECASE)
#: How far into a file the web-page test looks.
HTML_SNIFF_BYTES = 2048
_SCAN_CHUNK = 4 * 1024 * 1024


class RefusedFile(Exception):
    """The file is refused before (or while) it is read; ``str(exc)`` says why, for the person who sent it.

    Not a ``ValueError``: libraries that wrap every ``ValueError`` of a parse in their own (openpyxl does) must let it
    through unchanged."""


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a file are those of a web page (``<!doctype html``, ``<html``...)."""
    head = head[:HTML_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML.match(head) or _HTML_LINE.search(head[:1024]))


HTML_MESSAGE = (
    "The file is a web page (HTML), not a table of data: the address probably serves an error or sign-in page "
    "instead of the file, or the page was saved from a browser. Download the data file itself (CSV) and use that."
)


def refuse_html(head: bytes) -> None:
    """Raise :class:`RefusedFile` when ``head`` (the file's first bytes) is a web page's."""
    if looks_like_html(head):
        raise RefusedFile(HTML_MESSAGE)


def _nul_message(line: int) -> str:
    return (
        f"The file holds a NUL byte (a zero byte) on line {line:,}: it is binary or damaged, not text. Save it again "
        "as CSV UTF-8 and use that file."
    )


def refuse_nul(data: bytes) -> None:
    """Raise :class:`RefusedFile` naming the line of the first NUL byte anywhere in ``data`` (a file read whole)."""
    position = data.find(b"\x00")
    if position >= 0:
        raise RefusedFile(_nul_message(data.count(b"\n", 0, position) + 1))


def refuse_nul_in_file(path: Path) -> tuple[int, bytes]:
    """:func:`refuse_nul` for a file on disk, read a few MB at a time (a file of any size, in bounded memory).

    Returns what the scan saw on the way, so a caller need not read the file again for it: the count of newlines
    and the last byte (``b""`` for an empty file)."""
    lines, last = 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_SCAN_CHUNK):
            position = chunk.find(b"\x00")
            if position >= 0:
                raise RefusedFile(_nul_message(lines + chunk.count(b"\n", 0, position) + 1))
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines, last


def too_many_columns_message(count: int, limit: int = MAX_COLUMNS) -> str:
    return (
        f"The file has {count:,} columns, more than the {limit:,} accepted: no one can read a table that wide. "
        "Split it into narrower files, or leave out the columns you do not need."
    )


def refuse_wide(count: int, limit: int = MAX_COLUMNS) -> None:
    """Raise :class:`RefusedFile` when a header of ``count`` columns is wider than ``limit``."""
    if count > limit:
        raise RefusedFile(too_many_columns_message(count, limit))


def attachment_name(name: str, *, extensions: frozenset[str], max_bytes: int, size: int, limit: int = 200) -> str:
    """The name an attachment (a file kept as it is, served back as a download) is stored under: its own base name,
    cut to ``limit`` characters keeping its extension. Raises :class:`RefusedFile` for an extension not in
    ``extensions`` (lower case, without the dot) or a file of more than ``max_bytes``."""
    base = Path(name or "").name.strip() or "attachment"
    extension = Path(base).suffix.lower().lstrip(".")
    if extension not in extensions:
        allowed = ", ".join(sorted(extensions))
        raise RefusedFile(f"Files of this type are not accepted. Attach one of these types: {allowed}.")
    if size > max_bytes:
        raise RefusedFile(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if len(base) > limit:
        base = base[: limit - len(extension) - 1] + "." + extension
    return base
