"""Marking a session held: the rules, attendance (and its correction) and the survey invitations it sends."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sessions.models import Attendee, Session, SessionState, SurveyInvitation
from sessions.services import session_cancel
from sessions.services.after import session_hold, session_record_attendance

from .after_helpers import just_held


def people(users, *names):
    return [users[name].person.pk for name in names]


def test_hold_records_attendance_for_everyone_and_invites_those_present(
    police_series, users, django_capture_on_commit_callbacks
):
    session = just_held(police_series)
    with django_capture_on_commit_callbacks(execute=True):
        held = session_hold(session, attended=people(users, "police_lead", "stat_lead"), by=users["stat_analyst"])
    assert held.state == SessionState.HELD and held.held_at is not None
    attended = dict(Attendee.objects.filter(session=session).values_list("person__full_name", "attended"))
    assert attended["Pat Chief"] is True and attended["Stella Lead"] is True
    assert attended["Dana Data"] is False and attended["Mara Mayor"] is False
    assert None not in attended.values()
    invited = set(SurveyInvitation.objects.filter(session=session).values_list("person__full_name", flat=True))
    assert invited == {"Pat Chief", "Stella Lead"}
    assert sorted(m.to[0] for m in mail.outbox) == ["chief@example.gov", "lead@example.gov"]
    # The secret is emailed and only its SHA-256 is stored.
    token = re.search(r"/sessions/survey/([^/\s]+)/", mail.outbox[0].body).group(1)
    stored = set(SurveyInvitation.objects.values_list("token_hash", flat=True))
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored


def test_hold_refuses_a_session_not_yet_started(police_series, users):
    session = police_series.sessions.first()
    with pytest.raises(ValidationError, match="not started yet"):
        session_hold(session, attended=[], by=users["stat_lead"])
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED and session.held_at is None


def test_hold_refuses_a_cancelled_session(police_series, users):
    session = just_held(police_series)
    session_cancel(session, by=users["stat_lead"])
    with pytest.raises(ValidationError, match="cancelled"):
        session_hold(session, attended=[], by=users["stat_lead"])


def test_hold_twice_is_refused(police_series, users):
    session = just_held(police_series)
    session_hold(session, attended=[], by=users["stat_lead"])
    with pytest.raises(ValidationError, match="already"):
        session_hold(session, attended=[], by=users["stat_lead"])


def test_hold_refuses_someone_not_at_the_table(police_series, users):
    session = just_held(police_series)
    with pytest.raises(ValidationError):
        session_hold(session, attended=people(users, "parks_contact"), by=users["stat_lead"])
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    assert not Attendee.objects.filter(session=session, attended__isnull=False).exists()


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", "parks_contact"])
def test_only_the_stat_team_holds_a_session(police_series, users, persona):
    session = just_held(police_series)
    with pytest.raises(PermissionDenied):
        session_hold(session, attended=[], by=users[persona])
    assert Session.objects.get(pk=session.pk).state == SessionState.PLANNED
    assert not SurveyInvitation.objects.exists()


def test_attendance_is_corrected_after_the_session(police_series, users, django_capture_on_commit_callbacks):
    session = just_held(police_series)
    session_hold(session, attended=people(users, "police_lead", "police_contact"), by=users["stat_lead"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_record_attendance(session, attended=people(users, "police_lead", "stat_lead"), by=users["stat_lead"])
    attended = dict(Attendee.objects.filter(session=session).values_list("person__full_name", "attended"))
    assert attended["Dana Data"] is False and attended["Stella Lead"] is True
    invited = set(SurveyInvitation.objects.filter(session=session).values_list("person__full_name", flat=True))
    assert invited == {"Pat Chief", "Stella Lead"}  # the absent contact's unused link withdrawn
    assert [m.to for m in mail.outbox] == [["lead@example.gov"]]  # only the newcomer is invited


def test_attendance_is_not_corrected_before_the_session_is_held(police_series, users):
    session = just_held(police_series)
    with pytest.raises(ValidationError, match="marked as held"):
        session_record_attendance(session, attended=[], by=users["stat_lead"])


def test_a_rolled_back_hold_sends_nothing(police_series, users, django_capture_on_commit_callbacks):
    session = just_held(police_series)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        session_hold(session, attended=people(users, "police_lead"), by=users["stat_lead"])
    assert mail.outbox == [] and not SurveyInvitation.objects.exists()
