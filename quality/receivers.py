"""Quality's answers to the signals of the apps below it."""

from __future__ import annotations

from django.db.models.signals import pre_delete

from inventory.models import Dataset

from .models import QualityRun
from .stored_files import delete_on_commit


def dataset_deleted(sender: type[Dataset], *, instance: Dataset, **kwargs: object) -> None:
    """A dataset is being deleted, its runs with it: the copy of its data its latest check kept goes too, once the
    deletion commits (see ``QualityRun.checked_copy``)."""
    names = QualityRun.objects.filter(dataset=instance).exclude(checked_copy="").values_list("checked_copy", flat=True)
    storage = QualityRun._meta.get_field("checked_copy").storage
    delete_on_commit(storage, list(names), what="the checked copy")


def connect() -> None:
    pre_delete.connect(dataset_deleted, sender=Dataset, dispatch_uid="quality.dataset_deleted")
