"""The budget pages through the web, per role: the city, the portfolio, a department's, the public budget."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budget.models import BudgetLine
from team.models import Role
from tests.factories import person_with_login

from .pages_data import make_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(city):
    return make_budget(city, timezone.localdate())


@pytest.fixture
def finance(city):
    return person_with_login(Role.FINANCE, username="finance@example.gov", full_name="Fin Ance")


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("persona", ["principal", "stat_lead", "stat_analyst"])
def test_the_stat_team_reads_the_city(client, users, budget, persona):
    response = get(client, users[persona], reverse("budget:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "The city’s budget" in text and "Police" in text and "Parks &amp; Recreation" in text
    assert "Budget against actual spending by fiscal year" in text
    assert 'href="/budget/"' in text  # the navigation's Budget item


def test_the_finance_seat_reads_the_city(client, finance, budget):
    assert get(client, finance, reverse("budget:city")).status_code == 200


def test_the_budget_analyst_sees_their_portfolio(client, users, budget):
    # The navigation's Budget link (/budget/) answers with the portfolio itself, as /budget/portfolio/ does.
    for url in (reverse("budget:index"), reverse("budget:portfolio")):
        response = get(client, users["budget_analyst"], url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Your portfolio’s budget" in text
        assert "Police" in text and "Fire" in text and "Parks" not in text.split("<main", 1)[-1]
    assert client.get(reverse("budget:city")).status_code == 403
    assert client.get(reverse("budget:department", args=["police"])).status_code == 200
    assert client.get(reverse("budget:department", args=["parks"])).status_code == 404


def test_the_department_lead_reads_their_department_only(client, users, budget):
    # The navigation's Budget link (/budget/) answers with their department's budget itself.
    for url in (reverse("budget:index"), reverse("budget:department", args=["police"])):
        response = get(client, users["police_lead"], url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "P1 Patrol" in page and "Investigations" in page and "Requests pending" in page
    assert client.get(reverse("budget:department", args=["fire"])).status_code == 404
    assert client.get(reverse("budget:portfolio")).status_code == 403  # reads a budget, has no portfolio
    assert client.get(reverse("budget:city")).status_code == 403


@pytest.mark.parametrize("name", ["budget:index", "budget:city", "budget:portfolio"])
def test_outsiders_get_404(client, users, budget, name):
    assert get(client, users["parks_contact"], reverse(name)).status_code == 404
    assert get(client, users["police_contact"], reverse("budget:department", args=["police"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, budget):
    assert client.get(reverse("budget:department", args=["police"])).status_code == 302


@pytest.mark.parametrize(
    "url", ["/budget/", "/budget/city/", "/budget/portfolio/", "/budget/departments/police/", "/public/budget/"]
)
def test_pages_refuse_posts_and_change_nothing(client, users, budget, url):
    before = list(BudgetLine.objects.order_by("pk").values_list("adopted", "amended", "actual", "requested"))
    persona = "budget_analyst" if url == "/budget/portfolio/" else "stat_lead"
    assert get(client, users[persona], url).status_code in (200, 302)
    assert client.post(url).status_code == 405
    assert list(BudgetLine.objects.order_by("pk").values_list("adopted", "amended", "actual", "requested")) == before


def test_the_public_page_shows_public_adopted_years_only(client, budget):
    response = client.get(reverse("budget:public"))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    text = response.content.decode()
    current = budget["current"]
    for year in (current - 4, current - 2, current - 1):
        assert f"FY{year}:" in text
    for year in (current - 3, current, current + 1):
        assert f"FY{year}:" not in text
    assert "$600.00" not in text  # the current year's amendment is not public
    assert 'href="/public/budget/"' in text  # the public navigation's Budget link


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_the_data(client, users, city, budget):
    client.force_login(users["stat_lead"])
    urls = ["/budget/", "/budget/departments/police/", "/public/budget/"]
    before = [_queries(client, url) for url in urls]
    # Twice as many programs and lines, with monthly actuals.
    from budget.models import Program

    for index in range(10):
        program = Program.objects.create(department=city["police"], code=f"X{index}", name=f"Extra {index}")
        for year in budget["years"].values():
            BudgetLine.objects.create(
                fiscal_year=year, fund=budget["fund"], program=program, category="capital", adopted=100
            )
    assert [_queries(client, url) for url in urls] == before


def test_the_portfolio_shows_cost_per_outcome(client, users, city, budget):
    from budget.costs import add_months
    from budget.models import MonthlyActual, ProgramMeasure
    from goals.models import Observation
    from tests.goals.factories import MeasureFactory

    last_month = add_months(timezone.localdate().replace(day=1), -1)
    kpi = MeasureFactory(department=city["police"], is_kpi=True, name="Arrests made", unit="arrests")
    Observation.objects.create(measure=kpi, period=last_month, value=8)
    ProgramMeasure.objects.create(program=budget["investigations"], measure=kpi)
    line = budget["lines"][("investigations", budget["current"])]
    MonthlyActual.objects.create(line=line, month=last_month, amount=200)
    page = get(client, users["budget_analyst"], reverse("budget:portfolio")).content.decode()
    assert "Cost per outcome" in page and "Arrests made" in page
    assert f"{last_month:%B %Y}: $25.00" in page
    city_page = get(client, users["stat_lead"], reverse("budget:city")).content.decode()
    assert "Cost per outcome" not in city_page
