import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sessions.access import SESSIONS, get_session_for_user, sessions_readable_by
from team.access import actor_for

READERS = {"principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "budget_analyst"}
MANAGERS = {"principal", "stat_lead", "stat_analyst"}


@pytest.mark.parametrize(
    "persona",
    [
        "principal",
        "stat_lead",
        "stat_analyst",
        "police_lead",
        "police_contact",
        "budget_analyst",
        "parks_contact",
        "data_expert",
    ],
)
def test_who_reads_and_manages_a_police_session(police_series, users, persona):
    session = police_series.sessions.first()
    user = users[persona]
    actor = actor_for(user)
    readable = sessions_readable_by(actor).filter(pk=session.pk).exists()
    assert readable == (persona in READERS)
    assert SESSIONS.allows(actor, session) == readable  # in memory and in SQL agree
    if persona not in READERS:
        with pytest.raises(Http404):
            get_session_for_user(user, session.pk)
    elif persona in MANAGERS:
        assert get_session_for_user(user, session.pk, write=True) == session
    else:
        with pytest.raises(PermissionDenied):
            get_session_for_user(user, session.pk, write=True)
