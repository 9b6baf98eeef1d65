"""Harvesting a DCAT-US v1.1 catalogue into the inventory: :func:`datajson_import` is idempotent by identifier,
writes one savepoint per record, and reports what was created, updated, left unchanged or refused and why. Reading a
catalogue from a URL goes through :func:`core.fetch.fetch_url` (public addresses only). Only the Stat lead and
analysts harvest (``inventory.access.can_harvest``): a harvest creates departments and moves datasets to the
department their publisher maps to.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from core.safejson import UnsafeJSON, loads_checked
from team.access import enforce
from team.models import Department, Person, Role, RoleAssignment
from team.services import department_create, person_create, role_assign

from ...access import can_harvest
from ...models import AccessLevel, DataField, Dataset, Distribution, Frequency, Status, lacks_rights
from ..datasets import dataset_create, dataset_update
from ..dictionary import dictionary_from_table_schema, table_schema_field, table_schema_for
from ..parts import DISTRIBUTION_KEYS, dataset_save_dictionary, dataset_save_distributions
from .catalogue import CONFORMS_TO, contact_mailboxes

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Why a harvested dataset's data dictionary changed, as its history says.
HARVEST_DICTIONARY_REASON = "Data dictionary harvested from data.json"


# --- import ------------------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a harvest did, or would do (``dry_run``). Each list holds dataset titles (or positions)."""

    dry_run: bool = False
    total: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    invalid: list[tuple[str, list[str]]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    #: Every publisher named in the catalogue, with its number of datasets.
    publishers: dict[str, int] = field(default_factory=dict)
    #: Publisher name → the department its datasets go to (mapped, matched by name, or created).
    resolved: dict[str, Department] = field(default_factory=dict)
    unmapped_publishers: list[str] = field(default_factory=list)
    created_departments: list[str] = field(default_factory=list)

    @property
    def valid_count(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.created_departments)


class NotACatalogue(ValidationError):
    """The file is not a DCAT-US catalogue at all: nothing was written."""


def parse_catalog(data: Any) -> dict:
    """Bytes, text, a file or a dict → the catalogue dict, or NotACatalogue with a message for the user."""
    if not isinstance(data, dict):
        if hasattr(data, "read"):
            if hasattr(data, "seek"):
                data.seek(0)
            data = data.read()
        if isinstance(data, bytes | bytearray):
            if b"\x00" in data[:4096]:
                raise NotACatalogue("This file holds binary data: a data.json catalogue is a JSON text file.")
            try:
                data = bytes(data).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise NotACatalogue("This file is not UTF-8 text: a data.json catalogue is JSON in UTF-8.") from exc
        try:
            data = loads_checked(data)
        except UnsafeJSON as exc:
            raise NotACatalogue(str(exc)) from exc
        except (json.JSONDecodeError, TypeError) as exc:
            raise NotACatalogue(
                f"This is not JSON ({getattr(exc, 'msg', exc)}): a DCAT-US catalogue is a data.json file."
            ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("dataset"), list):
        raise NotACatalogue("This is not a DCAT-US catalogue: a data.json file is a JSON object with a “dataset” list.")
    conforms = data.get("conformsTo")
    if conforms is not None and str(conforms).rstrip("/") != CONFORMS_TO:
        raise NotACatalogue(
            f"This catalogue says it conforms to “{conforms}”; only DCAT-US v1.1 ({CONFORMS_TO}) can be imported."
        )
    records = data["dataset"]
    if records and not any(isinstance(r, dict) and ("identifier" in r or "title" in r) for r in records):
        raise NotACatalogue("This is not a DCAT-US catalogue: none of its “dataset” entries has a title or identifier.")
    return data


def _label(record: Any, position: int) -> str:
    title = record.get("title") if isinstance(record, dict) else None
    if isinstance(title, str) and title.strip():
        return f"“{title.strip()[:120]}” (record {position})"
    return f"Record {position}"


def publisher_name(record: Any) -> str:
    publisher = record.get("publisher") if isinstance(record, dict) else None
    name = publisher.get("name") if isinstance(publisher, dict) else None
    return " ".join(name.split()) if isinstance(name, str) else ""


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
        out.append(values)
    return out


@dataclass
class _Record:
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


def _read_record(record: Any, position: int) -> tuple[_Record | None, list[str]]:
    """A catalogue record as dataset values, or the reasons it cannot be imported."""
    label = _label(record, position)
    if not isinstance(record, dict):
        return None, ["it is not a JSON object."]
    errors: list[str] = []
    warnings: list[str] = []
    for key in ("identifier", "title", "description"):
        if not _text(record, key):
            errors.append(f"it has no {key}.")
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
        "spatial": _text(record, "spatial"),
        "issued": dates["issued"],
        "modified": dates["modified"],
        "landing_page": _text(record, "landingPage"),
        "published": access_level != AccessLevel.NON_PUBLIC,
    }
    return (
        _Record(
            label=label,
            identifier=_text(record, "identifier"),
            fields=fields,
            keywords=keywords,
            themes=themes,
            distributions=distributions,
            contact_name=str(contact.get("fn") or "").strip(),
            contact_email=email.removeprefix("mailto:").strip().lower(),
            described_by=_text(record, "describedBy"),
            warnings=warnings,
        ),
        [],
    )


def _department_code(name: str) -> str:
    """A free short code for a new department: its initials (PD, DPW...), numbered if taken."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w and w.lower() not in {"of", "and", "the", "for"}]
    base = ("".join(w[0] for w in words) or slugify(name)[:4] or "DEPT").upper()[:8]
    taken = {code.upper() for code in Department.objects.filter(code__istartswith=base).values_list("code", flat=True)}
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[: 8 - len(str(n))]}{n}"
    return code


def _resolve_departments(
    publishers: dict[str, int],
    department_map: dict[str, Department | None],
    create: bool,
    report: ImportReport,
    *,
    by: User | None,
) -> None:
    by_name = {d.name.lower(): d for d in Department.objects.filter(active=True)}
    for name in publishers:
        if not name:
            continue
        if name in department_map and department_map[name] is None:
            report.unmapped_publishers.append(name)
            continue
        department = department_map.get(name) or by_name.get(name.lower())
        if department is None and create:
            department = department_create(by=by, name=name, code=_department_code(name))
            report.created_departments.append(name)
        if department is None:
            report.unmapped_publishers.append(name)
        else:
            report.resolved[name] = department


def _find_contact(
    item: _Record, department: Department, *, may_create: bool, by: User | None, mailboxes: set[str]
) -> Person | None:
    """The steward named by the record's contactPoint: a current contact of ``department`` with that email (or,
    without an email, or with one of the ``mailboxes`` that are nobody's own, that name). In a department this
    import created, a steward nobody knows yet is added (no login) as its contact. Never gives an existing person
    a new role, and never changes one."""
    if not item.contact_name or item.contact_name == department.name:
        return None
    email = "" if item.contact_email in mailboxes else item.contact_email
    contacts = Person.objects.filter(
        assignments__in=RoleAssignment.objects.current().filter(role=Role.DEPARTMENT_CONTACT, department=department)
    )
    found = (
        contacts.filter(email__iexact=email).first() if email else contacts.filter(full_name=item.contact_name).first()
    )
    if found or not may_create or (email and Person.objects.filter(email__iexact=email).exists()):
        return found
    person = person_create(by=by, full_name=item.contact_name, email=email, department=department)
    role_assign(person=person, role=Role.DEPARTMENT_CONTACT, department=department, by=by)
    return person


def _tags(names) -> list[str]:
    return sorted({" ".join(name.split()).lower() for name in names})


def _state(dataset: Dataset) -> tuple:
    return (
        {name: getattr(dataset, name) for name in _COMPARED},
        _tags(k.name for k in dataset.keywords.all()),
        _tags(t.name for t in dataset.themes.all()),
        [_distribution_values(d) for d in dataset.distributions.all()],
    )


_COMPARED = (
    "title",
    "description",
    "access_level",
    "rights",
    "license",
    "accrual_periodicity",
    "temporal",
    "spatial",
    "issued",
    "modified",
    "landing_page",
    "published",
    "department_id",
    "contact_id",
)


def _distribution_values(distribution: Distribution) -> dict:
    return {key: getattr(distribution, key) for key in DISTRIBUTION_KEYS}


def _dictionary_fields(item: _Record, fetch: Callable[[str], bytes] | None) -> list[dict] | None:
    if not item.described_by or fetch is None:
        return None
    try:
        return dictionary_from_table_schema(fetch(item.described_by))
    except ValidationError as exc:
        item.warnings.append(f"its data dictionary at {item.described_by} could not be read: {' '.join(exc.messages)}")
        return None


def _import_record(
    item: _Record,
    department: Department,
    *,
    by: User | None,
    report: ImportReport,
    fetch: Callable[[str], bytes] | None,
    may_create: bool,
    mailboxes: set[str],
) -> str:
    """Create, update or leave one dataset; returns "created", "updated" or "unchanged"."""
    contact = _find_contact(item, department, may_create=may_create, by=by, mailboxes=mailboxes)
    fields = {**item.fields, "department": department, "contact": contact}
    dictionary = _dictionary_fields(item, fetch)
    existing = (
        Dataset.objects.filter(identifier=item.identifier)
        .prefetch_related("keywords", "themes", "distributions", "fields")
        .first()
    )
    if existing is None:
        status = Status.PUBLISHED if fields["published"] else Status.DOCUMENTED
        dataset = dataset_create(
            by=by, identifier=item.identifier, status=status, keywords=item.keywords, themes=item.themes, **fields
        )
        dataset_save_distributions(dataset=dataset, distributions=item.distributions, by=by)
        if dictionary:
            dataset_save_dictionary(dataset=dataset, fields=dictionary, by=by, reason=HARVEST_DICTIONARY_REASON)
        return "created"

    wanted_scalars = {name: fields.get(name.removesuffix("_id")) for name in _COMPARED}
    wanted_scalars["department_id"] = department.pk
    wanted_scalars["contact_id"] = contact.pk if contact else existing.contact_id
    wanted = (
        wanted_scalars,
        _tags(item.keywords),
        _tags(item.themes),
        [{key: d.get(key, "") for key in DISTRIBUTION_KEYS} for d in item.distributions],
    )
    same_dictionary = dictionary is None or table_schema_for(existing) == {"fields": _as_schema_fields(dictionary)}
    if _state(existing) == wanted and same_dictionary:
        return "unchanged"
    if contact is None:
        fields.pop("contact")
    dataset_update(
        dataset=existing, by=by, keywords=item.keywords, themes=item.themes, reason="Harvested from data.json", **fields
    )
    dataset_save_distributions(dataset=existing, distributions=item.distributions, by=by)
    if dictionary is not None and not same_dictionary:
        dataset_save_dictionary(dataset=existing, fields=dictionary, by=by, reason=HARVEST_DICTIONARY_REASON)
    return "updated"


def _as_schema_fields(fields: list[dict]) -> list[dict]:
    return [table_schema_field(DataField(**f)) for f in fields]


def datajson_import(
    *,
    catalog: Any,
    by: User | None,
    department_map: dict[str, Department | None] | None = None,
    create_departments: bool = False,
    dry_run: bool = False,
    fetch: Callable[[str], bytes] | None = None,
) -> ImportReport:
    """Harvest a DCAT-US v1.1 catalogue into the inventory.

    ``catalog`` is the parsed data.json (or its bytes, text or file). Each dataset goes to the department its
    publisher is mapped to in ``department_map`` (publisher name → Department), else the active department of that
    name, else (with ``create_departments``, if ``by`` may manage the program's structure) a new department; a
    publisher mapped to ``None`` is never created.
    The datasets of a publisher left unmapped are skipped and the publisher listed in
    ``report.unmapped_publishers``. ``fetch`` (url → bytes), when given, reads each dataset's ``describedBy``
    Table Schema into its data dictionary.

    Guarantees: only the Stat lead and analysts harvest (else ``PermissionDenied``, nothing written; ``by=None`` is
    the system, as the ``import_datajson`` command runs it); a catalogue that is not DCAT-US at all raises
    :class:`NotACatalogue` and writes nothing;
    each record imports in its own savepoint, so an invalid one is reported (by title or position, with its
    reasons) while the valid ones import; records are matched by identifier and an existing dataset is written
    only if something differs, so importing the same catalogue twice changes nothing the second time. With
    ``dry_run`` everything runs and is reported, then rolled back.
    """
    enforce(by, can_harvest, "Only the Stat lead and analysts harvest catalogues.")
    catalog = parse_catalog(catalog)
    records = catalog["dataset"]
    report = ImportReport(dry_run=dry_run, total=len(records))
    report.publishers = dict(Counter(publisher_name(r) for r in records if publisher_name(r)))
    with transaction.atomic():
        _resolve_departments(report.publishers, department_map or {}, create_departments, report, by=by)
        created_ids = {report.resolved[name].pk for name in report.created_departments}
        mailboxes = contact_mailboxes()  # data.json's own contacts (ours, or another instance's we know)
        seen: set[str] = set()
        for position, record in enumerate(records, start=1):
            item, errors = _read_record(record, position)
            label = _label(record, position)
            name = publisher_name(record)
            if item is not None and not name:
                errors, item = ["it has no publisher name."], None
            if item is not None and item.identifier in seen:
                errors, item = [f"its identifier “{item.identifier}” repeats an earlier record's."], None
            if item is None:
                report.invalid.append((label, errors))
                continue
            seen.add(item.identifier)
            department = report.resolved.get(name)
            if department is None:
                report.skipped.append((label, f"its publisher “{name}” is not mapped to a department."))
                continue
            try:
                with transaction.atomic():
                    outcome = _import_record(
                        item,
                        department,
                        by=by,
                        report=report,
                        fetch=fetch,
                        may_create=department.pk in created_ids,
                        mailboxes=mailboxes,
                    )
            except ValidationError as exc:
                report.invalid.append((label, _messages(exc)))
                continue
            except PermissionDenied as exc:
                report.invalid.append((label, [str(exc)]))
                continue
            except DatabaseError as exc:
                report.invalid.append((label, [f"it could not be saved ({exc.__class__.__name__})."]))
                continue
            getattr(report, outcome).append(label)
            report.warnings.extend((label, warning) for warning in item.warnings)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{name}: {message}"
            for name, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    return list(exc.messages)
