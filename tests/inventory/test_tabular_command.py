"""``manage.py import_datasets``: the same import from the command line, a dry run unless --commit."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inventory.models import Dataset

pytestmark = pytest.mark.django_db

CSV = (
    "title,description,department,access_level,rights,accrual_periodicity\n"
    "Crashes,All crashes.,PD,public,,monthly\n"
    "Nowhere,Lost.,ZZ,public,,monthly\n"
)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_datasets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_writes_nothing(tmp_path, users, city):
    path = tmp_path / "datasets.csv"
    path.write_text(CSV)
    out, _ = run(str(path), "--user", "analyst@example.gov")
    assert "line 2: new Crashes" in out
    assert "line 3: invalid Nowhere (No department has the code “ZZ”. Use one of: FD (Fire), PD (Police), " in out
    assert "Dry run: 1 new, 0 changed, 0 unchanged, 1 invalid" in out
    assert not Dataset.objects.exists()


def test_commit_imports_the_valid_rows(tmp_path, users, city):
    path = tmp_path / "datasets.csv"
    path.write_text(CSV)
    out, err = run(str(path), "--user", "analyst@example.gov", "--commit")
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in out
    assert "line 3: skipped Nowhere" in err
    assert list(Dataset.objects.values_list("title", flat=True)) == ["Crashes"]


def test_the_users_rights_apply(tmp_path, users, city):
    path = tmp_path / "datasets.csv"
    path.write_text(CSV)
    run(str(path), "--user", "parks@example.gov", "--commit")
    assert not Dataset.objects.exists()


def test_bad_input_is_a_clear_error(tmp_path, users, city):
    with pytest.raises(CommandError, match="No active user"):
        run(str(tmp_path / "x.csv"), "--user", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--user", "analyst@example.gov")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="The file is empty"):
        run(str(empty), "--user", "analyst@example.gov")
