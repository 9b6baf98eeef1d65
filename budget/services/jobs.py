"""A large budget import (more than :data:`JOB_ROWS` rows: a finance export of 100,000 lines takes seconds) done out
of the request as a background job (``core.jobs``), its file kept with the job (never in the session): reading it
(its columns, for the mapping), its preview with the chosen mapping (a dry run) and then, when the person confirms,
the import (one transaction: all of it or nothing), each step showing its progress in place on the job's page. The
runner is registered in ``BudgetConfig.ready``; the page is ``budget.data_views.import_job``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
from django.core.exceptions import ValidationError

from core.jobs import JobOutcome, Progress, job_continue, job_payload, job_start
from team.access import enforce

from ..access import IMPORT_REFUSED, can_import_budget
from ..importing import BudgetRow, Table, TableError, import_plan, mapped_rows
from ..models import ImportSource
from .imports import budget_import

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.models import Job

IMPORT_JOB = "budget.import"
READ, PREVIEW, IMPORT = "read", "preview", "import"
#: Files with more rows than this are mapped, previewed and imported through a background job.
JOB_ROWS = 5000
#: The rows a background job's preview lists, by outcome (its counts cover every row): every invalid row and every
#: changed line up to these many, then the first new ones; unchanged rows are only counted. A finance export of
#: 100,000 lines listed whole is a page no browser opens.
PREVIEW_LISTED = {"invalid": 2000, "changed": 2000, "new": 100, "unchanged": 0}


def import_start(*, by: User, source_name: str, file_name: str, sha256: str, table: Table) -> Job:
    """Keep an uploaded file's rows with a new job, whose first step reads its columns for the mapping."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    payload = {"source": source_name, "sha256": sha256, "header": table.header, "rows": table.rows}
    return job_start(kind=IMPORT_JOB, by=by, step=READ, source=file_name, payload=json.dumps(payload).encode())


def import_preview(*, job: Job, mapping: dict[str, str], by: User) -> Job:
    """Queue the dry run of the job's file with ``mapping`` (our field → its column, saved for the source already)."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    return job_continue(job=job, by=by, step=PREVIEW, params={"mapping": mapping})


def import_confirm(*, job: Job, by: User) -> Job:
    """Queue the import of the previewed rows (planned again against the budget as it is when it runs)."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    if job.step != PREVIEW or "mapping" not in (job.params or {}):
        raise ValidationError("Match the file's columns and see the preview first.")
    return job_continue(job=job, by=by, step=IMPORT, params=job.params)


def _row(row: BudgetRow) -> dict:
    label = row.label + (f" · {row.month:%B %Y}" if row.month else "")
    return {"line": row.line, "action": row.action, "errors": list(row.errors), "label": label,
            "changes": list(row.changes)}  # fmt: skip


def import_job_run(job: Job, progress: Progress) -> JobOutcome:
    """One step of a budget import job, as the person who started it: read the file's columns, plan its rows with the
    chosen mapping (the preview), or import them."""
    raw = job_payload(job)
    if raw is None:
        raise ValidationError("The file is no longer kept. Upload it again.")
    upload = json.loads(raw)
    table = Table(header=upload["header"], rows=upload["rows"])
    total = len(table.rows)
    if job.step == READ:
        return JobOutcome(
            result={"header": table.header, "sample": table.rows[:3], "source": upload["source"]},
            message=f"Read {total:,} rows.",
        )
    progress(0, total, f"{'Importing' if job.step == IMPORT else 'Checking'} {total:,} rows.", force=True)
    try:
        rows = mapped_rows(table, job.params["mapping"])
    except TableError as exc:
        raise ValidationError(str(exc)) from exc
    if job.step == PREVIEW:
        plan = import_plan(rows=rows, by=job.actor)
        progress(total, total, force=True)
        listed = sorted(
            int(position)
            for action, limit in PREVIEW_LISTED.items()
            for position in np.flatnonzero(plan.action == action)[:limit]
        )
        result = {
            "counts": plan.counts,
            "to_write": plan.to_write,
            "rows": [_row(plan.row(position)) for position in listed],
            "total": total,
            "listed": PREVIEW_LISTED,
        }
        return JobOutcome(result=result, message=f"Checked {total:,} rows: {plan.to_write:,} to write.")
    source = ImportSource.objects.get(name=upload["source"])
    done = budget_import(
        source=source, file_name=job.source, sha256=upload["sha256"], rows=rows, by=job.actor, progress=progress
    )
    record = done.record
    result = {
        "record": {name: getattr(record, name) for name in ("created", "changed", "unchanged", "invalid")},
        "skipped": [_row(row) for row in done.plan.invalid_rows()[: PREVIEW_LISTED["invalid"]]],
    }
    return JobOutcome(result=result, message=f"Imported {job.source}.", last=True)
