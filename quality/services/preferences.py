"""How a dataset is checked (its quality settings) and how a person hears about failures (their preference)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.unchanged import UNCHANGED, Unchanged, given
from inventory.models import Dataset, Distribution
from team.access import enforce
from team.models import Person

from ..access import CHECK_REFUSED, can_check_dataset
from ..models import DatasetQualitySettings, Delivery, NotificationPreference
from .sources import max_bytes_problem

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def settings_update(
    *,
    dataset: Dataset,
    by: User | None,
    enabled: bool | Unchanged = UNCHANGED,
    source_distribution: Distribution | int | None | Unchanged = UNCHANGED,
    date_column: str | Unchanged = UNCHANGED,
    freshness_grace_days: int | None | Unchanged = UNCHANGED,
    row_change_warn_percent: int | None | Unchanged = UNCHANGED,
    empty_warn_percent: int | None | Unchanged = UNCHANGED,
    duplicate_warn_percent: int | None | Unchanged = UNCHANGED,
    max_bytes: int | None | Unchanged = UNCHANGED,
) -> DatasetQualitySettings:
    """Set ``dataset``'s quality settings (created on first use); the settings left out keep their value.

    Guarantees: only those who may check the dataset (whoever writes it; ``by=None`` is the system) may, anyone
    else gets ``PermissionDenied``; the source distribution must be one of the dataset's own (given as one or by
    its id); ``max_bytes`` may lower the program's ``QUALITY_MAX_BYTES``, never raise it, whoever asks; values are
    validated (ValidationError) before anything is saved.
    """
    enforce(by, lambda actor: can_check_dataset(actor, dataset), CHECK_REFUSED)
    fields = given(
        {
            "enabled": enabled,
            "source_distribution": source_distribution,
            "date_column": date_column,
            "freshness_grace_days": freshness_grace_days,
            "row_change_warn_percent": row_change_warn_percent,
            "empty_warn_percent": empty_warn_percent,
            "duplicate_warn_percent": duplicate_warn_percent,
            "max_bytes": max_bytes,
        }
    )
    if problem := max_bytes_problem(fields.get("max_bytes")):
        raise ValidationError({"max_bytes": problem})
    quality_settings, _ = DatasetQualitySettings.objects.select_for_update().get_or_create(dataset=dataset)
    distribution = fields.get("source_distribution")
    if isinstance(distribution, int):
        fields["source_distribution"] = distribution = Distribution.objects.filter(pk=distribution).first()
    if distribution is not None and distribution.dataset_id != dataset.pk:
        raise ValidationError({"source_distribution": "Choose one of this dataset's own distributions."})
    for name, value in fields.items():
        setattr(quality_settings, name, value)
    quality_settings.updated_by = by if getattr(by, "pk", None) and getattr(by, "is_authenticated", False) else None
    quality_settings.full_clean(exclude=["dataset"])
    quality_settings.save()
    return quality_settings


@transaction.atomic
def preference_set(*, person: Person, delivery: str, by: User | None) -> NotificationPreference:
    """Choose how ``person`` hears that a dataset started failing: immediately, in a daily digest, or not at all.

    Guarantees: a person sets only their own preference (``by`` is their login, or ``None``, the system), anyone
    else gets ``PermissionDenied``; one preference per person (created or changed); an unknown choice is a
    ValidationError. Items waiting for the digest of someone who switches away from it stay unsent (a later digest
    sends them if they switch back).
    """
    if by is not None and person.user_id != by.pk:
        raise PermissionDenied("Each person chooses how they hear about failing datasets themselves.")
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": f"Choose one of: {', '.join(Delivery.values)}."})
    preference, _ = NotificationPreference.objects.update_or_create(person=person, defaults={"delivery": delivery})
    return preference
