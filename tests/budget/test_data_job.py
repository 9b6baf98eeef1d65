"""A large budget import runs as a background job (bdata): the mapping step queues the preview, the job's page
shows it, confirming queues the import; the job is its author's (and the Stat lead's) only."""

from __future__ import annotations

import pytest
from django.test import TestCase

from budget.models import BudgetImport, BudgetLine
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
    mapping = client.post("/budget/import/", {"new_source": "Munis", "file": upload()})
    token = mapping.context["form"]["token"].value()
    response = submit(client.post, "/budget/import/map/", {**MAPPING, "token": token})
    job = Job.objects.get(kind=jobs.IMPORT_JOB)
    assert response.status_code == 302 and response["Location"] == f"/budget/import/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["plan"]["counts"] == {"new": 4, "changed": 0, "unchanged": 0, "invalid": 2}
    assert b"not your portfolio" in page.content
    assert not BudgetLine.objects.exists()
    # Someone else (not the Stat lead) does not see it; the Stat lead sees it but may not confirm it.
    assert as_persona("parks_contact").get(response["Location"]).status_code == 404
    assert as_persona("stat_analyst").get(response["Location"]).status_code == 403
    assert as_persona("stat_lead").post(response["Location"]).status_code == 403
    assert not BudgetLine.objects.exists()
    submit(client.post, response["Location"])
    done = client.get(response["Location"])
    assert b"Budget import finished" in done.content
    assert BudgetLine.objects.count() == 3 and BudgetImport.objects.get().created == 4
