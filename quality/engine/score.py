"""A run's quality score, 0 to 100, and the words the dataset page uses to explain it."""

from __future__ import annotations

from collections.abc import Iterable

from .result import ERROR, FAIL, WARN, CheckOutcome

#: Points a check in error takes off the score (the input itself is wrong: some of it could not be read).
ERROR_PENALTY = 25
#: Points a failing check takes off the score.
FAIL_PENALTY = 15
#: Points a warning takes off the score.
WARN_PENALTY = 5

SCORE_EXPLANATION = (
    f"The score starts at 100. Each failing check takes off {FAIL_PENALTY} points and each warning "
    f"{WARN_PENALTY} points; it never goes below 0. So a file with no problems scores 100, one with a single "
    f"warning {100 - WARN_PENALTY}, and one with two failing checks and a warning "
    f"{100 - 2 * FAIL_PENALTY - WARN_PENALTY}. Checks are counted per column, so a column with both wrong types and "
    "empty required values counts twice. A check ends in error when the file itself is wrong: text that is not "
    "UTF-8, rows with more or fewer fields than the header, rows that cannot be parsed, or a check that could not "
    f"run. Each error takes off {ERROR_PENALTY} points and makes the whole run's result “error”, whatever the score; "
    "the other checks still run on the rows that could be read and count as above. A file that cannot be read at "
    "all (empty, a web page, not a table) gets no score."
)


def score_for(checks: Iterable[CheckOutcome]) -> int:
    """100 minus the penalties of the checks in error, failing and warning, floored at 0."""
    penalties = {ERROR: ERROR_PENALTY, FAIL: FAIL_PENALTY, WARN: WARN_PENALTY}
    return max(100 - sum(penalties.get(check.status, 0) for check in checks), 0)
