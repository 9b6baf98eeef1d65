"""Create and change datasets. Every write runs in a transaction and records who made it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from team.models import Role, RoleAssignment

from ..models import AccessLevel, Dataset, Initiative, Keyword, Theme

#: Fields a dataset form or import may set directly (the many-to-many ones are handled apart).
SCALAR_FIELDS = (
    "identifier",
    "title",
    "description",
    "department",
    "contact",
    "source_system",
    "access_level",
    "rights",
    "license",
    "accrual_periodicity",
    "temporal",
    "spatial",
    "issued",
    "modified",
    "landing_page",
    "privacy_notes",
    "published",
    "status",
    "critical_to_decisions",
    "public_demand",
    "grant_reporting",
    "legislative_reporting",
    "performance_budgeting",
    "sensitive",
    "ready",
    "discovered_from",
)


def new_identifier(department_code: str, title: str) -> str:
    """A stable identifier for a new dataset: the department's code, a slug of the title and a short random tail."""
    return f"{department_code.lower()}-{slugify(title)[:60]}-{uuid.uuid4().hex[:8]}"


def _names(values: Iterable[str] | None) -> list[str]:
    seen: dict[str, str] = {}
    for value in values or []:
        value = " ".join(str(value).split())
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def _validate(dataset: Dataset) -> None:
    errors: dict[str, str] = {}
    if dataset.access_level != AccessLevel.PUBLIC and not dataset.rights.strip():
        errors["rights"] = "Say why this dataset is not public (the rights statement is required unless it is public)."
    if dataset.contact_id is not None and dataset.department_id is not None:
        is_contact = (
            RoleAssignment.objects.current()
            .filter(person_id=dataset.contact_id, role=Role.DEPARTMENT_CONTACT, department_id=dataset.department_id)
            .exists()
        )
        if not is_contact:
            errors["contact"] = "The steward must be a current department contact of the owner department."
    if errors:
        raise ValidationError(errors)
    dataset.full_clean(exclude=["keywords", "themes", "initiatives"], validate_constraints=True)


def _set_tags(dataset: Dataset, *, keywords=None, themes=None, initiatives=None) -> None:
    if keywords is not None:
        names = _names(keywords)
        existing = {k.name.lower(): k for k in Keyword.objects.filter(name__in=names)}
        dataset.keywords.set([existing.get(n.lower()) or Keyword.objects.get_or_create(name=n)[0] for n in names])
    if themes is not None:
        names = _names(themes)
        dataset.themes.set([Theme.objects.get_or_create(name=n)[0] for n in names])
    if initiatives is not None:
        dataset.initiatives.set(list(initiatives))


@transaction.atomic
def dataset_create(*, by=None, keywords=None, themes=None, initiatives=None, **fields) -> Dataset:
    """Log a new dataset. Guarantees: a unique stable identifier (generated when not given); a rights statement
    unless public; a steward who is a contact of the owner department; the history records who created it."""
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"dataset_create() got unexpected fields: {', '.join(sorted(unknown))}")
    dataset = Dataset(**fields, created_by=by, updated_by=by)
    if not dataset.identifier:
        dataset.identifier = new_identifier(dataset.department.code, dataset.title)
    _validate(dataset)
    dataset._change_reason = "Created"
    dataset.save()
    _set_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives)
    return dataset


@transaction.atomic
def dataset_update(
    *, dataset: Dataset, by=None, keywords=None, themes=None, initiatives=None, reason: str = "", **fields
) -> Dataset:
    """Change a dataset's metadata. Only the fields given change; the history keeps the old values and who changed
    them. Permission (who may move a dataset to another department) is the caller's: see ``team.access``."""
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"dataset_update() got unexpected fields: {', '.join(sorted(unknown))}")
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    for name, value in fields.items():
        setattr(dataset, name, value)
    dataset.updated_by = by
    _validate(dataset)
    dataset._change_reason = reason or "Edited"
    dataset.save()
    _set_tags(dataset, keywords=keywords, themes=themes, initiatives=initiatives)
    return dataset


def initiative_get_or_create(*, name: str) -> Initiative:
    name = " ".join(name.split())
    initiative = Initiative.objects.filter(name__iexact=name).first()
    if initiative is None:
        initiative = Initiative.objects.create(name=name, slug=slugify(name)[:120] or uuid.uuid4().hex[:8])
    return initiative
