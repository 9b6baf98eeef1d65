"""The inventory's long work, done out of the request as background jobs (``core.jobs``): harvesting a data.json
catalogue and importing datasets from a CSV or XLSX file, each a preview (a dry run: nothing written) and then,
when the person confirms, the import (one transaction: all of it or nothing); and drafting a dataset's data
dictionary from a sample (which writes nothing: the person confirms the draft on its page). The runners here are
registered in ``InventoryConfig.ready``; the pages are ``views.harvest`` and ``views.tabular``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from core.fetch import fetch_url
from core.jobs import JobOutcome, Progress, job_attach_payload, job_continue, job_payload, job_start
from team.access import actor_for, enforce
from team.models import Department

from ..access import can_harvest, can_import_datasets
from ..models import Dataset
from . import tabular
from .datajson import datajson_import, read_catalogue
from .dictionary import CSV_SAMPLE_BYTES, FIELD_KEYS, dictionary_from_csv, dictionary_from_table_schema
from .writes import require_write

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.models import Job

HARVEST_JOB = "inventory.harvest"
IMPORT_JOB = "inventory.import"
DICTIONARY_JOB = "inventory.dictionary_draft"
PREVIEW, IMPORT, DRAFT = "preview", "import", "draft"
MAY_NOT_HARVEST = "Only the Stat lead and analysts harvest catalogues."
MAY_NOT_IMPORT = "Only the Stat team and department contacts can import datasets."


# --- harvesting a catalogue ---------------------------------------------------------------------------------------


def harvest_start(*, by: User, payload: bytes | None = None, source: str) -> Job:
    """Queue the preview of a harvest: of an uploaded catalogue (``payload``, named ``source``), or of the one at the
    address ``source`` (fetched by the job). Only the Stat lead and analysts harvest (else ``PermissionDenied``)."""
    enforce(by, can_harvest, MAY_NOT_HARVEST)
    return job_start(kind=HARVEST_JOB, by=by, step=PREVIEW, source=source, payload=payload)


def harvest_continue(*, job: Job, by: User, department_map: dict[str, int | None], importing: bool) -> Job:
    """Queue the harvest's preview again with publishers mapped as chosen (``department_map``: publisher name →
    department id, or None to skip; a publisher left out is matched by name or created), or its import."""
    enforce(by, can_harvest, MAY_NOT_HARVEST)
    return job_continue(
        job=job, by=by, step=IMPORT if importing else PREVIEW, params={"department_map": department_map}
    )


def _department_map(params: dict) -> dict[str, Department | None]:
    chosen = params.get("department_map") or {}
    departments = Department.objects.in_bulk([pk for pk in chosen.values() if pk is not None])
    return {name: departments.get(pk) if pk is not None else None for name, pk in chosen.items()}


def harvest_job_run(job: Job, progress: Progress) -> JobOutcome:
    """One step of a harvest job: read the catalogue (fetching it the first time, if it was given by address), then
    preview or import it with the publishers mapped as chosen, as the person who started it."""
    raw = job_payload(job)
    if raw is None:
        if job.step != PREVIEW or not job.source.startswith(("http://", "https://")):
            raise ValidationError("The catalogue is no longer kept. Upload it again.")
        progress(0, None, f"Fetching {job.source}.", force=True)
        raw = fetch_url(job.source)
        job_attach_payload(job=job, payload=raw)
    progress(0, None, "Reading the catalogue.", force=True)
    catalogue = read_catalogue(raw)
    del raw
    importing = job.step == IMPORT
    report = datajson_import(
        catalog=catalogue,
        by=job.actor,
        department_map=_department_map(job.params),
        create_departments=actor_for(job.actor).can_manage_structure(),
        dry_run=not importing,
        progress=progress,
    )
    counts = report.summary()["counts"]
    message = (
        f"{'Harvested' if importing else 'Checked'} {report.total} records: {counts['created']} "
        f"{'added' if importing else 'new'}, {counts['updated']} changed, {counts['unchanged']} unchanged, "
        f"{counts['invalid']} invalid, {counts['skipped']} skipped."
    )
    return JobOutcome(result=report.summary(), message=message, last=importing)


# --- importing datasets from a file -------------------------------------------------------------------------------


def import_start(*, by: User, columns: list[str], rows: list[dict[str, str]], filename: str) -> Job:
    """Queue the preview of an import of ``rows`` (read from the file ``filename``). Only those who may import
    datasets do (else ``PermissionDenied``)."""
    enforce(by, can_import_datasets, MAY_NOT_IMPORT)
    payload = json.dumps({"columns": columns, "rows": rows}).encode()
    return job_start(kind=IMPORT_JOB, by=by, step=PREVIEW, source=filename, payload=payload)


def import_confirm(*, job: Job, by: User) -> Job:
    """Queue the import of the previewed rows (planned again against the database as it is when it runs)."""
    enforce(by, can_import_datasets, MAY_NOT_IMPORT)
    return job_continue(job=job, by=by, step=IMPORT)


def _row_summary(row: tabular.RowPlan) -> dict:
    return {
        "line": row.line,
        "action": row.action,
        "errors": [str(error) for error in row.errors],
        "title": row.title,
        "identifier": row.identifier,
        "changes": list(row.changes),
    }


def import_job_run(job: Job, progress: Progress) -> JobOutcome:
    """One step of an import job: plan the rows (the preview) or write them (the import), as the person who started
    it."""
    raw = job_payload(job)
    if raw is None:
        raise ValidationError("The file is no longer kept. Upload it again.")
    upload = json.loads(raw)
    columns, rows = upload["columns"], upload["rows"]
    progress(0, len(rows), f"{'Importing' if job.step == IMPORT else 'Checking'} {len(rows)} rows.", force=True)
    if job.step != IMPORT:
        plan = tabular.import_plan(columns=columns, rows=rows, by=job.actor)
        progress(len(rows), len(rows), force=True)
        result = {"counts": plan.counts, "to_write": plan.to_write, "rows": [_row_summary(row) for row in plan.rows]}
        message = f"Checked {len(rows)} rows: {plan.to_write} to write, {plan.counts['invalid']} invalid."
        return JobOutcome(result=result, message=message)
    outcome = tabular.datasets_import(columns=columns, rows=rows, by=job.actor, progress=progress)
    progress(len(rows), len(rows), force=True)
    result = {
        "created": [{"title": d.title, "identifier": d.identifier} for d in outcome.created],
        "updated": [{"title": d.title, "identifier": d.identifier} for d in outcome.updated],
        "unchanged": outcome.unchanged,
        "skipped": [_row_summary(row) for row in outcome.skipped],
    }
    message = (
        f"{len(outcome.created)} added, {len(outcome.updated)} updated, {outcome.unchanged} already up to date, "
        f"{len(outcome.skipped)} skipped."
    )
    return JobOutcome(result=result, message=message, last=True)


# --- drafting a data dictionary -----------------------------------------------------------------------------------


def dictionary_draft_start(*, dataset: Dataset, by: User, sample: bytes, filename: str, table_schema: bool) -> Job:
    """Queue the draft of ``dataset``'s data dictionary from an uploaded sample CSV (its first
    ``CSV_SAMPLE_BYTES`` are kept: the draft reads no further) or Table Schema (``table_schema``). Only those who
    may write the dataset draft its dictionary (else ``PermissionDenied``); a Table Schema larger than that is
    refused (ValidationError)."""
    require_write(by, dataset)
    if table_schema and len(sample) > CSV_SAMPLE_BYTES:
        raise ValidationError("This Table Schema is too large: a schema is a few kilobytes of JSON.")
    return job_start(
        kind=DICTIONARY_JOB,
        by=by,
        step=DRAFT,
        source=filename,
        payload=sample[:CSV_SAMPLE_BYTES],
        params={"table_schema": table_schema},
        subject_id=dataset.pk,
    )


def dictionary_draft_job_run(job: Job, progress: Progress) -> JobOutcome:
    """Draft the fields from the sample (types inferred from its values) or read them from the Table Schema."""
    raw = job_payload(job)
    if raw is None:
        raise ValidationError("The sample is no longer kept. Upload it again.")
    progress(0, None, "Reading the sample.", force=True)
    read = dictionary_from_table_schema if job.params.get("table_schema") else dictionary_from_csv
    drafted = read(raw)
    fields = [{key: field[key] for key in FIELD_KEYS} for field in drafted]
    return JobOutcome(result={"fields": fields}, message=f"Drafted {len(fields)} fields.", last=True)
