"""The limits the checks judge against: program-wide defaults, and a dataset's own overrides.

Defaults, and why:

* ``freshness_grace_days = 3``: data is stale when it is older than its declared update frequency plus three days,
  so a daily file published on Monday morning instead of Sunday night is not flagged, and a weekend gap is not an
  alarm.
* ``row_change_warn_percent = 50``: a row count that falls or grows by more than half since the last run warns
  (a truncated export, a duplicated load); normal growth does not.
* ``empty_warn_percent = 25``: a column more than a quarter empty warns. Columns that are optional by nature can
  raise it; a *required* column fails on any empty value whatever this says.
* ``duplicate_warn_percent = 0``: any row repeated exactly warns; a dataset where repeats are normal can raise it.
* ``max_bytes = 500 MB``: the largest download accepted.
* ``max_decompressed_bytes = 2 GB``: the largest a compressed file may inflate to (a compression bomb stops here).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

MB = 1024 * 1024


@dataclass(frozen=True)
class Thresholds:
    freshness_grace_days: int = 3
    row_change_warn_percent: int = 50
    empty_warn_percent: int = 25
    duplicate_warn_percent: int = 0
    max_bytes: int = 500 * MB
    max_decompressed_bytes: int = 2048 * MB
    #: How many offending rows each check keeps as examples.
    example_limit: int = 5

    @classmethod
    def for_dataset(cls, settings: Any | None) -> Thresholds:
        """The defaults, overridden by each threshold ``settings`` (a ``DatasetQualitySettings``) sets.

        A blank (``None``) override keeps the default; ``settings`` itself may be ``None``."""
        if settings is None:
            return DEFAULTS
        overrides = {}
        for item in fields(cls):
            value = getattr(settings, item.name, None)
            if value is not None and value != "":
                overrides[item.name] = int(value)
        return replace(DEFAULTS, **overrides)


#: The program's defaults (a blank per-dataset threshold means the value here).
DEFAULTS = Thresholds()
