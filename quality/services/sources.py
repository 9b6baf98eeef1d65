"""Where a dataset's data is read from, and bringing it to a local file for the engine.

The source, in order: the distribution chosen in the dataset's quality settings; else the latest uploaded file;
else the first distribution with a download URL; else the first with an API (access) URL, asked for CSV or JSON.
URLs are fetched through :mod:`core.fetch` (public addresses only, time-outs, a byte cap while streaming).
"""

from __future__ import annotations

import contextlib
import datetime
import mimetypes
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from core.fetch import fetch_to_file, too_large_message
from inventory.models import Dataset, Distribution

from ..models import DatasetQualitySettings, SourceUpload

#: What an API endpoint is asked for: CSV first, then JSON (Socrata, ArcGIS and CKAN all answer one of them).
API_ACCEPT = "text/csv, application/json;q=0.9, */*;q=0.1"
KNOWN_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".geojson", ".xlsx", ".gz")


class NoSource(Exception):
    """The dataset has nothing to check: no distribution with an address and no uploaded file."""

    message = "There is nothing to check: add a distribution with a download URL or upload a data file."


@dataclass(frozen=True)
class Source:
    """One place to read the data from: an uploaded file or a URL (``api`` for an access URL)."""

    kind: str  # "upload", "download" or "api"
    location: str  # the URL, or the upload's storage name
    media_type: str = ""
    upload: SourceUpload | None = None

    @property
    def label(self) -> str:
        return f"Uploaded file {self.upload.original_name}" if self.upload else self.location


@dataclass(frozen=True)
class LocalCopy:
    """The data as a local file, with what the fetch learnt about it."""

    path: Path
    size: int
    media_type: str
    modified: datetime.datetime | None
    label: str


def _distribution_source(distribution: Distribution) -> Source | None:
    if distribution.download_url:
        return Source("download", distribution.download_url, distribution.media_type)
    if distribution.access_url:
        return Source("api", distribution.access_url, distribution.media_type)
    return None


def max_bytes_for(quality_settings: DatasetQualitySettings | None) -> int:
    """The largest download or upload accepted for a dataset: its own ``max_bytes`` where it is lower than the
    program's ``QUALITY_MAX_BYTES``, else the program's (a dataset may lower its cap, never lift it; a value stored
    before that rule, or above a cap lowered since, counts as the program's)."""
    program = settings.QUALITY_MAX_BYTES
    if quality_settings is not None and quality_settings.max_bytes:
        return min(quality_settings.max_bytes, program)
    return program


def max_bytes_problem(value: int | None) -> str:
    """What is wrong with ``value`` as a dataset's own byte cap ("" when nothing is): it may lower the program's
    cap, never raise it. The settings form and :func:`quality.services.settings_update` both ask."""
    program = settings.QUALITY_MAX_BYTES
    if value is not None and value > program:
        return (
            f"A dataset’s limit may be lower than the program’s limit of {filesizeformat(program)} ({program:,} "
            f"bytes), never higher: enter at most {program}, or leave it blank for the program’s limit."
        )
    return ""


def source_for(dataset: Dataset, quality_settings: DatasetQualitySettings | None = None) -> Source:
    """The source to check for ``dataset`` (see the module); raises :class:`NoSource` when there is none."""
    chosen = quality_settings.source_distribution if quality_settings is not None else None
    if chosen is not None and chosen.dataset_id == dataset.pk and (source := _distribution_source(chosen)):
        return source
    upload = SourceUpload.objects.filter(dataset=dataset).order_by("-uploaded_at", "-pk").first()
    if upload is not None:
        media_type = mimetypes.guess_type(upload.original_name)[0] or ""
        return Source("upload", upload.file.name or "", media_type, upload)  # name: None only before a save
    distributions = list(Distribution.objects.filter(dataset=dataset).order_by("position", "pk"))
    for distribution in distributions:
        if distribution.download_url:
            return Source("download", distribution.download_url, distribution.media_type)
    for distribution in distributions:
        if distribution.access_url:
            return Source("api", distribution.access_url, distribution.media_type)
    raise NoSource(NoSource.message)


def _suffix(name: str) -> str:
    """``.csv``, ``.csv.gz``...: the engine and people reading a temporary file both like to see the kind."""
    suffixes = [s.lower() for s in PurePosixPath(name).suffixes[-2:] if s.lower() in KNOWN_SUFFIXES + (".xls",)]
    return "".join(suffixes)[:12]


@contextlib.contextmanager
def local_copy(source: Source, *, max_bytes: int) -> Iterator[LocalCopy]:
    """The source as a local file for the length of the ``with`` block: an upload in place when storage is local,
    else a temporary copy, removed afterwards.

    Raises :class:`core.fetch.FetchError` (or its transient kind) when a URL cannot be fetched, and a
    ValidationError when an uploaded file is over the byte cap or gone from storage.
    """
    with tempfile.TemporaryDirectory(prefix="statprogram-quality-") as folder:
        if source.upload is not None:
            upload = source.upload
            try:
                path = Path(upload.file.path)  # local storage: read in place, no copy of a large file
            except NotImplementedError:
                path = Path(folder) / f"source{_suffix(upload.original_name)}"
                try:
                    with upload.file.open("rb") as stored, path.open("wb") as copy:
                        shutil.copyfileobj(stored, copy, 1024 * 1024)
                except OSError as exc:
                    raise ValidationError(f"The uploaded file {upload.original_name} is no longer in storage.") from exc
            if not path.is_file():
                raise ValidationError(f"The uploaded file {upload.original_name} is no longer in storage.")
            size = path.stat().st_size
            if size > max_bytes:
                raise ValidationError(too_large_message(max_bytes))
            yield LocalCopy(path, size, source.media_type, upload.uploaded_at, source.label)
            return
        path = Path(folder) / f"source{_suffix(urlsplit(source.location).path)}"
        fetched = fetch_to_file(
            source.location, path, max_bytes=max_bytes, accept=API_ACCEPT if source.kind == "api" else "*/*"
        )
        media_type = fetched.content_type
        if media_type in ("", "application/octet-stream", "binary/octet-stream"):
            media_type = source.media_type or media_type
        yield LocalCopy(path, fetched.size, media_type, fetched.last_modified, source.location)
