"""A dataset's run history as CSV: one row per run, newest first, its times in the city's time zone (named in the
header, each time with its UTC offset), text cells a spreadsheet shows and never runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from core.links import site_url
from inventory.services.tabular import FORMULA_STARTS

from .charts import city_zone
from .models import Outcome, QualityRun, RunState, Trigger


def csv_headers() -> list[str]:
    zone = city_zone()
    return [
        "run",
        f"queued_at ({zone})",
        f"finished_at ({zone})",
        "state",
        "outcome",
        "score",
        "rows",
        "columns",
        "trigger",
        "message",
        "url",
    ]


def _text(value: str) -> str:
    """A text cell a spreadsheet will show, never run: formula-looking text gets a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _city_time(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, timezone.get_default_timezone()).isoformat(timespec="seconds")


def runs_csv(runs: Iterable[QualityRun]) -> str:
    """The runs as CSV text, in the order given: each run's own fields, and its page's address on ``SITE_URL``."""
    states, outcomes, triggers = dict(RunState.choices), dict(Outcome.choices), dict(Trigger.choices)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_headers())
    for run in runs:
        writer.writerow(
            [
                run.pk,
                _city_time(run.queued_at),
                _city_time(run.finished_at),
                states.get(run.state, run.state),
                outcomes.get(run.outcome, ""),
                "" if run.score is None else run.score,
                "" if run.row_count is None else run.row_count,
                "" if run.column_count is None else run.column_count,
                triggers.get(run.trigger, run.trigger),
                _text(run.message),
                site_url(run.get_absolute_url()),
            ]
        )
    return buffer.getvalue()
