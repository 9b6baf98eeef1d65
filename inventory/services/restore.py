"""Restoring an earlier version of a dataset: its metadata, its tags, and its distributions and data dictionary
as they stood in that version (read from their own history)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from team.models import Person

from ..models import DataField, Dataset, DiscoveryAnswer, Distribution, Initiative, Keyword, Theme
from .datasets import (
    DICTIONARY_KEYS,
    DISTRIBUTION_KEYS,
    SCALAR_FIELDS,
    _keep_one_history_entry,
    _latest_history_id,
    _record_as,
    _validate,
    dataset_save_dictionary,
    dataset_save_distributions,
)
from .priority import dataset_rescore, hold_priority_weights

# --- restoring an earlier version --------------------------------------------------------------------------------

#: What a restore brings back: everything a form may set except the identifier, which never changes.
RESTORED_FIELDS = tuple(name for name in SCALAR_FIELDS if name != "identifier")

#: Related objects a version may point at that may have gone since (the steward left; the answer was deleted).
_MAY_BE_GONE = {"contact": Person, "discovered_from": DiscoveryAnswer}


def version_label(version) -> str:
    return date_format(timezone.localtime(version.history_date), "N j, Y, P")


def parts_as_of(dataset: Dataset, *, before: datetime.datetime | None) -> tuple[list[dict], list[dict]]:
    """The dataset's distributions and dictionary fields as they stood just before ``before`` (``None``: now), read
    from their history: two lists of row dicts (:data:`DISTRIBUTION_KEYS` / :data:`DICTIONARY_KEYS` with ``id``
    and ``position``), in their order then."""
    found = []
    for model, keys in ((Distribution, DISTRIBUTION_KEYS), (DataField, DICTIONARY_KEYS)):
        records = model.history.filter(dataset_id=dataset.pk)
        if before is not None:
            records = records.filter(history_date__lt=before)
        latest: dict[int, object] = {}
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


@transaction.atomic
def dataset_restore(*, dataset: Dataset, history_id: int, by=None) -> Dataset:
    """Bring back an earlier version of ``dataset``: its metadata (not its identifier), its keywords, themes and
    initiatives, and its distributions and data dictionary as they stood in that version (from their own history),
    as a new history entry "Restored version of <date>"; later versions stay in the history.

    Raises ``Dataset.history.model.DoesNotExist`` for a version of another dataset, and ValidationError when the
    version no longer holds (its steward is no longer a contact of its department, say), writing nothing.
    Whether ``by`` may move the dataset back to the version's department is the caller's to check."""
    hold_priority_weights()
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    version = dataset.history.get(history_id=history_id)
    for name in RESTORED_FIELDS:
        field = Dataset._meta.get_field(name)
        value = getattr(version, field.attname)
        if name in _MAY_BE_GONE and value is not None and not _MAY_BE_GONE[name].objects.filter(pk=value).exists():
            value = None
        setattr(dataset, field.attname, value)
    dataset.updated_by = by
    _validate(dataset)
    _record_as(dataset, by=by, reason=f"Restored version of {version_label(version)}")
    after = _latest_history_id(dataset)
    dataset.save()
    for name, model in (("keywords", Keyword), ("themes", Theme), ("initiatives", Initiative)):
        related = model._meta.model_name
        ids = getattr(version, name).values_list(f"{related}_id", flat=True)
        getattr(dataset, name).set(model.objects.filter(pk__in=list(ids)))
    # The score is not kept in the history: the version's flags and initiatives are scored by today's weights.
    dataset_rescore(dataset=dataset)
    _keep_one_history_entry(dataset, after=after, created=False)
    distributions, fields = parts_as_of(dataset, before=version_contents_end(version))
    # Rows that still exist change in place (their history shows old → new); the others come back as new rows.
    still = set(dataset.distributions.values_list("pk", flat=True))
    dataset_save_distributions(
        dataset=dataset, distributions=[_existing_or_new(row, still) for row in distributions], by=by
    )
    still = set(dataset.fields.values_list("pk", flat=True))
    dataset_save_dictionary(dataset=dataset, fields=[_existing_or_new(row, still) for row in fields], by=by)
    return dataset


def _existing_or_new(row: dict, existing_ids: set[int]) -> dict:
    return {**row, "id": row["id"] if row["id"] in existing_ids else None}
