"""The home page each role meets after signing in (/dashboard/): what each role's section shows, a section for each
role someone holds, no link its reader cannot open, and a cost in queries that does not grow with the data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from goals.models import Narrative, Observation
from goals.services import narrative_save
from quality.models import Outcome
from sessions.models import ActionItem
from team.models import Role
from tests.conftest import PERSONAS
from tests.factories import RoleAssignmentFactory, UserFactory, person_with_login
from tests.goals.factories import GoalFactory, MeasureFactory
from tests.inventory.factories import DatasetFactory
from tests.pages import parse, section
from tests.quality.factories import judged

from .city_data import build_city
from .crawler import links_of

pytestmark = pytest.mark.django_db

SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]


@pytest.fixture
def built(city, users):
    return build_city(city, users)


@pytest.fixture
def seat(city):
    return person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov", full_name="Cy Staff")


def home_of(client: Client):
    response = client.get(reverse("site:dashboard"))
    assert response.status_code == 200
    return parse(response)


def month(day: datetime.date) -> str:
    return f"{day:%B %Y}"


def links(node) -> dict[str, str]:
    """The links of a part of the page: text → href."""
    return {a.text: a.attrs["href"] for a in node.find_all("a")}


def row_texts(node) -> list[str]:
    return [row.text for row in node.find("tbody").find_all("tr")]


# --- the principal -------------------------------------------------------------------------------------------------


def test_the_principal_sees_the_citys_kpis_at_a_glance(as_persona, built):
    page = home_of(as_persona("principal"))
    glance = section(page, "The city’s KPIs at a glance")
    assert "2 of the city’s 4 key performance indicators are on track, and 3 rest on data that failed" in glance.text
    cards = [card.text for card in glance.find("ul", aria_label="The city’s KPIs by status").find_all("li")]
    assert cards == ["2 On track", "1 Approaching", "1 Off track", "0 No data", "3 on suspect data"]
    assert glance.find("a", href=reverse("goals:dashboard_city")) is not None

    changed = section(page, "What changed since the last period")
    # Pool visits fell below its target's band last period; Response time was off track both periods: no change.
    [row] = row_texts(changed)
    assert row.startswith("Pool visits") and "On track" in row and "Approaching" in row
    assert links(changed) == {"Pool visits": reverse("goals:measure", args=["prd-pool-visits"])}

    ask = section(page, "Departments to ask about")
    items = [item.text for item in ask.find("ul").find_all("li")]
    assert items == [
        "Police: 1 of 2 KPIs off track, 0 approaching, 2 on suspect data",
        "Parks & Recreation: 0 of 2 KPIs off track, 1 approaching, 1 on suspect data",
    ]
    assert links(ask)["Police"] == reverse("goals:dashboard_department", args=["police"])
    assert "Your work queue" not in page.text


def test_the_glance_shows_a_new_value_on_the_next_request(as_persona, built):
    client = as_persona("principal")
    home_of(client)  # cached
    this_month = built.today.replace(day=1)
    Observation.objects.create(measure=built.measures["response"], period=this_month, value=Decimal("7"))
    page = home_of(client)
    assert "3 of the city’s 4 key performance indicators are on track" in section(page, "The city’s KPIs").text
    changed = row_texts(section(page, "What changed since the last period"))
    assert any(row.startswith("Response time") and "Off track" in row and "On track" in row for row in changed)


# --- the Stat team -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["stat_lead", "stat_analyst"])
def test_the_stat_team_sees_its_work_queue(as_persona, built, persona):
    page = home_of(as_persona(persona))
    sources = section(page, "Datasets behind measures that fail or are out of date")
    assert [item.text for item in sources.find("ul").find_all("li")] == [
        "Incident reports (Police) failed its latest quality check; it feeds Response time.",
        "Overtime hours (Police) is out of date; it feeds Overtime hours per officer.",
        "Pool visits (Parks & Recreation) failed its latest quality check; it feeds Pool visits.",
    ]
    assert links(sources)["Incident reports"] == reverse("inventory:dataset", args=[built.datasets["incidents"].pk])
    assert links(sources)["Response time"] == reverse("goals:measure", args=["pd-response-time"])

    missing = section(page, "Measures without a value for the last period")
    [row] = row_texts(missing)
    assert row.startswith("Overtime hours per officer") and month(built.last_period) in row

    narratives = section(page, "Narratives not yet written")
    period = built.last_period.isoformat()
    assert links(narratives) == {
        f"Parks with staff, {month(built.last_period)}": f"/goals/measures/prd-staffed/narratives/{period}/",
        f"Pool visits, {month(built.last_period)}": f"/goals/measures/prd-pool-visits/narratives/{period}/",
    }
    assert section(page, "Staffing gaps") is not None and section(page, "Stat sessions: overdue") is not None
    assert ("Follow-up memos late" in page.text) == (persona == "stat_lead")
    assert "The city’s KPIs at a glance" not in page.text


def test_a_narrative_written_leaves_the_queue(as_persona, built, users):
    narrative_save(
        measure=built.measures["swims"],
        period=built.last_period,
        what_happened="A cold month.",
        by=users["stat_analyst"],
    )
    narratives = section(home_of(as_persona("stat_lead")), "Narratives not yet written")
    assert [a.text for a in narratives.find_all("a")] == [f"Parks with staff, {month(built.last_period)}"]


# --- a department lead ---------------------------------------------------------------------------------------------


def test_a_department_lead_sees_their_kpis_narratives_owed_and_open_items(as_persona, built):
    client = as_persona("police_lead")
    page = home_of(client)
    assert section(page, "Your department: Police") is not None
    kpis = row_texts(section(page, "Your KPIs"))
    assert [row.split(" ", 2)[:2] for row in kpis] == [["Response", "time"], ["Overtime", "hours"]]
    assert "Off track" in kpis[0] and "Data suspect" in kpis[0] and "10.5 minutes" in kpis[0]
    assert "Pool visits" not in page.text and "Parks with staff" not in page.text

    # The narrative of Response time's last period is written; Overtime has no value for it: nothing owed.
    assert "You owe no narrative" in section(page, "Narratives you owe").text
    Narrative.objects.filter(measure=built.measures["response"]).delete()
    owed = section(home_of(client), "Narratives you owe")
    url = f"/goals/measures/pd-response-time/narratives/{built.last_period.isoformat()}/"
    assert links(owed) == {f"Response time, {month(built.last_period)}": url}
    assert client.get(url).status_code == 200  # the lead writes it there

    items = row_texts(section(home_of(client), "Your open action items"))
    assert [row.split(" PoliceStat")[0] for row in items] == [
        "1. Explain the rise in response time",
        "2. Fix the incident data's blank names",
        "5. Lend two lifeguards to the harbour patrol",
    ]  # soonest due first; not the completed item, nor Parks' item
    overdue = built.items["overdue"]
    assert f"{overdue.due_date:%-d %b %Y}" in items[0] and "Incomplete (overdue)" in items[0]
    assert "Incomplete (not yet due)" in items[1]


# --- a department contact ------------------------------------------------------------------------------------------


def test_a_department_contact_sees_their_datasets_failing_first_and_the_next_session(as_persona, built):
    page = home_of(as_persona("police_contact"))
    datasets = section(page, "Your datasets, failing or stale first")
    assert "2 of your 3 datasets fail their checks or are out of date." in datasets.text
    rows = row_texts(datasets)
    assert [row.split(" ")[0] for row in rows] == ["Incident", "Overtime", "Traffic"]
    assert "Failing 35" in rows[0] and "Stale" in rows[1] and "Passing 98" in rows[2]

    due = section(page, "Due for the next Stat session")
    session = built.sessions["current"]
    assert links(due)["Read the briefing memo"] == reverse("stat_sessions:memo", args=[session.pk])
    assert reverse("stat_sessions:session", args=[session.pk]) in links(due).values()
    materials = timezone.localtime(session.starts_at) - datetime.timedelta(days=session.series.data_due_days)
    assert f"due by {materials:%A} {materials.day} {materials:%B}" in due.text
    assert "Department's data and materials received" in due.text  # their own step
    assert "Memo sent" not in due.text  # the Stat team's step


def test_a_contact_of_another_department_sees_their_own_and_the_items_they_own(as_persona, built):
    client = as_persona("parks_contact")
    page = home_of(client)
    assert [row.split(" ")[0] for row in row_texts(section(page, "Your datasets"))] == ["Pool", "Park"]
    due = section(page, "Due for the next Stat session")
    assert "No Stat session of your department is scheduled." in due.text
    assert "Read the briefing memo" not in due.text
    items = [row.split(" PoliceStat")[0] for row in row_texts(due)]
    assert items == ["4. Share the pool schedule", "5. Lend two lifeguards to the harbour patrol"]
    lent = reverse("stat_sessions:action_item", args=[built.items["lent"].pk])
    assert client.get(lent).status_code == 200  # Police's item, theirs as its owner


# --- a budget analyst ----------------------------------------------------------------------------------------------


def test_a_budget_analyst_sees_their_portfolio_against_actual_and_their_next_sessions(as_persona, built):
    page = home_of(as_persona("budget_analyst"))
    assert section(page, "Your portfolio: Public Safety") is not None
    actual = section(page, r"FY\d{4}: budget against actual")
    rows = row_texts(actual)
    assert [row.split(" ")[0] for row in rows] == ["Fire", "Police", "Total"]
    assert "$2,000.00" in rows[0] and "$1,800.00" in rows[1] and "$3,800.00" in rows[2]
    assert links(actual)["Police"] == reverse("budget:department", args=["police"])
    assert links(actual)["Open your portfolio’s budget"] == reverse("budget:portfolio")

    sessions = section(page, "Your next Stat sessions")
    listed = [item.text for item in sessions.find("ul").find_all("li")]
    assert [item.split(",")[0] for item in listed] == ["PoliceStat", "CitiStat", "PoliceStat"]
    # CitiStat (no department) is the Stat team's and the seats': named, not linked.
    assert set(links(sessions).values()) == {
        reverse("stat_sessions:session", args=[built.sessions["current"].pk]),
        reverse("stat_sessions:session", args=[built.sessions["ahead"].pk]),
    }


# --- a data expert, a seat at the table ----------------------------------------------------------------------------


def test_a_data_expert_sees_the_datasets_to_fix(as_persona, built):
    page = home_of(as_persona("data_expert"))
    found = section(page, "Datasets that need a data expert")
    assert [row.split(" Police")[0].split(" Parks")[0] for row in row_texts(found)] == [
        "Incident reports",
        "Pool visits",
        "Overtime hours",
    ]  # failing (the lower score first), then stale; not the passing nor the unchecked ones
    assert links(found)["Pool visits"] == reverse("inventory:dataset", args=[built.datasets["pools"].pk])
    assert "Your work queue" not in page.text and "Your department" not in page.text


def test_a_seat_at_the_table_sees_the_sessions_ahead_and_their_items(built, seat):
    client = Client()
    client.force_login(seat)
    ActionItem.objects.filter(pk=built.items["due"].pk).update(owner=seat.person)
    page = home_of(client)
    sessions = section(page, "The next Stat sessions")
    assert [a.text.split(",")[0] for a in sessions.find("ul").find_all("a")] == ["PoliceStat", "CitiStat", "PoliceStat"]
    items = row_texts(section(page, "Action items you own"))
    assert [row.split(" PoliceStat")[0] for row in items] == ["2. Fix the incident data's blank names"]


# --- several roles, every role -------------------------------------------------------------------------------------


def test_someone_with_several_roles_sees_a_section_for_each(built, city):
    user = person_with_login(Role.STAT_ANALYST, username="many@example.gov", full_name="Mo Roles")
    RoleAssignmentFactory(person=user.person, role=Role.DATA_EXPERT)
    RoleAssignmentFactory(person=user.person, role=Role.DEPARTMENT_CONTACT, department=city["parks"])
    client = Client()
    client.force_login(user)
    page = home_of(client)
    headings = [h2.text for h2 in page.find_all("h2")]
    assert headings[:3] == ["Your work queue", "Staffing gaps", "Stat sessions: overdue"]
    assert "Datasets that need a data expert" in headings
    assert "Your department’s data: Parks & Recreation" in headings
    assert "The city’s KPIs at a glance" not in headings and "Your portfolio: Public Safety" not in headings


def test_every_link_on_each_home_page_opens_for_its_reader(as_persona, built, seat):
    """The crawler (test_crawl.py) follows every page; this says it of the home page alone, role by role (one city
    for all of them)."""
    clients = {persona: as_persona(persona) for persona in SIGNED_IN}
    clients["seat"], clients["no_role"] = Client(), Client()
    clients["seat"].force_login(seat)
    clients["no_role"].force_login(UserFactory(username="nobody@example.gov"))
    refused = []
    for persona, client in clients.items():
        response = client.get(reverse("site:dashboard"))
        found = links_of(response.content.decode(), "/dashboard/")
        assert len(found) > 5, persona
        for link in found:
            if not link.startswith("/api/docs") and (status := client.get(link).status_code) != 200:
                refused.append(f"{persona}: {link} answered {status}")
    assert not refused, "\n".join(refused)


def _queries(client: Client) -> int:
    cache.clear()  # the city's glance and the portfolio's budget are cached: count what building them costs
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("site:dashboard")).status_code == 200
    return len(captured)


def test_the_busiest_home_page_costs_the_same_queries_with_more_data(built, city, users):
    """Someone holding every role sees every section: its cost in queries does not grow with the measures,
    datasets, action items and sessions there are."""
    user = person_with_login(Role.PRINCIPAL, username="all@example.gov", full_name="Al Roles")
    for role, where in [
        (Role.STAT_LEAD, {}),
        (Role.DEPARTMENT_LEAD, {"department": city["police"]}),
        (Role.DEPARTMENT_CONTACT, {"department": city["police"]}),
        (Role.BUDGET_ANALYST, {"portfolio": city["public_safety"]}),
        (Role.DATA_EXPERT, {}),
        (Role.CHIEF_OF_STAFF, {}),
    ]:
        RoleAssignmentFactory(person=user.person, role=role, **where)
    client = Client()
    client.force_login(user)
    before = _queries(client)
    page = home_of(client)
    headings = {h2.text for h2 in page.find_all("h2")}
    assert {
        "The city’s KPIs at a glance",
        "Your work queue",
        "Your department: Police",
        "Your department’s data: Police",
        "Your portfolio: Public Safety",
        "Datasets that need a data expert",
        "At the Stat table",
    } <= headings  # every role's section is there

    held = built.sessions["held"]
    for index in range(6):
        dataset = DatasetFactory(department=city["police"], title=f"More data {index}", identifier=f"more-{index}")
        judged(dataset, outcome=Outcome.FAIL, score=10 + index)
        goal = GoalFactory(statement=f"More goal {index}", departments=[city["police"]])
        measure = MeasureFactory(
            goal=goal, department=city["police"], slug=f"more-{index}", is_kpi=True, source_dataset=dataset
        )
        Observation.objects.create(measure=measure, period=built.last_period, value=Decimal(index))
        ActionItem.objects.create(
            session=held,
            number=10 + index,
            title=f"More item {index}",
            department=city["police"],
            owner=user.person,
            due_date=built.today,
        )
    after = _queries(client)
    assert after == before
