"""A dataset's history, read for people: each version with what changed since the one before it (old → new), the
changes to its distributions and data dictionary filed under the version they belong to, and what the parts held as
of a version (for restoring it).

Scalar fields are diffed by simple-history's ``diff_against``, many-to-many fields from the versions' snapshots, the
distributions and dictionary from their own history tables. A change of the distributions or the dictionary is
recorded after the dataset's own entry for the same change (``dataset_save`` and ``dataset_save_dictionary`` see to
it), so each part record belongs to the latest dataset version at or before it.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Field
from django.utils import timezone
from django.utils.formats import date_format

from team.models import Department, Person

from .models import DataField, Dataset, DiscoveryAnswer, Distribution, Initiative, Keyword, Theme
from .services.parts import DICTIONARY_KEYS, DISTRIBUTION_KEYS

BLANK = "(blank)"

#: A version simple-history keeps of a dataset, distribution or field: its class is built at run time, untyped.
Version = Any


def version_label(version) -> str:
    """When a version was recorded, as the pages name it: "Jan. 5, 2026, 3:04 p.m."."""
    return date_format(timezone.localtime(version.history_date), "N j, Y, P")


# --- the dataset's own fields --------------------------------------------------------------------------------------

#: Fields a history entry never lists: bookkeeping the entry itself shows (who, when).
# The priority score is derived, not kept in the history (see Dataset.history).
_NOT_SHOWN = ("created_at", "updated_at", "created_by", "updated_by", "id", "priority_score")
_LABELS = {"department": "Owner department", "contact": "Steward", "license": "License URL"}
_M2M = {"keywords": Keyword, "themes": Theme, "initiatives": Initiative}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    version: Version
    changes: list[Change] = field(default_factory=list)
    is_current: bool = False
    #: What changed in the distributions and the data dictionary with this version (see :func:`part_changes`).
    parts: list[PartChange] = field(default_factory=list)
    #: Whether the reader may restore this version (the history page says, from ``inventory.access``).
    restorable: bool = False

    @property
    def heading_id(self) -> str:
        return f"version-{self.version.history_id}"

    @property
    def kind(self) -> str:
        return "Created" if self.version.history_type == "+" else "Changed"


def _own_field(name: str) -> Field[Any, Any]:
    """The dataset's own field ``name`` (a column or a many-to-many, never a relation seen from the other side)."""
    model_field = Dataset._meta.get_field(name)
    assert isinstance(model_field, Field), f"{name} is a field of Dataset"
    return model_field


def _label(name: str) -> str:
    if name in _LABELS:
        return _LABELS[name]
    verbose = str(_own_field(name).verbose_name)
    return verbose[:1].upper() + verbose[1:]


class _Names:
    """Display values for the ids a page of versions refers to, each kind fetched once."""

    def __init__(self, versions: list, m2m: dict[str, dict[int, list[int]]]):
        self.departments = Department.objects.in_bulk({v.department_id for v in versions})
        self.people = Person.objects.in_bulk({v.contact_id for v in versions if v.contact_id})
        self.answers = DiscoveryAnswer.objects.in_bulk({v.discovered_from_id for v in versions if v.discovered_from_id})
        self.related = {
            name: model._default_manager.in_bulk({pk for ids in m2m[name].values() for pk in ids})
            for name, model in _M2M.items()
        }

    def of(self, name: str, value) -> str:
        model_field = _own_field(name)
        if value in (None, ""):
            return BLANK
        if name == "department":
            return str(self.departments.get(value, f"Department #{value}"))
        if name == "contact":
            person = self.people.get(value)
            return person.full_name if person else f"Person #{value} (removed)"
        if name == "discovered_from":
            return str(self.answers.get(value, f"Discovery answer #{value}"))
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if hasattr(value, "isoformat"):
            return date_format(value)
        return str(value)

    def of_m2m(self, name: str, ids: list[int]) -> str:
        objects = self.related[name]
        names = sorted(str(objects[pk]) if pk in objects else f"#{pk} (removed)" for pk in ids)
        return ", ".join(names) if names else "(none)"


def _m2m_rows(history_ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """For each many-to-many field, the related ids each version held (one query per field)."""
    rows: dict[str, dict[int, list[int]]] = {}
    for name, model in _M2M.items():
        through = Dataset.history.model._meta.apps.get_model("inventory", f"HistoricalDataset_{name}")
        by_version: dict[int, list[int]] = {pk: [] for pk in history_ids}
        column = f"{model._meta.model_name}_id"
        for history_id, related_id in through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", column
        ):
            by_version[history_id].append(related_id)
        rows[name] = by_version
    return rows


def history_entries(
    dataset: Dataset, versions: list, older: object | None, *, latest_id: int, until=None
) -> list[Entry]:
    """Each version with what changed since the one before it, old → new (scalar fields through simple-history's
    ``diff_against``, many-to-many from the snapshots), and the changes to its distributions and dictionary
    recorded before ``until`` (the date of the next version when ``versions`` is not the newest page): a fixed
    number of queries for a page of versions."""
    everything = [*versions, *([older] if older else [])]
    m2m = _m2m_rows([v.history_id for v in everything])
    names = _Names(everything, m2m)
    parts = part_changes(dataset.pk, versions, until=until)
    entries = []
    for index, version in enumerate(versions):
        previous = everything[index + 1] if index + 1 < len(everything) else None
        entry = Entry(version=version, is_current=version.history_id == latest_id, parts=parts[version.history_id])
        if previous is None:
            # The first version: what it was created with.
            for model_field in Dataset._meta.concrete_fields:
                name = model_field.name
                if name in _NOT_SHOWN or name == "identifier":
                    continue
                value = getattr(version, model_field.attname)
                if value not in (None, "", False) and value != model_field.get_default():
                    entry.changes.append(Change(_label(name), BLANK, names.of(name, value)))
        else:
            delta = version.diff_against(previous, excluded_fields=[*_NOT_SHOWN, *_M2M])
            for change in delta.changes:
                entry.changes.append(
                    Change(_label(change.field), names.of(change.field, change.old), names.of(change.field, change.new))
                )
        for name in _M2M:
            new_ids = sorted(m2m[name][version.history_id])
            old_ids = sorted(m2m[name][previous.history_id]) if previous else []
            if new_ids != old_ids:
                entry.changes.append(Change(_label(name), names.of_m2m(name, old_ids), names.of_m2m(name, new_ids)))
        entries.append(entry)
    return entries


def latest_change(dataset: Dataset) -> Entry | None:
    """The dataset's latest version with what it changed, as the history page shows it (a fixed handful of queries,
    whatever the history's length)."""
    latest = list(dataset.history.select_related("history_user__person").order_by("-history_id")[:2])
    if not latest:
        return None
    previous = latest[1] if len(latest) > 1 else None
    (entry,) = history_entries(dataset, latest[:1], previous, latest_id=latest[0].history_id)
    return entry


# --- its distributions and dictionary ------------------------------------------------------------------------------

_PART_LABELS = {"download_url": "Download URL", "access_url": "Access URL", "allowed_values": "Allowed values"}


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


def _part_label(key: str) -> str:
    return _PART_LABELS.get(key, key.replace("_", " ").capitalize())


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
            AttributeChange(_part_label(key), BLANK, _shown(key, getattr(record, key)))
            for key in keys
            if key not in ("position", "name") and getattr(record, key) not in ("", None, False, [])
        ]
        return change
    change = PartChange(kind, _name(kind, record), "Changed")
    change.changes = [
        AttributeChange(_part_label(key), _shown(key, getattr(previous, key)), _shown(key, getattr(record, key)))
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
        earlier: dict[int, Version] = {}
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


def parts_as_of(dataset: Dataset, *, before: datetime.datetime | None) -> tuple[list[dict], list[dict]]:
    """The dataset's distributions and dictionary fields as they stood just before ``before`` (``None``: now), read
    from their history: two lists of row dicts (:data:`DISTRIBUTION_KEYS` / :data:`DICTIONARY_KEYS` with ``id``
    and ``position``), in their order then."""
    found = []
    for model, keys in ((Distribution, DISTRIBUTION_KEYS), (DataField, DICTIONARY_KEYS)):
        records = model.history.filter(dataset_id=dataset.pk)
        if before is not None:
            records = records.filter(history_date__lt=before)
        latest: dict[int, Version] = {}
        for record in records.order_by("history_date", "history_id"):
            latest[record.id] = record
        rows = [
            {"id": record.id, "position": record.position, **{key: getattr(record, key) for key in keys}}
            for record in latest.values()
            if record.history_type != "-"
        ]
        # Rows written without history (a bulk load) have stood as they are since before any version.
        recorded = model.history.filter(dataset_id=dataset.pk).values("id")
        rows += [
            {"id": row.pk, "position": row.position, **{key: getattr(row, key) for key in keys}}
            for row in model.objects.filter(dataset_id=dataset.pk).exclude(pk__in=recorded)
        ]
        found.append(sorted(rows, key=lambda row: (row["position"], row["id"])))
    return found[0], found[1]


def version_contents_end(version) -> datetime.datetime | None:
    """When what ``version`` holds of the distributions and dictionary stopped being current: the next version's
    date (their changes are recorded after the dataset's own entry of the same change), or ``None`` for the latest."""
    newer = type(version).objects.filter(id=version.id, history_id__gt=version.history_id)
    return newer.order_by("history_id").values_list("history_date", flat=True).first()
