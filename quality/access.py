"""Who may read quality results and who may check a dataset: every quality view, API endpoint and service asks
this module. The naming scheme is ``team.access``'s.

* reading follows :data:`QUALITY_RESULTS` (seen from a dataset, :data:`QUALITY_OF_DATASETS`; from a department,
  :data:`QUALITY_OF_DEPARTMENTS`): a dataset whose results someone may not read is a 404 to them;
* checking a dataset ("Check now", uploading a data file, its quality settings) is whoever writes the dataset
  (``inventory.access.DATASETS``): 403 for those who only read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from inventory.access import DATASETS
from inventory.models import Dataset
from team.access import Actor, ScopedPolicy, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Department, Role

from .models import QualityRun

if TYPE_CHECKING:
    from team.access import Visitor

#: Quality results (runs and their checks), seen from a run: the Stat team, seats, department contacts and data
#: experts read all; a department lead their department's datasets', a budget analyst their portfolio's.
QUALITY_RESULTS = ScopedPolicy(
    name="quality result",
    department_field="dataset__department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DEPARTMENT_CONTACT, Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
)
#: The same policy seen from a dataset (its quality results) and from a department (its quality page).
QUALITY_OF_DATASETS = QUALITY_RESULTS.seen_from("dataset's quality", department_field="department")
QUALITY_OF_DEPARTMENTS = QUALITY_RESULTS.seen_from("department's quality", department_field="")

NO_QUALITY_ROLE = "Data-quality results are for the Stat team, department leads and contacts, and data experts."
CHECK_REFUSED = "Only those who edit this dataset check it, upload its data or change how it is checked."


# --- capabilities (no object) --------------------------------------------------------------------------------------


def can_read_quality(actor: Actor) -> bool:
    """Whether ``actor`` may read any quality result at all (the nav item, the quality pages). No query."""
    return QUALITY_RESULTS.reads_some(actor)


def can_read_all_quality(actor: Actor) -> bool:
    """Whether ``actor`` reads every dataset's quality results (the city's quality page). No query."""
    return QUALITY_RESULTS.reads_every(actor)


# --- one dataset ---------------------------------------------------------------------------------------------------


def can_read_dataset_quality(actor: Actor, dataset: Dataset) -> bool:
    """Whether ``actor`` reads ``dataset``'s quality results. No query when its department is loaded."""
    return QUALITY_OF_DATASETS.allows(actor, dataset)


def can_check_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Who may press "Check now", upload a data file or change the quality settings: whoever writes the dataset.
    No query when its department is loaded."""
    return DATASETS.allows(actor, dataset, write=True)


# --- querysets -------------------------------------------------------------------------------------------------------


def runs_readable_by(actor: Actor, queryset: QuerySet[QualityRun] | None = None) -> QuerySet[QualityRun]:
    return QUALITY_RESULTS.readable(actor, QualityRun.objects.all() if queryset is None else queryset)


# --- 404 / 403 -------------------------------------------------------------------------------------------------------


def get_run_for_user(user: Visitor, pk: int) -> QualityRun:
    """The run ``pk`` (with its dataset, department and who asked for it) if ``user`` reads its results, else 404."""
    runs = QualityRun.objects.select_related("dataset__department", "requested_by__person")
    return get_object_for_user(QUALITY_RESULTS, user, runs, pk=pk)


def get_dataset_quality_for_user(user: Visitor, pk: int, *, write: bool = False) -> Dataset:
    """The dataset ``pk`` (with its department) if ``user`` reads its quality results, else 404. With ``write``,
    the dataset if they may check it (whoever writes it): 404 if they may not read the dataset, 403 if they only
    read it."""
    datasets = Dataset.objects.select_related("department")
    if write:
        return get_object_for_user(DATASETS, user, datasets, write=True, pk=pk)
    return get_object_for_user(QUALITY_OF_DATASETS, user, datasets, pk=pk)


def get_quality_department_for_user(user: Visitor, slug: str) -> Department:
    """The department ``slug`` if ``user`` reads its quality page, else 404."""
    return get_object_for_user(QUALITY_OF_DEPARTMENTS, user, Department.objects.all(), slug=slug)
