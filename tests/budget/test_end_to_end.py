"""Issue 13's "done when", through the web as the people who do it: a budget analyst imports a finance export, sees
their portfolio's five years, links a program to a KPI, and the department's next Stat memo shows the cost per
outcome beside that KPI."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from budget.models import BudgetLine, MonthlyActual, Program
from sessions.services import memo_draft, series_create
from tests.sessions.memo_data import first_session, make_kpis

from .data_support import HEADER, MAPPING, csv_bytes, upload

pytestmark = pytest.mark.django_db

#: Patrol's five fiscal years (adopted, actual), a hiring freeze in FY2025, and December 2026's spending (FY2027).
HISTORY = [
    ("2023", "1,000,000.00", "990,000.00"),
    ("2024", "1,050,000.00", "1,040,000.00"),
    ("2025", "840,000.00", "835,000.00"),
    ("2026", "900,000.00", "910,000.00"),
    ("2027", "960,000.00", ""),
]


def finance_export() -> bytes:
    rows = [["FY" + year, "100", "General Fund", "PD", "PATROL", "Patrol", "Personnel", adopted, "", actual, "", "", ""]
            for year, adopted, actual in HISTORY]  # fmt: skip
    # KPI 0's December 2026 value is 103 (tests.sessions.memo_data): 515.00 spent that month is $5.00 a unit.
    rows.append(
        ["FY2027", "100", "General Fund", "PD", "PATROL", "Patrol", "Personnel", "", "", "", "", "2026-12", "515.00"]
    )
    # Fire is in the analyst's portfolio too; Parks is not (its row is refused, the rest imported).
    rows.append(["FY2027", "100", "General Fund", "FD", "SUPP", "Suppression", "Capital", "50,000", "", "", "", "", ""])
    rows.append(["FY2027", "100", "General Fund", "PRD", "POOLS", "Pools", "Operating", "75,000", "", "", "", "", ""])
    return csv_bytes(rows, header=HEADER)


def test_a_budget_analyst_imports_links_a_kpi_and_the_next_memo_shows_cost_per_outcome(as_persona, city, users):
    (kpi,) = make_kpis(city, users, count=1)
    analyst = as_persona("budget_analyst")

    # 1. The import: upload, map the columns, see the dry run, confirm.
    mapping_page = analyst.post("/budget/import/", {"file": upload(finance_export()), "new_source": "Munis"})
    assert mapping_page.status_code == 200
    preview = analyst.post("/budget/import/map/", {**MAPPING, "token": mapping_page.context["form"]["token"].value()})
    assert preview.status_code == 200
    assert preview.context["plan"].counts == {"new": 7, "changed": 0, "unchanged": 0, "invalid": 1}
    assert "Parks &amp; Recreation: not your portfolio" in preview.content.decode().replace("’", "'")
    done = analyst.post("/budget/import/confirm/", {"token": preview.context["token"]})
    assert done.status_code == 200
    assert BudgetLine.objects.count() == 6 and MonthlyActual.objects.get().amount == 515
    assert not Program.objects.filter(code="POOLS").exists()

    # 2. The portfolio's five years: Patrol's cut in the hiring-freeze year and the increases around it.
    portfolio = analyst.get(reverse("budget:portfolio"))
    assert portfolio.status_code == 200
    page = portfolio.content.decode()
    for year in ("FY2023", "FY2024", "FY2025", "FY2026", "FY2027"):
        assert year in page
    assert "Police" in page and "Fire" in page and "Parks" not in page
    assert "$840,000" in page and "−$210,000" in page.replace("-$210,000", "−$210,000")

    # 3. The program linked to the KPI on the program's page.
    patrol = Program.objects.get(code="PATROL")
    linked = analyst.post(reverse("budget:program_link", args=[patrol.pk]), {"measure": kpi.pk})
    assert linked.status_code == 302
    assert list(patrol.measure_links.values_list("measure_id", flat=True)) == [kpi.pk]

    # 4. Police's next Stat session: the memo drafted from the data shows the cost per outcome beside the KPI.
    series = series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(10, 0),
        duration_minutes=90,
        place="City Hall, room 215",
        by=users["stat_lead"],
    )
    session = first_session(series)
    memo_draft(session, by=users["stat_analyst"])
    memo = as_persona("stat_lead").get(reverse("stat_sessions:memo", kwargs={"pk": session.pk})).content.decode()
    kpi_at = memo.index(kpi.name)
    cost_at = memo.index("Budget context: cost per unit", kpi_at)
    assert memo.index("$5.00", cost_at) > cost_at
    assert "Patrol" in memo[cost_at:]
