"""What goals does when the apps below it say something happened (connected in ``GoalsConfig.ready``). Each
receiver hands over to a service: no business logic here."""

from __future__ import annotations

from quality.models import QualityRun

from .services import on_quality_run_finished


def quality_run_finished(sender: type[QualityRun], *, run: QualityRun, **kwargs: object) -> None:
    """``quality.signals.run_finished``: the measures computed from the run's dataset follow its newest good data."""
    on_quality_run_finished(run=run, by=None)
