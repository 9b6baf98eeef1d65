"""Who may read quality results and who may check a dataset: every quality view, API endpoint and service asks
this module. The naming scheme is ``team.access``'s.

* reading follows :data:`QUALITY_RESULTS` (seen from a dataset, :data:`QUALITY_OF_DATASETS`; from a department,
  :data:`QUALITY_OF_DEPARTMENTS`): a dataset whose results someone may not read is a 404 to them;
* checking a dataset ("Check now", uploading a data file, its quality settings) is whoever writes the dataset
  (``inventory.access.DATASETS``): 403 for those who only read it;
* the values in a check's example rows are the dataset's data, not its quality: :func:`can_read_example_values`
  and :func:`can_read_sensitive_values` say who sees them, and :func:`with_shown_examples` is the one place they
  are masked, for every page, partial, email and admin view that shows example rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from inventory.access import DATASETS
from inventory.models import DataField, Dataset
from team.access import Actor, ScopedPolicy, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Department, Role

from .models import CheckResult, QualityRun

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


# --- example rows: the dataset's data --------------------------------------------------------------------------------
#
# A failing check keeps a few offending rows (line number, column, value). The line numbers and columns are quality
# results; the values are the data itself. Those who may read a dataset's data are the Stat team (the principal, the
# Stat lead and analysts), the owner department's lead, contacts and steward, and the data experts assigned to that
# department. Everyone else who reads a dataset's quality sees its example values only when the dataset is public
# (published, access level public). Columns the data dictionary marks personal or sensitive (``DataField.sensitive``)
# are hidden from all but the Stat team and the owner department, public or not.

#: Checks whose example "values" are references to other rows ("same as row 12"), never data.
REFERENCE_CHECKS = frozenset({"duplicate_rows"})


def _owner_department(actor: Actor, dataset: Dataset) -> bool:
    """The owner department's lead, contacts and the dataset's steward. No query."""
    department_id = dataset.department_id
    if department_id in actor.lead_department_ids or department_id in actor.contact_department_ids:
        return True
    return dataset.contact_id is not None and dataset.contact_id == actor.person_id


def can_read_sensitive_values(actor: Actor, dataset: Dataset) -> bool:
    """Whether ``actor`` sees the values of ``dataset``'s personal or sensitive columns: the Stat team and the owner
    department (lead, contacts, steward). No query."""
    return actor.is_program_staff or _owner_department(actor, dataset)


def can_read_dataset_data(actor: Actor, dataset: Dataset) -> bool:
    """Whether ``actor`` may read ``dataset``'s data itself, public or not: the Stat team, the owner department and
    the data experts assigned to it. No query."""
    return can_read_sensitive_values(actor, dataset) or dataset.department_id in actor.expert_department_ids


def can_read_example_values(actor: Actor, dataset: Dataset) -> bool:
    """Whether ``actor`` sees the values in ``dataset``'s example rows (those of personal or sensitive columns aside,
    see :func:`can_read_sensitive_values`): those who may read its data, and anyone when it is public. No query."""
    return dataset.is_public or can_read_dataset_data(actor, dataset)


@dataclass(frozen=True)
class ShownExample:
    """One offending row as a reader may see it: its line number and column always, its value only when they may
    (``hidden`` otherwise; ``value`` is then empty)."""

    row: Any
    column: str
    value: str
    hidden: bool = False


def _normal(name: str) -> str:
    return name.strip().lower()


def sensitive_columns(dataset: Dataset) -> frozenset[str]:
    """The (lower-cased) names of the dataset's personal or sensitive columns (one query)."""
    names = DataField.objects.filter(dataset_id=dataset.pk, sensitive=True).values_list("name", flat=True)
    return frozenset(_normal(name) for name in names)


def shown_examples(
    check: CheckResult, *, values: bool, sensitive: frozenset[str], see_sensitive: bool
) -> list[ShownExample]:
    """``check``'s example rows with the values the reader may not see hidden. ``values``: they read the dataset's
    example values; ``sensitive``: its personal or sensitive columns; ``see_sensitive``: they see those too. A
    table-wide example (a whole line of the file) holds every column, so it is hidden when any column is
    sensitive."""
    shown = []
    for example in check.examples or []:
        if not isinstance(example, dict):
            continue
        column = str(example.get("column") or "")
        value = example.get("value")
        text = "" if value is None else str(value)
        if check.name in REFERENCE_CHECKS and not column:
            hidden = False  # "same as row 12": a line number, not a value
        elif not values:
            hidden = True
        elif see_sensitive or not sensitive:
            hidden = False
        elif column:
            hidden = _normal(column) in sensitive
        else:
            hidden = bool(text)  # a whole line of the file: every column's value, the sensitive ones too
        shown.append(ShownExample(example.get("row"), column, "" if hidden else text, hidden))
    return shown


def with_shown_examples(actor: Actor, dataset: Dataset, checks: Iterable[CheckResult]) -> list[CheckResult]:
    """``checks`` (of ``dataset``'s runs), each given ``shown_examples``: its example rows as ``actor`` may see them
    (see above). Templates read ``shown_examples``, never ``examples``. At most one query (the sensitive columns,
    read only when some example holds a value the reader might not see)."""
    checks = list(checks)
    values = can_read_example_values(actor, dataset)
    see_sensitive = can_read_sensitive_values(actor, dataset)
    needs_columns = values and not see_sensitive and any(check.examples for check in checks)
    sensitive = sensitive_columns(dataset) if needs_columns else frozenset()
    for check in checks:
        check.shown_examples = shown_examples(  # type: ignore[attr-defined]
            check, values=values, sensitive=sensitive, see_sensitive=see_sensitive
        )
    return checks


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
