"""Who may read and write goals, measures, their observations and narratives: every goals view, API endpoint and
service asks this module. The naming scheme is ``team.access``'s.

* reading follows :data:`MEASURES` (and, seen from goals and observations, :data:`GOALS` and :data:`OBSERVATIONS`):
  the Stat team, seats at the table and data experts read every measure, a department's lead and contacts its
  own, a budget analyst their portfolio's, everyone the public ones (:func:`goals.models.public_measure_q`);
* defining goals, measures, their computations and targets is :func:`can_define_goals` (the principal, the Stat
  lead and analysts);
* recording the values of a manual measure is a :data:`MEASURES` writer's (the Stat lead and analysts, the
  measure's department's lead and contacts); "Compute now" on a computed one is theirs and the principal's;
* narratives are :data:`MEASURE_COMMENTARY`'s: the department's lead (and the Stat lead and analysts) write them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from quality.access import QUALITY_OF_DEPARTMENTS
from team.access import Actor, ScopedPolicy, actor_for, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Department, Role

from .models import Goal, Measure, Observation, public_measure_q

if TYPE_CHECKING:
    from team.access import Visitor

#: Measures. Writing one means recording the observations of a manual measure; defining goals and measures is
#: :func:`can_define_goals`. Public: the measure and its goal (:func:`goals.models.public_measure_q`).
MEASURES = ScopedPolicy(
    name="measure",
    department_field="department",
    public_q=public_measure_q(),
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES | {Role.DATA_EXPERT}),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_all=frozenset({Role.STAT_LEAD, Role.STAT_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
)
#: Measures seen from a goal (its owner departments; a goal is public on its own flag), from an observation (its
#: measure's department; public with its measure) and from a department (whose measures one reads).
GOALS = MEASURES.seen_from("goal", department_field="departments", public_q=Q(public=True))
OBSERVATIONS = MEASURES.seen_from(
    "observation", department_field="measure__department", public_q=public_measure_q("measure__")
)
MEASURES_OF_DEPARTMENTS = MEASURES.seen_from("department's measures", department_field="")
#: An observation's note: read by whoever reads its measure other than because it is public. A public measure
#: publishes its values, not the working notes beside them ("CAD outage, estimated"), so anonymous visitors and
#: other departments reading it as the public does get no note.
OBSERVATION_NOTES = MEASURES.seen_from("observation's note", department_field="measure__department")
NOTES_OF_MEASURES = MEASURES.seen_from("measure's observation notes", department_field="department")

#: Narratives (the department lead's commentary on a measure's period), and the same seen from a measure and from
#: a department.
MEASURE_COMMENTARY = ScopedPolicy(
    name="measure commentary",
    department_field="measure__department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES),
    read_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD}),
)
COMMENTARY_OF_MEASURES = MEASURE_COMMENTARY.seen_from("measure's commentary", department_field="department")
COMMENTARY_OF_DEPARTMENTS = MEASURE_COMMENTARY.seen_from("department's commentary", department_field="")

DEFINE_ONLY = "Only the principal, the Stat lead and Stat analysts define goals and measures."
RECORD_REFUSED = "You may read this measure but not record its values."
COMPUTE_REFUSED = "You may not compute this measure."
NARRATIVE_REFUSED = "Only the department's lead writes this narrative."


# --- capabilities (no object) --------------------------------------------------------------------------------------


def can_read_measures(actor: Actor) -> bool:
    """Whether ``actor`` may read any non-public measure (and so sees the Goals pages). No query."""
    return MEASURES.reads_some(actor)


def can_read_every_measure(actor: Actor) -> bool:
    """Principal, Stat team, seats at the table and data experts: the city-wide dashboard is theirs. No query."""
    return MEASURES.reads_every(actor)


def can_define_goals(actor: Actor) -> bool:
    """Create and edit goals, measures, their computations and targets: the principal, Stat lead and analysts."""
    return actor.has_role(Role.PRINCIPAL, Role.STAT_LEAD, Role.STAT_ANALYST)


# --- one measure ---------------------------------------------------------------------------------------------------


def can_record_observations(actor: Actor, measure: Measure) -> bool:
    """Whether ``actor`` may type in or upload values of ``measure``: a manual measure they write. No query when the
    measure's department is loaded."""
    return not measure.is_computed and MEASURES.allows(actor, measure, write=True)


def can_compute_measure(actor: Actor, measure: Measure) -> bool:
    """ "Compute now" on a computed measure: those who define goals, and those who write the measure (its
    department's lead and contacts). No query when the measure's department is loaded."""
    if not measure.is_computed:
        return False
    return can_define_goals(actor) or MEASURES.allows(actor, measure, write=True)


def can_read_narratives(actor: Actor, measure: Measure) -> bool:
    """Whether ``actor`` reads the narratives of ``measure``. No query when its department is loaded."""
    return COMMENTARY_OF_MEASURES.allows(actor, measure)


def can_read_observation_notes(actor: Actor, measure: Measure) -> bool:
    """Whether ``actor`` reads the notes beside the values of ``measure`` (:data:`OBSERVATION_NOTES`): not when they
    read it only because it is public. No query when its department is loaded."""
    return NOTES_OF_MEASURES.allows(actor, measure)


def can_write_narratives(actor: Actor, measure: Measure) -> bool:
    """Whether ``actor`` writes the narratives of ``measure``: its department's lead, and the Stat lead and
    analysts. No query."""
    return COMMENTARY_OF_MEASURES.allows(actor, measure, write=True)


# --- querysets -------------------------------------------------------------------------------------------------------


def measures_readable_by(actor: Actor, queryset: QuerySet[Measure] | None = None) -> QuerySet[Measure]:
    return MEASURES.readable(actor, Measure.objects.all() if queryset is None else queryset)


def observations_readable_by(actor: Actor, queryset: QuerySet[Observation] | None = None) -> QuerySet[Observation]:
    return OBSERVATIONS.readable(actor, Observation.objects.all() if queryset is None else queryset)


def with_note_readable(actor: Actor, queryset: QuerySet[Observation]) -> QuerySet[Observation]:
    """``queryset`` annotated with ``note_readable``: whether ``actor`` reads each observation's note
    (:data:`OBSERVATION_NOTES`), in the same query."""
    return queryset.annotate(note_readable=OBSERVATION_NOTES.read_expression(actor))


def goals_readable_by(actor: Actor, queryset: QuerySet[Goal] | None = None) -> QuerySet[Goal]:
    """Goals ``actor`` may read: every goal for those who read every measure; for the others, public goals and
    those their departments own or hold a measure of (one query; the owner join never repeats a goal)."""
    goals = Goal.objects.all() if queryset is None else queryset
    q = GOALS.read_q(actor)
    if q is None:
        return goals
    owned = Goal.objects.filter(q).values("pk")
    with_measures = measures_readable_by(actor).values("goal_id")
    return goals.filter(Q(pk__in=owned) | Q(pk__in=with_measures))


def with_parent_readable(queryset: QuerySet[Goal], actor: Actor) -> QuerySet[Goal]:
    """``queryset`` with ``parent_readable``: whether ``actor`` may read each goal's parent (a goal page or the API
    names the parent only then), in the same query."""
    return queryset.annotate(parent_readable=Exists(goals_readable_by(actor).filter(pk=OuterRef("parent_id"))))


# --- 404 / 403 -------------------------------------------------------------------------------------------------------


def get_measure_for_user(user: Visitor, slug: str) -> Measure:
    """The measure ``slug`` if ``user`` may read it (with its goal, priority, department and source dataset), else
    404."""
    queryset = Measure.objects.select_related("goal__priority", "department__portfolio", "source_dataset")
    return get_object_for_user(MEASURES, user, queryset, slug=slug)


def get_goal_for_user(user: Visitor, pk: int) -> Goal:
    """The goal ``pk`` if ``user`` may read it (with its priority, parent and ``parent_readable``), else 404."""
    actor = actor_for(user)
    goals = with_parent_readable(goals_readable_by(actor).select_related("priority", "parent"), actor)
    try:
        return goals.get(pk=pk)
    except Goal.DoesNotExist as exc:
        raise Http404("No goal matches the given query.") from exc


def get_goals_department_for_user(user: Visitor, slug: str) -> Department:
    """The department ``slug`` if ``user`` may read its measures (its dashboard), with ``reads_commentary`` and
    ``reads_quality``: whether they read its narratives and its datasets' quality results. One query; 404 for a
    department that does not exist or whose measures they may not read."""
    actor = actor_for(user)
    departments = MEASURES_OF_DEPARTMENTS.readable(actor, Department.objects.filter(slug=slug)).annotate(
        reads_commentary=COMMENTARY_OF_DEPARTMENTS.read_expression(actor),
        reads_quality=QUALITY_OF_DEPARTMENTS.read_expression(actor),
    )
    department = departments.first()
    if department is None:
        raise Http404("No department matches the given query.")
    return department
