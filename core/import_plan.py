"""Importing the rows of an uploaded file, the same way for every import (datasets from CSV or Excel, a measure's
observations from CSV): a dry run first, then the write.

1. **Plan** (the dry run): each row of the file is read and checked against the database as it is, and becomes a
   :class:`PlannedRow` saying what importing it would do (:data:`NEW`, :data:`CHANGED`, :data:`UNCHANGED`, or
   :data:`INVALID` with the reasons); a :class:`Plan` counts them. Nothing is written. The page shows the plan as a
   preview (``templates/components/dry_run_preview.html``).
2. **Stash**: the uploaded rows wait in the user's session (server-side) under a random token
   (:func:`stash_upload`); the preview's confirm button carries only the token, so a confirmation cannot bring in
   rows the preview did not show. :func:`take_upload` gives them back, once. (An import too large for a request,
   the inventory's, keeps its rows with a background job instead, ``core.jobs``, and confirms the job.)
3. **Commit**: the rows are planned again against the database as it is now, so the write never relies on a stale
   preview, and :func:`commit` writes those that add or change something, each in its own savepoint inside the
   caller's transaction: a row whose write is refused (``ValidationError``, ``PermissionDenied``) is skipped whole,
   with the reason, and the others are written. Importing the same file twice changes nothing the second time.

Each import says what a row is and how to write one; this module is the protocol they share.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

#: What importing a row would do (or did).
NEW, CHANGED, UNCHANGED, INVALID = "new", "changed", "unchanged", "invalid"
KINDS = (NEW, CHANGED, UNCHANGED, INVALID)

#: The line of a file's first row under its header (the header is line 1).
FIRST_LINE = 2


@dataclass(kw_only=True)
class PlannedRow:
    """One row of a file and what importing it would do. Imports subclass it with what they read from the row."""

    line: int
    action: str = NEW
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return self.action != INVALID

    def refuse(self, *reasons: str) -> None:
        """Mark the row invalid, for these reasons (added to any it has)."""
        self.errors.extend(reasons)
        self.action = INVALID


Row = TypeVar("Row", bound=PlannedRow)
Written = TypeVar("Written")


@dataclass
class Plan(Generic[Row]):
    """Every row of a file, planned."""

    rows: list[Row]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in KINDS}

    @property
    def to_write(self) -> int:
        """How many rows a commit would write (new or changed)."""
        return self.count(NEW) + self.count(CHANGED)


class Repeats:
    """The keys rows have named so far (an identifier, a period), to refuse a key a file names twice."""

    def __init__(self) -> None:
        self._lines: dict[Hashable, int] = {}

    def earlier_line(self, key: Hashable, line: int) -> int | None:
        """The line that named ``key`` before ``line`` (``None``: none did, and ``line`` now has it)."""
        if key in self._lines:
            return self._lines[key]
        self._lines[key] = line
        return None


@dataclass
class Outcome(Generic[Written, Row]):
    """What a commit did: what it created and updated (as the write returned them), how many rows were already as
    the file has them, and the rows it skipped (invalid, or refused while writing) with their reasons."""

    created: list[Written] = field(default_factory=list)
    updated: list[Written] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Row] = field(default_factory=list)


def refusal_messages(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, PermissionDenied):
        return [str(error) or "You may not do that."]
    return list(error.messages)


def commit(
    plan: Plan[Row], write: Callable[[Row], Written], *, progress: Callable[..., None] | None = None
) -> Outcome[Written, Row]:
    """Write each row of ``plan`` that adds or changes something with ``write(row)``, each in its own savepoint.
    Run it inside the import's transaction (its service is ``transaction.atomic``), on a plan made in it.
    ``progress(done, total)``, when given, hears how many rows it has gone through (a background job shows it)."""
    outcome: Outcome[Written, Row] = Outcome()
    for done, row in enumerate(plan.rows, start=1):
        if progress is not None:
            progress(done, len(plan.rows))
        if row.action == INVALID:
            outcome.skipped.append(row)
            continue
        if row.action == UNCHANGED:
            outcome.unchanged += 1
            continue
        try:
            with transaction.atomic():
                written = write(row)
        except (ValidationError, PermissionDenied) as error:
            row.refuse(*refusal_messages(error))
            outcome.skipped.append(row)
            continue
        (outcome.created if row.action == NEW else outcome.updated).append(written)
    return outcome


# --- between the preview and the confirmation -----------------------------------------------------------------------


def stash_upload(session: MutableMapping, key: str, *, name: str, rows: list, **extra: Any) -> str:
    """Keep an upload's rows (and ``extra``, JSON-serialisable) in the session under ``key``, replacing any earlier
    upload of the same kind; return the token the confirmation must bring back."""
    token = secrets.token_urlsafe(24)
    session[key] = {"token": token, "name": name, "rows": rows, "at": timezone.now().isoformat(), **extra}
    return token


def take_upload(session: MutableMapping, key: str, token: str, **expected: Any) -> dict | None:
    """The upload stashed under ``key`` if ``token`` is its token (and its ``extra`` values are ``expected``), taken
    out of the session so it is confirmed only once; ``None`` when it has expired, was replaced, or was confirmed
    already."""
    pending = session.get(key)
    if not pending or not secrets.compare_digest(str(pending.get("token", "")), str(token or "")):
        return None
    if any(pending.get(name) != value for name, value in expected.items()):
        return None
    del session[key]
    return pending
