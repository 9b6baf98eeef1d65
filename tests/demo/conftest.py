# The goals tests' fixtures, which the demo's goals tests ran under before they moved here: uploaded data files go
# to a temporary directory, and the six default priorities are there even after a transactional test flushed them.
from tests.goals.conftest import _default_priorities, _media_in_tmp  # noqa: F401
