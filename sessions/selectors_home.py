"""What the signed-in home page reads of Stat sessions: the next sessions someone sits in, each department's next
session with what is still to do before it, and the open action items someone answers for. Who reads which session,
memo and item is :mod:`sessions.access`'s to say: these narrow (or annotate) with the reader's
:class:`~team.access.Actor`, and each is a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from team.access import Actor

from .access import SESSIONS, action_items_readable_by, can_read_memo
from .models import OPEN_STATES, ActionItem, ChecklistItem, Memo, Session
from .selectors_actions import tracker_items
from .states import AHEAD_STATES

#: How many items each list of the home page shows.
SHOWN = 8


def next_sessions_attended(
    actor: Actor, person_id: int | None, *, now: datetime.datetime, limit: int = 5
) -> list[Session]:
    """The next sessions (not cancelled, not held) ``person_id`` sits at the table of, soonest first, each with
    ``readable``: whether ``actor`` may open it (someone may be invited to a session of a series they cannot read).
    One query."""
    if person_id is None:
        return []
    return list(
        Session.objects.filter(attendees__person_id=person_id, starts_at__gte=now, state__in=AHEAD_STATES)
        .annotate(readable=SESSIONS.read_expression(actor))
        .select_related("series__department")
        .order_by("starts_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class NextSession:
    """A department's next session: its materials' deadline, its preparation steps still open (each with
    ``overdue``; someone's own, when asked for), and whether the reader may open its briefing memo."""

    session: Session
    materials_due: datetime.datetime
    open_steps: list[ChecklistItem]
    memo_readable: bool


def next_department_sessions(
    actor: Actor, department_ids: Collection[int], *, now: datetime.datetime, person_id: int | None = None
) -> list[NextSession]:
    """The next session (not cancelled, not held) of each of ``department_ids``' series, soonest first, with its
    open preparation steps (``person_id``'s alone, when given). Two queries, however many departments and
    sessions."""
    if not department_ids:
        return []
    ahead = Session.objects.filter(starts_at__gte=now, state__in=AHEAD_STATES)
    first = ahead.filter(series__department_id=OuterRef("series__department_id")).order_by("starts_at", "pk")
    sessions = list(
        ahead.filter(series__department_id__in=sorted(department_ids))
        .filter(pk=Subquery(first.values("pk")[:1]))
        .select_related("series__department", "memo")
        .order_by("starts_at", "pk")
    )
    steps: dict[int, list[ChecklistItem]] = {session.pk: [] for session in sessions}
    open_steps = ChecklistItem.objects.filter(session__in=sessions, done_at__isnull=True)
    if person_id is not None:
        open_steps = open_steps.filter(assignee_id=person_id)
    for step in open_steps.select_related("assignee").order_by("due_at", "pk"):
        step.overdue = step.due_at < now  # type: ignore[attr-defined]
        steps[step.session_id].append(step)
    result = []
    for session in sessions:
        try:
            memo: Memo | None = session.memo
        except Memo.DoesNotExist:  # joined: no query
            memo = None
        result.append(
            NextSession(
                session=session,
                materials_due=session.starts_at - datetime.timedelta(days=session.series.data_due_days),
                open_steps=steps[session.pk],
                memo_readable=memo is not None and can_read_memo(actor, memo, session),
            )
        )
    return result


@dataclass(frozen=True)
class OpenItems:
    """The first :data:`SHOWN` open action items (with ``status``, department, owner and session) and how many."""

    items: list[ActionItem]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def open_action_items(
    actor: Actor, *, department_ids: Collection[int] = (), person_id: int | None = None, shown: int = SHOWN
) -> OpenItems:
    """The open action items (incomplete, under review, on hold) of ``department_ids`` and those ``person_id`` owns,
    that ``actor`` reads, soonest due first. Two queries: the count and the first ``shown``."""
    scope = Q(department_id__in=sorted(department_ids))
    if person_id is not None:
        scope |= Q(owner_id=person_id)
    items = action_items_readable_by(actor, ActionItem.objects.filter(scope, state__in=sorted(OPEN_STATES)))
    total = items.count()
    return OpenItems(list(tracker_items(items).order_by("due_date", "session__starts_at", "number")[:shown]), total)
