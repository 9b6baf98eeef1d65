"""Helpers for the dataset page tests: the form's POST data, and a snapshot of everything a dataset page writes."""

from __future__ import annotations

from inventory.models import VALUE_FLAG_NAMES, DataField, Dataset, Distribution

DISTRIBUTION_KEYS = ("id", "title", "download_url", "media_type", "access_url", "format", "description")
FIELD_KEYS = (
    "id",
    "name",
    "title",
    "type",
    "format",
    "description",
    "required",
    "unique",
    "allowed_values",
    "minimum",
    "maximum",
    "pattern",
    "sensitive",
    "ORDER",
    "DELETE",
)


FLAGS = VALUE_FLAG_NAMES


def _rows(prefix: str, rows, keys, data: dict) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    data[f"{prefix}-INITIAL_FORMS"] = str(sum(1 for row in rows if row.get("id")))
    data[f"{prefix}-MIN_NUM_FORMS"] = "0"
    data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    for index, row in enumerate(rows):
        for key in keys:
            value = row.get(key, "")
            if value is True:
                value = "on"
            elif value is False or value is None:
                continue
            data[f"{prefix}-{index}-{key}"] = value


def form_data(owner, /, *, distributions=(), fields=(), **overrides) -> dict:
    """A complete POST of the dataset form: a non-public dataset of department ``owner`` with a rights statement."""
    data = {
        "title": "Crashes by intersection",
        "description": "Every reported crash, geocoded to the nearest intersection.",
        "keywords": "crashes, traffic safety",
        "themes": "Transportation",
        "source_system": "RMS",
        "department": str(owner.pk),
        "contact": "",
        "access_level": "non-public",
        "rights": "Holds names of the people involved.",
        "license": "",
        "privacy_notes": "",
        "status": "documented",
        "accrual_periodicity": "R/P1M",
        "temporal": "",
        "spatial": "Citywide",
        "issued": "",
        "modified": "",
        "landing_page": "",
    }
    for key, value in overrides.items():
        if value is None or value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else value
    _rows("distributions", list(distributions), DISTRIBUTION_KEYS, data)
    _rows("fields", list(fields), FIELD_KEYS, data)
    return data


def edit_data(dataset, *, distributions=None, fields=None, **overrides) -> dict:
    """The edit form as it comes, with its current rows (unless given) and ``overrides`` applied."""
    if distributions is None:
        distributions = [{key: getattr(d, key) for key in DISTRIBUTION_KEYS} for d in dataset.distributions.all()]
    if fields is None:
        fields = [
            {**{key: getattr(f, key) for key in FIELD_KEYS[:-2]}, "allowed_values": ", ".join(f.allowed_values)}
            for f in dataset.fields.all()
        ]
    base = {
        name: getattr(dataset, name)
        for name in (
            "title",
            "description",
            "source_system",
            "access_level",
            "rights",
            "license",
            "privacy_notes",
            "status",
            "accrual_periodicity",
            "temporal",
            "spatial",
            "landing_page",
            "published",
            *FLAGS,
        )
    }
    base.update(
        {
            "keywords": ", ".join(k.name for k in dataset.keywords.all()),
            "themes": ", ".join(t.name for t in dataset.themes.all()),
            "initiatives": [str(i.pk) for i in dataset.initiatives.all()] or None,
            "contact": str(dataset.contact_id or ""),
            "issued": dataset.issued.isoformat() if dataset.issued else "",
            "modified": dataset.modified.isoformat() if dataset.modified else "",
        }
    )
    base.update(overrides)
    base.setdefault("department", str(dataset.department_id))
    return form_data(dataset.department, distributions=distributions, fields=fields, **base)


def inventory_state() -> tuple:
    """Everything the dataset pages could write, to compare before and after a refused request."""
    return (
        list(Dataset.objects.order_by("pk").values()),
        list(Dataset.keywords.through.objects.order_by("pk").values()),
        list(Dataset.themes.through.objects.order_by("pk").values()),
        list(Dataset.initiatives.through.objects.order_by("pk").values()),
        list(Distribution.objects.order_by("pk").values()),
        list(DataField.objects.order_by("pk").values()),
        Dataset.history.count(),
        DataField.history.count(),
        Distribution.history.count(),
    )
