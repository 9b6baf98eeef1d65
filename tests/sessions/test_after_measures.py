"""How the program is doing: the figures on hand-built data, a fixed number of queries, and who may see the page."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.models import ActionItem, Memo, Session, SessionState, SurveyResponse
from sessions.selectors_measures import QUERIES, program_measures
from tests.factories import move_city_to
from tests.goals.factories import GoalFactory, MeasureFactory, MeasureTargetFactory, ObservationFactory

from .after_helpers import item

ZONE = ZoneInfo("America/New_York")
NOW = datetime.datetime(2026, 12, 5, 12, 0, tzinfo=ZONE)


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=ZONE)


def held_session(series, index, starts_at, *, period, state=SessionState.HELD, memo_sent=None, follow_up_sent=None):
    session = series.sessions.order_by("starts_at")[index]
    start, end = period
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts_at, state=state, held_at=starts_at, period_start=start, period_end=end
    )
    session.refresh_from_db()
    if memo_sent is not None:
        Memo.objects.create(
            session=session,
            to_line="Mara Mayor",
            from_line="Ana Lyst",
            memo_date=memo_sent.date(),
            subject="Briefing",
            state="sent",
            sent_at=memo_sent,
        )
    if follow_up_sent is not None:
        from sessions.models import FollowUpMemo

        FollowUpMemo.objects.create(
            session=session,
            to_line="Pat Chief",
            from_line="Stella Lead",
            memo_date=follow_up_sent.date(),
            subject="Follow-up",
            state="sent",
            sent_at=follow_up_sent,
        )
    return session


@pytest.fixture
def program(police_series, city, settings):
    move_city_to(settings, "America/New_York")
    police, parks = city["police"], city["parks"]
    s1 = held_session(
        police_series,
        0,
        at(2026, 9, 7),
        period=(datetime.date(2026, 8, 1), datetime.date(2026, 8, 31)),
        state=SessionState.FOLLOW_UP_SENT,
        memo_sent=at(2026, 9, 4),  # 3 days before: on time
        follow_up_sent=at(2026, 9, 8),  # 1 day after: on time
    )
    s2 = held_session(
        police_series,
        1,
        at(2026, 10, 5),
        period=(datetime.date(2026, 9, 1), datetime.date(2026, 9, 30)),
        state=SessionState.FOLLOW_UP_SENT,
        memo_sent=at(2026, 10, 4),  # 24 hours before: late
        follow_up_sent=at(2026, 10, 9),  # 4 days after: late
    )
    s3 = held_session(
        police_series, 2, at(2026, 11, 2), period=(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    )
    goal = GoalFactory(departments=[police])
    k1 = MeasureFactory(goal=goal, department=police, is_kpi=True, direction="down", target_value=100)
    for month, value in ((8, 90), (9, 105), (10, 130)):
        ObservationFactory(measure=k1, period=datetime.date(2026, month, 1), value=value)
    k2 = MeasureFactory(goal=GoalFactory(departments=[police]), department=police, is_kpi=True, direction="up")
    k2.target_value = None
    k2.save()
    MeasureTargetFactory(measure=k2, period=datetime.date(2026, 8, 1), value=50)
    ObservationFactory(measure=k2, period=datetime.date(2026, 8, 1), value=60)
    ObservationFactory(measure=k2, period=datetime.date(2026, 9, 1), value=40)
    stale = MeasureFactory(goal=GoalFactory(departments=[police]), department=police, is_kpi=True)
    ObservationFactory(measure=stale, period=datetime.date(2025, 7, 1), value=1)  # over a year old: no data
    parks_kpi = MeasureFactory(goal=GoalFactory(departments=[parks]), department=parks, is_kpi=True)
    ObservationFactory(measure=parks_kpi, period=datetime.date(2026, 8, 1), value=500)
    for score, comment in ((4, "Useful"), (5, "")):
        SurveyResponse.objects.create(session=s1, score=score, comment=comment)
    SurveyResponse.objects.create(session=s2, score=2, comment="Too long")
    october, november = datetime.date(2026, 10, 10), datetime.date(2026, 11, 15)
    item(s1, 1, "A", "on time", department=police, due=october, state="completed_on_time")
    item(s1, 2, "A", "late", department=police, due=october, state="completed_late")
    target = item(s1, 3, "A", "open", department=police, due=october)
    merged = item(s1, 4, "A", "merged", department=police, due=october)
    ActionItem.objects.filter(pk=merged.pk).update(state="merged", merged_into=target)
    item(s2, 1, "B", "done", department=police, due=november, state="completed_on_time")
    item(s2, 2, "B", "parks overtaken", department=parks, due=datetime.date(2026, 10, 20), state="overtaken")
    item(s2, 3, "B", "parks open", department=parks, due=datetime.date(2026, 10, 20))
    item(s2, 4, "B", "not yet due", department=police, due=datetime.date(2027, 1, 10))
    return {"s1": s1, "s2": s2, "s3": s3}


def test_kpis_on_track_as_of_each_reporting_period(program):
    rows = {row.session_id: row for row in program_measures(NOW).sessions}
    s1, s2, s3 = rows[program["s1"].pk], rows[program["s2"].pk], rows[program["s3"].pk]
    assert (s1.on_track, s1.judged, s1.kpi_total, s1.share_on_track) == (2, 2, 3, 100.0)
    assert s2.kpis == {"approaching": 1, "no_data": 2} and s2.share_on_track == 0.0
    assert s3.kpis == {"off_track": 1, "no_data": 2}


def test_memo_and_follow_up_timeliness(program):
    measures = program_measures(NOW)
    rows = {row.session_id: row for row in measures.sessions}
    assert (rows[program["s1"].pk].memo, rows[program["s1"].pk].follow_up) == ("on_time", "on_time")
    assert (rows[program["s2"].pk].memo, rows[program["s2"].pk].follow_up) == ("late", "late")
    assert (rows[program["s3"].pk].memo, rows[program["s3"].pk].follow_up) == ("no_memo", "not_sent")
    by_month = {
        (m.month.month): (m.memos, m.memos_on_time, m.follow_ups, m.follow_ups_on_time) for m in measures.timeliness
    }
    assert by_month == {9: (1, 1, 1, 1), 10: (1, 0, 1, 0), 11: (0, 0, 1, 0)}
    # Before its deadline, a follow-up not yet sent is not counted as missed.
    early = program_measures(at(2026, 11, 3))
    assert {row.session_id: row.follow_up for row in early.sessions}[program["s3"].pk] == "pending"


def test_action_item_completion_and_on_time_rates_by_department(program):
    items = {(row.department, row.month): row for row in program_measures(NOW).items}
    october = items["Police", datetime.date(2026, 10, 1)]
    assert (october.due, october.completed, october.on_time) == (3, 2, 1)
    assert (october.completion_rate, october.on_time_rate) == (66.7, 33.3)
    november = items["Police", datetime.date(2026, 11, 1)]
    assert (november.due, november.completion_rate, november.on_time_rate) == (1, 100.0, 100.0)
    parks = items["Parks & Recreation", datetime.date(2026, 10, 1)]
    assert (parks.due, parks.completed) == (1, 0)
    assert len(items) == 3  # nothing from January 2027: not due yet


def test_survey_results_and_anonymous_comments(program):
    measures = program_measures(NOW)
    rows = {row.session_id: row for row in measures.sessions}
    assert (rows[program["s1"].pk].responses, rows[program["s1"].pk].mean_score) == (2, 4.5)
    assert (rows[program["s2"].pk].responses, rows[program["s2"].pk].mean_score) == (1, 2.0)
    assert [(c.score, c.text) for c in measures.comments] == [(2, "Too long"), (4, "Useful")]


def test_a_fixed_number_of_queries_however_many_sessions(program, police_series, django_assert_num_queries):
    with django_assert_num_queries(QUERIES):
        program_measures(NOW)
    for index in (3, 4, 5):
        session = held_session(
            police_series, index, at(2026, 8, index), period=(datetime.date(2026, 7, 1), datetime.date(2026, 7, 31))
        )
        SurveyResponse.objects.create(session=session, score=3, comment="More")
    with django_assert_num_queries(QUERIES):
        assert len(program_measures(NOW).sessions) == 6


# --- the page -------------------------------------------------------------------------------------------------------

URL = reverse("stat_sessions:measures")


@pytest.mark.parametrize("persona", ["principal", "stat_lead"])
def test_the_principal_and_stat_lead_see_the_page(program, as_persona, persona):
    response = as_persona(persona).get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "How the program is doing" in content
    for chart in ("kpis", "completion", "on-time", "timeliness", "survey"):
        assert f'id="{chart}-table-caption"' in content  # every chart has its table
    assert "Too long" in content


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead", "budget_analyst", "parks_contact", "data_expert"])
def test_others_are_refused(program, as_persona, persona):
    assert as_persona(persona).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_and_other_methods_refused(program, as_persona):
    assert as_persona("anonymous").get(URL).status_code == 302
    assert as_persona("stat_lead").post(URL).status_code == 405


def test_the_dashboard_links_the_page_for_those_who_may_see_it(program, as_persona):
    assert URL.encode() in as_persona("principal").get(reverse("site:dashboard")).content
    assert URL.encode() not in as_persona("stat_analyst").get(reverse("site:dashboard")).content
