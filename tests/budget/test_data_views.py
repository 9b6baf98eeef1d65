"""The budget data pages (bdata): the import's three steps through the web (mapping saved and reused, the portfolio
restriction), the fiscal years page, a program's page and its measure links, the exports; per role."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest

from budget.models import BudgetImport, BudgetLine, FiscalYear, ImportSource, ProgramMeasure
from budget.services.data import fiscal_year_create, fund_save, line_save, program_link_measure, program_save
from tests.goals.factories import MeasureFactory

from .data_support import HEADER, MAPPING, csv_bytes, upload

pytestmark = pytest.mark.django_db


def _upload(client, source="Munis", new=True, content=None):
    data = {"file": upload(content)}
    data["new_source" if new else "source"] = source
    return client.post("/budget/import/", data)


def _token(response) -> str:
    return response.context["form"]["token"].value() if "form" in response.context else response.context["token"]


def test_import_through_the_web_saves_and_reuses_the_mapping(as_persona):
    client = as_persona("stat_lead")
    response = _upload(client)
    assert response.status_code == 200
    assert response.context["form"]["fiscal_year"].value() == "FY"  # guessed from its name
    preview = client.post("/budget/import/map/", {**MAPPING, "token": _token(response)})
    assert preview.status_code == 200
    assert preview.context["plan"].counts == {"new": 5, "changed": 0, "unchanged": 0, "invalid": 1}
    assert b"Water Dept" in preview.content
    assert ImportSource.objects.get(name="Munis").mapping == MAPPING
    done = client.post("/budget/import/confirm/", {"token": preview.context["token"]})
    assert done.status_code == 200
    assert BudgetLine.objects.count() == 4  # and one monthly actual
    assert BudgetImport.objects.get().created == 5
    # The confirmation is taken once.
    assert client.post("/budget/import/confirm/", {"token": preview.context["token"]}).status_code == 302
    assert BudgetLine.objects.count() == 4  # and one monthly actual
    # Next time the saved mapping is offered, even for columns not named like ours.
    renamed = csv_bytes(header=[c if c != "Fund" else "Fund" for c in HEADER])
    again = _upload(client, new=False, content=renamed)
    assert {name: again.context["form"][name].value() for name in MAPPING} == MAPPING
    preview = client.post("/budget/import/map/", {**MAPPING, "token": _token(again)})
    assert preview.context["plan"].counts["unchanged"] == 5
    assert b"nothing to import" in preview.content


def test_mapping_missing_a_required_column(as_persona):
    client = as_persona("stat_lead")
    response = _upload(client)
    mapping = {**MAPPING, "department": ""}
    page = client.post("/budget/import/map/", {**mapping, "token": _token(response)})
    assert page.status_code == 400
    assert not ImportSource.objects.exists()


def test_budget_analyst_web_import_is_their_portfolio_only(as_persona, city):
    client = as_persona("budget_analyst")
    response = _upload(client)
    preview = client.post("/budget/import/map/", {**MAPPING, "token": _token(response)})
    assert "Parks &amp; Recreation: not your portfolio." in preview.content.decode()
    client.post("/budget/import/confirm/", {"token": preview.context["token"]})
    assert not BudgetLine.objects.filter(program__department=city["parks"]).exists()
    assert BudgetLine.objects.filter(program__department=city["police"]).count() == 2


def test_bad_file_refused_on_the_form(as_persona):
    response = as_persona("stat_lead").post(
        "/budget/import/", {"new_source": "X", "file": upload(b"<html><body>sign in</body></html>")}
    )
    assert response.status_code == 400
    assert b"web page" in response.content


ROLES = [("stat_lead", 200), ("budget_analyst", 200), ("stat_analyst", 403), ("police_lead", 403),
         ("parks_contact", 404), ("data_expert", 404)]  # fmt: skip


@pytest.mark.parametrize(("persona", "code"), ROLES)
def test_import_page_per_role(as_persona, persona, code):
    assert as_persona(persona).get("/budget/import/").status_code == code


def test_import_denied_changes_nothing(as_persona):
    response = as_persona("police_lead").post("/budget/import/", {"new_source": "X", "file": upload()})
    assert response.status_code == 403
    assert not ImportSource.objects.exists() and not BudgetLine.objects.exists()
    assert as_persona("anonymous").get("/budget/import/").status_code == 302
    assert as_persona("stat_lead").put("/budget/import/").status_code == 405
    assert as_persona("stat_lead").get("/budget/import/confirm/").status_code == 405


def test_fiscal_years_page(as_persona):
    lead = as_persona("budget_analyst")
    assert lead.post("/budget/fiscal-years/", {"year": "2027"}).status_code == 302
    year = FiscalYear.objects.get()
    assert (year.starts_on.isoformat(), year.ends_on.isoformat()) == ("2026-07-01", "2027-06-30")
    lead.post("/budget/fiscal-years/2027/", {"status": "adopted"})
    lead.post("/budget/fiscal-years/2027/", {"public": "1"})
    year.refresh_from_db()
    assert year.status == "adopted" and year.public and year.adopted_on is not None
    page = as_persona("police_lead").get("/budget/fiscal-years/")
    assert page.status_code == 200 and b"Adopt FY" not in page.content
    assert as_persona("police_lead").post("/budget/fiscal-years/2027/", {"status": "closed"}).status_code == 403
    assert as_persona("stat_analyst").post("/budget/fiscal-years/", {"year": "2028"}).status_code == 403
    assert as_persona("parks_contact").get("/budget/fiscal-years/").status_code == 404
    assert as_persona("stat_lead").delete("/budget/fiscal-years/").status_code == 405
    year.refresh_from_db()
    assert year.status == "adopted" and FiscalYear.objects.count() == 1


@pytest.fixture
def patrol(city):
    fy = fiscal_year_create(year=2027, by=None)
    fund = fund_save(code="100", name="General Fund", by=None)
    program = program_save(department=city["police"], code="PATROL", name="Patrol", by=None)
    line_save(fiscal_year=fy, fund=fund, program=program, category="personnel", adopted=Decimal("100"), by=None)
    return program


def test_program_page_and_links(as_persona, city, patrol):
    measure = MeasureFactory(department=city["police"], slug="response-time", name="Response time")
    client = as_persona("budget_analyst")
    page = client.get(f"/budget/programs/{patrol.pk}/")
    assert page.status_code == 200 and b"Link the measure" in page.content and b"100.00" in page.content
    assert client.post(f"/budget/programs/{patrol.pk}/measures/", {"measure": measure.pk}).status_code == 302
    assert ProgramMeasure.objects.get().measure == measure
    assert client.post(f"/budget/programs/{patrol.pk}/measures/{measure.pk}/unlink/").status_code == 302
    assert not ProgramMeasure.objects.exists()


def test_program_page_per_role(as_persona, city, patrol):
    measure = MeasureFactory(department=city["police"], slug="response-time")
    program_link_measure(program=patrol, measure=measure, by=None)
    page = as_persona("police_lead").get(f"/budget/programs/{patrol.pk}/")
    assert page.status_code == 200 and b"Link the measure" not in page.content
    unlink = f"/budget/programs/{patrol.pk}/measures/{measure.pk}/unlink/"
    assert as_persona("police_lead").post(unlink).status_code == 403
    assert as_persona("stat_analyst").post(unlink).status_code == 403
    assert as_persona("parks_contact").get(f"/budget/programs/{patrol.pk}/").status_code == 404
    assert as_persona("parks_contact").post(unlink).status_code == 404
    assert as_persona("budget_analyst").post(f"/budget/programs/{patrol.pk}/").status_code == 405
    assert ProgramMeasure.objects.count() == 1


def test_exports(as_persona, patrol):
    staff = as_persona("stat_analyst").get("/budget/export.csv")
    assert staff.status_code == 200
    header, row = staff.content.decode().splitlines()
    assert header.endswith("adopted,amended,actual,requested") and "PATROL" in row
    public = as_persona("anonymous").get("/budget/export.csv").content.decode().splitlines()
    assert public == [header.split(",amended")[0]]  # FY2027 is not public: no lines
    archive = zipfile.ZipFile(io.BytesIO(as_persona("stat_lead").get("/budget/fiscal-data-package.zip").content))
    assert sorted(archive.namelist()) == ["budget.csv", "datapackage.json"]
    package = json.loads(archive.read("datapackage.json"))
    columns = archive.read("budget.csv").decode().splitlines()[0].split(",")
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == columns
    model = package["model"]
    sources = [m["source"] for m in model["measures"].values()] + [
        a["source"] for d in model["dimensions"].values() for a in d["attributes"].values()
    ]
    assert set(sources) <= set(columns)
    assert model["measures"]["adopted"]["currency"] == "USD"
    assert as_persona("anonymous").post("/budget/export.csv").status_code == 405


def test_public_export_holds_adopted_amounts_of_public_years_only(as_persona, patrol):
    from budget.services.data import fiscal_year_set_public, fiscal_year_set_status

    year = FiscalYear.objects.get(year=2027)
    BudgetLine.objects.update(actual=Decimal("42"))
    fiscal_year_set_status(fiscal_year=year, status="adopted", by=None)
    fiscal_year_set_public(fiscal_year=year, public=True, by=None)
    rows = as_persona("anonymous").get("/budget/export.csv").content.decode().splitlines()
    assert rows[0].endswith(",category,adopted") and rows[1].endswith(",personnel,100.00") and "42" not in rows[1]
    staff_public = as_persona("stat_lead").get("/budget/export.csv?public=1").content.decode().splitlines()
    assert staff_public == rows
    archive = zipfile.ZipFile(io.BytesIO(as_persona("anonymous").get("/budget/fiscal-data-package.zip").content))
    package = json.loads(archive.read("datapackage.json"))
    assert list(package["model"]["measures"]) == ["adopted"]
