"""Deleting the files quality keeps in storage (uploaded data, the copies checks keep) once the database agrees."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


def delete_on_commit(storage: Storage, names: Iterable[str], *, what: str) -> None:
    """Delete the files ``names`` from ``storage`` once the current transaction commits (at once outside one), so
    a rollback keeps them with the rows that name them. A file that cannot be deleted is logged (as ``what``) and
    left behind: never a row pointing at no file."""
    for name in filter(None, names):
        transaction.on_commit(partial(_delete, storage, name, what))


def _delete(storage: Storage, name: str, what: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("Could not delete %s %s", what, name)
