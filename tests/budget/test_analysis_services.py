"""The analyses' services: who may create, change and delete them, what they check, and that a refusal changes
nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.access import analyses_readable_by
from budget.analysis import compute_analysis
from budget.models import Analysis, AnalysisYear
from budget.services.analyses import analysis_create, analysis_delete, analysis_update
from team.access import actor_for

pytestmark = pytest.mark.django_db

YEARS = [(Decimal("1000"), Decimal("0")), (Decimal("0"), Decimal("600")), (Decimal("0"), Decimal("600"))]


@pytest.mark.parametrize("persona", ["budget_analyst", "stat_lead"])
def test_writers_create_change_and_delete(users, programs, persona):
    analysis = analysis_create(
        by=users[persona], program=programs["patrol"], title="Patrol cars", discount_rate="0.1", years=YEARS
    )
    assert list(analysis.years.values_list("year", "cost", "benefit")) == [
        (0, Decimal("1000.00"), Decimal("0.00")),
        (1, Decimal("0.00"), Decimal("600.00")),
        (2, Decimal("0.00"), Decimal("600.00")),
    ]
    assert compute_analysis(analysis).npv == Decimal("41.32")
    analysis_update(analysis, by=users[persona], title="Patrol cars, hybrid", years=YEARS[:2])
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars, hybrid"
    assert analysis.years.count() == 2
    analysis_delete(analysis, by=users[persona])
    assert not Analysis.objects.exists() and not AnalysisYear.objects.exists()


@pytest.mark.parametrize(
    "persona", ["principal", "stat_analyst", "police_lead", "police_contact", "parks_contact", "data_expert"]
)
def test_others_are_refused_and_nothing_changes(users, programs, make_analysis, persona):
    analysis = make_analysis()
    with pytest.raises(PermissionDenied):
        analysis_create(by=users[persona], program=programs["patrol"], title="X", discount_rate="0.1", years=YEARS)
    with pytest.raises(PermissionDenied):
        analysis_update(analysis, by=users[persona], title="Changed", years=YEARS[:1])
    with pytest.raises(PermissionDenied):
        analysis_delete(analysis, by=users[persona])
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars" and analysis.years.count() == 3
    assert Analysis.objects.count() == 1


def test_a_budget_analyst_is_refused_outside_their_portfolio(users, programs, make_analysis):
    parks = make_analysis("Playgrounds", program=programs["parks"])
    with pytest.raises(PermissionDenied):
        analysis_create(
            by=users["budget_analyst"], program=programs["parks"], title="X", discount_rate="0.1", years=YEARS
        )
    with pytest.raises(PermissionDenied):
        analysis_update(parks, by=users["budget_analyst"], title="Changed")
    assert not analyses_readable_by(actor_for(users["budget_analyst"])).filter(pk=parks.pk).exists()


def test_an_analysis_of_a_budget_request(users, budget_request):
    analysis = analysis_create(
        by=users["budget_analyst"],
        action_item=budget_request,
        title="Two dispatchers",
        discount_rate="0.03",
        years=YEARS,
    )
    assert analysis.program is None and analysis.action_item == budget_request
    readers = {name for name in users if analyses_readable_by(actor_for(users[name])).filter(pk=analysis.pk).exists()}
    assert readers == {"principal", "stat_lead", "stat_analyst", "police_lead", "budget_analyst"}


def test_only_budget_requests(users, record):
    memo_item = record("Write a memo on overtime")
    with pytest.raises(ValidationError) as error:
        analysis_create(by=users["stat_lead"], action_item=memo_item, title="X", discount_rate="0.1", years=YEARS)
    assert "action_item" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"discount_rate": "1.5"}, "discount_rate"),
        ({"discount_rate": "-0.6"}, "discount_rate"),
        ({"discount_rate": "abc"}, "discount_rate"),
        ({"discount_rate": 0.03}, "discount_rate"),
        ({"years": []}, "years"),
        ({"years": [(Decimal("-1"), Decimal("0"))]}, "years"),
        ({"years": [(Decimal("1.005"), Decimal("0"))]}, "years"),
        ({"years": [(Decimal("1"), 2.5)]}, "years"),
        ({"years": [(Decimal("1"), Decimal("0"))] * 52}, "years"),
        ({"years": [(Decimal("1e14"), Decimal("0"))]}, "years"),
    ],
)
def test_invalid_input_names_the_field(users, programs, fields, field):
    values = {"title": "Patrol cars", "discount_rate": "0.1", "years": YEARS, **fields}
    with pytest.raises(ValidationError) as error:
        analysis_create(by=users["stat_lead"], program=programs["patrol"], **values)
    assert field in error.value.message_dict
    assert not Analysis.objects.exists()


def test_neither_a_program_nor_a_request(users):
    with pytest.raises(ValidationError):
        analysis_create(by=users["stat_lead"], title="X", discount_rate="0.1", years=YEARS)


def test_an_invalid_update_changes_nothing(users, make_analysis):
    analysis = make_analysis()
    with pytest.raises(ValidationError):
        analysis_update(analysis, by=users["stat_lead"], title="New", years=[(Decimal("-5"), Decimal("0"))])
    analysis.refresh_from_db()
    assert analysis.title == "Patrol cars" and analysis.years.count() == 3
