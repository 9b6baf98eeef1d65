"""Create and change datasets. Every write runs in a transaction, records who made it, and enforces who may make it.

Each service takes the acting user (``by``; ``None`` is the system: demo seeding, a command run without a user) and
asks ``inventory.access`` itself, raising ``PermissionDenied`` when the rule says no, so the web form, the API, an
import and a harvest cannot disagree. Views ask the same functions first only to choose what to show.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, TypedDict, Unpack

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from team.access import require
from team.models import Department, Person, Role, RoleAssignment

from ..access import (
    actor_of,
    can_create_dataset_in,
    can_delete_dataset,
    can_move_dataset,
    can_write_dataset,
)
from ..extensions import dataset_dependents
from ..models import (
    RIGHTS_REQUIRED,
    VALUE_FLAG_NAMES,
    DataField,
    Dataset,
    DiscoveryAnswer,
    Distribution,
    FieldType,
    Initiative,
    Keyword,
    Theme,
    lacks_rights,
)
from ..selectors import forget_inventory_coverage
from .priority import dataset_rescore, hold_priority_weights

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DatasetValues(TypedDict, total=False):
    """The metadata a form, the API or an import sets on a dataset (its tags and parts apart): the keyword arguments
    of :func:`dataset_create` and :func:`dataset_update`. The declared-value flags are
    :data:`~inventory.models.VALUE_FLAGS`."""

    identifier: str
    title: str
    description: str
    department: Department
    contact: Person | None
    source_system: str
    access_level: str
    rights: str
    license: str
    accrual_periodicity: str
    temporal: str
    spatial: str
    issued: datetime.date | None
    modified: datetime.date | None
    landing_page: str
    privacy_notes: str
    published: bool
    status: str
    critical_to_decisions: bool
    public_demand: bool
    grant_reporting: bool
    legislative_reporting: bool
    performance_budgeting: bool
    sensitive: bool
    ready: bool
    discovered_from: DiscoveryAnswer | None


#: Fields a dataset form or import may set directly (the many-to-many ones are handled apart).
SCALAR_FIELDS = tuple(DatasetValues.__annotations__)
assert set(VALUE_FLAG_NAMES) <= set(SCALAR_FIELDS), "every declared-value flag is a dataset value"

#: Why a change is refused: the dataset is not the user's to change, to keep there, or to move.
MAY_NOT_CHANGE = "You may not change this dataset."
MAY_NOT_MOVE = "Only the Stat lead and analysts move a dataset to another department."


def new_identifier(department_code: str, title: str) -> str:
    """A stable identifier for a new dataset: the department's code, a slug of the title and a short random tail."""
    return f"{department_code.lower()}-{slugify(title)[:60]}-{uuid.uuid4().hex[:8]}"


def _names(values: Iterable[str] | None) -> list[str]:
    seen: dict[str, str] = {}
    for value in values or []:
        value = " ".join(str(value).split())
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


#: The steward rule's message (see :func:`steward_is_valid`).
STEWARD_ELSEWHERE = "The steward must be a current department contact of the owner department."


def steward_is_valid(*, contact: Person | int | None, department: Department | int | None) -> bool:
    """Whether ``contact`` may steward a dataset of ``department``: a current department contact of it."""
    if contact is None or department is None:
        return True
    return (
        RoleAssignment.objects.current()
        .filter(person=contact, role=Role.DEPARTMENT_CONTACT, department=department)
        .exists()
    )


def _validate(dataset: Dataset) -> None:
    """The dataset as it would be saved, checked: the rights rule, the steward rule, then the model's own."""
    errors: dict[str, str] = {}
    if lacks_rights(dataset.access_level, dataset.rights):
        errors["rights"] = RIGHTS_REQUIRED
    if not steward_is_valid(contact=dataset.contact_id, department=dataset.department_id):
        errors["contact"] = STEWARD_ELSEWHERE
    if errors:
        raise ValidationError(errors)
    dataset.full_clean(exclude=["keywords", "themes", "initiatives"], validate_constraints=True)


def _locked(dataset: Dataset) -> Dataset:
    """``dataset`` read again and locked for the rest of the transaction, with its department (not locked)."""
    return Dataset.objects.select_related("department").select_for_update(of=("self",)).get(pk=dataset.pk)


def _require_write(by: User | None, dataset: Dataset) -> None:
    require(can_write_dataset(actor_of(by), dataset), MAY_NOT_CHANGE)


def _require_keep_in(by: User | None, dataset: Dataset, department_id: int | None) -> None:
    """``by`` may write ``dataset`` and, if ``department_id`` is another department, move it there."""
    actor = actor_of(by)
    require(can_write_dataset(actor, dataset), MAY_NOT_CHANGE)
    if department_id is not None and department_id != dataset.department_id:
        require(can_move_dataset(actor, dataset, department_id), MAY_NOT_MOVE)


def _record_as(dataset: Dataset, *, by, reason: str) -> None:
    """What the history entry of the coming save says: why, and who (else the request's user, see settings)."""
    dataset._change_reason = reason[:100]
    if by is not None:
        dataset._history_user = by


def _named(model, names: list[str]) -> list:
    """The rows of ``model`` with these names, in the given order: those that exist read in one query, the others
    created."""
    existing = {row.name.lower(): row for row in model.objects.filter(name__in=names)}
    return [existing.get(name.lower()) or model.objects.get_or_create(name=name)[0] for name in names]


def _set_tags(dataset: Dataset, *, keywords=None, themes=None, initiatives=None) -> None:
    if keywords is not None:
        dataset.keywords.set(_named(Keyword, _names(keywords)))
    if themes is not None:
        dataset.themes.set(_named(Theme, _names(themes)))
    if initiatives is not None:
        dataset.initiatives.set(list(initiatives))


def changes_priority_score(fields: Mapping, *, initiatives=None) -> bool:
    """Whether a write of these scalar ``fields`` (and of ``initiatives``, when not None) may change the score."""
    return initiatives is not None or any(name in fields for name in VALUE_FLAG_NAMES)


def _save_with_tags(dataset: Dataset, *, keywords=None, themes=None, initiatives=None, rescore: bool) -> None:
    """Save ``dataset`` and set its tags with one history entry, written last so that its snapshot holds the tags.
    (Left alone, simple-history writes a whole entry, snapshots included, for the save and for each tag list.)
    With ``rescore``, then store its priority score (the caller holds the weights: :func:`hold_priority_weights`)."""
    if keywords is None and themes is None and initiatives is None:
        dataset.save()
    else:
        dataset.skip_history_when_saving = True
        try:
            dataset.save()
            _set_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives)
        finally:
            del dataset.skip_history_when_saving
        dataset.save(update_fields=["updated_at"])
    if rescore:
        dataset_rescore(dataset=dataset)


@transaction.atomic
def dataset_create(
    *,
    by: User | None = None,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
    **fields: Unpack[DatasetValues],
) -> Dataset:
    """Log a new dataset. Guarantees: ``by`` may keep datasets in its department (else ``PermissionDenied``); a
    unique stable identifier (generated when not given); a rights statement unless public; a steward who is a
    contact of the owner department; its priority score stored under the program's current weights; the history
    records who created it."""
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"dataset_create() got unexpected fields: {', '.join(sorted(unknown))}")
    department = fields.get("department")
    require(
        can_create_dataset_in(actor_of(by), department.pk if department is not None else None),
        f"You may not add datasets to {department.name}." if department is not None else MAY_NOT_CHANGE,
    )
    hold_priority_weights()
    dataset = Dataset(**fields, created_by=by, updated_by=by)
    if not dataset.identifier:
        dataset.identifier = new_identifier(dataset.department.code, dataset.title)
    _validate(dataset)
    _record_as(dataset, by=by, reason="Created")
    _save_with_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives, rescore=True)
    _keep_one_history_entry(dataset, after=0, created=True)
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    by: User | None = None,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
    reason: str = "",
    **fields: Unpack[DatasetValues],
) -> Dataset:
    """Change a dataset's metadata. Guarantees: ``by`` may write the dataset, and only the Stat lead and analysts
    move it to another department (else ``PermissionDenied``, nothing written); only the fields given change; the
    history keeps the old values and who changed them; a change of its declared value or initiatives rescores it."""
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"dataset_update() got unexpected fields: {', '.join(sorted(unknown))}")
    rescore = changes_priority_score(fields, initiatives=initiatives)
    if rescore:
        hold_priority_weights()  # before the dataset's row, in the order a change of weights takes them
    dataset = _locked(dataset)
    department = fields.get("department")
    _require_keep_in(by, dataset, department.pk if department is not None else None)
    for name, value in fields.items():
        setattr(dataset, name, value)
    dataset.updated_by = by
    _validate(dataset)
    _record_as(dataset, by=by, reason=reason or "Edited")
    after = _latest_history_id(dataset)
    _save_with_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives, rescore=rescore)
    _keep_one_history_entry(dataset, after=after, created=False)
    return dataset


def initiative_get_or_create(*, name: str) -> Initiative:
    name = " ".join(name.split())
    initiative = Initiative.objects.filter(name__iexact=name).first()
    if initiative is None:
        initiative = Initiative.objects.create(name=name, slug=slugify(name)[:120] or uuid.uuid4().hex[:8])
    return initiative


# --- one history entry per change -------------------------------------------------------------------------------

#: The many-to-many fields whose membership each history entry snapshots.
M2M_FIELDS = ("keywords", "themes", "initiatives")


def _m2m_history_models():
    return [apps.get_model("inventory", f"HistoricalDataset_{name}") for name in M2M_FIELDS]


def _latest_history_id(dataset: Dataset) -> int:
    return dataset.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def _keep_one_history_entry(dataset: Dataset, *, after: int, created: bool) -> None:
    """simple-history records a version when the dataset is saved and again each time one of its keywords, themes
    or initiatives is added or removed, each a snapshot of the whole dataset. One change is one entry: keep the
    last snapshot (it holds the complete change) and drop the intermediate ones."""
    ids = list(
        dataset.history.filter(history_id__gt=after).order_by("-history_id").values_list("history_id", flat=True)
    )
    stale = ids[1:]
    if stale:
        for model in _m2m_history_models():
            model.objects.filter(history_id__in=stale).delete()
        dataset.history.filter(history_id__in=stale).delete()
    if created and ids:
        dataset.history.filter(history_id=ids[0]).update(history_type="+")


# --- saving a dataset with its distributions and dictionary ------------------------------------------------------


@transaction.atomic
def dataset_save(
    *,
    dataset: Dataset | None = None,
    by: User | None = None,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
    distributions: Sequence[Mapping] | None = None,
    dictionary: Sequence[Mapping] | None = None,
    reason: str = "",
    **fields: Unpack[DatasetValues],
) -> Dataset:
    """Create a dataset (``dataset=None``) or change one, together with its distributions and data dictionary:
    all of it is written, or (on a ValidationError from any part, or ``PermissionDenied`` from the rules of
    :func:`dataset_create` and :func:`dataset_update`) none of it. ``distributions`` and ``dictionary``, when given,
    replace the current ones (see :func:`dataset_save_distributions` and :func:`dataset_save_dictionary`); ``None``
    leaves them as they are."""
    if dataset is None:
        dataset = dataset_create(by=by, keywords=keywords, themes=themes, initiatives=initiatives, **fields)
    else:
        dataset = dataset_update(
            dataset=dataset, by=by, keywords=keywords, themes=themes, initiatives=initiatives, reason=reason, **fields
        )
    if distributions is not None:
        dataset_save_distributions(dataset=dataset, distributions=distributions, by=by)
    if dictionary is not None:
        dataset_save_dictionary(dataset=dataset, fields=dictionary, by=by)
    return dataset


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
)

_BOOLEAN_KEYS = {"required", "unique"}


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
    parse = None
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


def _normalised(row: Mapping, keys: Iterable[str]) -> dict:
    clean = {}
    for key in keys:
        value = row.get(key)
        if key in _BOOLEAN_KEYS:
            clean[key] = bool(value)
        elif key == "allowed_values":
            clean[key] = _names(value)
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


def _delete_unlisted(existing: Mapping[int, models.Model], keep: Iterable[models.Model], *, by) -> None:
    """Delete the rows of ``existing`` not in ``keep``, each with a history entry saying who removed it."""
    kept = {obj.pk for obj in keep}
    for pk, obj in existing.items():
        if pk not in kept:
            _record_as(obj, by=by, reason="Removed")
            obj.delete()


def _write_rows(model, keep: list, before: Mapping[int, dict], *, by) -> None:
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
    *, dataset: Dataset, distributions: Sequence[Mapping], by: User | None = None
) -> list[Distribution]:
    """Make the dataset's distributions exactly ``distributions``, in that order. Each mapping holds
    :data:`DISTRIBUTION_KEYS` and, to change an existing one, the ``id`` of a distribution of this dataset; those not
    listed are deleted. Guarantees: ``by`` may write the dataset (else ``PermissionDenied``); each has a download URL
    with its media type or an access URL, valid URLs, or a ValidationError and nothing written; unchanged ones are
    not rewritten, so their history records real changes."""
    _require_write(by, dataset)
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
    *, dataset: Dataset, fields: Sequence[Mapping], by: User | None = None, reason: str = ""
) -> list[DataField]:
    """Make the dataset's data dictionary exactly ``fields``, in that order: the one write path of a dictionary,
    whether edited on the dataset form, drafted from a sample CSV or read from a harvested Table Schema.

    Each mapping holds :data:`DICTIONARY_KEYS` (``allowed_values`` a list; a missing key takes its default) and, to
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
    _require_write(by, dataset)
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
        obj = existing.get(pk) or unclaimed_by_name.pop(row["name"], None) or DataField(dataset=dataset)
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


def _touch(dataset: Dataset, *, by, reason: str) -> None:
    """Record on the dataset itself that part of it (its dictionary) changed: who, when and why."""
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    locked.updated_by = by
    _record_as(locked, by=by, reason=reason)
    locked.save(update_fields=["updated_by", "updated_at"])


# --- deleting -----------------------------------------------------------------------------------------------------


def delete_problems(dataset: Dataset) -> list[str]:
    """Why ``dataset`` cannot be deleted now (empty: it can): it is published, or something the apps above the
    inventory keep depends on it (each app registers what, in ``inventory.extensions``: goals refuses while measures
    are computed from it)."""
    problems = []
    if dataset.published:
        problems.append(
            "This dataset is published: the public catalogue and data.json list it. Unpublish it first (edit it "
            "and untick Published), then delete it."
        )
    return problems + dataset_dependents(dataset)


@transaction.atomic
def dataset_delete(*, dataset: Dataset, by: User | None = None) -> None:
    """Delete a dataset with its distributions, data dictionary and quality results, in one transaction.

    Only the Stat lead and analysts delete datasets (else ``PermissionDenied``). Refuses (ValidationError, nothing
    deleted) a published dataset: the public catalogue, ``/data.json`` and the catalogues that harvest it list it,
    so it is unpublished first, a change its history keeps. Refuses too while something depends on it (see
    :func:`delete_problems`). The history records who deleted it (the rows' history stays, so the deletion can be
    traced).
    """
    dataset = _locked(dataset)
    require(can_delete_dataset(actor_of(by), dataset), "Only the Stat lead and analysts delete datasets.")
    problems = delete_problems(dataset)
    if problems:
        raise ValidationError(problems)
    _record_as(dataset, by=by, reason="Deleted")
    for part in [*dataset.distributions.all(), *dataset.fields.all()]:
        _record_as(part, by=by, reason="Deleted with its dataset")
        part.delete()
    dataset.delete()
    transaction.on_commit(forget_inventory_coverage)
