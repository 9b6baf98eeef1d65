"""The file formats the admin's imports (django-import-export) accept: CSV and XLSX only, each read through the same
bounds as every other upload (``core.uploads``, ``core.spreadsheets``). django-import-export's own XLSX format opens
a workbook with no bound at all, and its other formats (ODS, another ZIP; JSON; YAML; HTML) are not offered."""

from __future__ import annotations

import io
from typing import Any

import tablib
from import_export.formats.base_formats import CSV, XLSX

from .spreadsheets import FORM_UPLOAD_LIMITS, xlsx_rows
from .uploads import RefusedFile, refuse_html, refuse_nul, refuse_wide

#: The largest file an admin import reads (it reads the whole file into memory).
MAX_IMPORT_BYTES = 10 * 1024 * 1024


def _refuse_large(data: bytes | str) -> None:
    if len(data) > MAX_IMPORT_BYTES:
        raise RefusedFile(f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, the most an import reads.")


class BoundedCSV(CSV):
    """CSV, refused when it is a web page, holds a NUL byte anywhere or is too wide."""

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        raw = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode("utf-8", "surrogatepass")
        _refuse_large(raw)
        refuse_html(raw)
        refuse_nul(raw)
        refuse_wide(raw.split(b"\n", 1)[0].count(b",") + 1)
        return super().create_dataset(in_stream, **kwargs)


class BoundedXLSX(XLSX):
    """XLSX through :func:`core.spreadsheets.xlsx_rows`: bounded before it is parsed, read as a stream."""

    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        _refuse_large(in_stream)
        dataset = tablib.Dataset()
        with xlsx_rows(io.BytesIO(in_stream), FORM_UPLOAD_LIMITS) as rows:
            header = list(next(rows, ()))
            dataset.headers = header
            for row in rows:
                values = list(row)[: len(header)]
                if any(value not in (None, "") for value in values):
                    dataset.append(values + [None] * (len(header) - len(values)))
        return dataset


IMPORT_FORMATS = [BoundedCSV, BoundedXLSX]
