"""Restoring an earlier version of a dataset: its metadata, its tags, and its distributions and data dictionary
as they stood in that version (read from their own history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Field

from core.history import record_as
from team.models import Person

from ..history import parts_as_of, version_contents_end, version_label
from ..models import Dataset, DiscoveryAnswer, Initiative, Keyword, Theme
from .datasets import SCALAR_FIELDS, _keep_one_history_entry, _latest_history_id, _validate
from .parts import dataset_save_dictionary, dataset_save_distributions
from .priority import dataset_rescore, hold_priority_weights
from .writes import locked, require_keep_in

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# --- restoring an earlier version --------------------------------------------------------------------------------

#: What a restore brings back: everything a form may set except the identifier, which never changes.
RESTORED_FIELDS = tuple(name for name in SCALAR_FIELDS if name != "identifier")

#: Related objects a version may point at that may have gone since (the steward left; the answer was deleted).
_MAY_BE_GONE = {"contact": Person, "discovered_from": DiscoveryAnswer}


@transaction.atomic
def dataset_restore(*, dataset: Dataset, history_id: int, by: User | None) -> Dataset:
    """Bring back an earlier version of ``dataset``: its metadata (not its identifier), its keywords, themes and
    initiatives, and its distributions and data dictionary as they stood in that version (from their own history),
    as a new history entry "Restored version of <date>"; later versions stay in the history.

    Raises ``Dataset.history.model.DoesNotExist`` for a version of another dataset, ``PermissionDenied`` unless
    ``by`` may write the dataset and (when the version sat in another department) move it back there, which only the
    Stat lead and analysts may, and ValidationError when the version no longer holds (its steward is no longer a
    contact of its department, say), writing nothing in each case."""
    hold_priority_weights()
    dataset = locked(dataset)
    version = dataset.history.get(history_id=history_id)
    require_keep_in(by, dataset, version.department_id)
    for name in RESTORED_FIELDS:
        field = Dataset._meta.get_field(name)
        assert isinstance(field, Field), f"{name} is a column of Dataset"
        value = getattr(version, field.attname)
        if (
            name in _MAY_BE_GONE
            and value is not None
            and not _MAY_BE_GONE[name]._default_manager.filter(pk=value).exists()
        ):
            value = None
        setattr(dataset, field.attname, value)
    dataset.updated_by = by
    _validate(dataset)
    record_as(dataset, by=by, reason=f"Restored version of {version_label(version)}")
    after = _latest_history_id(dataset)
    dataset.save()
    for name, model in (("keywords", Keyword), ("themes", Theme), ("initiatives", Initiative)):
        related = model._meta.model_name
        ids = getattr(version, name).values_list(f"{related}_id", flat=True)
        getattr(dataset, name).set(model.objects.filter(pk__in=list(ids)))
    # The score is not kept in the history: the version's flags and initiatives are scored by today's weights.
    dataset_rescore(dataset=dataset, by=by)
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
