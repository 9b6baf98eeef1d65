"""One record of a DCAT-US catalogue read as the inventory's dataset values (:func:`read_record`), or the reasons it
cannot be imported: DCAT-US's rules and the inventory's own, each field checked as the dataset's model checks it,
so a record that passes here is written. ``spatial`` is kept whole, whatever its form."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from ...models import AccessLevel, Dataset, Distribution, Frequency, lacks_rights
from ..parts import _row_label
from ..writes import distinct_names


def record_label(record: Any, position: int) -> str:
    title = record.get("title") if isinstance(record, dict) else None
    if isinstance(title, str) and title.strip():
        return f"“{title.strip()[:120]}” (record {position})"
    return f"Record {position}"


def _date(value: Any) -> datetime.date | None:
    """The calendar date an ISO 8601 date or date-time starts with; None for anything else (durations...)."""
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    return value.strip() if isinstance(value, str) else ""


def _spatial(record: dict, errors: list[str]) -> str:
    """The record's ``spatial`` kept whole, whatever its form: a place name, a bounding box, WKT or GeoJSON text as
    given; a GeoJSON object as its JSON text (DCAT-US has ``spatial`` a string, so /data.json gives it back so)."""
    value = record.get("spatial")
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    errors.append("its spatial is neither text nor a GeoJSON object.")
    return ""


def _strings(record: dict, key: str, errors: list[str]) -> list[str]:
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(f"“{key}” must be a list of strings.")
        return []
    values = [v.strip() for v in value if v.strip()]
    errors.extend(f"the {key} “{v[:40]}…” is longer than 100 characters." for v in values if len(v) > 100)
    return values


def _field_errors(obj: Any, exclude: list[str]) -> list[tuple[str, str]]:
    """What the model's own field checks (lengths, URLs, choices) say of ``obj``: (field name, message) pairs."""
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return [(name, message) for name, messages in exc.message_dict.items() for message in messages]
    return []


_DATASET_EXCLUDE = ["department", "contact", "created_by", "updated_by", "discovered_from", "identifier"]


def _verbose_name(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


#: The longest identifier the dataset model stores.
_IDENTIFIER_MAX_LENGTH: int = getattr(Dataset._meta.get_field("identifier"), "max_length", None) or 200


def _distributions(record: dict, errors: list[str]) -> list[dict]:
    value = record.get("distribution") or []
    if not isinstance(value, list):
        errors.append("“distribution” must be a list.")
        return []
    out = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            errors.append(f"distribution {number} is not an object.")
            continue
        values = {
            "title": _text(item, "title"),
            "description": _text(item, "description"),
            "download_url": _text(item, "downloadURL"),
            "access_url": _text(item, "accessURL"),
            "media_type": _text(item, "mediaType"),
            "format": _text(item, "format"),
        }
        if not values["download_url"] and not values["access_url"]:
            errors.append(f"distribution {number} has neither a downloadURL nor an accessURL.")
        elif values["download_url"] and not values["media_type"]:
            errors.append(f"distribution {number} has a downloadURL without its mediaType.")
        else:
            label = _row_label("Distribution", number, values["title"])
            errors.extend(
                f"distributions: {label}: {_verbose_name(Distribution, name)}: {message}"
                for name, message in _field_errors(Distribution(**values), ["dataset"])
            )
        out.append(values)
    return out


@dataclass
class Record:
    label: str
    identifier: str
    fields: dict
    keywords: list[str]
    themes: list[str]
    distributions: list[dict]
    contact_name: str
    contact_email: str
    described_by: str
    warnings: list[str]


def read_record(record: Any, position: int) -> tuple[Record | None, list[str]]:
    """A catalogue record as dataset values, or the reasons it cannot be imported: DCAT-US's rules and the
    inventory's own (each field as the dataset's model checks it), so a record that passes here is written."""
    label = record_label(record, position)
    if not isinstance(record, dict):
        return None, ["it is not a JSON object."]
    errors: list[str] = []
    warnings: list[str] = []
    for key in ("identifier", "title", "description"):
        if not _text(record, key):
            errors.append(f"it has no {key}.")
    if len(_text(record, "identifier")) > _IDENTIFIER_MAX_LENGTH:
        errors.append("its identifier is longer than 200 characters.")
    access_level = record.get("accessLevel")
    if access_level is None:
        errors.append("it has no accessLevel.")
    elif access_level not in AccessLevel.values:
        errors.append(f"its accessLevel “{access_level}” is not public, restricted public or non-public.")
    rights = _text(record, "rights")
    if access_level in AccessLevel.values and lacks_rights(access_level, rights):
        errors.append("it is not public but has no rights statement saying why.")
    periodicity = record.get("accrualPeriodicity") or Frequency.IRREGULAR
    if periodicity not in Frequency.values:
        warnings.append(f"its accrualPeriodicity “{periodicity}” has no match here: set to irregular.")
        periodicity = Frequency.IRREGULAR
    dates = {}
    for key in ("issued", "modified"):
        raw = record.get(key)
        dates[key] = _date(raw)
        if raw and dates[key] is None:
            warnings.append(f"its {key} “{raw}” is not a date: left blank.")
    point = record.get("contactPoint")
    contact: dict[str, Any] = point if isinstance(point, dict) else {}
    has_email = contact.get("hasEmail")
    email = has_email if isinstance(has_email, str) else ""
    keywords = _strings(record, "keyword", errors)
    themes = _strings(record, "theme", errors)
    spatial = _spatial(record, errors)
    distributions = _distributions(record, errors)
    if errors:
        return None, errors
    fields = {
        "title": _text(record, "title"),
        "description": _text(record, "description"),
        "access_level": access_level,
        "rights": rights if access_level != AccessLevel.PUBLIC else "",
        "license": _text(record, "license"),
        "accrual_periodicity": periodicity,
        "temporal": _text(record, "temporal"),
        "spatial": spatial,
        "issued": dates["issued"],
        "modified": dates["modified"],
        "landing_page": _text(record, "landingPage"),
        "published": access_level != AccessLevel.NON_PUBLIC,
    }
    errors = [f"{name}: {message}" for name, message in _field_errors(Dataset(**fields), _DATASET_EXCLUDE)]
    if errors:
        return None, errors
    return (
        Record(
            label=label,
            identifier=_text(record, "identifier"),
            fields=fields,
            keywords=distinct_names(keywords),
            themes=distinct_names(themes),
            distributions=distributions,
            contact_name=str(contact.get("fn") or "").strip(),
            contact_email=email.removeprefix("mailto:").strip().lower(),
            described_by=_text(record, "describedBy"),
            warnings=warnings,
        ),
        [],
    )
