import datetime

import pytest

from goals.periods import is_period_start, next_period, parse_period, period_label, period_start

D = datetime.date


@pytest.mark.parametrize(
    ("day", "frequency", "start", "label"),
    [
        (D(2026, 3, 5), "weekly", D(2026, 3, 2), "Week of 2 March 2026"),  # a Thursday: its week began on Monday
        (D(2026, 3, 31), "monthly", D(2026, 3, 1), "March 2026"),
        (D(2026, 8, 15), "quarterly", D(2026, 7, 1), "2026 Q3"),
        (D(2026, 12, 31), "annual", D(2026, 1, 1), "2026"),
    ],
)
def test_period_start_and_label(day, frequency, start, label):
    assert period_start(day, frequency) == start
    assert period_label(start, frequency) == label
    assert is_period_start(start, frequency) and not is_period_start(start + datetime.timedelta(days=1), frequency)


def test_next_period_crosses_years():
    assert next_period(D(2026, 12, 1), "monthly") == D(2027, 1, 1)
    assert next_period(D(2026, 10, 1), "quarterly") == D(2027, 1, 1)
    assert next_period(D(2026, 12, 28), "weekly") == D(2027, 1, 4)
    assert next_period(D(2026, 1, 1), "annual") == D(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "frequency", "start"),
    [
        ("2026-03-17", "monthly", D(2026, 3, 1)),
        ("2026-03", "monthly", D(2026, 3, 1)),
        ("2026-3", "quarterly", D(2026, 1, 1)),
        ("2026-Q2", "quarterly", D(2026, 4, 1)),
        ("2026q4", "quarterly", D(2026, 10, 1)),
        ("2026-W05", "weekly", D(2026, 1, 26)),
        ("2026", "annual", D(2026, 1, 1)),
        ("2026-03-17T09:30:00", "monthly", D(2026, 3, 1)),
        ("2026-03-17 09:30", "monthly", D(2026, 3, 1)),
    ],
)
def test_parse_period(text, frequency, start):
    assert parse_period(text, frequency) == start


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        ("", "monthly", "The period is missing."),
        ("March", "monthly", "is not a period"),
        ("2026-13", "monthly", "is not a period"),
        ("2026", "monthly", "does not name one monthly period"),
        ("2026-Q1", "monthly", "does not name one monthly period"),
        ("2026-03", "weekly", "does not name one weekly period"),
        # A typo after a date is not read as the date before it.
        ("2026-01-150", "monthly", "is not a period"),
        ("2026-01-15x", "monthly", "is not a period"),
        ("2026-01-15 to 2026-02-15", "monthly", "is not a period"),
    ],
)
def test_parse_period_refuses_what_names_no_single_period(text, frequency, message):
    with pytest.raises(ValueError, match=message):
        parse_period(text, frequency)
