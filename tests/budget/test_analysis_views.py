"""The analysis pages through the web, per role: the list, one analysis, the form with its years (add a year without
script), deletion; and the panel on a budget request's action item page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import Analysis

pytestmark = pytest.mark.django_db

READERS = ["principal", "stat_lead", "stat_analyst", "police_lead", "budget_analyst", "finance"]
WRITERS = ["stat_lead", "budget_analyst"]
READ_ONLY = ["principal", "stat_analyst", "police_lead", "finance"]
OUTSIDERS = ["police_contact", "parks_contact", "data_expert"]


def _post_data(title="Patrol cars", *, years=(("1000", "0"), ("0", "600"), ("0", "600")), **extra):
    data = {
        "title": title,
        "assumptions": "Two cars at list price.",
        "discount_rate_percent": "10",
        "years-TOTAL_FORMS": str(len(years)),
        "years-INITIAL_FORMS": "0",
        "years-MIN_NUM_FORMS": "0",
        "years-MAX_NUM_FORMS": "51",
    }
    for index, (cost, benefit) in enumerate(years):
        data[f"years-{index}-cost"] = cost
        data[f"years-{index}-benefit"] = benefit
    data.update(extra)
    return data


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_the_list_and_the_page(client_as, make_analysis, persona):
    analysis = make_analysis()
    response = client_as(persona).get(reverse("budget:analyses"))
    assert response.status_code == 200
    assert "Patrol cars" in response.content.decode()
    page = client_as(persona).get(reverse("budget:analysis", args=[analysis.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "$41.32" in text and "$1,041.32" in text and "1.0413" in text and "4.13%" in text
    assert "in year 2" in text
    assert ("Edit the analysis" in text) == (persona in WRITERS)


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_for_an_analysis_and_403_for_the_list(client_as, make_analysis, persona):
    analysis = make_analysis()
    assert client_as(persona).get(reverse("budget:analysis", args=[analysis.pk])).status_code == 404
    assert client_as(persona).get(reverse("budget:analysis_edit", args=[analysis.pk])).status_code == 404
    assert client_as(persona).get(reverse("budget:analyses")).status_code == 403


def test_a_budget_analyst_does_not_see_another_portfolio(client_as, programs, make_analysis):
    parks = make_analysis("Playgrounds", program=programs["parks"])
    client = client_as("budget_analyst")
    assert client.get(reverse("budget:analysis", args=[parks.pk])).status_code == 404
    assert "Playgrounds" not in client.get(reverse("budget:analyses")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client_as, make_analysis):
    analysis = make_analysis()
    for url in (reverse("budget:analyses"), reverse("budget:analysis", args=[analysis.pk])):
        assert client_as("anonymous").get(url).status_code == 302


@pytest.mark.parametrize("persona", WRITERS)
def test_writers_create_edit_and_delete(client_as, programs, persona):
    client = client_as(persona)
    assert client.get(reverse("budget:analysis_create") + f"?program={programs['patrol'].pk}").status_code == 200
    response = client.post(reverse("budget:analysis_create"), _post_data(program=programs["patrol"].pk))
    analysis = Analysis.objects.get()
    assert response.status_code == 302 and response.url == reverse("budget:analysis", args=[analysis.pk])
    assert analysis.discount_rate == Decimal("0.1")
    assert analysis.years.count() == 3

    edit = reverse("budget:analysis_edit", args=[analysis.pk])
    form_page = client.get(edit)
    assert form_page.status_code == 200
    assert 'value="10"' in form_page.content.decode()  # the rate as a percentage, not 1E+1
    data = _post_data("Patrol cars, hybrid", years=(("1000", "0"), ("0", "600"), ("0", "600")))
    data["years-1-DELETE"] = "on"
    assert client.post(edit, data).status_code == 302
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars, hybrid"
    assert list(analysis.years.values_list("year", "benefit")) == [(0, Decimal("0.00")), (1, Decimal("600.00"))]

    assert client.post(reverse("budget:analysis_delete", args=[analysis.pk])).status_code == 302
    assert not Analysis.objects.exists()


def test_add_a_year_without_script(client_as, programs):
    client = client_as("budget_analyst")
    data = _post_data(program=programs["patrol"].pk, add_year="1")
    response = client.post(reverse("budget:analysis_create"), data)
    assert response.status_code == 200
    assert 'name="years-3-cost"' in response.content.decode()
    assert not Analysis.objects.exists()
    # The new row left blank is not a year.
    data = _post_data(program=programs["patrol"].pk)
    data["years-TOTAL_FORMS"] = "4"
    assert client.post(reverse("budget:analysis_create"), data).status_code == 302
    assert Analysis.objects.get().years.count() == 3


def test_invalid_input_is_shown_and_saves_nothing(client_as, programs):
    client = client_as("budget_analyst")
    response = client.post(
        reverse("budget:analysis_create"), _post_data(program=programs["patrol"].pk, years=(("-5", "0"),))
    )
    assert response.status_code == 400
    assert "<title>Error:" in response.content.decode()
    response = client.post(reverse("budget:analysis_create"), _post_data())  # neither a program nor a request
    assert response.status_code == 400
    assert not Analysis.objects.exists()


def test_a_budget_analyst_cannot_choose_another_portfolios_program(client_as, programs):
    response = client_as("budget_analyst").post(
        reverse("budget:analysis_create"), _post_data(program=programs["parks"].pk)
    )
    assert response.status_code == 400
    assert not Analysis.objects.exists()


@pytest.mark.parametrize("persona", READ_ONLY)
def test_read_only_get_403_and_nothing_changes(client_as, programs, make_analysis, persona):
    analysis = make_analysis()
    client = client_as(persona)
    assert client.get(reverse("budget:analysis_create")).status_code == 403
    assert client.post(reverse("budget:analysis_create"), _post_data(program=programs["patrol"].pk)).status_code == 403
    assert client.get(reverse("budget:analysis_edit", args=[analysis.pk])).status_code == 403
    assert client.post(reverse("budget:analysis_edit", args=[analysis.pk]), _post_data("Changed")).status_code == 403
    assert client.post(reverse("budget:analysis_delete", args=[analysis.pk])).status_code == 403
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars" and Analysis.objects.count() == 1


def test_wrong_methods_get_405(client_as, make_analysis):
    analysis = make_analysis()
    client = client_as("stat_lead")
    assert client.post(reverse("budget:analyses")).status_code == 405
    assert client.post(reverse("budget:analysis", args=[analysis.pk])).status_code == 405
    assert client.get(reverse("budget:analysis_delete", args=[analysis.pk])).status_code == 405
    assert client.put(reverse("budget:analysis_edit", args=[analysis.pk])).status_code == 405
    assert Analysis.objects.filter(pk=analysis.pk).exists()


def test_zero_costs_show_the_ratio_as_undefined(client_as, make_analysis):
    analysis = make_analysis("Volunteers", years=[(Decimal("0"), Decimal("100"))])
    text = client_as("stat_lead").get(reverse("budget:analysis", args=[analysis.pk])).content.decode()
    assert "undefined" in text and "inf" not in text.lower().replace("info", "")


def test_the_budget_request_page_shows_its_analyses(client_as, budget_request, make_analysis, record):
    make_analysis("Two dispatchers", action_item=budget_request)
    item_url = reverse("stat_sessions:action_item", args=[budget_request.pk])
    text = client_as("budget_analyst").get(item_url).content.decode()
    assert "Cost-benefit analyses" in text and "Two dispatchers" in text
    assert f"?action_item={budget_request.pk}" in text  # may add one
    text = client_as("principal").get(item_url).content.decode()
    assert "Two dispatchers" in text and f"?action_item={budget_request.pk}" not in text
    # Not a budget request: no panel.
    other = record("Report on overtime")
    assert (
        "Cost-benefit analyses"
        not in client_as("stat_lead").get(reverse("stat_sessions:action_item", args=[other.pk])).content.decode()
    )


def test_a_request_preselected_in_the_form(client_as, budget_request):
    client = client_as("budget_analyst")
    page = client.get(reverse("budget:analysis_create") + f"?action_item={budget_request.pk}").content.decode()
    assert f'value="{budget_request.pk}" selected' in page
    assert client.post(reverse("budget:analysis_create"), _post_data(action_item=budget_request.pk)).status_code == 302
    assert Analysis.objects.get().action_item == budget_request


def test_the_list_reads_a_fixed_number_of_queries(client_as, programs, make_analysis, django_assert_max_num_queries):
    client = client_as("budget_analyst")
    make_analysis("First")
    client.get(reverse("budget:analyses"))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("budget:analyses"))
    for n in range(15):
        make_analysis(f"Analysis {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("budget:analyses"))
    assert response.content.decode().count("/budget/analyses/") >= 16
