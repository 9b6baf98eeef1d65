"""What every write of a dataset shares: the dataset read again and locked, and the access rules checked for the
acting user (``inventory.access``; ``by=None`` is the system). What its history entry records (who, and why) is
:func:`core.history.record_as`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from team.access import Actor, actor_for, enforce

from ..access import can_move_dataset, can_write_dataset
from ..models import Dataset

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Why a change is refused: the dataset is not the user's to change, to keep there, or to move.
MAY_NOT_CHANGE = "You may not change this dataset."
MAY_NOT_MOVE = "Only the Stat lead and analysts move a dataset to another department."


def distinct_names(values: Iterable[str] | None) -> list[str]:
    """Each name once (ignoring case, the first spelling kept), its spaces collapsed, blanks dropped."""
    seen: dict[str, str] = {}
    for value in values or []:
        value = " ".join(str(value).split())
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def locked(dataset: Dataset) -> Dataset:
    """``dataset`` read again and locked for the rest of the transaction, with its department (not locked)."""
    return Dataset.objects.select_related("department").select_for_update(of=("self",)).get(pk=dataset.pk)


def allows(by: User | None, rule: Callable[[Actor], bool]) -> bool:
    """Whether the acting user ``by`` passes ``rule``, as :func:`team.access.enforce` decides it (``None``, the
    system, passes every rule): for a service that reports a refusal rather than raising it (a row, a dataset)."""
    return by is None or rule(actor_for(by))


def may_write(by: User | None, dataset: Dataset) -> bool:
    """Whether ``by`` may write ``dataset`` (the system may), without raising."""
    return allows(by, lambda actor: can_write_dataset(actor, dataset))


def require_write(by: User | None, dataset: Dataset) -> None:
    """``PermissionDenied`` unless ``by`` may write ``dataset``."""
    enforce(by, lambda actor: can_write_dataset(actor, dataset), MAY_NOT_CHANGE)


def require_keep_in(by: User | None, dataset: Dataset, department_id: int | None) -> None:
    """``PermissionDenied`` unless ``by`` may write ``dataset`` and, if ``department_id`` is another department, move
    it there."""
    require_write(by, dataset)
    if department_id is not None and department_id != dataset.department_id:
        enforce(by, lambda actor: can_move_dataset(actor, dataset, department_id), MAY_NOT_MOVE)
