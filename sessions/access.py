"""Who may read and manage Stat series and sessions: every sessions view, feed and service asks this module. The
naming scheme is ``team.access``'s.

* the Stat team (principal, Stat lead, analysts) manages every series and session (:data:`SESSIONS` writers);
* seats at the table read every session; a department's lead and contacts read their department's; a budget
  analyst reads those of the departments in their portfolio; a cross-department series (no department) is the Stat
  team's and the seats' only;
* everyone else gets a 404: a session's existence never leaks.

A session's briefing memo (:func:`can_read_memo`): a draft is the Stat team's alone (others get a 404, as if there
were none) until it is shared with the department under "no surprises" (its lead and contacts read it) or sent (then
everyone who reads the session does). Only the Stat team changes a memo, and nobody changes a sent one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from team.access import Actor, ScopedPolicy, actor_for, get_object_for_user
from team.models import PROGRAM_ROLES, SEAT_ROLES, Person, Role

from .models import ActionItem, Memo, MemoState, Series, Session

if TYPE_CHECKING:
    from team.access import Visitor

#: Sessions, through their series' department (and its portfolio).
SESSIONS = ScopedPolicy(
    name="session",
    department_field="series__department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES),
    read_own_department=frozenset({Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_all=frozenset(PROGRAM_ROLES),
)
#: The same rule seen from a series.
SERIES = SESSIONS.seen_from("series", department_field="department")

MANAGE_ONLY = "Only the principal, the Stat lead and Stat analysts manage Stat sessions."
TOKEN_REFUSED = "Only the person themself or those who manage people may reset a calendar link."


def can_manage_sessions(actor: Actor) -> bool:
    """Create series, move and cancel sessions, change who attends: the Stat team. No query."""
    return actor.has_role(*PROGRAM_ROLES)


def can_reset_calendar_token(actor: Actor, person: Person) -> bool:
    """The person themself, or whoever manages people (a leaked link is cut off by the Stat team too)."""
    return actor.is_authenticated and (actor.person_id == person.pk or actor.can_manage_people())


def can_read_sessions(actor: Actor) -> bool:
    """Whether ``actor`` reads any session (a menu item, an index page). No query."""
    return SESSIONS.reads_some(actor)


def series_readable_by(actor: Actor, queryset=None):
    return SERIES.readable(actor, Series.objects.all() if queryset is None else queryset)


def sessions_readable_by(actor: Actor, queryset=None):
    return SESSIONS.readable(actor, Session.objects.all() if queryset is None else queryset)


def get_series_for_user(user: Visitor, pk: int, *, write: bool = False) -> Series:
    """The series ``pk`` if ``user`` may read it (write it, with ``write``), else 404 (or 403)."""
    queryset = Series.objects.select_related("department__portfolio")
    return get_object_for_user(SERIES, user, queryset, write=write, pk=pk)


def get_session_for_user(user: Visitor, pk: int, *, write: bool = False) -> Session:
    """The session ``pk`` if ``user`` may read it (write it, with ``write``), else 404 (or 403)."""
    queryset = Session.objects.select_related("series__department__portfolio")
    return get_object_for_user(SESSIONS, user, queryset, write=write, pk=pk)


# --- the briefing memo -------------------------------------------------------------------------------------------

MEMO_SENT_REFUSED = "This memo has been sent: it stays as it was sent and can no longer change."


def memo_open_to_department(memo: Memo, session: Session) -> bool:
    """Whether ``memo`` has reached the department: sent, or shared before the meeting under "no surprises"."""
    return memo.is_sent or (memo.shared_at is not None and session.series.no_surprises)


def can_read_memo(actor: Actor, memo: Memo, session: Session) -> bool:
    """Who reads ``session``'s ``memo`` (``actor`` already reads the session: :func:`get_session_for_user`). The
    Stat team always (drafts are theirs alone); once sent, everyone who reads the session (the department's lead
    and contacts, the portfolio's budget analysts, the seats); while a draft shared under "no surprises", the
    department's lead and contacts. No query."""
    if can_manage_sessions(actor):
        return True
    if memo.is_sent:
        return SESSIONS.allows(actor, session)
    department_id = session.series.department_id
    return (
        memo_open_to_department(memo, session)
        and department_id is not None
        and department_id in (actor.lead_department_ids | actor.contact_department_ids)
    )


def memos_readable_by(actor: Actor, queryset=None):
    """The memos ``actor`` reads (:func:`can_read_memo`), narrowed in SQL: one query when evaluated."""
    queryset = Memo.objects.all() if queryset is None else queryset
    if can_manage_sessions(actor):
        return queryset
    readable_sessions = sessions_readable_by(actor).values("pk")
    own = actor.lead_department_ids | actor.contact_department_ids
    shared = Q(shared_at__isnull=False, session__series__no_surprises=True, session__series__department_id__in=own)
    return queryset.filter(Q(state=MemoState.SENT) | shared, session__in=readable_sessions)


def get_memo_for_user(user: Visitor, session_pk: int, *, write: bool = False) -> tuple[Session, Memo]:
    """Session ``session_pk`` and its memo if ``user`` may read it (write it, with ``write``: the Stat team, while
    a draft), else 404 (no such session or memo, or not theirs to read yet) or 403 (read-only)."""
    session = get_session_for_user(user, session_pk)
    memo = (
        Memo.objects.select_related("drafted_by__person", "shared_by__person", "sent_by__person")
        .filter(session=session)
        .first()
    )
    actor = actor_for(user)
    if memo is None or not can_read_memo(actor, memo, session):
        raise Http404("No memo matches the given query.")
    memo.session = session  # already loaded, with its series
    if write and not can_manage_sessions(actor):
        raise PermissionDenied(MANAGE_ONLY)
    return session, memo


MEASURES_ONLY = "“How the program is doing” is for the principal and the Stat lead."


def can_read_program_measures(actor: Actor) -> bool:
    """The program's own figures (KPIs on track per session, action-item completion, timeliness, the survey): the
    principal and the Stat lead. No query."""
    return actor.has_role(Role.PRINCIPAL, Role.STAT_LEAD)


def can_see_late_follow_ups(actor: Actor) -> bool:
    """The "Follow-up memos late" panel on the landing page: the Stat lead, who answers for them. No query."""
    return actor.has_role(Role.STAT_LEAD)


# --- action items ----------------------------------------------------------------------------------------------------
#
# The Stat team manages every action item; a department's lead updates its items; its contacts read them; a budget
# analyst reads those of their portfolio's departments; the seats at the table read all; the person an item names as
# its owner reads and updates that item (wherever they sit); everyone else gets a 404.

#: Action items, through their own department (not the series': a cross-department series assigns items to many).
ACTION_ITEMS = ScopedPolicy(
    name="action item",
    department_field="department",
    read_all=frozenset(PROGRAM_ROLES | SEAT_ROLES),
    read_own_department=frozenset({Role.DEPARTMENT_CONTACT}),
    read_portfolio=frozenset({Role.BUDGET_ANALYST}),
    write_all=frozenset(PROGRAM_ROLES),
    write_own_department=frozenset({Role.DEPARTMENT_LEAD}),
)

RECORD_ONLY = "Only the principal, the Stat lead and Stat analysts record action items."
UPDATE_REFUSED = "Only the Stat team, the department's lead and the item's owner update an action item."
STAT_TEAM_ONLY = "Only the Stat team may do that to an action item."


def _person_id(actor: Actor) -> int | None:
    """The actor's Person: known from their roles, else looked up once by their login (an owner may hold no role)."""
    if actor.person_id is not None or actor.user_id is None:
        return actor.person_id
    if "person_id" not in actor.extra:
        actor.extra["person_id"] = Person.objects.filter(user_id=actor.user_id).values_list("pk", flat=True).first()
    return actor.extra["person_id"]


def _owned_q(actor: Actor) -> Q:
    person_id = _person_id(actor)
    return Q(owner_id=person_id) if person_id is not None else Q(pk__in=[])


def action_items_readable_by(actor: Actor, queryset: QuerySet[ActionItem] | None = None) -> QuerySet[ActionItem]:
    """The action items ``actor`` reads (:data:`ACTION_ITEMS`, and the ones they own), narrowed in SQL."""
    queryset = ActionItem.objects.all() if queryset is None else queryset
    q = ACTION_ITEMS.read_q(actor)
    if q is None:
        return queryset
    if not actor.is_authenticated:
        return queryset.none()
    return queryset.filter(q | _owned_q(actor))


def can_read_action_items(actor: Actor) -> bool:
    """Whether ``actor`` may open the tracker (they read some action items, or may own some): from their roles, or
    one query for a login without any."""
    return actor.is_authenticated and (ACTION_ITEMS.reads_some(actor) or _person_id(actor) is not None)


def can_record_action_items(actor: Actor) -> bool:
    """Record action items, merge them, move their due dates, reopen completed ones: the Stat team. No query."""
    return actor.has_role(*PROGRAM_ROLES)


def can_update_action_item(actor: Actor, item: ActionItem) -> bool:
    """May ``actor`` update ``item`` (a comment, an attachment, its state, completing it)? The Stat team, the lead
    of the item's department, and the item's owner. In memory (the item's department loaded), but for the owner
    of a login without roles (one query)."""
    if not actor.is_authenticated:
        return False
    if ACTION_ITEMS.allows(actor, item, write=True):
        return True
    return item.owner_id is not None and item.owner_id == _person_id(actor)


def get_action_item_for_user(user: Visitor, pk: int, *, write: bool = False) -> ActionItem:
    """The action item ``pk`` if ``user`` may read it (update it, with ``write``), else 404 (or 403)."""
    actor = actor_for(user)
    queryset = ActionItem.objects.select_related(
        "department__portfolio",
        "session__series__department",
        "owner",
        "topic",
        "measure",
        "dataset",
        "merged_into__session__series",
    )
    item = action_items_readable_by(actor, queryset).filter(pk=pk).first()
    if item is None:
        raise Http404("No action item matches the given query.")
    if write and not can_update_action_item(actor, item):
        raise PermissionDenied("You may read this action item but not change it.")
    return item
