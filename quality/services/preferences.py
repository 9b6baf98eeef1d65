"""How a dataset is checked (its quality settings) and how a person hears about failures (their preference)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import Dataset, Distribution
from team.models import Person

from ..models import DatasetQualitySettings, Delivery, NotificationPreference

SETTINGS_FIELDS = frozenset(
    {
        "enabled",
        "source_distribution",
        "date_column",
        "freshness_grace_days",
        "row_change_warn_percent",
        "empty_warn_percent",
        "duplicate_warn_percent",
        "max_bytes",
    }
)


@transaction.atomic
def settings_update(*, dataset: Dataset, by=None, **fields) -> DatasetQualitySettings:
    """Set ``dataset``'s quality settings (created on first use) to ``fields``; unnamed fields keep their value.

    Guarantees: only the settings fields may be given (anything else is a TypeError); the source distribution
    must be one of the dataset's own; values are validated (ValidationError) before anything is saved.
    """
    unknown = set(fields) - SETTINGS_FIELDS
    if unknown:
        raise TypeError(f"Not a quality setting: {', '.join(sorted(unknown))}")
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
def preference_set(*, person: Person, delivery: str) -> NotificationPreference:
    """Choose how ``person`` hears that a dataset started failing: immediately, in a daily digest, or not at all.

    Guarantees: one preference per person (created or changed); an unknown choice is a ValidationError. Items
    waiting for the digest of someone who switches away from it stay unsent (a later digest sends them if they
    switch back).
    """
    if delivery not in Delivery.values:
        raise ValidationError({"delivery": f"Choose one of: {', '.join(Delivery.values)}."})
    preference, _ = NotificationPreference.objects.update_or_create(person=person, defaults={"delivery": delivery})
    return preference
