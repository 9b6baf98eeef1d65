"""Quality's answers to the signals of the apps below it."""

from __future__ import annotations

from django.db.models.signals import pre_delete

from inventory.models import Dataset

from .models import QualityRun
from .services.runs import delete_checked_copies


def dataset_deleted(sender: type[Dataset], *, instance: Dataset, **kwargs: object) -> None:
    """A dataset is being deleted, its runs with it: the copy of its data its latest check kept goes too, once the
    deletion commits (see ``QualityRun.checked_copy``)."""
    names = QualityRun.objects.filter(dataset=instance).exclude(checked_copy="").values_list("checked_copy", flat=True)
    delete_checked_copies(list(names))


def connect() -> None:
    pre_delete.connect(dataset_deleted, sender=Dataset, dispatch_uid="quality.dataset_deleted")
