import datetime

import pytest
from django.contrib.auth.models import User

from sessions.services import series_create


@pytest.fixture
def police_series(city, users):
    """PoliceStat, monthly on the first Monday's date at 10:00, created by the Stat lead."""
    return series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(10, 0),
        duration_minutes=90,
        place="City Hall, room 215",
        by=users["stat_lead"],
    )


def person_of(user: User):
    return user.person


# The action items' fixtures (police_session, record, memo_topics) live in their own module.
from .action_fixtures import memo_topics, police_session, record  # noqa: E402, F401
