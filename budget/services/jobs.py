"""A large budget import (more than :data:`JOB_ROWS` rows: a finance export of 100,000 lines takes seconds) done out
of the request as a background job (``core.jobs``): its preview (a dry run) and then, when the person confirms, the
import (one transaction: all of it or nothing), each step showing its progress in place on the job's page. The
runner is registered in ``BudgetConfig.ready``; the page is ``budget.data_views.import_job``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from core.jobs import JobOutcome, Progress, job_continue, job_payload, job_start
from team.access import enforce

from ..access import IMPORT_REFUSED, can_import_budget
from ..importing import BudgetRow, import_plan
from ..models import ImportSource
from .imports import budget_import

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from core.models import Job

IMPORT_JOB = "budget.import"
PREVIEW, IMPORT = "preview", "import"
#: Files with more rows than this are previewed and imported by a background job.
JOB_ROWS = 5000


def import_start(*, by: User, source: ImportSource, file_name: str, sha256: str, rows: list[dict[str, str]]) -> Job:
    """Queue the preview of an import of ``rows`` (our fields, mapped with ``source``'s mapping)."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    fields = sorted({name for row in rows for name in row})
    payload = {
        "source": source.pk,
        "sha256": sha256,
        "fields": fields,
        "rows": [[row.get(name, "") for name in fields] for row in rows],
    }
    return job_start(kind=IMPORT_JOB, by=by, step=PREVIEW, source=file_name, payload=json.dumps(payload).encode())


def import_confirm(*, job: Job, by: User) -> Job:
    """Queue the import of the previewed rows (planned again against the budget as it is when it runs)."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    return job_continue(job=job, by=by, step=IMPORT)


def _row(row: BudgetRow) -> dict:
    label = row.label + (f" · {row.month:%B %Y}" if row.month else "")
    return {"line": row.line, "action": row.action, "errors": list(row.errors), "label": label,
            "changes": list(row.changes)}  # fmt: skip


def import_job_run(job: Job, progress: Progress) -> JobOutcome:
    """One step of a budget import job, as the person who started it: plan the rows (the preview) or import them."""
    raw = job_payload(job)
    if raw is None:
        raise ValidationError("The file is no longer kept. Upload it again.")
    upload = json.loads(raw)
    fields = upload["fields"]
    rows = [dict(zip(fields, values, strict=True)) for values in upload["rows"]]
    total = len(rows)
    progress(0, total, f"{'Importing' if job.step == IMPORT else 'Checking'} {total:,} rows.", force=True)
    if job.step != IMPORT:
        plan = import_plan(rows=rows, by=job.actor)
        progress(total, total, force=True)
        result = {"counts": plan.counts, "to_write": plan.to_write, "rows": [_row(row) for row in plan.rows]}
        return JobOutcome(result=result, message=f"Checked {total:,} rows: {plan.to_write:,} to write.")
    source = ImportSource.objects.get(pk=upload["source"])
    done = budget_import(
        source=source, file_name=job.source, sha256=upload["sha256"], rows=rows, by=job.actor, progress=progress
    )
    record = done.record
    result = {
        "record": {name: getattr(record, name) for name in ("created", "changed", "unchanged", "invalid")},
        "skipped": [_row(row) for row in done.plan.rows if row.action == "invalid"],
    }
    return JobOutcome(result=result, message=f"Imported {job.source}.", last=True)
