"""Who may read and write datasets, and do the inventory's other things (import, harvest, bulk changes, the
discovery questionnaire, the priority weights): every inventory view, API endpoint and service asks this module.

The naming scheme is ``team.access``'s: :data:`DATASETS` is the policy; ``datasets_readable_by`` and friends narrow a
queryset in SQL; ``can_<verb>_<kind>`` answers for one object in memory; ``get_dataset_for_user`` and
``get_discovery_department_for_user`` give the object or 404 (missing, or not readable) / 403 (readable, not
writable). Services take the acting user (``by``) and enforce these same functions (``team.access.enforce``: ``None``
is the system), so the web form, the API, an import and a harvest cannot disagree.

The README's roles, for the inventory: the Stat lead and analysts log, edit, import, harvest, bulk-change, move and
delete datasets anywhere; a department contact logs, edits and imports only their own department's datasets and can
never move one to another department; everyone with a role reads the datasets their role lets them; the discovery
questionnaire is for the Stat team and each department's own lead and contacts; the principal and Stat lead set the
priority weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from team.access import Actor, ScopedPolicy, actor_for, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Department, Role

from .models import PUBLIC_Q, Dataset, DiscoveryAnswer

if TYPE_CHECKING:
    from team.access import Visitor

#: Datasets: the Stat team and seats read all, as do department contacts and data experts; a department lead reads
#: their department's, a budget analyst their portfolio's; everyone reads the published public ones. The Stat lead
#: and analysts write every dataset, a department contact their own department's.
DATASETS = ScopedPolicy(
    name="dataset",
    department_field="department",
    public_q=PUBLIC_Q,
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DEPARTMENT_CONTACT, Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
)

#: The dataset policy seen from a Department: the departments whose datasets a user writes (and may keep new ones in).
DATASETS_OF_DEPARTMENTS = DATASETS.seen_from("department's datasets", department_field="")

# --- querysets, narrowed in SQL ----------------------------------------------------------------------------------


def datasets_readable_by(actor: Actor, queryset: QuerySet[Dataset] | None = None) -> QuerySet[Dataset]:
    return DATASETS.readable(actor, Dataset.objects.all() if queryset is None else queryset)


def datasets_writable_by(actor: Actor, queryset: QuerySet[Dataset] | None = None) -> QuerySet[Dataset]:
    return DATASETS.writable(actor, Dataset.objects.all() if queryset is None else queryset)


def departments_for_datasets(actor: Actor, queryset: QuerySet[Department] | None = None) -> QuerySet[Department]:
    """The departments ``actor`` may keep datasets in: every one for the Stat lead and analysts, a department
    contact's own, none for anyone else."""
    return DATASETS_OF_DEPARTMENTS.writable(actor, Department.objects.all() if queryset is None else queryset)


def departments_for_dataset(actor: Actor, dataset: Dataset | None = None) -> QuerySet[Department]:
    """The departments the dataset form offers ``actor``. A new dataset (``None``): the active departments they may
    keep datasets in. An existing one: its own department (even if it has closed since, so an edit never moves it
    silently), and the other active ones only to those who may move datasets (:func:`can_move_dataset`)."""
    if dataset is None:
        return departments_for_datasets(actor).filter(active=True)
    if _writes_every_dataset(actor):
        return Department.objects.filter(Q(active=True) | Q(pk=dataset.department_id))
    return Department.objects.filter(pk=dataset.department_id)


def discovery_departments_readable_by(
    actor: Actor, queryset: QuerySet[Department] | None = None
) -> QuerySet[Department]:
    """The departments whose discovery answers ``actor`` reads (see :func:`can_view_discovery`)."""
    queryset = Department.objects.all() if queryset is None else queryset
    if actor.is_program_staff:
        return queryset
    return queryset.filter(pk__in=sorted(_own_department_ids(actor)))


# --- one dataset, in memory ----------------------------------------------------------------------------------------


def _writes_every_dataset(actor: Actor) -> bool:
    """The Stat lead and analysts (and superusers)."""
    return actor.is_authenticated and actor.has_role(*DATASETS.write_all)


def can_read_dataset(actor: Actor, dataset: Dataset) -> bool:
    return DATASETS.allows(actor, dataset)


def can_write_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Change the dataset's metadata, distributions and dictionary, restore a version of it, check its quality."""
    return DATASETS.allows(actor, dataset, write=True)


def can_create_dataset_in(actor: Actor, department_id: int | None) -> bool:
    """Log a dataset owned by ``department_id`` (``None``: in any department)."""
    return DATASETS.can_create_in(actor, department_id)


def can_create_datasets(actor: Actor) -> bool:
    """Log a dataset in some department: the Stat lead and analysts, and department contacts (in their own)."""
    return can_create_dataset_in(actor, None) or any(
        can_create_dataset_in(actor, department_id) for department_id in actor.contact_department_ids
    )


def can_move_dataset(actor: Actor, dataset: Dataset, department: Department | int | None) -> bool:
    """Give ``dataset`` to ``department``. Keeping it where it is needs only :func:`can_write_dataset`; moving it to
    another department is for those who write every dataset (the Stat lead and analysts): a department contact, even
    one of both departments, never moves a dataset."""
    department_id = department.pk if isinstance(department, Department) else department
    if department_id == dataset.department_id:
        return can_write_dataset(actor, dataset)
    return _writes_every_dataset(actor)


def can_delete_dataset(actor: Actor, dataset: Dataset) -> bool:
    """Deleting a dataset is the Stat lead's and analysts', not a department contact's."""
    return _writes_every_dataset(actor) and can_write_dataset(actor, dataset)


# --- the inventory as a whole ---------------------------------------------------------------------------------------


def can_use_inventory(actor: Actor) -> bool:
    """The inventory's list and export: anyone who holds a role in the program (each sees what they may read)."""
    return actor.has_any_role


def can_read_dataset_internals(actor: Actor) -> bool:
    """A dataset's internal fields (source system, privacy and sensitivity notes, the declared-value flags and the
    priority score, which they make): for anyone with a role in the program, on the dataset's page and through the
    API alike. Anonymous visitors, and a login without a role, read what the public catalogue shows."""
    return can_use_inventory(actor)


def can_read_whole_inventory(actor: Actor) -> bool:
    """Whether ``actor`` reads every dataset (so may see program-wide figures such as coverage)."""
    return DATASETS.read_q(actor) is None


def can_import_datasets(actor: Actor) -> bool:
    """CSV and Excel import: the Stat lead and analysts for any department, a department contact for their own."""
    return can_create_datasets(actor)


def can_add_initiatives(actor: Actor) -> bool:
    """Add an initiative the inventory does not know yet (an imported row naming one): whoever imports datasets."""
    return can_import_datasets(actor)


def can_bulk_edit_datasets(actor: Actor) -> bool:
    """Bulk status and steward changes: the Stat lead and analysts, who write every dataset."""
    return _writes_every_dataset(actor)


def can_harvest(actor: Actor) -> bool:
    """Harvesting a data.json catalogue (which creates departments and moves datasets to them): the Stat lead and
    analysts."""
    return _writes_every_dataset(actor)


def can_view_priorities(actor: Actor) -> bool:
    """The prioritisation page: the program staff."""
    return actor.is_program_staff


def can_set_priority_weights(actor: Actor) -> bool:
    """The priority weights are program settings: the principal and the Stat lead."""
    return actor.can_manage_structure()


# --- the discovery questionnaire ---------------------------------------------------------------------------------


def _own_department_ids(actor: Actor) -> frozenset[int]:
    return actor.lead_department_ids | actor.contact_department_ids


def can_view_discovery(actor: Actor, department: Department | None = None) -> bool:
    """Program staff see every department's answers; a department's lead and contacts see their own (``None``:
    whether ``actor`` sees any department's)."""
    if actor.is_program_staff:
        return True
    own = _own_department_ids(actor)
    return bool(own) if department is None else department.pk in own


def can_answer_discovery(actor: Actor, department: Department) -> bool:
    """The Stat lead and analysts record answers for any department; a lead or contact for their own."""
    return actor.can_edit_program_content() or department.pk in _own_department_ids(actor)


def can_create_discovery_candidate(actor: Actor, department: Department) -> bool:
    """A candidate dataset from an answer: whoever may log datasets in that department."""
    return can_create_dataset_in(actor, department.pk)


# --- the object, or 404 / 403 ---------------------------------------------------------------------------------------


def get_dataset_for_user(
    user: Visitor,
    *,
    pk: int | None = None,
    identifier: str | None = None,
    write: bool = False,
    queryset: QuerySet[Dataset] | None = None,
) -> Dataset:
    """The dataset with ``pk`` (or ``identifier``) if ``user`` may read it (and write it, with ``write``): 404 when
    it does not exist or they may not read it, 403 when they may read it but not change it."""
    lookup = {"pk": pk} if identifier is None else {"identifier": identifier}
    queryset = Dataset.objects.select_related("department") if queryset is None else queryset
    return get_object_for_user(DATASETS, user, queryset, write=write, **lookup)


def get_discovery_department_for_user(user: Visitor, slug: str, *, answer: bool = False) -> Department:
    """The department with ``slug`` if ``user`` may see its discovery answers (and record one, with ``answer``):
    404 when it does not exist or they may not see its answers, 403 when they may see them but not answer."""
    actor = actor_for(user)
    department = Department.objects.filter(slug=slug).first()
    if department is None or not can_view_discovery(actor, department):
        raise Http404("No department matches the given query.")
    if answer and not can_answer_discovery(actor, department):
        raise PermissionDenied("Only the Stat team and the department’s own lead and contacts can record answers.")
    return department


def get_discovery_answer_for_user(user: Visitor, pk: int) -> DiscoveryAnswer:
    """The discovery answer ``pk`` (its department loaded) if ``user`` may see its department's answers, else 404."""
    answer = DiscoveryAnswer.objects.select_related("department").filter(pk=pk).first()
    if answer is None or not can_view_discovery(actor_for(user), answer.department):
        raise Http404("No such discovery answer.")
    return answer
