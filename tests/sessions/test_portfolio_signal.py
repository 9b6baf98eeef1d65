"""Budget analysts follow the portfolios: team's services say when coverage changed (team.signals), and sessions
brings the attendees of the sessions still ahead in line, in one pass."""

import datetime

import pytest
from django.urls import reverse

from sessions.models import Attendee, SeatRole
from sessions.services import session_cancel, sessions_sync_budget_analysts
from team import services as team
from team.models import Role, RoleAssignment
from tests.factories import PersonFactory, PortfolioFactory


def budget_people(session):
    return set(session.attendees.filter(role=SeatRole.BUDGET).values_list("person__full_name", flat=True))


@pytest.fixture
def future(monkeypatch):
    """Today is 1 December 2026: every PoliceStat session is ahead."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))


def test_a_new_budget_analyst_joins_every_session_ahead(future, police_series, city, users):
    newcomer = PersonFactory(full_name="New Analyst")
    team.role_assign(
        person=newcomer, role=Role.BUDGET_ANALYST, portfolio=city["public_safety"], by=users["stat_analyst"]
    )
    for session in police_series.sessions.all():
        assert budget_people(session) == {"Bud Get", "New Analyst"}
        assert Attendee.objects.get(session=session, person=newcomer).automatic


def test_held_and_cancelled_sessions_keep_their_attendees(future, police_series, city, users):
    first, second = list(police_series.sessions.all()[:2])
    session_cancel(first, by=None)
    second.state = "held"
    second.save()
    newcomer = PersonFactory(full_name="New Analyst")
    team.role_assign(person=newcomer, role=Role.BUDGET_ANALYST, portfolio=city["public_safety"], by=None)
    assert budget_people(first) == {"Bud Get"} and budget_people(second) == {"Bud Get"}
    assert "New Analyst" in budget_people(police_series.sessions.all()[2])


def test_ending_the_role_takes_the_analyst_off_the_sessions_ahead(future, police_series, users):
    assignment = RoleAssignment.objects.get(person=users["budget_analyst"].person, role=Role.BUDGET_ANALYST)
    team.role_end(assignment=assignment, by=users["stat_lead"])
    assert all(budget_people(session) == set() for session in police_series.sessions.all())


def test_someone_invited_by_hand_stays(future, police_series, users):
    session = police_series.sessions.first()
    Attendee.objects.filter(session=session, person=users["budget_analyst"].person).update(automatic=False)
    assignment = RoleAssignment.objects.get(person=users["budget_analyst"].person, role=Role.BUDGET_ANALYST)
    team.role_end(assignment=assignment, by=None)
    assert budget_people(session) == {"Bud Get"}


def test_moving_the_department_to_another_portfolio_changes_its_analysts(future, police_series, city, users):
    other = PortfolioFactory(name="Justice", slug="justice")
    justice_analyst = PersonFactory(full_name="Justice Analyst")
    team.role_assign(person=justice_analyst, role=Role.BUDGET_ANALYST, portfolio=other, by=None)
    team.department_update(department=city["police"], portfolio=other, by=users["stat_lead"])
    assert all(budget_people(s) == {"Justice Analyst"} for s in police_series.sessions.all())


def test_portfolio_departments_change_through_the_team_service(future, police_series, city, users):
    team.portfolio_set_departments(portfolio=city["public_safety"], departments=[city["fire"]], by=users["stat_lead"])
    assert all(budget_people(s) == set() for s in police_series.sessions.all())
    team.portfolio_set_departments(
        portfolio=city["public_safety"], departments=[city["fire"], city["police"]], by=users["stat_lead"]
    )
    assert all(budget_people(s) == {"Bud Get"} for s in police_series.sessions.all())


def test_through_the_team_web_form(future, police_series, city, users, as_persona):
    newcomer = PersonFactory(full_name="New Analyst")
    response = as_persona("stat_lead").post(
        reverse("team:role_assign", args=[newcomer.pk]),
        {"role": Role.BUDGET_ANALYST, "portfolio": city["public_safety"].pk, "starts_on": "", "note": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert all("New Analyst" in budget_people(s) for s in police_series.sessions.all())


def test_the_sync_is_one_pass_whatever_the_sessions(future, police_series, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        sessions_sync_budget_analysts(department_ids=[city["police"].pk, city["fire"].pk], by=None)


def test_the_sync_is_the_stat_teams_or_the_systems(police_series, city, users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        sessions_sync_budget_analysts(department_ids=[city["police"].pk], by=users["police_lead"])


def test_through_the_portfolio_web_form(future, police_series, city, as_persona):
    url = reverse("team:portfolio_edit", kwargs={"slug": "public-safety"})
    data = {"name": "Public Safety", "description": "", "departments": [city["fire"].pk]}
    response = as_persona("stat_lead").post(url, data)
    assert response.status_code == 302
    assert all(budget_people(s) == set() for s in police_series.sessions.all())


def test_a_refused_team_change_changes_no_session(future, police_series, city, as_persona):
    newcomer = PersonFactory(full_name="New Analyst")
    response = as_persona("police_lead").post(
        reverse("team:role_assign", args=[newcomer.pk]),
        {"role": Role.BUDGET_ANALYST, "portfolio": city["public_safety"].pk, "starts_on": "", "note": ""},
    )
    assert response.status_code == 403
    assert all(budget_people(s) == {"Bud Get"} for s in police_series.sessions.all())
