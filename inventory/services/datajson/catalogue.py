"""The inventory as a DCAT-US v1.1 catalogue (``/data.json``): :func:`datajson_catalog` builds the catalogue of the
datasets the public may know about: published, and public or restricted public (their metadata is public; the rights
statement says how to get the data). Non-public datasets never appear. It reads the datasets a thousand at a time
(four queries each time), and :func:`datajson_stream` sends it as it reads, so 100,000 datasets are never all in
memory.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.urls import reverse

from team.models import Department

from ...models import AccessLevel, DataField, Dataset, Distribution

CONFORMS_TO = "https://project-open-data.cio.gov/v1.1/schema"
CATALOG_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
CATALOG_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
TABLE_SCHEMA_TYPE = "application/json"
#: The DCAT-US v1.1 non-federal JSON Schema that data.gov's harvester validates a data.json against (``catalog.json``
#: and ``dataset-non-federal.json``, kept in the repository; see the README.md beside them).
DCAT_US_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "dcat-us-1.1-non-federal"

#: Published datasets whose metadata is public: data.json lists them and serves their Table Schema.
CATALOGUED_Q = Q(published=True, access_level__in=[AccessLevel.PUBLIC, AccessLevel.RESTRICTED_PUBLIC])


def catalogued_datasets() -> QuerySet[Dataset]:
    """The datasets data.json lists (and whose Table Schema is served)."""
    return Dataset.objects.filter(CATALOGUED_Q)


_ROW_FIELDS = (
    "pk",
    "identifier",
    "title",
    "description",
    "access_level",
    "rights",
    "license",
    "spatial",
    "temporal",
    "accrual_periodicity",
    "issued",
    "modified",
    "landing_page",
    "department__name",
    "department__contact_email",
    "contact__full_name",
    "contact__email",
    "contact__active",
)
_DISTRIBUTION_FIELDS = ("dataset_id", "download_url", "access_url", "media_type", "format", "title", "description")


def _grouped(rows) -> dict[int, list]:
    groups: dict[int, list] = {}
    for dataset_id, value in rows:
        groups.setdefault(dataset_id, []).append(value)
    return groups


#: How many datasets :func:`catalogue_chunks` reads at a time: data.json holds this many in memory, not the whole
#: catalogue, and costs four queries per this many datasets.
CHUNK = 1000


class _AmongIds(Func):
    """``column = ANY('{1,2,…}'::bigint[])``: a thousand ids as one parameter (PostgreSQL). As ``__in`` Django prepares
    each value on its own, which for three queries a chunk cost more than the database spends reading it."""

    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]) -> None:
        super().__init__(F(column))
        self.ids = ids

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s::bigint[])", [*params, "{" + ",".join(str(int(i)) for i in self.ids) + "}"]


def _of_datasets(ids: list[int]) -> Q:
    if connection.vendor == "postgresql":
        return Q(_AmongIds("dataset_id", ids))
    return Q(dataset_id__in=ids)


def _chunk_rows(rows: list[dict]) -> tuple[list[dict], dict[int, list], dict[int, list], dict[int, list]]:
    of_chunk = _of_datasets([row["pk"] for row in rows])
    keywords = _grouped(
        Dataset.keywords.through.objects.filter(of_chunk)
        .order_by("keyword__name")
        .values_list("dataset_id", "keyword__name")
    )
    themes = _grouped(
        Dataset.themes.through.objects.filter(of_chunk).order_by("theme__name").values_list("dataset_id", "theme__name")
    )
    distributions = _grouped(
        (row["dataset_id"], row)
        for row in Distribution.objects.filter(of_chunk)
        .order_by("dataset_id", "position", "pk")
        .values(*_DISTRIBUTION_FIELDS)
    )
    return rows, keywords, themes, distributions


def catalogue_chunks(
    size: int = CHUNK,
) -> Iterator[tuple[list[dict], dict[int, list], dict[int, list], dict[int, list]]]:
    """The catalogued datasets as plain rows (with their department's name and contact mailbox, their steward's name,
    email and whether they are active, and whether they have a data dictionary), ``size`` at a time in identifier
    order, each chunk with its keywords, themes and distributions grouped by dataset id: four queries a chunk.

    Plain rows, not model instances with prefetches: for 10,000 datasets building the model objects and their
    related managers cost seconds; reading rows costs a fraction of one. Chunks, read by identifier (unique) after
    the last one, so that 100,000 datasets are never all in memory at once.
    """
    datasets = (
        catalogued_datasets()
        .annotate(has_dictionary=Exists(DataField.objects.filter(dataset=OuterRef("pk"))))
        .order_by("identifier")
    )
    last = None
    while True:
        page = datasets if last is None else datasets.filter(identifier__gt=last)
        rows = list(page.values(*_ROW_FIELDS, "has_dictionary")[:size])
        if not rows:
            return
        yield _chunk_rows(rows)
        if len(rows) < size:
            return
        last = rows[-1]["identifier"]


def catalogue_rows() -> tuple[list[dict], dict[int, list], dict[int, list], dict[int, list]]:
    """Every catalogued dataset's row, keywords, themes and distributions at once (see :func:`catalogue_chunks`)."""
    rows: list[dict] = []
    keywords: dict[int, list] = {}
    themes: dict[int, list] = {}
    distributions: dict[int, list] = {}
    for chunk, chunk_keywords, chunk_themes, chunk_distributions in catalogue_chunks():
        rows += chunk
        keywords.update(chunk_keywords)
        themes.update(chunk_themes)
        distributions.update(chunk_distributions)
    return rows, keywords, themes, distributions


# --- export ------------------------------------------------------------------------------------------------------


def _program_contact_email() -> str:
    """The program's mailbox (setting ``PROGRAM_CONTACT_EMAIL``), for departments without a contact mailbox."""
    return settings.PROGRAM_CONTACT_EMAIL.strip().lower()


# What DCAT-US v1.1 accepts, for values the inventory stores as free text: a value that would not validate is left
# out (or, for a media type, generalised) rather than published and rejected by data.gov's harvester.
_EMAIL = re.compile(r"^[\w_~!$&'()*+,;=:.-]+@[\w.-]+\.[\w.-]+$")
_MEDIA_TYPE = re.compile(r"^[-\w]+/[-\w]+(\.[-\w]+)*([+][-\w]+)?$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")
_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)


def _is_instant(value: str) -> bool:
    if not _INSTANT.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def valid_temporal(value: str) -> bool:
    """An ISO 8601 interval DCAT-US accepts: start/end, start/duration or duration/end."""
    start, sep, end = value.strip().partition("/")
    if not sep:
        return False
    if _is_instant(start):
        return _is_instant(end) or bool(_DURATION.match(end))
    return bool(_DURATION.match(start)) and _is_instant(end)


def media_type(value: str) -> str:
    """The IANA media type without parameters (``text/csv; charset=utf-8`` → ``text/csv``); a value that is not
    one becomes ``application/octet-stream``."""
    value = value.split(";", 1)[0].strip().lower()
    return value if _MEDIA_TYPE.match(value) else "application/octet-stream"


def contact_point(row: dict) -> dict:
    """A dataset row's vCard: its steward's name (or, without an active steward, its department's), and the
    department's contact mailbox, else the program's (``PROGRAM_CONTACT_EMAIL``).

    A person's own address is published only when the city opts in (``PUBLISH_STEWARD_EMAILS``): a public file is
    harvested and scraped, and a steward's address is theirs. Never a phone number or anything else about the
    person. An inactive steward is not named.
    """
    steward = bool(row["contact__full_name"]) and row["contact__active"]
    vcard: dict[str, Any] = {
        "@type": "vcard:Contact",
        "fn": row["contact__full_name"] if steward else row["department__name"],
    }
    candidates = [row["department__contact_email"], _program_contact_email()]
    if steward and settings.PUBLISH_STEWARD_EMAILS:
        candidates.insert(0, row["contact__email"])
    email = next((email for email in candidates if email and _EMAIL.match(email)), "")
    if email:
        vcard["hasEmail"] = f"mailto:{email}"
    return vcard


def contact_mailboxes() -> set[str]:
    """Every address data.json may give that is a mailbox, not a person's (lower-cased): the departments' and the
    program's. A harvest does not take one for a steward's own."""
    mailboxes = Department.objects.exclude(contact_email="").values_list("contact_email", flat=True)
    return {email.lower() for email in [*mailboxes, _program_contact_email()] if email}


def schema_url_builder(base_url: str) -> Callable[[str], str]:
    """identifier → the absolute URL of its Table Schema JSON. Reverses the route once: reversing it per dataset
    would cost more than the rest of a 10,000-dataset data.json together. Quotes as ``reverse`` does."""
    marker = "IDENTIFIER"
    prefix, suffix = urljoin(base_url, reverse("inventory:public_dataset_schema", kwargs={"identifier": marker})).split(
        marker
    )
    return lambda identifier: prefix + quote(identifier, safe="/~:@!$&'()*+,;=") + suffix


def datajson_entry(
    row: dict,
    *,
    keywords: list[str],
    themes: list[str],
    distributions: list[dict],
    schema_url: Callable[[str], str],
    city_name: str,
) -> dict:
    """One dataset row (see :func:`catalogue_rows`) as a DCAT-US v1.1 dataset object. Empty optional values are
    left out rather than sent blank."""
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "identifier": row["identifier"],
        "title": row["title"],
        "description": row["description"],
        "accessLevel": row["access_level"],
        "publisher": {
            "@type": "org:Organization",
            "name": row["department__name"],
            "subOrganizationOf": {"@type": "org:Organization", "name": city_name},
        },
        "contactPoint": contact_point(row),
    }
    if keywords:
        entry["keyword"] = keywords
    if row["modified"]:
        entry["modified"] = row["modified"].isoformat()
    if row["access_level"] != AccessLevel.PUBLIC:
        entry["rights"] = row["rights"][:255]
    optional = {
        "license": row["license"],
        "spatial": row["spatial"],
        "temporal": row["temporal"] if valid_temporal(row["temporal"]) else "",
        "accrualPeriodicity": row["accrual_periodicity"],
        "issued": row["issued"].isoformat() if row["issued"] else "",
        "landingPage": row["landing_page"],
    }
    entry.update({key: value for key, value in optional.items() if value})
    if themes:
        entry["theme"] = themes
    if distributions:
        entry["distribution"] = [distribution_entry(d) for d in distributions]
    if row["has_dictionary"]:
        entry["describedBy"] = schema_url(row["identifier"])
        entry["describedByType"] = TABLE_SCHEMA_TYPE
    return entry


def distribution_entry(distribution: dict) -> dict:
    entry: dict[str, Any] = {"@type": "dcat:Distribution"}
    if distribution["download_url"]:
        entry["downloadURL"] = distribution["download_url"]
        entry["mediaType"] = media_type(distribution["media_type"])
    if distribution["access_url"]:
        entry["accessURL"] = distribution["access_url"]
    for key in ("format", "title", "description"):
        if distribution[key]:
            entry[key] = distribution[key]
    return entry


def _catalog_head(base_url: str) -> dict:
    return {
        "@context": CATALOG_CONTEXT,
        "@id": urljoin(base_url, reverse("inventory:datajson")),
        "@type": "dcat:Catalog",
        "conformsTo": CONFORMS_TO,
        "describedBy": CATALOG_SCHEMA,
    }


def datajson_entries(*, base_url: str) -> Iterator[dict]:
    """The catalogue's dataset objects in identifier order, read :data:`CHUNK` datasets at a time."""
    city_name, schema_url = settings.CITY_NAME, schema_url_builder(base_url)
    for rows, keywords, themes, distributions in catalogue_chunks():
        for row in rows:
            yield datajson_entry(
                row,
                keywords=keywords.get(row["pk"], []),
                themes=themes.get(row["pk"], []),
                distributions=distributions.get(row["pk"], []),
                schema_url=schema_url,
                city_name=city_name,
            )


def datajson_catalog(*, base_url: str) -> dict:
    """The DCAT-US v1.1 catalogue of the catalogued datasets, ordered by identifier.

    ``base_url`` (e.g. ``https://stat.example.gov/``) makes the catalogue's ``@id`` and each dataset's
    ``describedBy`` absolute. Guarantees: validates against the non-federal DCAT-US v1.1 JSON Schema; every
    dataset that is not public carries its rights statement; every downloadURL its mediaType; ``describedBy``
    points at the dataset's Table Schema JSON when it has a data dictionary; non-public datasets never appear.
    Costs four queries per :data:`CHUNK` datasets. :func:`datajson_stream` is the same catalogue as JSON text, a
    piece at a time.
    """
    return {**_catalog_head(base_url), "dataset": list(datajson_entries(base_url=base_url))}


def datajson_stream(*, base_url: str) -> Iterator[str]:
    """:func:`datajson_catalog` as JSON text in pieces (one per :data:`CHUNK` datasets), for a streamed response:
    the catalogue is never whole in memory, as text or as objects. Each piece is one ``json.dumps`` of a chunk's
    entries (one call per entry cost a fifth of the catalogue's time)."""
    head = json.dumps(_catalog_head(base_url), ensure_ascii=False)
    yield head[:-1] + ', "dataset": ['
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    pieces: list[dict] = []
    first = True
    for entry in datajson_entries(base_url=base_url):
        pieces.append(entry)
        if len(pieces) >= CHUNK:
            yield ("" if first else ", ") + encoder.encode(pieces)[1:-1]
            pieces, first = [], False
    tail = encoder.encode(pieces)[1:-1] if pieces else ""
    yield ("" if first or not tail else ", ") + tail + "]}"
