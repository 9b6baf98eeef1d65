"""``manage.py import_budget`` (bdata): the dry run prints the counts and the invalid rows, --commit writes, with the
source's saved mapping; --user brings that user's rights (a budget analyst's portfolio)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from budget.models import BudgetLine

from .data_support import csv_bytes, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes())
    return path


def _run(*args) -> str:
    out = io.StringIO()
    call_command("import_budget", *args, stdout=out)
    return out.getvalue()


def test_dry_run_then_commit_then_nothing(city, export):
    source()
    out = _run(str(export), "--source", "Munis")
    assert "5 new, 0 changed, 0 unchanged, 1 invalid" in out
    assert "line 6: No department has the code or name “Water Dept”." in out
    assert not BudgetLine.objects.exists()
    _run(str(export), "--source", "Munis", "--commit")
    assert BudgetLine.objects.count() == 4  # and one monthly actual
    assert "0 new, 0 changed, 5 unchanged" in _run(str(export), "--source", "Munis", "--commit")


def test_as_a_budget_analyst(users, city, export):
    source()
    out = _run(str(export), "--source", "Munis", "--commit", "--user", "budget@example.gov")
    assert "Parks & Recreation: not your portfolio." in out
    assert not BudgetLine.objects.filter(program__department=city["parks"]).exists()
    with pytest.raises(CommandError, match="Only the Stat lead"):
        _run(str(export), "--source", "Munis", "--commit", "--user", "chief@example.gov")


def test_unknown_source(city, export):
    with pytest.raises(CommandError, match="No import source"):
        _run(str(export), "--source", "Nope")
