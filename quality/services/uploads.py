"""Data files uploaded to check: kept as the dataset's newest source, and checked at once; pruned to the newest few
per dataset (``QUALITY_UPLOADS_KEPT``) and those still in use."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from core.fetch import too_large_message
from inventory.models import Dataset
from team.access import enforce

from ..access import CHECK_REFUSED, can_check_dataset
from ..models import DatasetQuality, DatasetQualitySettings, QualityRun, RunState, SourceUpload, Trigger
from ..stored_files import delete_on_commit
from .runs import run_request
from .sources import max_bytes_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User


PRUNE_REFUSED = "Only the principal and the Stat lead prune uploaded files by hand; the schedule does it nightly."


@transaction.atomic
def source_upload_create(*, dataset: Dataset, file: File, by: User | None) -> SourceUpload:
    """Keep an uploaded data file as the dataset's newest source and request a check of it (trigger "upload").

    Guarantees: only those who may check the dataset (whoever writes it; ``by=None`` is the system) may upload,
    anyone else gets ``PermissionDenied``; a file over the dataset's byte cap or an empty one is refused with a
    ValidationError and nothing is saved; otherwise the file is stored, and exactly one queued run will check it
    (an already queued run of the dataset is reused, and reads the newest upload when it starts).
    """
    enforce(by, lambda actor: can_check_dataset(actor, dataset), CHECK_REFUSED)
    quality_settings = DatasetQualitySettings.objects.filter(dataset=dataset).first()
    limit = max_bytes_for(quality_settings)
    size = getattr(file, "size", None) or 0
    if size > limit:
        raise ValidationError(too_large_message(limit))
    if not size:
        raise ValidationError("The file is empty.")
    original_name = PurePosixPath(getattr(file, "name", "") or "upload").name[:255]
    upload = SourceUpload(
        dataset=dataset, original_name=original_name, size=size, uploaded_by=by if getattr(by, "pk", None) else None
    )
    upload.file.save(original_name, file, save=False)
    upload.save()
    run_request(dataset=dataset, by=by, trigger=Trigger.UPLOAD)
    return upload


def uploads_in_use() -> set[int]:
    """The uploads a run still needs or shows: the file behind each dataset's latest judged run (the run its quality
    panel and emails show, whose example rows point at lines of that file), and behind any run queued or running."""
    shown = DatasetQuality.objects.filter(latest_run__upload__isnull=False).values_list(
        "latest_run__upload_id", flat=True
    )
    running = (
        QualityRun.objects.exclude(state=RunState.FINISHED)
        .filter(upload__isnull=False)
        .values_list("upload_id", flat=True)
    )
    return set(shown) | set(running)


def uploads_to_prune(*, keep: int) -> list[SourceUpload]:
    """The uploads past each dataset's ``keep`` newest that no run needs (:func:`uploads_in_use`), oldest first."""
    ranked = SourceUpload.objects.annotate(
        newness=Window(RowNumber(), partition_by=[F("dataset_id")], order_by=[F("uploaded_at").desc(), F("pk").desc()])
    )
    in_use = uploads_in_use()
    old = ranked.filter(newness__gt=keep).order_by("uploaded_at", "pk")
    return [upload for upload in old if upload.pk not in in_use]


def uploads_prune(*, by: User | None, keep: int | None = None) -> int:
    """Delete the uploaded files (file and row) past each dataset's ``keep`` newest (``QUALITY_UPLOADS_KEPT``),
    except those behind a run still shown or running (:func:`uploads_in_use`). Returns how many went.

    Guarantees: ``by`` is the system (``None``, the nightly task) or the principal or Stat lead, anyone else gets
    ``PermissionDenied``; the newest upload of a dataset (its source when nothing else is chosen, so the only one a
    new run may start reading) is never deleted; each row goes in its own transaction and its file once that
    commits (a file that cannot be deleted is logged and left behind, never a row pointing at no file); running it
    again, or twice at once, deletes nothing more.
    """
    enforce(by, lambda actor: actor.can_manage_structure(), PRUNE_REFUSED)
    keep = settings.QUALITY_UPLOADS_KEPT if keep is None else keep
    if keep < 1:
        raise ValueError("Keep at least the newest upload of each dataset: it may be the source of its next check.")
    deleted = 0
    for upload in uploads_to_prune(keep=keep):
        with transaction.atomic():
            _, rows = SourceUpload.objects.filter(pk=upload.pk).delete()  # its runs keep their results, not the link
            if not rows.get(SourceUpload._meta.label):
                continue  # another prune got there first
            if upload.file.name:
                delete_on_commit(upload.file.storage, [upload.file.name], what="the uploaded file (its row is gone)")
        deleted += 1
    return deleted
