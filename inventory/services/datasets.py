"""Create and change datasets. Every write runs in a transaction, records who made it, and enforces who may make it.

Each service takes the acting user (``by``; ``None`` is the system: demo seeding, a command run without a user) and
asks ``inventory.access`` itself, raising ``PermissionDenied`` when the rule says no, so the web form, the API, an
import and a harvest cannot disagree. Views ask the same functions first only to choose what to show.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from core.history import history_skipped, record_as
from core.unchanged import UNCHANGED, Unchanged, given
from team.access import enforce
from team.models import Department, Person, Role, RoleAssignment

from ..access import can_add_initiatives, can_create_dataset_in, can_delete_dataset
from ..extensions import dataset_dependents
from ..models import (
    RIGHTS_REQUIRED,
    VALUE_FLAG_NAMES,
    AccessLevel,
    Dataset,
    DiscoveryAnswer,
    Frequency,
    Initiative,
    Keyword,
    Status,
    Theme,
    lacks_rights,
)
from ..selectors import forget_inventory_coverage
from .parts import dataset_save_dictionary, dataset_save_distributions
from .priority import dataset_rescore, hold_priority_weights
from .writes import distinct_names, locked, require_keep_in

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DatasetValues(TypedDict, total=False):
    """The metadata a form, the API or an import sets on a dataset (its tags and parts apart): the keyword arguments
    of :func:`dataset_create`, :func:`dataset_update` and :func:`dataset_save`, which declare each of them (a test
    holds the four to the same names). The declared-value flags are :data:`~inventory.models.VALUE_FLAGS`."""

    identifier: str
    title: str
    description: str
    department: Department
    contact: Person | None
    source_system: str
    access_level: str
    rights: str
    license: str
    accrual_periodicity: str
    temporal: str
    spatial: str
    issued: datetime.date | None
    modified: datetime.date | None
    landing_page: str
    privacy_notes: str
    published: bool
    status: str
    critical_to_decisions: bool
    public_demand: bool
    grant_reporting: bool
    legislative_reporting: bool
    performance_budgeting: bool
    sensitive: bool
    ready: bool
    discovered_from: DiscoveryAnswer | None


#: Fields a dataset form or import may set directly (the many-to-many ones are handled apart).
SCALAR_FIELDS = tuple(DatasetValues.__annotations__)
assert set(VALUE_FLAG_NAMES) <= set(SCALAR_FIELDS), "every declared-value flag is a dataset value"


def new_identifier(department_code: str, title: str) -> str:
    """A stable identifier for a new dataset: the department's code, a slug of the title and a short random tail."""
    return f"{department_code.lower()}-{slugify(title)[:60]}-{uuid.uuid4().hex[:8]}"


#: The steward rule's message (see :func:`steward_is_valid`).
STEWARD_ELSEWHERE = "The steward must be a current department contact of the owner department."


def steward_is_valid(*, contact: Person | int | None, department: Department | int | None) -> bool:
    """Whether ``contact`` may steward a dataset of ``department``: a current department contact of it."""
    if contact is None or department is None:
        return True
    return (
        RoleAssignment.objects.current()
        .filter(person=contact, role=Role.DEPARTMENT_CONTACT, department=department)
        .exists()
    )


def _validate(dataset: Dataset) -> None:
    """The dataset as it would be saved, checked: the rights rule, the steward rule, then the model's own."""
    errors: dict[str, str] = {}
    if lacks_rights(dataset.access_level, dataset.rights):
        errors["rights"] = RIGHTS_REQUIRED
    if not steward_is_valid(contact=dataset.contact_id, department=dataset.department_id):
        errors["contact"] = STEWARD_ELSEWHERE
    if errors:
        raise ValidationError(errors)
    dataset.full_clean(exclude=["keywords", "themes", "initiatives"], validate_constraints=True)


_Tag = TypeVar("_Tag", Keyword, Theme)


def _named(model: type[_Tag], names: list[str]) -> list[_Tag]:
    """The rows of ``model`` with these names, in the given order: those that exist read in one query, the others
    created."""
    existing = {row.name.lower(): row for row in model._default_manager.filter(name__in=names)}
    return [existing.get(name.lower()) or model._default_manager.get_or_create(name=name)[0] for name in names]


def _set_tags(
    dataset: Dataset,
    *,
    keywords: Iterable[str] | None,
    themes: Iterable[str] | None,
    initiatives: Iterable[Initiative] | None,
) -> None:
    if keywords is not None:
        dataset.keywords.set(_named(Keyword, distinct_names(keywords)))
    if themes is not None:
        dataset.themes.set(_named(Theme, distinct_names(themes)))
    if initiatives is not None:
        dataset.initiatives.set(list(initiatives))


def changes_priority_score(fields: Mapping[str, object], *, initiatives: object = None) -> bool:
    """Whether a write of these scalar ``fields`` (and of ``initiatives``, when not None) may change the score."""
    return initiatives is not None or any(name in fields for name in VALUE_FLAG_NAMES)


def _save_with_tags(
    dataset: Dataset,
    *,
    by: User | None,
    keywords: Iterable[str] | None,
    themes: Iterable[str] | None,
    initiatives: Iterable[Initiative] | None,
    rescore: bool,
) -> None:
    """Save ``dataset`` and set its tags with one history entry, written last so that its snapshot holds the tags.
    (Left alone, simple-history writes a whole entry, snapshots included, for the save and for each tag list.)
    With ``rescore``, then store its priority score (the caller holds the weights: :func:`hold_priority_weights`)."""
    if keywords is None and themes is None and initiatives is None:
        dataset.save()
    else:
        with history_skipped(dataset):
            dataset.save()
            _set_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives)
        dataset.save(update_fields=["updated_at"])
    if rescore:
        dataset_rescore(dataset=dataset, by=by)


@transaction.atomic
def dataset_create(
    *,
    by: User | None,
    title: str,
    department: Department,
    identifier: str = "",
    description: str = "",
    contact: Person | None = None,
    source_system: str = "",
    access_level: str = AccessLevel.NON_PUBLIC,
    rights: str = "",
    license: str = "",
    accrual_periodicity: str = Frequency.IRREGULAR,
    temporal: str = "",
    spatial: str = "",
    issued: datetime.date | None = None,
    modified: datetime.date | None = None,
    landing_page: str = "",
    privacy_notes: str = "",
    published: bool = False,
    status: str = Status.IDENTIFIED,
    critical_to_decisions: bool = False,
    public_demand: bool = False,
    grant_reporting: bool = False,
    legislative_reporting: bool = False,
    performance_budgeting: bool = False,
    sensitive: bool = False,
    ready: bool = False,
    discovered_from: DiscoveryAnswer | None = None,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
) -> Dataset:
    """Log a new dataset (the values left out take the model's defaults). Guarantees: ``by`` may keep datasets in
    its department (else ``PermissionDenied``); a unique stable identifier (generated when not given); a rights
    statement unless public; a steward who is a contact of the owner department; its priority score stored under
    the program's current weights; the history records who created it."""
    enforce(
        by,
        lambda actor: can_create_dataset_in(actor, department.pk),
        f"You may not add datasets to {department.name}.",
    )
    hold_priority_weights()
    dataset = Dataset(
        identifier=identifier or new_identifier(department.code, title),
        title=title,
        description=description,
        department=department,
        contact=contact,
        source_system=source_system,
        access_level=access_level,
        rights=rights,
        license=license,
        accrual_periodicity=accrual_periodicity,
        temporal=temporal,
        spatial=spatial,
        issued=issued,
        modified=modified,
        landing_page=landing_page,
        privacy_notes=privacy_notes,
        published=published,
        status=status,
        critical_to_decisions=critical_to_decisions,
        public_demand=public_demand,
        grant_reporting=grant_reporting,
        legislative_reporting=legislative_reporting,
        performance_budgeting=performance_budgeting,
        sensitive=sensitive,
        ready=ready,
        discovered_from=discovered_from,
        created_by=by,
        updated_by=by,
    )
    _validate(dataset)
    record_as(dataset, by=by, reason="Created")
    _save_with_tags(dataset, by=by, keywords=keywords, themes=themes, initiatives=initiatives, rescore=True)
    _keep_one_history_entry(dataset, after=0, created=True)
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    by: User | None,
    identifier: str | Unchanged = UNCHANGED,
    title: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    department: Department | Unchanged = UNCHANGED,
    contact: Person | None | Unchanged = UNCHANGED,
    source_system: str | Unchanged = UNCHANGED,
    access_level: str | Unchanged = UNCHANGED,
    rights: str | Unchanged = UNCHANGED,
    license: str | Unchanged = UNCHANGED,
    accrual_periodicity: str | Unchanged = UNCHANGED,
    temporal: str | Unchanged = UNCHANGED,
    spatial: str | Unchanged = UNCHANGED,
    issued: datetime.date | None | Unchanged = UNCHANGED,
    modified: datetime.date | None | Unchanged = UNCHANGED,
    landing_page: str | Unchanged = UNCHANGED,
    privacy_notes: str | Unchanged = UNCHANGED,
    published: bool | Unchanged = UNCHANGED,
    status: str | Unchanged = UNCHANGED,
    critical_to_decisions: bool | Unchanged = UNCHANGED,
    public_demand: bool | Unchanged = UNCHANGED,
    grant_reporting: bool | Unchanged = UNCHANGED,
    legislative_reporting: bool | Unchanged = UNCHANGED,
    performance_budgeting: bool | Unchanged = UNCHANGED,
    sensitive: bool | Unchanged = UNCHANGED,
    ready: bool | Unchanged = UNCHANGED,
    discovered_from: DiscoveryAnswer | None | Unchanged = UNCHANGED,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
    reason: str = "",
) -> Dataset:
    """Change a dataset's metadata (the values given; the others stay). Guarantees: ``by`` may write the dataset,
    and only the Stat lead and analysts move it to another department (else ``PermissionDenied``, nothing written);
    the history keeps the old values and who changed them; a change of its declared value or initiatives rescores
    it."""
    fields = given(
        {
            "identifier": identifier,
            "title": title,
            "description": description,
            "department": department,
            "contact": contact,
            "source_system": source_system,
            "access_level": access_level,
            "rights": rights,
            "license": license,
            "accrual_periodicity": accrual_periodicity,
            "temporal": temporal,
            "spatial": spatial,
            "issued": issued,
            "modified": modified,
            "landing_page": landing_page,
            "privacy_notes": privacy_notes,
            "published": published,
            "status": status,
            "critical_to_decisions": critical_to_decisions,
            "public_demand": public_demand,
            "grant_reporting": grant_reporting,
            "legislative_reporting": legislative_reporting,
            "performance_budgeting": performance_budgeting,
            "sensitive": sensitive,
            "ready": ready,
            "discovered_from": discovered_from,
        }
    )
    rescore = changes_priority_score(fields, initiatives=initiatives)
    if rescore:
        hold_priority_weights()  # before the dataset's row, in the order a change of weights takes them
    dataset = locked(dataset)
    require_keep_in(by, dataset, department.pk if isinstance(department, Department) else None)
    for name, value in fields.items():
        setattr(dataset, name, value)
    dataset.updated_by = by
    _validate(dataset)
    record_as(dataset, by=by, reason=reason or "Edited")
    after = _latest_history_id(dataset)
    _save_with_tags(dataset, by=by, keywords=keywords, themes=themes, initiatives=initiatives, rescore=rescore)
    _keep_one_history_entry(dataset, after=after, created=False)
    return dataset


def initiative_get_or_create(*, name: str, by: User | None) -> Initiative:
    """The initiative called ``name`` (ignoring case and extra spaces), added if the inventory does not know it yet;
    only those who may add initiatives (:func:`inventory.access.can_add_initiatives`) may, else
    ``PermissionDenied``."""
    enforce(by, can_add_initiatives, "Only the Stat team and department contacts add initiatives.")
    name = " ".join(name.split())
    initiative = Initiative.objects.filter(name__iexact=name).first()
    if initiative is None:
        initiative = Initiative.objects.create(name=name, slug=slugify(name)[:120] or uuid.uuid4().hex[:8])
    return initiative


# --- one history entry per change -------------------------------------------------------------------------------

#: The many-to-many fields whose membership each history entry snapshots.
M2M_FIELDS = ("keywords", "themes", "initiatives")


def _m2m_history_models():
    return [apps.get_model("inventory", f"HistoricalDataset_{name}") for name in M2M_FIELDS]


def _latest_history_id(dataset: Dataset) -> int:
    return dataset.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def _keep_one_history_entry(dataset: Dataset, *, after: int, created: bool) -> None:
    """simple-history records a version when the dataset is saved and again each time one of its keywords, themes
    or initiatives is added or removed, each a snapshot of the whole dataset. One change is one entry: keep the
    last snapshot (it holds the complete change) and drop the intermediate ones."""
    ids = list(
        dataset.history.filter(history_id__gt=after).order_by("-history_id").values_list("history_id", flat=True)
    )
    stale = ids[1:]
    if stale:
        for model in _m2m_history_models():
            model.objects.filter(history_id__in=stale).delete()
        dataset.history.filter(history_id__in=stale).delete()
    if created and ids:
        dataset.history.filter(history_id=ids[0]).update(history_type="+")


# --- saving a dataset with its distributions and dictionary ------------------------------------------------------


@transaction.atomic
def dataset_save(
    *,
    dataset: Dataset | None = None,
    by: User | None,
    identifier: str | Unchanged = UNCHANGED,
    title: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    department: Department | Unchanged = UNCHANGED,
    contact: Person | None | Unchanged = UNCHANGED,
    source_system: str | Unchanged = UNCHANGED,
    access_level: str | Unchanged = UNCHANGED,
    rights: str | Unchanged = UNCHANGED,
    license: str | Unchanged = UNCHANGED,
    accrual_periodicity: str | Unchanged = UNCHANGED,
    temporal: str | Unchanged = UNCHANGED,
    spatial: str | Unchanged = UNCHANGED,
    issued: datetime.date | None | Unchanged = UNCHANGED,
    modified: datetime.date | None | Unchanged = UNCHANGED,
    landing_page: str | Unchanged = UNCHANGED,
    privacy_notes: str | Unchanged = UNCHANGED,
    published: bool | Unchanged = UNCHANGED,
    status: str | Unchanged = UNCHANGED,
    critical_to_decisions: bool | Unchanged = UNCHANGED,
    public_demand: bool | Unchanged = UNCHANGED,
    grant_reporting: bool | Unchanged = UNCHANGED,
    legislative_reporting: bool | Unchanged = UNCHANGED,
    performance_budgeting: bool | Unchanged = UNCHANGED,
    sensitive: bool | Unchanged = UNCHANGED,
    ready: bool | Unchanged = UNCHANGED,
    discovered_from: DiscoveryAnswer | None | Unchanged = UNCHANGED,
    keywords: Iterable[str] | None = None,
    themes: Iterable[str] | None = None,
    initiatives: Iterable[Initiative] | None = None,
    distributions: Sequence[Mapping] | None = None,
    dictionary: Sequence[Mapping] | None = None,
    reason: str = "",
) -> Dataset:
    """Create a dataset (``dataset=None``; ``title`` and ``department`` given) or change one, together with its
    distributions and data dictionary: all of it is written, or (on a ValidationError from any part, or
    ``PermissionDenied`` from the rules of :func:`dataset_create` and :func:`dataset_update`) none of it.
    ``distributions`` and ``dictionary``, when given, replace the current ones (see
    :func:`dataset_save_distributions` and :func:`dataset_save_dictionary`); ``None`` leaves them as they are."""
    values: dict[str, Any] = {  # values of every kind: dataset_create and dataset_update type each one
        "identifier": identifier,
        "title": title,
        "description": description,
        "department": department,
        "contact": contact,
        "source_system": source_system,
        "access_level": access_level,
        "rights": rights,
        "license": license,
        "accrual_periodicity": accrual_periodicity,
        "temporal": temporal,
        "spatial": spatial,
        "issued": issued,
        "modified": modified,
        "landing_page": landing_page,
        "privacy_notes": privacy_notes,
        "published": published,
        "status": status,
        "critical_to_decisions": critical_to_decisions,
        "public_demand": public_demand,
        "grant_reporting": grant_reporting,
        "legislative_reporting": legislative_reporting,
        "performance_budgeting": performance_budgeting,
        "sensitive": sensitive,
        "ready": ready,
        "discovered_from": discovered_from,
    }
    if dataset is None:
        dataset = dataset_create(by=by, keywords=keywords, themes=themes, initiatives=initiatives, **given(values))
    else:
        dataset = dataset_update(
            dataset=dataset, by=by, keywords=keywords, themes=themes, initiatives=initiatives, reason=reason, **values
        )
    if distributions is not None:
        dataset_save_distributions(dataset=dataset, distributions=distributions, by=by)
    if dictionary is not None:
        dataset_save_dictionary(dataset=dataset, fields=dictionary, by=by)
    return dataset


# --- deleting -----------------------------------------------------------------------------------------------------


def delete_problems(dataset: Dataset) -> list[str]:
    """Why ``dataset`` cannot be deleted now (empty: it can): it is published, or something the apps above the
    inventory keep depends on it (each app registers what, in ``inventory.extensions``: goals refuses while measures
    are computed from it)."""
    problems = []
    if dataset.published:
        problems.append(
            "This dataset is published: the public catalogue and data.json list it. Unpublish it first (edit it "
            "and untick Published), then delete it."
        )
    return problems + dataset_dependents(dataset)


@transaction.atomic
def dataset_delete(*, dataset: Dataset, by: User | None) -> None:
    """Delete a dataset with its distributions, data dictionary and quality results, in one transaction.

    Only the Stat lead and analysts delete datasets (else ``PermissionDenied``). Refuses (ValidationError, nothing
    deleted) a published dataset: the public catalogue, ``/data.json`` and the catalogues that harvest it list it,
    so it is unpublished first, a change its history keeps. Refuses too while something depends on it (see
    :func:`delete_problems`). The history records who deleted it (the rows' history stays, so the deletion can be
    traced).
    """
    dataset = locked(dataset)
    enforce(by, lambda actor: can_delete_dataset(actor, dataset), "Only the Stat lead and analysts delete datasets.")
    problems = delete_problems(dataset)
    if problems:
        raise ValidationError(problems)
    record_as(dataset, by=by, reason="Deleted")
    for part in [*dataset.distributions.all(), *dataset.fields.all()]:
        record_as(part, by=by, reason="Deleted with its dataset")
        part.delete()
    dataset.delete()
    transaction.on_commit(forget_inventory_coverage)
