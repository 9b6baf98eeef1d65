"""Who sits at a session's table: people the Stat team adds or removes by hand, the seat each takes, and the budget
analysts kept in line with the portfolios of the sessions still ahead."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from team.access import enforce
from team.models import PORTFOLIO_ROLES, Person, RoleAssignment

from ..access import MANAGE_ONLY, can_manage_sessions
from ..models import Attendee, Seat, SeatRole, Session
from ..states import AHEAD_STATES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_AHEAD = "The attendees of a session that was held or cancelled are history: they no longer change."


def _check_ahead(session: Session) -> None:
    if session.state not in AHEAD_STATES:
        raise ValidationError(NOT_AHEAD)


def _check_choice(field: str, value: str, choices: Iterable[str], *, blank: bool) -> None:
    if (value or not blank) and value not in set(choices):
        raise ValidationError({field: f"Unknown {field.replace('_', ' ')} {value!r}."})


def attendee_add(
    session: Session, *, person: Person, role: str = SeatRole.GUEST, seat: str = "", by: User | None
) -> Attendee:
    """Add ``person`` to ``session``'s table, in ``role`` (and ``seat``; empty: the seat that goes with the role).
    Someone already there is refused with a clear error, not a duplicate; only a session still ahead changes."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    _check_choice("role", role, SeatRole.values, blank=False)
    _check_choice("seat", seat, Seat.values, blank=True)
    if not person.active:
        raise ValidationError({"person": f"{person} is no longer active in the program."})
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        _check_ahead(locked)
        if Attendee.objects.filter(session=locked, person=person).exists():
            raise ValidationError({"person": f"{person} is already at this session."})
        try:
            with transaction.atomic():
                return Attendee.objects.create(session=locked, person=person, role=role, seat=seat)
        except IntegrityError as exc:  # added at the same moment by someone else
            raise ValidationError({"person": f"{person} is already at this session."}) from exc


def attendee_remove(attendee: Attendee, *, by: User | None) -> None:
    """Take ``attendee`` off their session's table (a session still ahead only). Someone at the table for their role
    comes back only if the Stat team adds them again: the portfolio sync re-adds budget analysts it added itself."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=attendee.session_id)
        _check_ahead(session)
        Attendee.objects.filter(pk=attendee.pk).delete()


def attendee_set_seat(attendee: Attendee, *, seat: str, by: User | None) -> Attendee:
    """Seat ``attendee`` at ``seat`` (empty: the seat that goes with their role), for a session still ahead."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    _check_choice("seat", seat, Seat.values, blank=True)
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=attendee.session_id)
        _check_ahead(session)
        attendee.seat = seat
        attendee.save(update_fields=["seat"])
    return attendee


def sessions_sync_budget_analysts(*, department_ids: Iterable[int], by: User | None) -> int:
    """Bring the budget analysts of every session still ahead (not held, not cancelled, not yet begun) of the
    series of ``department_ids`` in line with today's portfolio assignments, in one pass: those whose portfolio
    covers the department join (added automatically), those added automatically who no longer cover it leave;
    someone invited by hand stays. Returns how many attendees were added or removed. Four queries and one per
    department, whatever the number of sessions."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    ids = sorted(set(department_ids))
    if not ids:
        return 0
    with transaction.atomic():
        sessions = list(
            Session.objects.select_for_update(of=("self",))
            .filter(series__department_id__in=ids, state__in=AHEAD_STATES, starts_at__gt=timezone.now())
            .values_list("pk", "series__department_id")
            .order_by("pk")
        )
        if not sessions:
            return 0
        wanted: dict[int, set[int]] = defaultdict(set)
        for person_id, department_id in (
            RoleAssignment.objects.current()
            .filter(
                person__active=True,
                role__in=sorted(PORTFOLIO_ROLES),
                portfolio__departments__in=ids,
            )
            .values_list("person_id", "portfolio__departments")
        ):
            wanted[department_id].add(person_id)
        session_ids = [pk for pk, _ in sessions]
        present: dict[int, set[int]] = defaultdict(set)
        for session_id, person_id in Attendee.objects.filter(session_id__in=session_ids).values_list(
            "session_id", "person_id"
        ):
            present[session_id].add(person_id)
        new = [
            Attendee(session_id=session_id, person_id=person_id, role=SeatRole.BUDGET, automatic=True)
            for session_id, department_id in sessions
            for person_id in sorted(wanted[department_id] - present[session_id])
        ]
        Attendee.objects.bulk_create(new)
        # One statement per department (not per session) takes off those who no longer cover it.
        by_department: dict[int, list[int]] = defaultdict(list)
        for session_id, department_id in sessions:
            by_department[department_id].append(session_id)
        removed = 0
        for department_id, dept_sessions in sorted(by_department.items()):
            removed += (
                Attendee.objects.filter(session_id__in=dept_sessions, role=SeatRole.BUDGET, automatic=True)
                .exclude(person_id__in=sorted(wanted[department_id]))
                .delete()[0]
            )
    return len(new) + removed
