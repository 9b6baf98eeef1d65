"""What the engine returns: plain data, no Django, so the command line, the Celery task and the tests share it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASS, WARN, FAIL, ERROR = "pass", "warn", "fail", "error"
#: Worst first: a run's outcome is its worst check's status.
SEVERITY = {PASS: 0, WARN: 1, FAIL: 2, ERROR: 3}


@dataclass
class CheckOutcome:
    """One check's judgement: ``check`` is its name (freshness, row_count, completeness, required, type...),
    ``column`` the column it is about (blank for table-wide checks), ``value`` the measured figure, and
    ``examples`` a few offending rows as ``{"row": line_number, "column": name, "value": text}`` dicts."""

    check: str
    status: str
    value: float | None = None
    message: str = ""
    column: str = ""
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EngineResult:
    """Every check of one file, its score (0-100, see :mod:`quality.engine.score`; a check in error costs points and
    makes the outcome "error"), and the figures the run keeps."""

    checks: list[CheckOutcome]
    score: int
    row_count: int | None = None
    column_count: int | None = None
    newest_date: str | None = None

    @property
    def outcome(self) -> str:
        return max((c.status for c in self.checks), key=SEVERITY.__getitem__, default=PASS)

    @property
    def failed(self) -> bool:
        return any(c.status in (FAIL, ERROR) for c in self.checks)

    def as_json(self) -> dict[str, Any]:
        """The shape ``manage.py quality_check --json`` prints: ``score`` and ``checks``."""
        return {
            "score": self.score,
            "outcome": self.outcome,
            "row_count": self.row_count,
            "column_count": self.column_count,
            "newest_date": self.newest_date,
            "checks": [c.as_json() for c in self.checks],
        }


class UnreadableSource(Exception):
    """The file cannot be read at all (empty, HTML instead of data, wrong encoding beyond repair...).

    The message is for the user; the run ends in "error" with it."""
