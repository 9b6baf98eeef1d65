"""The demo city's Stat sessions (``demo.sessions``): a year of PoliceStat, 311Stat and BlightStat replayed through
the services, seeded idempotently by ``manage.py seed_demo`` after the goals."""

from __future__ import annotations

import pytest
from django.utils import timezone

from demo.goals import goals_demo_seed
from demo.inventory import inventory_demo_seed
from demo.sessions import SERIES, sessions_demo_seed
from demo.team import demo_city_seed
from goals.models import Measure
from sessions.models import (
    ActionItem,
    ChecklistKind,
    FollowUpMemo,
    ItemStatus,
    Memo,
    SeatRole,
    Series,
    Session,
    SessionState,
    SurveyResponse,
)
from sessions.selectors_actions import status_of
from team.models import Role, RoleAssignment

# Committed for real, as ``seed_demo`` runs: the survey invitations are emailed once the hold commits, and the demo
# answers through the links it finds in them.
pytestmark = pytest.mark.django_db(transaction=True)

# Uploaded files go to a temporary directory; the six default priorities are there even after a flush.
from tests.goals.conftest import _default_priorities, _media_in_tmp  # noqa: E402, F401


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.SESSIONS_DEMO = True
    report = demo_city_seed(with_logins=False)
    inventory_demo_seed(report=report)
    goals_demo_seed(report=report)
    sessions_demo_seed(report=report)
    return report


def test_a_year_of_sessions_is_replayed_through_the_services(seeded):
    """One seeding (it takes seconds) checked from every side."""
    _three_series_with_a_year_each_and_the_next_session_under_way(seeded)
    _sent_memos_review_the_departments_kpis_and_were_sent_before_the_meeting()
    _the_portfolios_budget_analyst_sat_at_every_table()
    _action_items_show_all_eight_statuses_and_some_carry_across_sessions()
    _follow_ups_went_out_with_their_pdf_and_attendees_answered_the_survey()
    _seeding_again_adds_nothing()


def _three_series_with_a_year_each_and_the_next_session_under_way(report):
    assert set(Series.objects.values_list("name", flat=True)) == {spec.name for spec in SERIES}
    assert report.created["Stat series"] == 3
    now = timezone.now()
    for series in Series.objects.all():
        sessions = series.sessions.all()
        assert sessions.count() >= 12, series  # monthly a year; 311Stat every two weeks
        past = sessions.filter(starts_at__lt=now)
        assert past.exists()
        assert set(past.values_list("state", flat=True)) == {SessionState.FOLLOW_UP_SENT}, series
        upcoming = sessions.filter(starts_at__gte=now).order_by("starts_at").first()
        assert upcoming.state in (SessionState.PLANNED, SessionState.MEMO_DRAFTED)
        data_request = upcoming.checklist.get(kind=ChecklistKind.DATA_REQUEST)
        assert data_request.done_at is not None  # the checklist is under way
        assert upcoming.checklist.filter(done_at__isnull=True).exists()
    assert Series.objects.filter(cadence="rrule").count() == 2
    assert Series.objects.get(name="311Stat").cadence == "biweekly"


def _sent_memos_review_the_departments_kpis_and_were_sent_before_the_meeting():
    sent = Memo.objects.filter(state="sent").select_related("session__series__department")
    assert sent.count() == Session.objects.filter(state=SessionState.FOLLOW_UP_SENT).count()
    late = 0
    for memo in sent:
        session = memo.session
        assert memo.sent_at < session.starts_at
        assert snapshot_sent(memo) == memo.sent_at
        late += memo.sent_at > session.starts_at - timezone.timedelta(hours=session.series.memo_send_hours)
        kpis = set(Measure.objects.filter(department=session.series.department, is_kpi=True).values_list("pk", "name"))
        snapshot = memo.snapshot
        department = session.series.department.name
        assert snapshot["header"]["subject"].startswith(f"Department of {department} briefing memorandum")
        reviewed = {
            (topic["kpi"]["measure_id"], topic["title"])
            for section in snapshot["sections"]
            for topic in section["topics"]
            if topic["kpi"]
        }
        assert {name for _, name in kpis} <= {title for _, title in reviewed}, memo
    assert 0 < late < sent.count()  # a few memos went out late, as in a real year


def snapshot_sent(memo):
    import datetime

    return datetime.datetime.fromisoformat(memo.snapshot["sent_at"])


def _the_portfolios_budget_analyst_sat_at_every_table():
    for series in Series.objects.select_related("department__portfolio"):
        analysts = set(
            RoleAssignment.objects.current()
            .filter(role=Role.BUDGET_ANALYST, portfolio__departments=series.department)
            .values_list("person_id", flat=True)
        )
        assert analysts, series
        for session in series.sessions.all():
            seated = set(session.attendees.filter(role=SeatRole.BUDGET).values_list("person_id", flat=True))
            assert analysts <= seated, session


def _action_items_show_all_eight_statuses_and_some_carry_across_sessions():
    statuses = {status_of(item) for item in ActionItem.objects.all()}
    assert statuses == set(ItemStatus)
    carried = {}
    for memo in Memo.objects.filter(state="sent"):
        for section in memo.snapshot["sections"]:
            for topic in section["topics"]:
                for item in topic["action_items"]:
                    carried[item["id"]] = carried.get(item["id"], 0) + 1
    assert max(carried.values()) >= 2  # an open request is followed up at more than one session
    merged = ActionItem.objects.filter(merged_into__isnull=False).first()
    assert merged.merged_into.session.series == merged.session.series


def _follow_ups_went_out_with_their_pdf_and_attendees_answered_the_survey():
    follow_ups = FollowUpMemo.objects.filter(state="sent")
    assert follow_ups.count() == Session.objects.filter(state=SessionState.FOLLOW_UP_SENT).count()
    first = follow_ups.first()
    with first.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert first.snapshot["topics"]
    responses = SurveyResponse.objects.all()
    assert responses.count() > 20
    assert {response.score for response in responses} >= {2, 3, 4, 5}
    assert [field.name for field in SurveyResponse._meta.get_fields()] == ["id", "session", "score", "comment"]


def _seeding_again_adds_nothing():
    counts = (Series.objects.count(), Session.objects.count(), ActionItem.objects.count(), Memo.objects.count())
    report = demo_city_seed(with_logins=False)
    sessions_demo_seed(report=report)
    assert "Stat series" not in report.created
    assert (Series.objects.count(), Session.objects.count(), ActionItem.objects.count(), Memo.objects.count()) == counts
