"""The status rules: where a measure's value stands against its target, read the same way everywhere.

- **on track**: at or past the target in the good direction;
- **approaching**: short of it by no more than the tolerance (a share of the target, 10% by default);
- **off track**: further away than that;
- **no data**: no value, or no target to judge it by.

"Data suspect" is a separate flag (the source dataset's latest quality run failed, or it is stale): a measure can be
on track and data suspect at once, and both are shown.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    APPROACHING = "approaching", "Approaching"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


def measure_status(
    value: Decimal | float | None,
    target: Decimal | float | None,
    *,
    direction: str,
    tolerance_percent: int | Decimal | float,
) -> Status:
    """The status of ``value`` against ``target``. ``direction`` is "up" (higher is better) or "down".

    The tolerance band is ``tolerance_percent`` of the target's size, so a target of 0 has no band: only
    reaching it is on track. The arithmetic is decimal and exact: a value exactly at the edge of the band is
    approaching. The SQL rule (:func:`goals.selectors_dashboard.status_case`) compares the same products, so the two
    judge alike on SQLite and PostgreSQL.
    """
    if value is None or target is None:
        return Status.NO_DATA
    value, target = Decimal(str(value)), Decimal(str(target))
    shortfall = target - value if direction == "up" else value - target
    if shortfall <= 0:
        return Status.ON_TRACK
    # shortfall <= |target| * tolerance / 100, multiplied out: nothing is divided, here or in SQL.
    if shortfall * 100 <= abs(target) * Decimal(str(tolerance_percent)):
        return Status.APPROACHING
    return Status.OFF_TRACK
