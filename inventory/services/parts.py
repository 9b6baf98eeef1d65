"""A dataset's distributions and data dictionary: what is wrong with a row (shared with the forms, so a form and the
service never disagree) and the one write path of each, every row's change kept in its own history."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.history import record_as

from ..models import DataField, Dataset, Distribution, FieldType
from ..selectors import forget_inventory_coverage
from .writes import distinct_names, require_write

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The keys of one distribution as :func:`dataset_save_distributions` takes it (plus an optional ``id``).
DISTRIBUTION_KEYS = ("title", "description", "download_url", "access_url", "media_type", "format")

#: The keys of one dictionary field as :func:`dataset_save_dictionary` takes it (plus an optional ``id``).
DICTIONARY_KEYS = (
    "name",
    "title",
    "type",
    "format",
    "description",
    "required",
    "unique",
    "allowed_values",
    "minimum",
    "maximum",
    "pattern",
    "sensitive",
)

_BOOLEAN_KEYS = {"required", "unique", "sensitive"}
#: Keys a field mapping may leave out to keep an existing field's value (a draft from a sample CSV or a Table Schema
#: says nothing of them): re-importing a dictionary never unmarks a personal or sensitive column.
_KEPT_WHEN_MISSING = ("sensitive",)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def distribution_problems(row: Mapping) -> dict[str, str]:
    """What is wrong with one distribution, by key (empty when nothing is). Forms show these next to the input."""
    problems = {}
    if not _text(row.get("download_url")) and not _text(row.get("access_url")):
        problems["download_url"] = "Give a download URL (a file) or an access URL (an API or web page)."
    elif _text(row.get("download_url")) and not _text(row.get("media_type")):
        problems["media_type"] = "Give the media type of the download, for example text/csv."
    return problems


def _number(value: str, type_: str) -> int | Decimal:
    if type_ == FieldType.INTEGER:
        return int(value)
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidOperation
    return number


def field_problems(row: Mapping) -> dict[str, str]:
    """What is wrong with one data dictionary field, by key (empty when nothing is): a name, a known type, a pattern
    that compiles, and for numbers and dates, bounds and allowed values of that type with the minimum no more than
    the maximum. Forms show these next to the input; :func:`dataset_save_dictionary` refuses rows that have any."""
    problems: dict[str, str] = {}
    if not _text(row.get("name")):
        problems["name"] = "Enter the field’s name, as it appears in the data’s header row."
    type_ = _text(row.get("type")) or FieldType.STRING
    if type_ not in FieldType.values:
        problems["type"] = "Choose a type from the list."
    pattern = _text(row.get("pattern"))
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            problems["pattern"] = f"This is not a valid regular expression ({exc.msg})."
    parse: Callable[[str], Any] | None = None  # numbers or dates, each compared with its own kind only
    if type_ in (FieldType.INTEGER, FieldType.NUMBER):
        parse = partial(_number, type_=type_)
        kind = "a whole number" if type_ == FieldType.INTEGER else "a number"
    elif type_ == FieldType.DATE:
        parse = datetime.date.fromisoformat
        kind = "a date as YYYY-MM-DD"
    if parse is not None:
        bounds = {}
        for key in ("minimum", "maximum"):
            value = _text(row.get(key))
            if value:
                try:
                    bounds[key] = parse(value)
                except (ValueError, InvalidOperation):
                    problems[key] = f"Enter {kind}, or leave it blank."
        if len(bounds) == 2 and bounds["minimum"] > bounds["maximum"]:
            problems["maximum"] = "The maximum must not be less than the minimum."
        for value in row.get("allowed_values") or []:
            try:
                parse(_text(value))
            except (ValueError, InvalidOperation):
                problems["allowed_values"] = f"Each allowed value must be {kind}: “{value}” is not."
                break
    return problems


def _normalised(row: Mapping, keys: Iterable[str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key in keys:
        value = row.get(key)
        if key in _BOOLEAN_KEYS:
            clean[key] = bool(value)
        elif key == "allowed_values":
            clean[key] = distinct_names(value)
        elif key == "type":
            clean[key] = _text(value) or FieldType.STRING
        else:
            clean[key] = _text(value)
    return clean


def _row_label(kind: str, index: int, name: str) -> str:
    return f"{kind} {index}" + (f" (“{name}”)" if name else "")


def _model_problems(obj, label: str) -> list[str]:
    try:
        obj.full_clean(exclude=["dataset"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            f"{label}: {obj._meta.get_field(key).verbose_name}: {message}"
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def _values(objects: Mapping[int, models.Model], keys: Iterable[str]) -> dict[int, dict]:
    return {pk: {key: getattr(obj, key) for key in (*keys, "position")} for pk, obj in objects.items()}


def _delete_unlisted(existing: Mapping[int, models.Model], keep: Iterable[models.Model], *, by: User | None) -> None:
    """Delete the rows of ``existing`` not in ``keep``, each with a history entry saying who removed it."""
    kept = {obj.pk for obj in keep}
    for pk, obj in existing.items():
        if pk not in kept:
            record_as(obj, by=by, reason="Removed")
            obj.delete()


def _write_rows(
    model: type[Distribution] | type[DataField], keep: list, before: Mapping[int, dict], *, by: User | None
) -> None:
    """Update the rows that changed and create the new ones, each with a history entry."""
    changed = [
        obj for obj in keep if obj.pk is not None and any(getattr(obj, k) != v for k, v in before[obj.pk].items())
    ]
    if changed:
        bulk_update_with_history(
            changed, model, list(before[changed[0].pk]), default_user=by, default_change_reason="Edited"
        )
    new = [obj for obj in keep if obj.pk is None]
    if new:
        bulk_create_with_history(new, model, default_user=by, default_change_reason="Added")


@transaction.atomic
def dataset_save_distributions(
    *, dataset: Dataset, distributions: Sequence[Mapping], by: User | None
) -> list[Distribution]:
    """Make the dataset's distributions exactly ``distributions``, in that order. Each mapping holds
    :data:`DISTRIBUTION_KEYS` and, to change an existing one, the ``id`` of a distribution of this dataset; those not
    listed are deleted. Guarantees: ``by`` may write the dataset (else ``PermissionDenied``); each has a download URL
    with its media type or an access URL, valid URLs, or a ValidationError and nothing written; unchanged ones are
    not rewritten, so their history records real changes."""
    require_write(by, dataset)
    existing = {d.pk: d for d in Distribution.objects.select_for_update().filter(dataset=dataset)}
    before = _values(existing, DISTRIBUTION_KEYS)
    errors: list[str] = []
    keep: list[Distribution] = []
    for index, raw in enumerate(distributions, start=1):
        row = _normalised(raw, DISTRIBUTION_KEYS)
        label = _row_label("Distribution", index, row["title"])
        errors += [f"{label}: {problem}" for problem in distribution_problems(row).values()]
        pk = raw.get("id")
        if pk is not None and pk not in existing:
            errors.append(f"{label} is not one of this dataset’s distributions.")
            continue
        obj = existing[pk] if pk is not None else Distribution(dataset=dataset)
        for key, value in row.items():
            setattr(obj, key, value)
        obj.position = index - 1
        errors += _model_problems(obj, label)
        keep.append(obj)
    if errors:
        raise ValidationError({"distributions": errors})
    _delete_unlisted(existing, keep, by=by)
    _write_rows(Distribution, keep, before, by=by)
    # Distributions count towards complete metadata, and saving them alone leaves the dataset's updated_at as it is.
    transaction.on_commit(forget_inventory_coverage)
    return keep


@transaction.atomic
def dataset_save_dictionary(
    *, dataset: Dataset, fields: Sequence[Mapping], by: User | None, reason: str = ""
) -> list[DataField]:
    """Make the dataset's data dictionary exactly ``fields``, in that order: the one write path of a dictionary,
    whether edited on the dataset form, drafted from a sample CSV or read from a harvested Table Schema.

    Each mapping holds :data:`DICTIONARY_KEYS` (``allowed_values`` a list; a missing key takes its default, except
    ``sensitive``, which keeps the existing field's mark: a draft never unmarks a personal column) and, to
    change an existing field, the ``id`` of a field of this dataset. A mapping without an ``id`` takes over the
    unlisted existing field of the same name, if there is one, so replacing a whole dictionary records what
    changed in each field rather than a deletion and an addition; existing fields left unlisted are deleted.

    Guarantees: ``by`` may write the dataset (else ``PermissionDenied``); every field valid (:func:`field_problems`)
    with a name no other field of the dataset has (ignoring case), or a ValidationError (``{"dictionary": [one
    message per problem, naming the field]}``) and nothing written; fields may swap names; unchanged fields are not
    rewritten, so the fields' history (who, when, old and new values, added and removed) records real changes only.
    With a ``reason``, a change also touches the dataset (``updated_by``, ``updated_at``) with a history entry
    giving that reason; :func:`dataset_save` leaves it blank, its own entry recording the edit.
    """
    require_write(by, dataset)
    existing = {f.pk: f for f in DataField.objects.select_for_update().filter(dataset=dataset)}
    before = _values(existing, DICTIONARY_KEYS)
    claimed = {raw.get("id") for raw in fields if raw.get("id") is not None}
    unclaimed_by_name = {f.name: f for pk, f in existing.items() if pk not in claimed}
    errors: list[str] = []
    keep: list[DataField] = []
    names: set[str] = set()
    for index, raw in enumerate(fields, start=1):
        row = _normalised(raw, DICTIONARY_KEYS)
        label = _row_label("Field", index, row["name"])
        errors += [f"{label}: {problem}" for problem in field_problems(row).values()]
        if row["name"].lower() in names:
            errors.append(f"{label}: another field is already named “{row['name']}”; each name appears once.")
        names.add(row["name"].lower())
        pk = raw.get("id")
        if pk is not None and pk not in existing:
            errors.append(f"{label} is not part of this dataset’s dictionary.")
            continue
        same_name = unclaimed_by_name.pop(row["name"], None) if pk is None else None
        obj = existing[pk] if pk is not None else same_name or DataField(dataset=dataset)
        for key in _KEPT_WHEN_MISSING:
            if key not in raw:
                row[key] = getattr(obj, key)
        for key, value in row.items():
            setattr(obj, key, value)
        obj.position = index - 1
        errors += _model_problems(obj, label)
        keep.append(obj)
    if errors:
        raise ValidationError({"dictionary": errors})
    if reason and _will_change(existing, keep, before):
        # The dataset's entry comes first, so the history page files the fields' entries under it.
        _touch(dataset, by=by, reason=reason)
    # Free the names of renamed fields first, so two fields may swap names without tripping the unique constraint.
    renamed = [obj.pk for obj in keep if obj.pk is not None and obj.name != before[obj.pk]["name"]]
    _delete_unlisted(existing, keep, by=by)
    if renamed:
        DataField.objects.filter(pk__in=renamed).update(name=Concat(Value("~renaming~"), Cast("pk", CharField())))
    _write_rows(DataField, keep, before, by=by)
    return keep


def _will_change(existing: Mapping[int, models.Model], keep: list, before: Mapping[int, dict]) -> bool:
    kept = {obj.pk for obj in keep}
    return any(pk not in kept for pk in existing) or any(
        obj.pk is None or any(getattr(obj, k) != v for k, v in before[obj.pk].items()) for obj in keep
    )


def _touch(dataset: Dataset, *, by: User | None, reason: str) -> None:
    """Record on the dataset itself that part of it (its dictionary) changed: who, when and why."""
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    locked.updated_by = by
    record_as(locked, by=by, reason=reason)
    locked.save(update_fields=["updated_by", "updated_at"])
