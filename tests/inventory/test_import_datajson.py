"""``manage.py import_datajson PATH_OR_URL [--create-departments] [--map ...] [--dry-run]``."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inventory.models import Dataset
from team.models import Department
from tests.inventory.test_datajson_fetch import server  # noqa: F401 - the local HTTP server fixture
from tests.inventory.test_datajson_import import catalog, record

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_datajson", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def datajson_file(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps(catalog(record("a"), record("b", "Riverton PD"), record("c", "Water Board"), {})))
    return path


def test_imports_a_file_reporting_unmapped_publishers_and_invalid_records(city, datajson_file):
    out, err = run(str(datajson_file))
    assert "4 records; 1 created, 0 updated, 0 unchanged, 1 invalid, 2 skipped." in out
    assert "Unmapped publisher: Riverton PD" in err and "Unmapped publisher: Water Board" in err
    assert "Invalid Record 4: it has no identifier." in err
    assert list(Dataset.objects.values_list("identifier", flat=True)) == ["a"]


def test_map_and_create_departments(city, datajson_file):
    out, _ = run(str(datajson_file), "--map", "Riverton PD=police", "--create-departments")
    assert "3 created" in out and "New department: Water Board" in out
    assert Dataset.objects.get(identifier="b").department == city["police"]
    assert Department.objects.filter(name="Water Board").exists()
    out, _ = run(str(datajson_file), "--map", "Riverton PD=police", "--create-departments")
    assert "0 created, 0 updated, 3 unchanged" in out


def test_dry_run_writes_nothing(city, datajson_file):
    out, _ = run(str(datajson_file), "--create-departments", "--dry-run")
    assert out.startswith("Dry run (nothing written)") and "3 created" in out
    assert not Dataset.objects.exists() and not Department.objects.filter(name="Water Board").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--map", "Riverton PD"], "write it as"),
        (["--map", "Riverton PD=no-such-slug"], "no department has the slug"),
    ],
)
def test_bad_maps_are_refused(city, datajson_file, args, message):
    with pytest.raises(CommandError, match=message):
        run(str(datajson_file), *args)


def test_a_missing_file_or_a_file_that_is_not_a_catalogue(city, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nope.json"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}')
    with pytest.raises(CommandError, match="not a DCAT-US catalogue"):
        run(str(bad))


def test_a_url_on_a_private_address_is_refused(city, server):  # noqa: F811
    with pytest.raises(CommandError, match="private, local or reserved"):
        run(f"{server}/data.json")


def test_a_url_is_fetched_when_allowed(city, server, settings):  # noqa: F811
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    out, _ = run(f"{server}/data.json")
    assert "0 records" in out
