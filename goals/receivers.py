"""What goals does when the apps below it say something happened (connected in ``GoalsConfig.ready``). Each
receiver hands over to a service: no business logic here."""

from __future__ import annotations

from quality.models import QualityRun

from .models import DataVersion
from .services import on_quality_run_finished


def quality_run_finished(sender: type[QualityRun], *, run: QualityRun, **kwargs: object) -> None:
    """``quality.signals.run_finished``: the measures computed from the run's dataset follow its newest good data."""
    on_quality_run_finished(run=run, by=None)


def data_changed(sender: type, **kwargs: object) -> None:
    """A save or delete of one of goals' models (or a change of a goal's departments): the dashboards' data version
    goes up, so the next request builds them afresh (see :class:`goals.models.DataVersion`)."""
    if str(kwargs.get("action", "post_")).startswith("post_"):
        DataVersion.bump()
