"""Harvesting a DCAT-US v1.1 catalogue into the inventory: :func:`datajson_import` is idempotent by identifier,
writes the whole catalogue in one transaction (new datasets a batch at a time), and reports what was created,
updated, left unchanged or refused and why. Reading a catalogue from a URL goes through :func:`core.fetch.fetch_url`
(public addresses only). Only the Stat lead and analysts harvest (``inventory.access.can_harvest``): a harvest
creates departments and moves datasets to the department their publisher maps to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from core.history import record_as
from team.access import enforce
from team.models import Department, Person, Role, RoleAssignment
from team.services import department_create, person_create, role_assign

from ...access import can_create_dataset_in, can_harvest
from ...models import DataField, Dataset, Distribution, Keyword, Status, Theme
from ...selectors import forget_inventory_coverage
from ..datasets import dataset_create, dataset_update
from ..dictionary import dictionary_from_table_schema, table_schema_field, table_schema_for
from ..parts import DISTRIBUTION_KEYS, dataset_save_dictionary, dataset_save_distributions
from ..writes import allows
from .catalogue import contact_mailboxes
from .reading import publisher_name, read_catalogue
from .records import Record, read_record, record_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Why a harvested dataset's data dictionary changed, as its history says.
HARVEST_DICTIONARY_REASON = "Data dictionary harvested from data.json"


# --- import ------------------------------------------------------------------------------------------------------

#: Records read, checked and written together: one query per batch looks their datasets up, one writes its new ones.
BATCH_SIZE = 500
#: How many datasets of each kind a report's summary names (it counts them all).
SUMMARY_NAMES = 200


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

    def summary(self, *, names: int = SUMMARY_NAMES) -> dict:
        """The report as JSON for a page (a job's result): every count, and the first ``names`` of each list."""
        return {
            "dry_run": self.dry_run,
            "total": self.total,
            "counts": {
                "created": len(self.created),
                "updated": len(self.updated),
                "unchanged": len(self.unchanged),
                "invalid": len(self.invalid),
                "skipped": len(self.skipped),
                "warnings": len(self.warnings),
            },
            "created": self.created[:names],
            "updated": self.updated[:names],
            "invalid": [[label, errors] for label, errors in self.invalid[:names]],
            "skipped": [[label, reason] for label, reason in self.skipped[:names]],
            "warnings": [[label, warning] for label, warning in self.warnings[:names]],
            "publishers": sorted(self.publishers, key=str.lower),
            "unmapped_publishers": self.unmapped_publishers,
            "created_departments": self.created_departments,
        }


def parse_catalog(data: Any) -> dict:
    """Bytes, text, a file or a dict → the catalogue as one dict, or NotACatalogue with a message for the user. For
    small catalogues (tests, the API); :func:`read_catalogue` reads one of any size a record at a time."""
    catalogue = read_catalogue(data)
    return {**catalogue.meta, "dataset": list(catalogue.records())}


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


class _Stewards:
    """The stewards a harvest's records name, looked up once per department: a record's contactPoint is a current
    contact of its department with that email (or, without an email, that name). In a department this harvest
    created, a steward nobody knows yet is added (no login) as its contact. Never gives an existing person a new
    role."""

    def __init__(self, *, by, created_department_ids: set[int], dry_run: bool) -> None:
        self.by, self.created, self.dry_run = by, created_department_ids, dry_run
        self.mailboxes = contact_mailboxes()  # data.json's own contacts (ours, or another instance's we know): nobody's
        self._contacts: dict[int, tuple[dict[str, Person], dict[str, Person]]] = {}

    def _of(self, department: Department) -> tuple[dict[str, Person], dict[str, Person]]:
        if department.pk not in self._contacts:
            by_email: dict[str, Person] = {}
            by_name: dict[str, Person] = {}
            current = RoleAssignment.objects.current().filter(role=Role.DEPARTMENT_CONTACT, department=department)
            for person in Person.objects.filter(assignments__in=current).distinct().order_by("pk"):
                if person.email:
                    by_email.setdefault(person.email.lower(), person)
                by_name.setdefault(person.full_name, person)
            self._contacts[department.pk] = (by_email, by_name)
        return self._contacts[department.pk]

    def find(self, item: Record, department: Department) -> Person | None:
        if not item.contact_name or item.contact_name == department.name:
            return None
        email = "" if item.contact_email in self.mailboxes else item.contact_email
        by_email, by_name = self._of(department)
        found = by_email.get(email) if email else by_name.get(item.contact_name)
        if found or department.pk not in self.created or self.dry_run:
            return found
        if email and Person.objects.filter(email__iexact=email).exists():
            return None
        person = person_create(by=self.by, full_name=item.contact_name, email=email, department=department)
        role_assign(person=person, role=Role.DEPARTMENT_CONTACT, department=department, by=self.by)
        if email:
            by_email[email] = person
        by_name.setdefault(person.full_name, person)
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


def _dictionary_fields(item: Record, fetch: Callable[[str], bytes] | None) -> list[dict] | None:
    if not item.described_by or fetch is None:
        return None
    try:
        return dictionary_from_table_schema(fetch(item.described_by))
    except ValidationError as exc:
        item.warnings.append(f"its data dictionary at {item.described_by} could not be read: {' '.join(exc.messages)}")
        return None


def _as_schema_fields(fields: list[dict]) -> list[dict]:
    return [table_schema_field(DataField(**f)) for f in fields]


@dataclass
class _Planned:
    """One valid record of a batch, where it goes, and what importing it does."""

    item: Record
    department: Department
    contact: Person | None = None
    dictionary: list[dict] | None = None
    existing: Dataset | None = None
    outcome: str = "created"


def _wanted(planned: _Planned) -> tuple:
    item, existing = planned.item, planned.existing
    fields = {**item.fields, "department": planned.department, "contact": planned.contact}
    scalars = {name: fields.get(name.removesuffix("_id")) for name in _COMPARED}
    scalars["department_id"] = planned.department.pk
    scalars["contact_id"] = planned.contact.pk if planned.contact else existing.contact_id if existing else None
    return (
        scalars,
        _tags(item.keywords),
        _tags(item.themes),
        [{key: d.get(key, "") for key in DISTRIBUTION_KEYS} for d in item.distributions],
    )


def _create_one(planned: _Planned, *, by) -> None:
    """A new dataset through the services, one write at a time (when its batch could not be written at once)."""
    item, fields = planned.item, {**planned.item.fields, "department": planned.department, "contact": planned.contact}
    status = Status.PUBLISHED if fields["published"] else Status.DOCUMENTED
    dataset = dataset_create(
        by=by, identifier=item.identifier, status=status, keywords=item.keywords, themes=item.themes, **fields
    )
    dataset_save_distributions(dataset=dataset, distributions=item.distributions, by=by)
    if planned.dictionary:
        dataset_save_dictionary(dataset=dataset, fields=planned.dictionary, by=by, reason=HARVEST_DICTIONARY_REASON)


def _update_one(planned: _Planned, *, by) -> None:
    item, existing = planned.item, planned.existing
    assert existing is not None, "an update names its dataset"
    fields = {**item.fields, "department": planned.department}
    if planned.contact is not None:
        fields["contact"] = planned.contact
    dataset_update(
        dataset=existing, by=by, keywords=item.keywords, themes=item.themes, reason="Harvested from data.json", **fields
    )
    dataset_save_distributions(dataset=existing, distributions=item.distributions, by=by)
    if planned.dictionary is not None and not _same_dictionary(planned):
        dataset_save_dictionary(dataset=existing, fields=planned.dictionary, by=by, reason=HARVEST_DICTIONARY_REASON)


def _same_dictionary(planned: _Planned) -> bool:
    """Whether the record's dictionary (if it has one) is the existing dataset's already."""
    if planned.dictionary is None:
        return True
    return planned.existing is not None and table_schema_for(planned.existing) == {
        "fields": _as_schema_fields(planned.dictionary)
    }


class _TagIds:
    """Keyword or theme names → their rows' ids, read (and the missing ones created) once per batch, remembered for
    the rest of the harvest. A name matches an existing one ignoring case, as :func:`dataset_create` matches it."""

    def __init__(self, model) -> None:
        self.model = model
        self.ids: dict[str, int] = {}

    def resolve(self, names: set[str]) -> None:
        missing = {name for name in names if name.lower() not in self.ids}
        if not missing:
            return
        for pk, name in self.model.objects.filter(name__in=missing).values_list("pk", "name"):
            self.ids.setdefault(name.lower(), pk)
        new = sorted({name for name in missing if name.lower() not in self.ids}, key=str.lower)
        if new:
            self.model.objects.bulk_create([self.model(name=name) for name in new], ignore_conflicts=True)
            for pk, name in self.model.objects.filter(name__in=new).values_list("pk", "name"):
                self.ids.setdefault(name.lower(), pk)

    def __getitem__(self, name: str) -> int:
        return self.ids[name.lower()]


def _m2m_history_model(name: str):
    return apps.get_model("inventory", f"HistoricalDataset_{name}")


def _create_batch(batch: list[_Planned], *, by, keyword_ids: _TagIds, theme_ids: _TagIds) -> None:
    """The batch's new datasets written at once, as :func:`_create_one` writes each: the dataset, one history entry
    recording its tags (who, "Created"), its keywords, themes and distributions (each with its history entry).
    New datasets declare no value and serve no initiative, so their priority score is 0 under any weights."""
    now = timezone.now()
    datasets = []
    for planned in batch:
        fields = {**planned.item.fields, "department": planned.department, "contact": planned.contact}
        status = Status.PUBLISHED if fields["published"] else Status.DOCUMENTED
        dataset = Dataset(identifier=planned.item.identifier, status=status, created_by=by, updated_by=by, **fields)
        record_as(dataset, by=by, reason="Created")
        datasets.append(dataset)
    Dataset.objects.bulk_create(datasets)
    history = Dataset.history.bulk_history_create(datasets, default_user=by, default_date=now)
    keyword_ids.resolve({name for p in batch for name in p.item.keywords})
    theme_ids.resolve({name for p in batch for name in p.item.themes})
    for name, ids, attname in (("keywords", keyword_ids, "keyword_id"), ("themes", theme_ids, "theme_id")):
        through = getattr(Dataset, name).through
        pairs = [
            (dataset.pk, entry.history_id, ids[tag])
            for planned, dataset, entry in zip(batch, datasets, history, strict=True)
            for tag in getattr(planned.item, name)
        ]
        rows = through.objects.bulk_create([through(dataset_id=d, **{attname: t}) for d, _, t in pairs])
        # Each history entry's snapshot of the tags, as simple-history records it: the link rows as they were.
        _m2m_history_model(name).objects.bulk_create(
            [
                _m2m_history_model(name)(id=row.pk, dataset_id=d, history_id=h, **{attname: t})
                for row, (d, h, t) in zip(rows, pairs, strict=True)
            ]
        )
    distributions = [
        Distribution(dataset=dataset, position=position, **values)
        for planned, dataset in zip(batch, datasets, strict=True)
        for position, values in enumerate(planned.item.distributions)
    ]
    if distributions:
        bulk_create_with_history(distributions, Distribution, default_user=by, default_change_reason="Added")
    for planned, dataset in zip(batch, datasets, strict=True):
        if planned.dictionary:
            dataset_save_dictionary(dataset=dataset, fields=planned.dictionary, by=by, reason=HARVEST_DICTIONARY_REASON)


class _Writer:
    """Looks up, compares and writes the valid records of a harvest, a batch at a time."""

    def __init__(self, *, report: ImportReport, by, fetch, created_department_ids: set[int], dry_run: bool) -> None:
        self.report, self.by, self.fetch, self.dry_run = report, by, fetch, dry_run
        self.stewards = _Stewards(by=by, created_department_ids=created_department_ids, dry_run=dry_run)
        self.keyword_ids, self.theme_ids = _TagIds(Keyword), _TagIds(Theme)
        self.may_create: dict[int, bool] = {}

    def _refuse(self, planned: _Planned, errors: list[str]) -> None:
        self.report.invalid.append((planned.item.label, errors))

    def _done(self, planned: _Planned) -> None:
        getattr(self.report, planned.outcome).append(planned.item.label)
        self.report.warnings.extend((planned.item.label, warning) for warning in planned.item.warnings)

    def _allowed(self, department: Department) -> bool:
        if department.pk not in self.may_create:
            self.may_create[department.pk] = allows(self.by, lambda actor: can_create_dataset_in(actor, department.pk))
        return self.may_create[department.pk]

    def write(self, batch: list[tuple[Record, Department]]) -> None:
        if not batch:
            return
        prefetch = ["keywords", "themes", "distributions", *(["fields"] if self.fetch else [])]
        existing = {
            d.identifier: d
            for d in Dataset.objects.filter(identifier__in=[item.identifier for item, _ in batch]).prefetch_related(
                *prefetch
            )
        }
        new: list[_Planned] = []
        for item, department in batch:
            planned = _Planned(item=item, department=department, existing=existing.get(item.identifier))
            try:
                planned.contact = self.stewards.find(item, department)
            except (ValidationError, PermissionDenied) as exc:
                self._refuse(planned, _messages(exc) if isinstance(exc, ValidationError) else [str(exc)])
                continue
            planned.dictionary = _dictionary_fields(item, self.fetch)
            if planned.existing is None:
                if not self._allowed(department):
                    self._refuse(planned, [f"you may not add datasets to {department.name}."])
                    continue
                new.append(planned)
                continue
            if _state(planned.existing) == _wanted(planned) and _same_dictionary(planned):
                planned.outcome = "unchanged"
            else:
                planned.outcome = "updated"
                if not self.dry_run and not self._write_one(planned, _update_one):
                    continue
            self._done(planned)
        if new and not self.dry_run:
            try:
                with transaction.atomic():
                    _create_batch(new, by=self.by, keyword_ids=self.keyword_ids, theme_ids=self.theme_ids)
            except (ValidationError, PermissionDenied, DatabaseError):
                # Something only the database saw (a record another harvest added meanwhile...): write this batch
                # record by record, so only the record at fault is refused.
                self.keyword_ids.ids.clear()
                self.theme_ids.ids.clear()
                new = [planned for planned in new if self._write_one(planned, _create_one)]
        for planned in new:
            self._done(planned)

    def _write_one(self, planned: _Planned, write: Callable[..., None]) -> bool:
        try:
            with transaction.atomic():
                write(planned, by=self.by)
        except ValidationError as exc:
            self._refuse(planned, _messages(exc))
        except PermissionDenied as exc:
            self._refuse(planned, [str(exc)])
        except DatabaseError as exc:
            self._refuse(planned, [f"it could not be saved ({exc.__class__.__name__})."])
        else:
            return True
        return False


def datajson_import(
    *,
    catalog: Any,
    by: User | None,
    department_map: dict[str, Department | None] | None = None,
    create_departments: bool = False,
    dry_run: bool = False,
    fetch: Callable[[str], bytes] | None = None,
    progress: Callable[..., None] | None = None,
) -> ImportReport:
    """Harvest a DCAT-US v1.1 catalogue into the inventory.

    ``catalog`` is the data.json (its bytes, text or file, a read :class:`Catalogue`, or the parsed dict). Each dataset
    goes to the department its publisher is mapped to in ``department_map`` (publisher name → Department), else the
    active department of that name, else (with ``create_departments``, if ``by`` may manage the program's
    structure) a new department; a publisher mapped to ``None`` is never created.
    The datasets of a publisher left unmapped are skipped and the publisher listed in
    ``report.unmapped_publishers``. ``fetch`` (url → bytes), when given, reads each dataset's ``describedBy``
    Table Schema into its data dictionary. ``progress(done, total, message)``, when given, hears how far it is.

    Guarantees: only the Stat lead and analysts harvest (else ``PermissionDenied``, nothing written; ``by=None`` is
    the system, as the ``import_datajson`` command runs it); a catalogue that is not DCAT-US at all raises
    :class:`NotACatalogue` and writes nothing; the whole harvest is one transaction: it is written whole or not at
    all. Each record is checked on its own (DCAT-US's rules and the inventory's), so an invalid one is reported (by
    title or position, with its reasons) while the valid ones import; records are matched by identifier and an
    existing dataset is written only if something differs, so importing the same catalogue twice changes nothing
    the second time. With ``dry_run`` nothing is written (departments it would create are created, then rolled
    back) and the report says what importing would do.

    Any size: the catalogue is read a record at a time (:func:`read_catalogue`), and records are looked up and new
    datasets written :data:`BATCH_SIZE` at a time (a batch the database refuses is written again record by record);
    a changed dataset is written through :func:`dataset_update`.
    """
    enforce(by, can_harvest, "Only the Stat lead and analysts harvest catalogues.")
    catalogue = read_catalogue(catalog)
    report = ImportReport(dry_run=dry_run, total=catalogue.count, publishers=dict(catalogue.publishers))
    tell = progress or (lambda *args, **kwargs: None)
    verb = "Checking" if dry_run else "Importing"
    tell(0, catalogue.count, f"{verb} {catalogue.count} records.", force=True)
    with transaction.atomic():
        _resolve_departments(report.publishers, department_map or {}, create_departments, report, by=by)
        created_ids = {report.resolved[name].pk for name in report.created_departments}
        writer = _Writer(report=report, by=by, fetch=fetch, created_department_ids=created_ids, dry_run=dry_run)
        seen: set[str] = set()
        batch: list[tuple[Record, Department]] = []
        position = 0
        for position, record in enumerate(catalogue.records(), start=1):
            item, errors = read_record(record, position)
            label = record_label(record, position)
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
            batch.append((item, department))
            if len(batch) >= BATCH_SIZE:
                writer.write(batch)
                batch = []
                tell(position, catalogue.count, f"{verb}: record {position} of {catalogue.count}.")
        writer.write(batch)
        tell(position, catalogue.count, f"{verb}: record {position} of {catalogue.count}.", force=True)
        if dry_run:
            transaction.set_rollback(True)
        elif report.created:
            transaction.on_commit(forget_inventory_coverage)
    return report


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{name}: {message}"
            for name, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    return list(exc.messages)
