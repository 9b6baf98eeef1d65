"""Hostile files and requests through every way in: the dataset import page, the observation upload, a dataset's
quality upload and check, a measure's computation, the dictionary draft, the admin's import and the API. Each ends in
a clear message (400 on a page or the API), and nothing is half-written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from core.models import Job
from goals.models import Observation
from goals.services import measure_compute
from inventory.models import DataField, Dataset
from quality.models import CheckResult, Outcome, QualityRun, RunState
from team.models import Department
from tests.factories import UserFactory
from tests.goals.factories import GoalFactory, MeasureFactory, upload_data
from tests.inventory.factories import DataFieldFactory, DatasetFactory

from . import files
from .conftest import BOMB_MESSAGES

pytestmark = pytest.mark.django_db

IMPORT_HEADER, IMPORT_ROW = b"title,department\n", b"Calls for service,PD\n"
OBSERVATION_HEADER, OBSERVATION_ROW = b"period,value\n", b"2026-01,1\n"
DEEP_JSON = files.deep_json()
WIDE = files.wide()


def text(response) -> str:
    return response.content.decode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _bomb_cases():
    return [pytest.param(name, None, message, id=name) for name, message in BOMB_MESSAGES.items()]


# --- the dataset import page ------------------------------------------------------------------------------------------

IMPORT_CASES = [
    *_bomb_cases(),
    pytest.param("d.csv", files.nul_late(IMPORT_HEADER, IMPORT_ROW), "NUL byte", id="NUL late"),
    pytest.param("d.csv", files.HTML_PAGE, "web page", id="HTML as CSV"),
    pytest.param("d.csv", WIDE, "200,000 columns", id="200k columns"),
    pytest.param("d.csv", files.LATIN1, "not UTF-8", id="Latin-1"),
    pytest.param("d.csv", files.UTF16_NO_BOM, "not a CSV or XLSX", id="UTF-16 without BOM"),
    pytest.param("d.csv", files.huge_header(8_000_000), "field larger than field limit", id="huge header line"),
]


@pytest.mark.parametrize(("name", "content", "message"), IMPORT_CASES)
def test_the_dataset_import_page_refuses_hostile_files(as_persona, city, bombs, name, content, message):
    content = content if content is not None else bombs[name].read_bytes()
    client = as_persona("stat_analyst")
    before = Dataset.objects.count()
    response = client.post("/inventory/import/", {"file": upload("d.xlsx" if name in bombs else name, content)})
    assert response.status_code == 400
    assert message in text(response)
    assert Dataset.objects.count() == before
    assert not Job.objects.exists()  # nothing left waiting for a worker


def test_ragged_rows_are_previewed_row_by_row_not_a_crash(as_persona, city):
    content = IMPORT_HEADER + b"Calls,PD,extra,cells\nOnly a title\n" + IMPORT_ROW
    client = as_persona("stat_analyst")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the preview is a job's step, run on commit
        response = client.post("/inventory/import/", {"file": upload("d.csv", content)})
    assert response.status_code == 302
    rows = client.get(response["Location"]).context["plan"]["rows"]
    assert [row["line"] for row in rows] == [2, 3, 4] and rows[1]["action"] == "invalid" and rows[1]["errors"]


# --- the observation upload -------------------------------------------------------------------------------------------


@pytest.fixture
def manual(city):
    goal = GoalFactory(statement="Cut crashes", departments=[city["police"]])
    return MeasureFactory(goal=goal, department=city["police"], name="Crashes", slug="crashes")


OBSERVATION_CASES = [
    pytest.param("o.csv", files.nul_late(OBSERVATION_HEADER, OBSERVATION_ROW), "NUL byte", id="NUL late"),
    pytest.param("o.csv", files.HTML_PAGE, "web page", id="HTML as CSV"),
    pytest.param("o.csv", files.wide(100_000), "100,000 columns", id="100k columns"),
    pytest.param("o.csv", files.LATIN1, "not UTF-8", id="Latin-1"),
    pytest.param("o.csv", files.huge_header(1_500_000), "field larger than field limit", id="huge header line"),
    pytest.param("o.xlsx", None, "not a CSV file", id="a workbook"),
]


@pytest.mark.parametrize(("name", "content", "message"), OBSERVATION_CASES)
def test_the_observation_upload_refuses_hostile_files(as_persona, manual, tmp_path, name, content, message):
    content = content if content is not None else files.write_workbook(tmp_path / "o.xlsx").read_bytes()
    client = as_persona("police_contact")
    response = client.post(f"/goals/measures/{manual.slug}/observations/upload/", {"file": upload(name, content)})
    assert response.status_code == 400
    assert message in text(response)
    assert not Observation.objects.exists()


# --- a dataset's quality upload and check -----------------------------------------------------------------------------


@pytest.fixture
def checked(city):
    dataset = DatasetFactory(title="Calls", department=city["police"])
    DataFieldFactory(dataset=dataset, name="id", type="integer")
    return dataset


def nul_in_a_value(at: int) -> bytes:
    """A CSV whose integer column holds a NUL past ``at`` bytes: the type check would quote it as an example."""
    return b"id,name\n" + b"1,a\n" * (at // 4) + b"2\x00,b\n" + b"3,c\n"


QUALITY_CASES = [
    *_bomb_cases(),
    pytest.param("d.csv", nul_in_a_value(2_000_000), "NUL byte", id="NUL past the engine's 1 MB sample"),
    pytest.param("d.csv", files.HTML_PAGE, "web page", id="HTML as CSV"),
    pytest.param("d.csv", WIDE, "columns, more than the 1,000 accepted", id="200k columns"),
    pytest.param("d.json", b'{"data": ' + DEEP_JSON + b"}", "nested more than 64", id="deep JSON"),
    pytest.param("d.csv.gz", files.gzip_bomb(), "inflates to more than", id="gzip bomb"),
]


@pytest.mark.parametrize(("name", "content", "message"), QUALITY_CASES)
def test_a_quality_upload_of_a_hostile_file_ends_its_run_in_error_with_a_message(
    as_persona, checked, bombs, settings, django_capture_on_commit_callbacks, name, content, message
):
    settings.QUALITY_MAX_DECOMPRESSED_BYTES = 10 * files.MB
    content = content if content is not None else bombs[name].read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("police_contact").post(
            f"/quality/datasets/{checked.pk}/upload/", {"file": upload("d.xlsx" if name in bombs else name, content)}
        )
    assert response.status_code == 302
    run = QualityRun.objects.get(dataset=checked)
    assert run.state == RunState.FINISHED and run.outcome == Outcome.ERROR
    assert message in run.message
    assert not CheckResult.objects.filter(run=run).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (files.LATIN1, "Wrong encoding"),
        (b"id,name\n1,a\n2,b,c,d\n3\n", "fewer fields than the header"),
    ],
    ids=["Latin-1", "ragged rows"],
)
def test_a_quality_check_of_a_badly_made_file_reports_it(
    checked, users, django_capture_on_commit_callbacks, content, message
):
    from quality.services import source_upload_create

    with django_capture_on_commit_callbacks(execute=True):
        source_upload_create(dataset=checked, file=upload("d.csv", content), by=users["police_contact"])
    run = QualityRun.objects.get(dataset=checked)
    assert run.state == RunState.FINISHED and run.outcome == Outcome.ERROR
    assert any(message in result.message for result in CheckResult.objects.filter(run=run))


# --- a measure's computation ------------------------------------------------------------------------------------------

COMPUTE_CASES = [
    *_bomb_cases(),
    pytest.param("d.csv", files.nul_late(b"received\n", b"2026-01-05\n"), "NUL byte", id="NUL late"),
    pytest.param("d.csv", files.HTML_PAGE, "web page", id="HTML as CSV"),
    pytest.param("d.csv", WIDE, "200,000 columns", id="200k columns"),
    pytest.param("d.json", DEEP_JSON, "nested more than 64", id="deep JSON"),
    pytest.param("d.csv", files.LATIN1, "not UTF-8", id="Latin-1"),
]


@pytest.mark.parametrize(("name", "content", "message"), COMPUTE_CASES)
def test_a_measure_computed_from_a_hostile_file_records_the_reason_and_no_value(city, bombs, name, content, message):
    dataset = DatasetFactory(identifier="pd-calls", department=city["police"])
    content = content if content is not None else bombs[name].read_bytes()
    upload_data(dataset, content, "d.xlsx" if name in bombs else name)
    measure = MeasureFactory(
        department=city["police"], source_dataset=dataset, aggregation="count", date_column="received"
    )
    result = measure_compute(measure=measure, by=None)
    assert not result.ok and message in result.error
    measure.refresh_from_db()
    assert message in measure.compute_error
    assert not Observation.objects.filter(measure=measure).exists()


# --- the dictionary draft ---------------------------------------------------------------------------------------------

DRAFT_CASES = [
    pytest.param("s.csv", WIDE, "200,000 columns", id="200k columns"),
    pytest.param("s.csv", files.HTML_PAGE, "web page", id="HTML as CSV"),
    pytest.param("s.csv", files.nul_late(b"a,b\n", b"1,2\n"), "binary data", id="NUL late"),
    pytest.param("s.csv", files.huge_header(4_000_000), "field larger than field limit", id="huge header line"),
    pytest.param("schema.json", DEEP_JSON, "nested more than 64", id="deep JSON"),
    pytest.param("schema.json", b'{"fields": [{"name": "\\ud800"}]}', "lone surrogate", id="lone surrogate"),
]


@pytest.mark.parametrize(("name", "content", "message"), DRAFT_CASES)
def test_the_dictionary_draft_refuses_hostile_samples(as_persona, city, name, content, message):
    dataset = DatasetFactory(department=city["police"])
    DataFieldFactory(dataset=dataset, name="old_field")
    client = as_persona("police_contact")
    with TestCase.captureOnCommitCallbacks(execute=True):  # a sample the form cannot refuse at once is a job's
        response = client.post(f"/inventory/datasets/{dataset.pk}/dictionary/draft/", {"file": upload(name, content)})
    if response.status_code == 302:  # the job read it: its page says why it drafted nothing
        response = client.get(response["Location"])
        assert response.status_code == 200 and Job.objects.get().state == "failed"
    else:
        assert response.status_code == 400
    assert message in text(response)
    assert len(response.content) < 200_000
    assert list(DataField.objects.filter(dataset=dataset).values_list("name", flat=True)) == ["old_field"]


def test_a_tampered_draft_confirmation_is_refused_in_words(as_persona, city):
    dataset = DatasetFactory(department=city["police"])
    response = as_persona("police_contact").post(
        f"/inventory/datasets/{dataset.pk}/dictionary/draft/",
        {"action": "confirm", "fields": DEEP_JSON.decode()},
        follow=True,
    )
    assert response.status_code == 200 and "The drafted fields were lost on the way" in text(response)
    assert not DataField.objects.filter(dataset=dataset).exists()


# --- the admin's import -----------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root@example.gov", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(("name", "content", "message"), _bomb_cases())
def test_the_admin_import_refuses_a_bomb_with_its_message(admin_client, city, bombs, name, content, message):
    before = Department.objects.count()
    response = admin_client.post(
        reverse("admin:team_department_import"),
        {"resource": 0, "format": 1, "import_file": upload("d.xlsx", bombs[name].read_bytes())},
    )
    assert message in text(response)
    assert Department.objects.count() == before


def test_the_admin_import_offers_csv_and_xlsx_only(admin_client):
    response = admin_client.get(reverse("admin:team_department_import"))
    offered = [label for _value, label in response.context["form"].fields["format"].choices if _value != ""]
    assert offered == ["csv", "xlsx"]


# --- the API and query strings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP_JSON, "nested more than 64"),
        (b'{"title": "Calls", "department": "PD", "access_level": "\\ud800"}', "lone surrogate (\\\\ud800)"),
        (b'{"title": "Calls\\u0000", "department": "PD"}', "NUL character"),
    ],
    ids=["a million levels deep", "lone surrogate in a choice field", "NUL in a string"],
)
def test_the_api_refuses_hostile_json_with_a_400(as_persona, city, body, message):
    response = as_persona("stat_analyst").post("/api/datasets/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in text(response)
    assert json.loads(response.content)["detail"].startswith("JSON parse error")
    assert not Dataset.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/inventory/?q=a%00b",
        "/inventory/export.csv?department=%00",
        "/team/people/?q=%00",
        "/public/datasets/?q=%00",
        "/api/datasets/?search=%00",
    ],
)
def test_a_nul_in_a_query_string_is_a_400_with_a_message(as_persona, city, path):
    response = as_persona("stat_lead").get(path)
    assert response.status_code == 400
    assert "NUL character" in text(response)
