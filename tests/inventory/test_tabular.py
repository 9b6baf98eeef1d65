"""CSV and XLSX import (upload, dry-run preview, confirm) and export of datasets."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook, load_workbook

from core.models import Job
from inventory.models import AccessLevel, Dataset, Frequency, Initiative, Keyword, Status
from inventory.services import tabular
from inventory.services.datasets import dataset_create
from tests.conftest import PERSONAS
from tests.inventory.factories import DatasetFactory
from tests.pages import assert_login_redirect, client_for, text_of

pytestmark = pytest.mark.django_db

IMPORT = "/inventory/import/"
JOB = "/inventory/import/{}/"
EVERYONE = [*PERSONAS, "no_role"]
IMPORTERS = ("stat_lead", "stat_analyst", "police_contact", "parks_contact")
REFUSED = [p for p in EVERYONE if p not in IMPORTERS]
HEADER = ["identifier", "title", "description", "department", "access_level", "rights", "accrual_periodicity"]


def csv_file(rows, header=HEADER, name="datasets.csv", encoding="utf-8") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, header=HEADER, name="datasets.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def good_row(title="Crime incidents", code="PD", **overrides) -> list[str]:
    row = {
        "identifier": "",
        "title": title,
        "description": f"All {title.lower()}.",
        "department": code,
        "access_level": "non-public",
        "rights": "Victim details are confidential.",
        "accrual_periodicity": "monthly",
    }
    row.update(overrides)
    return [row[c] for c in HEADER]


def state() -> list:
    return list(Dataset.objects.order_by("pk").values()) + list(Keyword.objects.values_list("name", flat=True))


def submit(call, *args, **kwargs):
    """Make the request, then run the job's step it queued on commit (eager Celery, as without REDIS_URL)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)


def preview(client, upload):
    """Upload a file: the request returns at once to the import's page, which shows the preview once it is done."""
    response = submit(client.post, IMPORT, {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def latest_job() -> str:
    return JOB.format(Job.objects.filter(kind="inventory.import").latest("pk").pk)


def confirm(client):
    """Confirm the latest import; its page then says what the import did."""
    location = latest_job()
    submit(client.post, location)
    return client.get(location)


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_import_page_is_for_the_stat_team_and_department_contacts(persona, as_persona):
    response = client_for(persona, as_persona).get(IMPORT)
    if persona == "anonymous":
        assert_login_redirect(response, IMPORT)
    else:
        assert response.status_code == (200 if persona in IMPORTERS else 403)


@pytest.mark.parametrize("persona", REFUSED)
def test_a_refused_upload_and_confirm_write_nothing(persona, as_persona, city):
    client = client_for(persona, as_persona)
    before = state()
    upload = client.post(IMPORT, {"file": csv_file([good_row()])})
    preview(as_persona("stat_analyst"), csv_file([good_row()]))  # someone else's
    before = state()
    confirmed = submit(client.post, latest_job())
    if persona == "anonymous":
        assert_login_redirect(upload, IMPORT)
        assert_login_redirect(confirmed, latest_job())
    else:
        assert upload.status_code == confirmed.status_code == 403
    assert state() == before


def test_wrong_methods(as_persona):
    client = as_persona("stat_analyst")
    assert client.put(IMPORT).status_code == 405
    preview(client, csv_file([good_row()]))
    assert client.delete(latest_job()).status_code == 405
    assert client.post("/inventory/export.csv").status_code == 405


# --- preview then confirm ------------------------------------------------------------------------------------------


def test_preview_lists_every_row_and_writes_nothing(as_persona, city, users):
    existing = DatasetFactory(identifier="pd-arrests", title="Arrests", department=city["police"])
    client = as_persona("stat_analyst")
    before = state()
    rows = [
        good_row("Calls for service"),
        good_row(
            "Arrests",
            identifier="pd-arrests",
            description="Every arrest, changed.",
            rights="Holds personal information about residents.",
        ),
        good_row("Nowhere", code="ZZ"),
        good_row("Secret", rights=""),
        good_row("Odd", accrual_periodicity="every blue moon"),
        good_row("Twice", identifier="dup-1"),
        good_row("Twice again", identifier="dup-1"),
    ]
    response = preview(client, csv_file(rows))

    assert state() == before
    plan = response.context["plan"]
    actions = [(r["line"], r["action"]) for r in plan["rows"]]
    assert actions == [
        (2, "new"),
        (3, "changed"),
        (4, "invalid"),
        (5, "invalid"),
        (6, "invalid"),
        (7, "new"),
        (8, "invalid"),
    ]
    assert plan["rows"][1]["changes"] == ["description"]
    assert plan["rows"][1]["identifier"] == existing.identifier
    text = text_of(response)
    assert "No department has the code “ZZ”" in text
    assert "needs a rights statement" in text
    assert "“every blue moon” is not an update frequency" in text
    assert "The identifier dup-1 is also on line 7" in text
    assert "4 invalid rows" in text
    assert "will be skipped" in text
    assert "Import 3 datasets" in text


def test_confirm_writes_the_valid_rows_and_skips_the_invalid(as_persona, city):
    DatasetFactory(identifier="pd-arrests", title="Arrests", department=city["police"])
    client = as_persona("stat_analyst")
    rows = [
        good_row("Calls for service"),
        good_row("Arrests", identifier="pd-arrests", description="Every arrest, changed."),
        good_row("Nowhere", code="ZZ"),
    ]
    preview(client, csv_file(rows))

    response = confirm(client)

    assert response.status_code == 200
    assert "1 dataset added, 1 updated, 0 already up to date, 1 row skipped" in text_of(response)
    calls = Dataset.objects.get(title="Calls for service")
    assert calls.department == city["police"]
    assert calls.accrual_periodicity == Frequency.MONTHLY
    assert calls.identifier.startswith("pd-calls-for-service-")
    assert Dataset.objects.get(identifier="pd-arrests").description == "Every arrest, changed."
    assert not Dataset.objects.filter(title="Nowhere").exists()
    assert calls.history.first().history_user.username == "analyst@example.gov"
    # The preview is used up: confirming again writes nothing more.
    before = state()
    again = confirm(client)
    assert "no longer kept" in text_of(again)
    assert state() == before


def test_confirming_an_import_that_is_not_there_writes_nothing(as_persona, city):
    client = as_persona("stat_analyst")
    preview(client, csv_file([good_row()]))
    before = state()
    assert submit(client.post, JOB.format(999)).status_code == 404
    assert state() == before


def test_confirm_rechecks_rows_against_the_database(as_persona, city):
    """A row that was valid at preview time but clashes by confirm time is skipped, not half-written."""
    client = as_persona("police_contact")
    preview(client, csv_file([good_row("Stops", identifier="pd-stops"), good_row("Use of force")]))
    # Meanwhile someone gives a Parks dataset that identifier: the contact may not change it.
    DatasetFactory(identifier="pd-stops", title="Parks stops", department=city["parks"])

    response = confirm(client)

    assert "You may not change pd-stops" in text_of(response)
    stops = Dataset.objects.get(identifier="pd-stops")
    assert (stops.title, stops.department) == ("Parks stops", city["parks"])
    assert Dataset.objects.filter(title="Use of force").exists()


def test_a_row_that_fails_while_writing_is_skipped_whole(users, city, monkeypatch):
    from django.core.exceptions import ValidationError

    real = tabular.dataset_create

    def flaky(**fields):
        dataset = real(**fields)
        if dataset.title == "Broken":
            raise ValidationError("The database said no.")
        return dataset

    monkeypatch.setattr(tabular, "dataset_create", flaky)
    rows = [good_row("Fine"), good_row("Broken")]
    columns, parsed = tabular.read_table(csv_file(rows))
    result = tabular.datasets_import(columns=columns, rows=parsed, by=users["stat_analyst"])
    assert [d.title for d in result.created] == ["Fine"]
    assert [r.title for r in result.skipped] == ["Broken"]
    assert "The database said no." in result.skipped[0].errors
    assert not Dataset.objects.filter(title="Broken").exists()


def test_every_kind_of_bad_value_is_explained(as_persona, city, users):
    header = [
        "identifier",
        "title",
        "description",
        "department",
        "contact_email",
        "access_level",
        "rights",
        "landing_page",
        "issued",
        "published",
        "status",
        "accrual_periodicity",
    ]
    base = {
        "identifier": "",
        "title": "T",
        "description": "D",
        "department": "PD",
        "contact_email": "",
        "access_level": "public",
        "rights": "",
        "landing_page": "",
        "issued": "",
        "published": "no",
        "status": "",
        "accrual_periodicity": "R/P1D",
    }
    cases = {
        "contact_email": ("parks@example.gov", "is not a current department contact of Police"),
        "landing_page": ("javascript:alert(1)", "is not a web address"),
        "issued": ("31/12/2024", "is not a date written YYYY-MM-DD"),
        "published": ("perhaps", "must be yes or no"),
        "status": ("lost", "is not a status"),
        "access_level": ("secret", "is not an access level"),
    }
    rows = [[{**base, name: value}[c] for c in header] for name, (value, _) in cases.items()]
    rows.append([{**base, "contact_email": "stranger@example.org"}[c] for c in header])
    response = preview(as_persona("stat_lead"), csv_file(rows, header))
    text = text_of(response)
    for _, message in cases.values():
        assert message in text
    assert "Nobody in the team has the email address stranger@example.org" in text
    assert response.context["plan"]["counts"]["invalid"] == len(rows)


def test_values_by_label_and_tags(as_persona, city, users):
    header = [*HEADER, "keywords", "themes", "initiatives", "contact_email", "grant_reporting", "status", "issued"]
    row = good_row("Crashes", accrual_periodicity="Quarterly", access_level="Public", rights="") + [
        "crashes; Vision Zero ;crashes",
        "Transportation",
        "Vision Zero",
        "PDATA@example.gov",
        "yes",
        "Quality-checked",
        "2024-02-01",
    ]
    client = as_persona("stat_analyst")
    preview(client, csv_file([row], header))
    confirm(client)

    crashes = Dataset.objects.get(title="Crashes")
    assert crashes.accrual_periodicity == Frequency.QUARTERLY
    assert crashes.access_level == AccessLevel.PUBLIC
    assert crashes.status == Status.QUALITY_CHECKED
    assert crashes.grant_reporting is True
    assert crashes.contact == users["police_contact"].person
    assert crashes.issued.isoformat() == "2024-02-01"
    assert sorted((k.name for k in crashes.keywords.all()), key=str.lower) == ["crashes", "Vision Zero"]
    assert [t.name for t in crashes.themes.all()] == ["Transportation"]
    assert [i.name for i in crashes.initiatives.all()] == ["Vision Zero"]
    assert Initiative.objects.filter(slug="vision-zero").exists()


def test_a_csv_with_semicolons_between_columns(city):
    content = b'title;description;department;keywords\nCrashes;All, of them.;PD;"a; b"\n'
    columns, rows = tabular.read_table(SimpleUploadedFile("x.csv", content))
    assert columns == ["title", "description", "department", "keywords"]
    assert rows == [{"title": "Crashes", "description": "All, of them.", "department": "PD", "keywords": "a; b"}]


@pytest.mark.parametrize("persona", ["stat_analyst", "police_contact"])
def test_planning_costs_the_same_queries_for_ten_rows_or_two_hundred(
    persona, users, city, django_assert_max_num_queries
):
    for n in range(100):
        DatasetFactory(identifier=f"pd-{n}", title=f"Old {n}", department=city["police"], keywords=["k"])
    header = [*HEADER, "contact_email", "keywords"]
    rows = [good_row(f"Old {n}", identifier=f"pd-{n}") + ["pdata@example.gov", "k"] for n in range(100)]
    rows += [good_row(f"New {n}", code="PD" if n % 2 else "FD") + ["", "k"] for n in range(100)]
    columns, parsed = tabular.read_table(csv_file(rows, header))
    with django_assert_max_num_queries(10):
        plan = tabular.import_plan(columns=columns, rows=parsed, by=users[persona])
    assert plan.count("changed") == 100  # each gets a steward
    assert plan.count("new") == (100 if persona == "stat_analyst" else 50)


def test_xlsx_imports_like_csv(as_persona, city):
    client = as_persona("stat_analyst")
    preview(client, xlsx_file([good_row("Overtime", accrual_periodicity="R/P1W")]))
    confirm(client)
    assert Dataset.objects.get(title="Overtime").accrual_periodicity == Frequency.WEEKLY


# --- a department contact imports only their own department ---------------------------------------------------------


def test_a_department_contact_imports_only_their_own_department(as_persona, city):
    DatasetFactory(identifier="fd-inspections", title="Inspections", department=city["fire"])
    client = as_persona("police_contact")
    rows = [
        good_row("Our calls"),
        good_row("Their calls", code="FD"),
        good_row("Inspections", code="FD", identifier="fd-inspections", description="Hijacked"),
        good_row("Inspections", code="PD", identifier="fd-inspections", description="Moved"),
    ]
    response = preview(client, csv_file(rows))
    text = text_of(response)
    assert [r["action"] for r in response.context["plan"]["rows"]] == ["new", "invalid", "invalid", "invalid"]
    assert "You may not add datasets to Fire" in text
    assert "You may not change fd-inspections" in text
    assert "only your own department" in text_of(client.get(IMPORT))

    confirm(client)
    assert Dataset.objects.filter(title="Our calls", department=city["police"]).exists()
    assert not Dataset.objects.filter(title="Their calls").exists()
    assert Dataset.objects.get(identifier="fd-inspections").department == city["fire"]


# --- broken files -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.csv", b""), "The submitted file is empty."),
        (SimpleUploadedFile("x.csv", b"   \n"), "The file is empty."),
        (SimpleUploadedFile("x.csv", "title,département\nA,PD\n".encode("latin-1")), "not UTF-8"),
        (SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "not a CSV or XLSX"),
        (SimpleUploadedFile("x.xlsx", b"PK\x03\x04not really a zip"), "not a valid XLSX"),
        (SimpleUploadedFile("x.xlsx", b"title,department\n"), "not a valid XLSX"),
        (SimpleUploadedFile("x.csv", b"name,code\nA,PD\n"), "The file has no 'title' or 'department' column"),
        (SimpleUploadedFile("x.csv", b"title,department\n\n"), "no datasets under it"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(as_persona, city, upload, message):
    client = as_persona("stat_analyst")
    before = state()
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert message in text_of(response)
    assert response.context["form"].errors
    assert not Job.objects.exists()
    assert state() == before


def test_too_big_a_file_is_refused(as_persona, city, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_UPLOAD_BYTES", 100)
    response = as_persona("stat_analyst").post(IMPORT, {"file": csv_file([good_row()] * 5)})
    assert "larger than" in text_of(response)
    assert not Dataset.objects.exists()


# --- export ---------------------------------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_export_is_for_everyone_with_a_role_and_shows_what_they_may_read(persona, as_persona, city, fmt):
    DatasetFactory(identifier="pd-secret", title="Secret", department=city["police"])
    DatasetFactory(identifier="prd-secret", title="Parks secret", department=city["parks"])
    path = f"/inventory/export.{fmt}"
    response = client_for(persona, as_persona).get(path)
    if persona == "anonymous":
        assert_login_redirect(response, path)
        return
    if persona == "no_role":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="datasets-')
    if fmt == "csv":
        identifiers = {row["identifier"] for row in read_csv(response)}
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        identifiers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = {"pd-secret"} if persona in ("police_lead", "budget_analyst") else {"pd-secret", "prd-secret"}
    assert identifiers == expected


def test_export_filters_by_department_and_status(as_persona, city):
    DatasetFactory(identifier="a", department=city["police"], status=Status.PUBLISHED)
    DatasetFactory(identifier="b", department=city["police"], status=Status.IDENTIFIED)
    DatasetFactory(identifier="c", department=city["parks"], status=Status.PUBLISHED)
    client = as_persona("stat_analyst")
    rows = read_csv(client.get("/inventory/export.csv?department=police&status=published"))
    assert [r["identifier"] for r in rows] == ["a"]
    rows = read_csv(client.get("/inventory/export.csv?department=PRD"))
    assert [r["identifier"] for r in rows] == ["c"]


EVIL = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def evil_datasets(city):
    for n, text in enumerate(EVIL):
        DatasetFactory(identifier=f"evil-{n}", title=text, description=text, department=city["police"])


def test_csv_export_is_safe_against_formula_injection(as_persona, city):
    evil_datasets(city)
    rows = read_csv(as_persona("stat_analyst").get("/inventory/export.csv"))
    titles = sorted(r["title"] for r in rows)
    assert titles == sorted(f"'{t}" for t in EVIL)
    for row in rows:
        for value in row.values():
            assert not value.startswith(tabular.FORMULA_STARTS)


def test_xlsx_export_writes_text_cells_never_formulas(as_persona, city):
    evil_datasets(city)
    content = as_persona("stat_analyst").get("/inventory/export.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert {c.data_type for c in cells if c.value} == {"s"}  # text; empty cells are empty inline strings
    assert "f" not in {c.data_type for c in cells}
    # (XML stores a carriage return as a line feed.)
    assert sorted(c.value for c in sheet["B"][1:]) == sorted(t.replace("\r", "\n") for t in EVIL)
    # And no formula made it into the file's XML.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_round_trips_unchanged(as_persona, city, users, fmt):
    from inventory.services.datasets import initiative_get_or_create

    dataset_create(
        by=None,
        title="Calls for service",
        description='=Every call, with "quotes", commas, and a\nnewline.',
        department=city["police"],
        contact=users["police_contact"].person,
        access_level=AccessLevel.PUBLIC,
        license="https://creativecommons.org/publicdomain/zero/1.0/",
        accrual_periodicity=Frequency.DAILY,
        temporal="2015-01-01/2026-10-31",
        spatial="City of Riverton",
        landing_page="https://data.riverton.example.gov/calls",
        published=True,
        status=Status.PUBLISHED,
        critical_to_decisions=True,
        keywords=["911", "calls"],
        themes=["Public Safety"],
        initiatives=[initiative_get_or_create(by=None, name="CompStat")],
    )
    DatasetFactory(identifier="pd-evil", title="-minus", department=city["parks"], sensitive=True)
    client = as_persona("stat_analyst")
    exported = client.get(f"/inventory/export.{fmt}")
    before = state()

    response = preview(client, SimpleUploadedFile(f"export.{fmt}", exported.content))

    assert [r["action"] for r in response.context["plan"]["rows"]] == ["unchanged", "unchanged"]
    confirm(client)
    assert state() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_costs_a_fixed_number_of_queries(as_persona, city, fmt, django_assert_max_num_queries):
    for n in range(40):
        DatasetFactory(identifier=f"pd-{n}", department=city["police"], keywords=["a", "b"], themes=["T"])
    client = as_persona("stat_analyst")
    with django_assert_max_num_queries(12):
        response = client.get(f"/inventory/export.{fmt}")
    assert response.status_code == 200


# --- out of the request -------------------------------------------------------------------------------------------


def test_an_import_runs_out_of_the_request_and_its_page_follows_it(as_persona, city):
    client = as_persona("stat_analyst")
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = client.post(IMPORT, {"file": csv_file([good_row("Calls"), good_row("Stops")])})
    assert response.status_code == 302 and len(queued) == 1  # checking the rows is a worker's job
    job = Job.objects.get()
    assert response["Location"] == JOB.format(job.pk) and job.state == "queued" and job.source == "datasets.csv"
    page = client.get(response["Location"])
    assert 'role="status" aria-live="polite"' in page.content.decode()
    assert "Waiting for a worker" in text_of(page) and "Checking the file" in text_of(page)

    queued[0]()
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    assert "Import 2 datasets" in text_of(client.get(response["Location"]))
    assert not Dataset.objects.exists()
    assert "2 datasets added" in text_of(confirm(client))
    assert Dataset.objects.count() == 2 and Job.objects.get().payload is None


def test_an_import_is_seen_by_its_author_and_the_stat_lead_only(as_persona, city):
    preview(as_persona("police_contact"), csv_file([good_row("Calls")]))
    location = latest_job()
    for persona in ("parks_contact", "stat_analyst"):
        assert as_persona(persona).get(location).status_code == 404
    lead = as_persona("stat_lead")
    seen = lead.get(location)
    assert seen.status_code == 200 and "Only the person who uploaded this file confirms" in text_of(seen)
    assert submit(lead.post, location).status_code == 403
    assert not Dataset.objects.exists()
