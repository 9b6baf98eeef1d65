"""The memo draft made from the data, its header and topics, and the analyst's edits (sessions.services.memo)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Memo, MemoSection, MemoTopic, SessionState, TopicKind
from sessions.selectors_memo import memo_live_data, period_words
from sessions.services import memo_draft, memo_update, series_create, topic_add, topic_move, topic_remove, topic_update

from .memo_data import action_items, earlier_session, first_session, make_kpis

pytestmark = pytest.mark.django_db


def topics_of(memo: Memo) -> list[tuple[str, str]]:
    return [(t.section, t.title) for t in MemoTopic.objects.filter(memo=memo).order_by("section", "position")]


def standing_titles(memo: Memo) -> list[str]:
    return list(memo.topics.filter(section=MemoSection.STANDING).order_by("position").values_list("title", flat=True))


def test_period_words():
    assert period_words(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)) == "November 2026"
    assert period_words(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)) == "October – December 2026"
    assert period_words(datetime.date(2026, 12, 1), datetime.date(2027, 1, 31)) == "December 2026 – January 2027"
    assert period_words(datetime.date(2026, 11, 2), datetime.date(2026, 11, 8)) == "2 November 2026 – 8 November 2026"


def test_the_draft_is_made_from_the_data(city, users, police_series):
    kpis = make_kpis(city, users)
    session = first_session(police_series)
    memo = memo_draft(session, by=users["stat_analyst"])

    assert memo.subject == "Department of Police briefing memorandum for reporting period December 2026"
    assert memo.to_line.startswith("Mara Mayor")
    assert memo.from_line == "Ana Lyst"
    assert memo.drafted_by == users["stat_analyst"]
    follow_up = memo.topics.get(section=MemoSection.FOLLOW_UP)
    assert follow_up.kind == TopicKind.FOLLOW_UP
    standing = list(memo.topics.filter(section=MemoSection.STANDING).order_by("position"))
    assert [t.measure for t in standing] == kpis  # the KPIs of Police only: no other measure, no Parks KPI
    assert all(t.kind == TopicKind.KPI and t.dataset == t.measure.source_dataset for t in standing)
    assert [t.position for t in standing] == [0, 1, 2]
    session.refresh_from_db()
    assert session.state == SessionState.MEMO_DRAFTED
    assert session.memo_drafted_at is not None


def test_drafting_again_returns_the_same_memo_unchanged(city, users, police_series):
    make_kpis(city, users, count=1)
    session = first_session(police_series)
    memo = memo_draft(session, by=users["stat_analyst"])
    memo_update(memo, to_line="Mayor", from_line="Ana", memo_date=memo.memo_date, subject="Mine", by=users["stat_lead"])
    again = memo_draft(session, by=users["stat_lead"])
    assert again.pk == memo.pk
    assert Memo.objects.get().subject == "Mine"
    assert MemoTopic.objects.count() == 2


def test_a_cross_department_series_is_named_by_the_series(city, users):
    series = series_create(
        name="BlightStat",
        department=None,
        cadence="monthly",
        start_date=datetime.date(2027, 3, 2),
        start_time=datetime.time(9, 0),
        by=users["stat_lead"],
    )
    memo = memo_draft(first_session(series), by=users["stat_lead"])
    assert memo.subject == "BlightStat briefing memorandum for reporting period February 2027"
    assert list(memo.topics.values_list("kind", flat=True)) == [TopicKind.FOLLOW_UP]


def test_kpi_figures_are_those_of_the_reporting_period(city, users, police_series):
    make_kpis(city, users, count=2)
    memo = memo_draft(first_session(police_series), by=users["stat_analyst"])
    data = memo_live_data(memo)
    standing = data["sections"][1]
    assert standing["key"] == "standing"
    kpi = standing["topics"][0]["kpi"]
    # December 2026 (the 24th value, 80 + 23), not January 2027's 999; its own target (95); November before it.
    assert kpi["period_label"] == "December 2026"
    assert kpi["value_text"] == "103 crashes"
    assert kpi["target_text"] == "95 crashes"
    assert kpi["status"] == "approaching"  # 8 above 95, within its 10% band
    assert kpi["previous_label"] == "November 2026"
    assert kpi["change_text"] == "+1 crashes"
    assert kpi["change_is_better"] is False
    assert len(kpi["points"]) == 24
    assert kpi["points"][-1]["label"] == "December 2026"
    assert kpi["department_narrative"]["what_happened"] == "November story of KPI 0."
    assert kpi["chart"]["title"].startswith("KPI 0: crashes: value and target")
    assert len(kpi["chart"]["markers"]) == 24


def test_the_suspect_flag_names_the_failing_checks(city, users, police_series):
    make_kpis(city, users, count=2)
    data = memo_live_data(memo_draft(first_session(police_series), by=users["stat_analyst"]))
    suspect, clean = data["sections"][1]["topics"]
    assert suspect["data_suspect"] is True
    assert suspect["source"]["failing_checks"] == ["freshness", "completeness (minutes)"]
    assert suspect["source"]["run"]["outcome"] == "fail"
    assert suspect["source"]["title"] == "Source 0"
    assert clean["data_suspect"] is False
    assert clean["source"]["failing_checks"] == []


def test_follow_up_carries_open_items_of_earlier_sessions_only(city, users, police_series):
    session = first_session(police_series)
    items = action_items(earlier_session(police_series), city)
    later = police_series.sessions.order_by("starts_at")[1]
    action_items(later, city)  # raised later: not carried into an earlier memo
    data = memo_live_data(memo_draft(session, by=users["stat_analyst"]))
    follow_up = data["sections"][0]["topics"][0]
    assert [row["id"] for row in follow_up["action_items"]] == [items["open"].pk, items["on_hold"].pk]
    assert follow_up["action_items"][0]["status_label"] == "Incomplete (overdue)"


def test_topics_can_be_added_edited_reordered_and_removed(city, users, police_series):
    make_kpis(city, users, count=3)
    memo = memo_draft(first_session(police_series), by=users["stat_analyst"])
    analyst = users["stat_analyst"]

    first, second, third = memo.topics.filter(section=MemoSection.STANDING).order_by("position")
    topic_move(third, direction="up", by=analyst)
    assert standing_titles(memo) == [first.title, third.title, second.title]
    topic_move(first, position=2, by=analyst)
    assert standing_titles(memo) == [third.title, second.title, first.title]
    topic_move(third, direction="up", by=analyst)  # already first: stays
    assert standing_titles(memo) == [third.title, second.title, first.title]

    new = topic_add(memo, title="Overtime", narrative="Up 12%.", questions="Why?\n\n Who approves? ", by=analyst)
    assert (new.section, new.kind, new.position, new.question_list) == ("new", "text", 0, ["Why?", "Who approves?"])
    topic_update(
        new,
        title="Overtime spend",
        narrative="Up 12%.",
        suggested_minutes=10,
        questions="",
        section="standing",
        by=analyst,
    )
    assert standing_titles(memo)[-1] == "Overtime spend"

    topic_remove(second, by=analyst)
    assert standing_titles(memo) == [third.title, first.title, "Overtime spend"]
    assert list(memo.topics.filter(section="standing").order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", "parks_contact"])
def test_only_the_stat_team_drafts_and_edits(city, users, police_series, persona):
    session = first_session(police_series)
    with pytest.raises(PermissionDenied):
        memo_draft(session, by=users[persona])
    assert not Memo.objects.exists()
    memo = memo_draft(session, by=users["stat_lead"])
    topic = memo.topics.get()
    for call in (
        lambda: memo_update(memo, to_line="x", from_line="x", memo_date=memo.memo_date, subject="x", by=users[persona]),
        lambda: topic_add(memo, title="x", by=users[persona]),
        lambda: topic_remove(topic, by=users[persona]),
        lambda: topic_move(topic, direction="down", by=users[persona]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert Memo.objects.get().subject == memo.subject
    assert MemoTopic.objects.count() == 1


def test_a_blank_header_field_is_refused(city, users, police_series):
    memo = memo_draft(first_session(police_series), by=users["stat_lead"])
    with pytest.raises(ValidationError) as error:
        memo_update(memo, to_line="", from_line="x", memo_date=memo.memo_date, subject="x", by=users["stat_lead"])
    assert "to_line" in error.value.message_dict


def _draft_and_read_queries(city, users, series, count: int) -> tuple[int, int]:
    make_kpis(city, users, count=count)
    session = first_session(series)
    with CaptureQueriesContext(connection) as drafting:
        memo = memo_draft(session, by=None)
    memo = Memo.objects.select_related("session__series__department").get(pk=memo.pk)
    with CaptureQueriesContext(connection) as reading:
        data = memo_live_data(memo)
    assert len(data["sections"][1]["topics"]) == count
    return len(drafting), len(reading)


@pytest.mark.parametrize("count", [3, 30])
def test_the_draft_and_its_data_cost_the_same_queries_for_3_and_30_kpis(city, users, police_series, count):
    queries = _draft_and_read_queries(city, users, police_series, count)
    # Pinned: the same for any number of KPIs (drafting: savepoints, lock, existing memo, addressees, memo, KPIs,
    # topics, session, then the checklist's "memo drafted" step ticked (savepoints, lock, update); reading: topics,
    # observations, narratives, failing checks, open action items, and +1: the budget's KPI context provider
    # (sessions.extensions) asks which programs pay for the KPIs; none here, so it stops there. With programs linked
    # it reads 3 to 5, whatever the number of KPIs: tests/budget/test_pages_context.py pins that).
    assert queries == (13, 6), queries
