"""The default of an update service's keyword arguments: a field left out keeps its value (``None`` is a value: it
clears the field). ``def thing_update(*, thing, name: str | Unchanged = UNCHANGED, ...)``, then
``given({"name": name, ...})`` keeps the fields the caller named."""

from __future__ import annotations

import enum
from typing import Any


class Unchanged(enum.Enum):
    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def given(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without those left :data:`UNCHANGED`."""
    return {name: value for name, value in fields.items() if value is not UNCHANGED}
