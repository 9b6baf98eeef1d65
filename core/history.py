"""What simple-history reads from an instance before its next save: why and by whom the entry is recorded, or that
the save records no entry. simple-history ships no type information and reads these as plain attributes, so the
instance is typed ``Any`` here, and only here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def record_as(obj: Any, *, by: User | None, reason: str) -> None:
    """The history entry of the coming save of ``obj`` says why (``reason``) and who (``by``; ``None``, the system,
    leaves it to the request's user, see settings)."""
    obj._change_reason = reason[:100]
    if by is not None:
        obj._history_user = by


@contextlib.contextmanager
def history_skipped(obj: Any) -> Iterator[None]:
    """The saves of ``obj`` inside the ``with`` block record no history entry."""
    obj.skip_history_when_saving = True
    try:
        yield
    finally:
        del obj.skip_history_when_saving
