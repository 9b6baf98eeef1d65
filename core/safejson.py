"""JSON from outside (an API request, an uploaded or fetched file, a form's hidden field), refused in words when a
parser or the database would fail on it later with a 500:

* nested deeper than :data:`MAX_DEPTH` (a million ``[`` exhausts Python's recursion inside ``json.loads``; a few
  thousand would exhaust it later, in whatever walks the document);
* holding a lone surrogate (``"\\ud800"``): valid JSON syntax, but not a character, so it cannot be encoded as UTF-8
  when the value is stored or sent back;
* holding a NUL character (``"\\u0000"``): no text means one, and PostgreSQL cannot store it.

:func:`loads_checked` parses and checks; :func:`check` checks a document parsed elsewhere;
:class:`core.parsers.SafeJSONParser` is the API's JSON parser with the same checks. Plain Python, no Django: the
quality engine uses it too.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: No record, schema or catalogue this program reads is nested anywhere near this deep (GeoJSON's MultiPolygon
#: coordinates, the deepest, take 7 levels).
MAX_DEPTH = 64
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with every NUL and lone surrogate replaced by U+FFFD, so that a database stores it (PostgreSQL
    refuses both in text and in JSON): for values copied from a file into what we keep, e.g. a check's examples."""
    return _UNSTORABLE.sub("\ufffd", text)


class UnsafeJSON(ValueError):
    """Well-formed JSON the program refuses; ``str(exc)`` says why, for the person who sent it."""


def _unstorable_message(found: re.Match[str]) -> str:
    if found.group() == "\x00":
        return "The JSON holds a NUL character (\\u0000) in a text, which no text may hold; it was not read."
    return (
        f"The JSON holds a lone surrogate (\\u{ord(found.group()):04x}), which is not a character: send text as valid "
        "Unicode (UTF-8)."
    )


def check(document: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`UnsafeJSON` when ``document`` (parsed JSON) is nested deeper than ``max_depth`` or holds a lone
    surrogate or a NUL character in a key or a string. Walks the document without recursion."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if found := _UNSTORABLE.search(value):
                raise UnsafeJSON(_unstorable_message(found))
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise UnsafeJSON(
                f"The JSON is nested more than {max_depth} levels deep, far deeper than any record needs; it was not "
                "read."
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and (found := _UNSTORABLE.search(key)):
                    raise UnsafeJSON(_unstorable_message(found))
                stack.append((item, depth + 1))
        else:
            stack.extend((item, depth + 1) for item in value)


def loads_checked(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, then :func:`check`. Raises :class:`UnsafeJSON` for what :func:`check` refuses (and for
    nesting too deep to parse), ``ValueError`` (``json.JSONDecodeError``) for text that is not JSON."""
    try:
        document = json.loads(text)
    except RecursionError as exc:
        raise UnsafeJSON(
            f"The JSON is nested more than {max_depth} levels deep, far deeper than any record needs; it was not read."
        ) from exc
    check(document, max_depth=max_depth)
    return document
