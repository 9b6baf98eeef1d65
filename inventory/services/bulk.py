"""Bulk actions on the inventory: change the status of, or assign a steward to, many datasets at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from team.access import enforce
from team.models import Person, Role, RoleAssignment

from ..access import can_bulk_edit_datasets
from ..models import Dataset, Status
from .datasets import dataset_update
from .writes import may_write

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class BulkResult:
    """What a bulk action did: the datasets it changed and, for each one it could not, why."""

    changed: list[Dataset] = field(default_factory=list)
    refused: list[tuple[Dataset, str]] = field(default_factory=list)


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


@transaction.atomic
def datasets_bulk_update(
    *, datasets: Iterable[Dataset], by: User | None, status: str | None = None, contact: Person | None = None
) -> BulkResult:
    """Set ``status`` and/or the steward ``contact`` on each of ``datasets``, in one transaction.

    Guarantees: only the Stat lead and analysts change datasets in bulk (else ``PermissionDenied``, nothing
    written); each dataset changes through :func:`dataset_update` (so its history records who changed what and
    why); a dataset that cannot take the change (``by`` may not write it, the steward is not a contact of its
    department, or its metadata fails validation) is left exactly as it was and reported in ``refused`` with the
    reason, while the others change.
    """
    enforce(by, can_bulk_edit_datasets, "Only the Stat lead and analysts change datasets in bulk.")
    if status is None and contact is None:
        raise ValidationError("Choose a new status or a steward to apply.")
    if status is not None and status not in Status.values:
        raise ValidationError({"status": f"{status!r} is not a status."})
    steward_of: set[int] = set()
    if contact is not None:
        steward_of = set(
            RoleAssignment.objects.current()
            .filter(person=contact, person__active=True, role=Role.DEPARTMENT_CONTACT)
            .values_list("department_id", flat=True)
        )
    changes: dict = {}
    if status is not None:
        changes["status"] = status
    if contact is not None:
        changes["contact"] = contact
    result = BulkResult()
    for dataset in datasets:
        if not may_write(by, dataset):
            result.refused.append((dataset, "you may not change it."))
            continue
        if contact is not None and dataset.department_id not in steward_of:
            result.refused.append(
                (dataset, f"{contact.full_name} is not a department contact of {dataset.department.name}.")
            )
            continue
        try:
            updated = dataset_update(dataset=dataset, by=by, reason="Bulk update", **changes)
        except ValidationError as error:
            result.refused.append((dataset, _messages(error)))
        else:
            result.changed.append(updated)
    return result
