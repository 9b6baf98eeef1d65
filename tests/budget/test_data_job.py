"""A large budget import runs as a background job (bdata), its file kept with the job: the upload queues reading
it, the job's page maps the columns, queues the preview and shows it, confirming queues the import; the job is its
author's (and the Stat lead's, read-only) only."""

from __future__ import annotations

import pytest
from django.test import TestCase

from budget.models import BudgetImport, BudgetLine, ImportSource
from budget.services import jobs
from core.models import Job

from .data_support import MAPPING, upload

pytestmark = pytest.mark.django_db


def submit(call, *args, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


def test_large_import_as_a_job(as_persona, monkeypatch):
    monkeypatch.setattr(jobs, "JOB_ROWS", 2)
    client = as_persona("budget_analyst")
    response = submit(client.post, "/budget/import/", {"new_source": "Munis", "file": upload()})
    job = Job.objects.get(kind=jobs.IMPORT_JOB)
    location = f"/budget/import/{job.pk}/"
    assert response.status_code == 302 and response["Location"] == location
    assert "budget_import" not in client.session  # the file is kept with the job, not in the session
    mapping = client.get(location)
    assert mapping.status_code == 200 and b"Match the columns" in mapping.content
    assert mapping.context["form"]["fiscal_year"].value() == "FY"
    bad = client.post(location, {**MAPPING, "department": "", "token": "job"})
    assert bad.status_code == 400 and not ImportSource.objects.exists()
    response = submit(client.post, location, {**MAPPING, "token": "job"})
    assert response.status_code == 302
    assert ImportSource.objects.get().mapping == MAPPING
    page = client.get(location)
    assert page.context["plan"]["counts"] == {"new": 4, "changed": 0, "unchanged": 0, "invalid": 2}
    assert b"not your portfolio" in page.content
    assert not BudgetLine.objects.exists()
    # Someone else does not see it; the Stat lead sees it but does not confirm it; a reader without import: 403.
    assert as_persona("parks_contact").get(location).status_code == 404
    assert as_persona("stat_analyst").get(location).status_code == 403
    assert as_persona("stat_lead").post(location, {"token": "confirm"}).status_code == 403
    assert not BudgetLine.objects.exists()
    submit(client.post, location, {"token": "confirm"})
    done = client.get(location)
    assert b"Budget import finished" in done.content
    assert BudgetLine.objects.count() == 3 and BudgetImport.objects.get().created == 4


def test_a_large_preview_lists_the_rows_that_need_a_look(as_persona, monkeypatch):
    """A large file's preview counts every row but lists its invalid rows and changed lines (up to a limit each) and
    only the first new ones, and says so: a finance export of 100,000 lines listed whole is a page no one can open."""
    from .data_support import ROWS, csv_bytes

    monkeypatch.setattr(jobs, "JOB_ROWS", 2)
    monkeypatch.setattr(jobs, "PREVIEW_LISTED", {"invalid": 1, "changed": 5, "new": 2, "unchanged": 0})
    new_rows = [["2027", "100", "General Fund", "PD", f"P{i}", f"Program {i}", "operating", "5", "", "", "", "", ""]
                for i in range(6)]  # fmt: skip
    content = csv_bytes([*ROWS, *new_rows])
    client = as_persona("budget_analyst")
    submit(client.post, "/budget/import/", {"new_source": "Munis", "file": upload(content)})
    location = f"/budget/import/{Job.objects.get(kind=jobs.IMPORT_JOB).pk}/"
    submit(client.post, location, {**MAPPING, "token": "job"})
    page = client.get(location)
    plan = page.context["plan"]
    assert plan["counts"] == {"new": 10, "changed": 0, "unchanged": 0, "invalid": 2}
    assert [row["action"] for row in plan["rows"]] == ["new", "new", "invalid"]
    assert [row["line"] for row in plan["rows"]] == [2, 3, 5]  # in the file's order
    assert b"3 of the file&#x27;s 12 rows" in page.content or b"3 of the file's 12 rows" in page.content
    assert b"(up to 1 and 5), then the first 2 new ones" in page.content  # the limits in force, not fixed words
    submit(client.post, location, {"token": "confirm"})
    done = client.get(location)
    assert done.context["record"]["invalid"] == 2 and len(done.context["skipped"]) == 1
    assert b"The first 1 of the 2 skipped rows" in done.content
