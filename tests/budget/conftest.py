# The Stat sessions' fixtures the budget tests build on (a PoliceStat series, its first session, recording items).
from tests.sessions.action_fixtures import police_session, record  # noqa: F401
from tests.sessions.conftest import police_series  # noqa: F401

# The analyses' fixtures.
from .analysis_fixtures import budget_request, client_as, finance_user, make_analysis, programs  # noqa: F401
