"""What changed in a dataset's distributions and data dictionary, read from their own history tables, filed under
the dataset's versions on its history page: who, when, which field or distribution, added, removed, or each
attribute old → new.

A change of the distributions or the dictionary is recorded after the dataset's own entry for the same change
(``dataset_save`` and ``dataset_save_dictionary`` see to it), so each part record belongs to the latest dataset
version at or before it.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field

from .models import DataField, Distribution
from .services.datasets import DICTIONARY_KEYS, DISTRIBUTION_KEYS

BLANK = "(blank)"

_LABELS = {"download_url": "Download URL", "access_url": "Access URL", "allowed_values": "Allowed values"}


@dataclass
class AttributeChange:
    label: str
    old: str
    new: str


@dataclass
class PartChange:
    """One distribution or dictionary field added, removed or changed in one version."""

    kind: str  # "Field" or "Distribution"
    name: str
    action: str  # "Added", "Removed" or "Changed"
    by: object = None  # the user, when not the version's own
    changes: list[AttributeChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} “{self.name}”" if self.name else self.kind


def _shown(key: str, value) -> str:
    if key == "position":
        return str(value + 1)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or BLANK
    return str(value) if value not in (None, "") else BLANK


def _label(key: str) -> str:
    return _LABELS.get(key, key.replace("_", " ").capitalize())


def _name(kind: str, record) -> str:
    if kind == "Field":
        return record.name
    return record.title or record.download_url or record.access_url


_PARTS = (
    ("Distribution", Distribution, (*DISTRIBUTION_KEYS, "position")),
    ("Field", DataField, (*DICTIONARY_KEYS, "position")),
)


def _describe(kind: str, keys, record, previous) -> PartChange:
    if record.history_type == "-":
        return PartChange(kind, _name(kind, previous or record), "Removed")
    if previous is None or previous.history_type == "-":
        change = PartChange(kind, _name(kind, record), "Added")
        change.changes = [
            AttributeChange(_label(key), BLANK, _shown(key, getattr(record, key)))
            for key in keys
            if key not in ("position", "name") and getattr(record, key) not in ("", None, False, [])
        ]
        return change
    change = PartChange(kind, _name(kind, record), "Changed")
    change.changes = [
        AttributeChange(_label(key), _shown(key, getattr(previous, key)), _shown(key, getattr(record, key)))
        for key in keys
        if getattr(previous, key) != getattr(record, key)
    ]
    return change


def part_changes(dataset_id: int, versions: list, *, until: datetime.datetime | None) -> dict[int, list[PartChange]]:
    """The distribution and dictionary changes of each of ``versions`` (a page of the dataset's versions, newest
    first), by history id: those recorded from the oldest version's date until ``until`` (the date of the version
    after the page; ``None`` on the first page). Four queries however many versions and changes."""
    if not versions:
        return {}
    chronological = sorted(versions, key=lambda v: (v.history_date, v.history_id))
    dates = [v.history_date for v in chronological]
    since = dates[0]
    found: dict[int, list[PartChange]] = {v.history_id: [] for v in versions}
    for kind, model, keys in _PARTS:
        records = model.history.filter(dataset_id=dataset_id, history_date__gte=since).select_related("history_user")
        if until is not None:
            records = records.filter(history_date__lt=until)
        records = list(records.order_by("history_date", "history_id"))
        earlier: dict[int, object] = {}
        for record in model.history.filter(id__in={r.id for r in records}, history_date__lt=since).order_by(
            "history_date", "history_id"
        ):
            earlier[record.id] = record
        for record in records:
            version = chronological[max(bisect.bisect_right(dates, record.history_date) - 1, 0)]
            change = _describe(kind, keys, record, earlier.get(record.id))
            earlier[record.id] = record
            if change.action == "Changed" and not change.changes:
                continue
            if record.history_user_id != version.history_user_id:
                change.by = record.history_user
            found[version.history_id].append(change)
    return found
