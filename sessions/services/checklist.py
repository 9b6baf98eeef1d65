"""The preparation checklist of each session: the four standard steps, due a set time before the meeting (the
series says how long: :attr:`Series.data_request_days` and the rest), and any other step the Stat team adds; and
the reminders the schedule sends for steps due within a day or overdue.

A step is done when ``done_at`` is set. A cancelled session's open steps no longer count: they are neither overdue
nor reminded. The memo steps may also be marked done by the memo's own services (:func:`checklist_mark`)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from team.access import enforce, enforce_system
from team.models import Role, RoleAssignment

from ..access import MANAGE_ONLY, can_manage_sessions
from ..models import ChecklistItem, ChecklistKind, Series, Session
from ..states import AHEAD_STATES

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

#: The standard steps, in the order they fall due.
STANDARD_KINDS = (
    ChecklistKind.DATA_REQUEST,
    ChecklistKind.DATA_DUE,
    ChecklistKind.MEMO_DRAFT,
    ChecklistKind.MEMO_SENT,
)
#: The steps the department's contact answers for; the Stat team's member who made the series answers for the rest.
DEPARTMENT_KINDS = frozenset({ChecklistKind.DATA_REQUEST, ChecklistKind.DATA_DUE})
#: A reminder goes out for an open step due within this long (or overdue), at most once a day per step.
REMIND_AHEAD = datetime.timedelta(days=1)
SYSTEM_ONLY = "Only the system sends checklist reminders."


def step_due_at(series: Series, starts_at: datetime.datetime, kind: str) -> datetime.datetime:
    """When step ``kind`` of a meeting at ``starts_at`` is due: whole days back in the series' wall time (a step due
    "14 days before" a 10:00 meeting is due at 10:00, across daylight saving), hours back in absolute time."""
    local = starts_at.astimezone(ZoneInfo(series.time_zone))
    if kind == ChecklistKind.MEMO_SENT:
        return (starts_at - datetime.timedelta(hours=series.memo_send_hours)).astimezone(local.tzinfo)
    days = {
        ChecklistKind.DATA_REQUEST: series.data_request_days,
        ChecklistKind.DATA_DUE: series.data_due_days,
        ChecklistKind.MEMO_DRAFT: series.memo_draft_days,
    }[ChecklistKind(kind)]
    wall = local.replace(tzinfo=None) - datetime.timedelta(days=days)
    return wall.replace(tzinfo=local.tzinfo)


def _default_assignees(series: Series) -> dict[str, int | None]:
    """Who answers for each standard step: the department's first current contact for the data steps (the creator
    when the department has none, or for a cross-department series), the series' creator for the memo. One or two
    queries."""
    creator_id = None
    if series.created_by_id is not None:
        creator_id = (
            RoleAssignment.objects.current()
            .filter(person__user_id=series.created_by_id, person__active=True)
            .values_list("person_id", flat=True)
            .first()
        )
    contact_id = creator_id
    if series.department_id is not None:
        contact_id = (
            RoleAssignment.objects.current()
            .filter(role=Role.DEPARTMENT_CONTACT, department_id=series.department_id, person__active=True)
            .order_by("starts_on", "pk")
            .values_list("person_id", flat=True)
            .first()
        ) or creator_id
    return {kind: contact_id if kind in DEPARTMENT_KINDS else creator_id for kind in STANDARD_KINDS}


def checklist_create_standard(*, series: Series, sessions: Sequence[Session], by: User | None) -> list[ChecklistItem]:
    """The four standard steps for each of ``sessions`` (new sessions of ``series``), in one insert. A session that
    already has a step of a kind keeps it (the database allows one per kind)."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    assignees = _default_assignees(series)
    items = [
        ChecklistItem(
            session=session,
            kind=kind,
            title=ChecklistKind(kind).label,
            due_at=step_due_at(series, session.starts_at, kind),
            assignee_id=assignees[kind],
        )
        for session in sessions
        for kind in STANDARD_KINDS
    ]
    with transaction.atomic():
        return ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)


def checklist_reschedule(session: Session, *, by: User | None) -> int:
    """Count ``session``'s standard steps back again from its (new) start; returns how many moved. Steps already
    done keep their due date (it is history), and "other" steps keep theirs (the Stat team set them)."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    series = session.series
    with transaction.atomic():
        items = list(
            ChecklistItem.objects.select_for_update()
            .filter(session=session, kind__in=STANDARD_KINDS, done_at__isnull=True)
            .order_by("pk")
        )
        for item in items:
            item.due_at = step_due_at(series, session.starts_at, item.kind)
        ChecklistItem.objects.bulk_update(items, ["due_at"])
    return len(items)


def checklist_reschedule_series(*, series: Series, by: User | None) -> int:
    """Count the open standard steps of ``series``'s sessions still ahead back again, after its offsets changed."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        items = list(
            ChecklistItem.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(
                session__series=series,
                session__state__in=AHEAD_STATES,
                session__starts_at__gt=timezone.now(),
                kind__in=STANDARD_KINDS,
                done_at__isnull=True,
            )
            .order_by("pk")
        )
        for item in items:
            item.due_at = step_due_at(series, item.session.starts_at, item.kind)
        ChecklistItem.objects.bulk_update(items, ["due_at"])
    return len(items)


def _mark(item: ChecklistItem, *, done: bool, by: User | None) -> ChecklistItem:
    if done and item.done_at is None:
        item.done_at = timezone.now()
        item.done_by = by
    elif not done:
        item.done_at = None
        item.done_by = None
    item.save(update_fields=["done_at", "done_by"])
    return item


def checklist_mark(session: Session, kind: str, *, done: bool, by: User | None) -> ChecklistItem | None:
    """Mark ``session``'s standard step ``kind`` done (or not done again); returns it, or ``None`` when the session
    has no such step. Marking done twice keeps the first time and who did it. The memo's services call this with
    the memo steps when a memo is drafted or sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    if kind not in STANDARD_KINDS:
        raise ValidationError({"kind": "Name one of the standard steps; mark another step by itself."})
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update().filter(session=session, kind=kind).first()
        return _mark(item, done=done, by=by) if item is not None else None


def checklist_item_mark(item: ChecklistItem, *, done: bool, by: User | None) -> ChecklistItem:
    """Mark one step done (or not done again). Marking done twice keeps the first time and who did it."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        return _mark(ChecklistItem.objects.select_for_update().get(pk=item.pk), done=done, by=by)


def checklist_item_add(
    session: Session,
    *,
    title: str,
    due_at: datetime.datetime,
    assignee_id: int | None = None,
    by: User | None,
) -> ChecklistItem:
    """Add an "other" step to ``session``'s checklist. Not to a cancelled or held session; the due time must say
    its time zone."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    if timezone.is_naive(due_at):
        raise ValidationError({"due_at": "Give the due time with its time zone."})
    if session.state not in AHEAD_STATES:
        raise ValidationError("Only a session still ahead gets new preparation steps.")
    item = ChecklistItem(
        session=session, kind=ChecklistKind.OTHER, title=title.strip(), due_at=due_at, assignee_id=assignee_id
    )
    item.full_clean()
    with transaction.atomic():
        item.save()
    return item


def _due_for_reminder(now: datetime.datetime) -> Iterable[ChecklistItem]:
    """The open steps of sessions still ahead (not held, not cancelled, not yet begun) that are due within
    :data:`REMIND_AHEAD` or overdue, whose assignee has an email and was not reminded of them today (city time).
    One query."""
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        ChecklistItem.objects.filter(
            done_at__isnull=True,
            due_at__lte=now + REMIND_AHEAD,
            session__state__in=AHEAD_STATES,
            session__starts_at__gt=now,
            assignee__active=True,
        )
        .exclude(reminded_at__gte=start_of_day)
        .exclude(assignee__email="")
        .select_related("session__series__department", "assignee")
        .order_by("due_at", "pk")
    )


def checklist_send_reminders(*, by: None, now: datetime.datetime | None = None) -> int:
    """Email each open step due within a day, or overdue, to its assignee; returns how many went out.

    Guarantees: only the system sends (``by=None``, the beat task); each step at most one reminder per day (city
    time: the row is locked and ``reminded_at`` set in the transaction that sends it, so two runs at once send it
    once); a step already done, or of a session cancelled, held or already begun, is not reminded."""
    enforce_system(by, SYSTEM_ONLY)
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sent = 0
    for candidate in list(_due_for_reminder(now)):
        with transaction.atomic():
            item = (
                ChecklistItem.objects.select_for_update(of=("self",))
                .select_related("session__series__department", "assignee")
                .filter(pk=candidate.pk, done_at__isnull=True)
                .exclude(reminded_at__gte=start_of_day)
                .first()
            )
            if item is None or item.assignee is None:
                continue
            _send_reminder(item, now=now)
            item.reminded_at = now
            item.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def _send_reminder(item: ChecklistItem, *, now: datetime.datetime) -> None:
    session = item.session
    assert item.assignee is not None
    context = {
        "item": item,
        "session": session,
        "series": session.series,
        "person": item.assignee,
        "overdue": item.due_at < now,
        "program_name": settings.PROGRAM_NAME,
        "session_url": settings.SITE_URL.rstrip("/") + reverse("stat_sessions:session", args=[session.pk]),
    }
    subject = "".join(render_to_string("stat_sessions/email/checklist_reminder_subject.txt", context).splitlines())
    body = render_to_string("stat_sessions/email/checklist_reminder_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [item.assignee.email])
