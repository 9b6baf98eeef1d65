"""Reading a DCAT-US catalogue of any size: :func:`read_catalogue` checks that a data.json is one (else
:class:`NotACatalogue`, with a message for people) and gives its records one at a time.

A federal catalogue holds tens of thousands of records in tens of megabytes; ``json.loads`` of 50 MB builds every
record's objects at once (several hundred megabytes). Here the text is decoded once, then scanned with the C JSON
decoder one value at a time: the first pass checks the catalogue and notes where each record starts, counting its
publishers; :meth:`Catalogue.records` decodes the records again, one by one, as the import reads them. Memory is
the text and one record at a time, however many records there are.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from core.safejson import MAX_DEPTH, UnsafeJSON, check

from .catalogue import CONFORMS_TO

_DECODER = json.JSONDecoder()


def _skip(text: str, position: int) -> int:
    """The position of the first character at or after ``position`` that is not JSON white space."""
    match = _SPACE.match(text, position)
    assert match is not None  # a run of zero or more white space characters matches anywhere
    return match.end()


_SPACE = re.compile(r"[ \t\n\r]*")


class NotACatalogue(ValidationError):
    """The file is not a DCAT-US catalogue at all: nothing was written."""


def publisher_name(record: Any) -> str:
    publisher = record.get("publisher") if isinstance(record, dict) else None
    name = publisher.get("name") if isinstance(publisher, dict) else None
    return " ".join(name.split()) if isinstance(name, str) else ""


def _text(data: Any) -> str:
    """Bytes, text or a file → the JSON text, or NotACatalogue when it is binary or not UTF-8."""
    if hasattr(data, "read"):
        if hasattr(data, "seek"):
            data.seek(0)
        data = data.read()
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        if b"\x00" in data[:4096]:
            raise NotACatalogue("This file holds binary data: a data.json catalogue is a JSON text file.")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NotACatalogue("This file is not UTF-8 text: a data.json catalogue is JSON in UTF-8.") from exc
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    raise NotACatalogue("This is not JSON: a DCAT-US catalogue is a data.json file.")


def _not_json(exc: json.JSONDecodeError | None = None) -> NotACatalogue:
    detail = f"{exc.msg}: line {exc.lineno} column {exc.colno}" if exc else "it ends too soon"
    return NotACatalogue(f"This is not JSON ({detail}): a DCAT-US catalogue is a data.json file.")


NOT_A_CATALOGUE = "This is not a DCAT-US catalogue: a data.json file is a JSON object with a “dataset” list."


@dataclass
class Catalogue:
    """A checked catalogue: its top-level values (``dataset`` apart), its number of records, its publishers with
    their number of records, and its records, read on demand."""

    meta: dict
    count: int
    publishers: dict[str, int]
    _text: str = field(repr=False, default="")
    _starts: list[int] = field(repr=False, default_factory=list)
    _records: list | None = field(repr=False, default=None)

    def records(self) -> Iterator[Any]:
        """Each record of the ``dataset`` list, in order (decoded as it is reached)."""
        if self._records is not None:
            yield from self._records
            return
        for start in self._starts:
            yield _DECODER.raw_decode(self._text, start)[0]


def _value(text: str, position: int) -> tuple[Any, int]:
    """The JSON value at ``position`` and the position after it, checked as :func:`core.safejson.check` does (not
    nested too deep, no lone surrogate or NUL): NotACatalogue with the reason otherwise."""
    try:
        value, end = _DECODER.raw_decode(text, position)
        check(value)
    except json.JSONDecodeError as exc:
        raise _not_json(exc) from exc
    except RecursionError as exc:
        raise NotACatalogue(f"The JSON is nested more than {MAX_DEPTH} levels deep; it was not read.") from exc
    except UnsafeJSON as exc:
        raise NotACatalogue(str(exc)) from exc
    return value, end


def _expect(text: str, position: int, char: str) -> int:
    """The position after ``char`` (after white space); NotACatalogue (not JSON) when something else is there."""
    position = _skip(text, position)
    if text[position : position + 1] != char:
        if position >= len(text):
            raise _not_json()
        raise _not_json(json.JSONDecodeError(f"Expecting {char!r}", text, position))
    return position + 1


def _scan_records(text: str, position: int, publishers: Counter) -> tuple[list[int], int, bool]:
    """The ``dataset`` list starting at ``position`` (its ``[``): where each record starts, the position after the
    list, and whether any record has an identifier or a title."""
    starts: list[int] = []
    looks_right = False
    position = _skip(text, position)
    if text[position : position + 1] != "[":
        _value(text, position)  # a JSON value that is not a list: not a catalogue
        raise NotACatalogue(NOT_A_CATALOGUE)
    position = _skip(text, position + 1)
    if text[position : position + 1] == "]":
        return starts, position + 1, looks_right
    while True:
        record, end = _value(text, position)
        starts.append(position)
        if isinstance(record, dict):
            looks_right = looks_right or "identifier" in record or "title" in record
            name = publisher_name(record)
            if name:
                publishers[name] += 1
        position = _skip(text, end)
        char = text[position : position + 1]
        if char == "]":
            return starts, position + 1, looks_right
        if char != ",":
            raise _not_json(json.JSONDecodeError("Expecting ',' delimiter", text, position) if char else None)
        position = _skip(text, position + 1)


def _check(meta: dict, has_dataset: bool, count: int, looks_right: bool) -> None:
    if not has_dataset:
        raise NotACatalogue(NOT_A_CATALOGUE)
    conforms = meta.get("conformsTo")
    if conforms is not None and str(conforms).rstrip("/") != CONFORMS_TO:
        raise NotACatalogue(
            f"This catalogue says it conforms to “{conforms}”; only DCAT-US v1.1 ({CONFORMS_TO}) can be imported."
        )
    if count and not looks_right:
        raise NotACatalogue("This is not a DCAT-US catalogue: none of its “dataset” entries has a title or identifier.")


def read_catalogue(data: Any) -> Catalogue:
    """Bytes, text, a file or an already parsed dict → the checked :class:`Catalogue`, or NotACatalogue."""
    if isinstance(data, Catalogue):
        return data
    if isinstance(data, dict):
        try:
            check(data)
        except UnsafeJSON as exc:
            raise NotACatalogue(str(exc)) from exc
        records = data.get("dataset")
        if not isinstance(records, list):
            raise NotACatalogue(NOT_A_CATALOGUE)
        publishers = Counter(publisher_name(r) for r in records if publisher_name(r))
        looks_right = any(isinstance(r, dict) and ("identifier" in r or "title" in r) for r in records)
        meta = {k: v for k, v in data.items() if k != "dataset"}
        _check(meta, True, len(records), looks_right)
        return Catalogue(meta=meta, count=len(records), publishers=dict(publishers), _records=records)
    text = _text(data)
    position = _skip(text, 0)
    if text[position : position + 1] != "{":
        _value(text, position)  # says why it is not JSON, if it is not
        raise NotACatalogue(NOT_A_CATALOGUE)
    meta = {}
    starts: list[int] = []
    publishers = Counter()
    has_dataset = looks_right = False
    position = _skip(text, position + 1)
    if text[position : position + 1] == "}":
        position += 1
    else:
        while True:
            key, position = _value(text, position)
            if not isinstance(key, str):
                raise _not_json(json.JSONDecodeError("Expecting property name enclosed in double quotes", text, 0))
            position = _expect(text, position, ":")
            if key == "dataset" and not has_dataset:
                starts, position, looks_right = _scan_records(text, position, publishers)
                has_dataset = True
            else:
                value, position = _value(text, _skip(text, position))
                meta[key] = value
            position = _skip(text, position)
            char = text[position : position + 1]
            if char == "}":
                position += 1
                break
            if char != ",":
                raise _not_json(json.JSONDecodeError("Expecting ',' delimiter", text, position) if char else None)
            position = _skip(text, position + 1)
    if _skip(text, position) != len(text):
        raise _not_json(json.JSONDecodeError("Extra data", text, position))
    _check(meta, has_dataset, len(starts), looks_right)
    return Catalogue(meta=meta, count=len(starts), publishers=dict(publishers), _text=text, _starts=starts)
