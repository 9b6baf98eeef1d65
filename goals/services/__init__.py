"""Actions that change goals and measures, one module per area (every name is importable from here too):

* :mod:`.definitions`: create and change goals and measures (with their computation) and per-period targets;
* :mod:`.observations`: manual entry, CSV upload with a dry run, and narratives;
* :mod:`.compute`: compute measures from their dataset's data ("Compute now", and after each good quality run).
"""

from .compute import (
    ComputeResult,
    measure_compute,
    measure_compute_request,
    measures_compute,
    on_quality_run_finished,
    sweep_stuck_computations,
)
from .definitions import goal_create, goal_update, measure_create, measure_target_set, measure_update
from .observations import (
    UploadError,
    narrative_save,
    observation_record,
    observations_import,
    observations_plan,
    read_observations,
)

__all__ = [
    "ComputeResult",
    "UploadError",
    "goal_create",
    "goal_update",
    "measure_compute",
    "measure_compute_request",
    "measure_create",
    "measure_target_set",
    "measure_update",
    "measures_compute",
    "sweep_stuck_computations",
    "narrative_save",
    "observation_record",
    "observations_import",
    "observations_plan",
    "on_quality_run_finished",
    "read_observations",
]
