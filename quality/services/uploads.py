"""Data files uploaded to check: kept as the dataset's newest source, and checked at once."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from core.fetch import too_large_message
from inventory.models import Dataset
from team.access import enforce

from ..access import CHECK_REFUSED, can_check_dataset
from ..models import DatasetQualitySettings, SourceUpload, Trigger
from .runs import run_request
from .sources import max_bytes_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
