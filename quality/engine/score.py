"""A run's quality score, 0 to 100, and the words the dataset page uses to explain it."""

from __future__ import annotations

from collections.abc import Iterable

from .result import ERROR, FAIL, WARN, CheckOutcome

#: Points a failing check takes off the score.
FAIL_PENALTY = 15
#: Points a warning takes off the score.
WARN_PENALTY = 5

SCORE_EXPLANATION = (
    f"The score starts at 100. Each failing check takes off {FAIL_PENALTY} points and each warning "
    f"{WARN_PENALTY} points; it never goes below 0. So a file with no problems scores 100, one with a single "
    f"warning {100 - WARN_PENALTY}, and one with two failing checks and a warning "
    f"{100 - 2 * FAIL_PENALTY - WARN_PENALTY}. Checks are counted per column, so a column with both wrong types and "
    "empty required values counts twice. A run that could not read the file, or a check that could not run, "
    "gets no score."
)


def score_for(checks: Iterable[CheckOutcome]) -> int | None:
    """100 minus the penalties of the failing and warning checks, floored at 0; ``None`` when any check errored."""
    total = 100
    for check in checks:
        if check.status == ERROR:
            return None
        if check.status == FAIL:
            total -= FAIL_PENALTY
        elif check.status == WARN:
            total -= WARN_PENALTY
    return max(total, 0)
