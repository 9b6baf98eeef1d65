"""Action items: recorded at the session by the Stat team, updated afterwards by the department (its lead, or the
item's owner), completed, merged, and reminded of when overdue. Each function takes the acting user (``by``;
``None`` is the system) and enforces :mod:`sessions.access` itself, so the pages and the API cannot disagree.

Statuses: what is stored is :class:`~sessions.models.ItemState`; "not yet due" and "overdue" are read from the due
date against the city's date (:func:`sessions.selectors_actions.display_status`); "on time" or "late" is decided
once, when the item is completed.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.uploads import RefusedFile, attachment_name, refuse_html
from goals.access import measures_readable_by
from goals.models import Measure
from inventory.access import datasets_readable_by
from inventory.models import Dataset
from team.access import actor_for, enforce, enforce_system
from team.models import Department, Person, Role, RoleAssignment

from ..access import RECORD_ONLY, STAT_TEAM_ONLY, UPDATE_REFUSED, can_record_action_items, can_update_action_item
from ..emails import send_overdue_reminder
from ..models import (
    OPEN_STATES,
    ActionItem,
    ActionItemUpdate,
    Deliverable,
    ItemState,
    MemoTopic,
    Priority,
    Session,
)
from ..selectors_actions import city_today
from ..selectors_memo import session_words

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: What an update may attach: PDF, office documents, CSV and plain text, images.
ATTACHMENT_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "csv", "txt", "png", "jpg", "jpeg", "gif"}
)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
#: The states an update sets directly (completing and merging have their own services).
UPDATE_STATES = frozenset({ItemState.INCOMPLETE, ItemState.UNDER_REVIEW, ItemState.OVERTAKEN, ItemState.ON_HOLD})
SYSTEM_ONLY = "Only the system sends overdue reminders."
#: The reminders go out from this hour of the city's day (the task runs hourly), not in the night.
REMINDER_HOUR = 7


def _name_of(by: User | None) -> str:
    if by is None:
        return "System"
    person = Person.objects.filter(user=by).only("full_name").first()
    return person.full_name if person is not None else (by.get_full_name() or by.get_username())


def _session_day(session: Session) -> datetime.date:
    """The session's date in the city's time zone."""
    return timezone.localdate(session.starts_at, ZoneInfo(settings.TIME_ZONE))


def _check_reads(by: User | None, *, measure: Measure | None, dataset: Dataset | None) -> None:
    if by is None:
        return
    actor = actor_for(by)
    if measure is not None and not measures_readable_by(actor).filter(pk=measure.pk).exists():
        raise ValidationError({"measure": "Choose a measure you may read."})
    if dataset is not None and not datasets_readable_by(actor).filter(pk=dataset.pk).exists():
        raise ValidationError({"dataset": "Choose a dataset you may read."})


def action_item_create(
    session: Session,
    *,
    title: str,
    department: Department,
    due_date: datetime.date,
    owner: Person | None = None,
    priority: str = Priority.MEDIUM,
    deliverable: str = Deliverable.MEMO,
    topic: MemoTopic | None = None,
    measure: Measure | None = None,
    dataset: Dataset | None = None,
    description: str = "",
    by: User | None,
) -> ActionItem:
    """Record a request made at ``session``: the Stat team only. It gets the next number of the session (the
    session row is locked while the number is allocated, so two analysts recording at once never collide); its
    topic, if any, is one of the session's memo's; its measure and dataset, if any, are ones ``by`` may read; it
    is due no earlier than the session's day."""
    enforce(by, can_record_action_items, RECORD_ONLY)
    title = " ".join(title.split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Say what was asked for."
    if due_date < _session_day(session):
        errors["due_date"] = "The due date cannot be before the session."
    if priority not in Priority.values:
        errors["priority"] = "Choose a priority."
    if deliverable not in Deliverable.values:
        errors["deliverable"] = "Choose a deliverable."
    if topic is not None and not MemoTopic.objects.filter(pk=topic.pk, memo__session_id=session.pk).exists():
        errors["topic"] = "Choose a topic of this session's memo."
    if session.is_cancelled:
        errors["title"] = "This session was cancelled: record nothing at it."
    if errors:
        raise ValidationError(errors)
    _check_reads(by, measure=measure, dataset=dataset)
    with transaction.atomic():
        Session.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True).get()
        last = ActionItem.objects.filter(session=session).aggregate(last=Max("number"))["last"] or 0
        item = ActionItem.objects.create(
            session=session,
            number=last + 1,
            topic=topic,
            topic_title=topic.title if topic is not None else "",
            title=title,
            description=description.strip(),
            owner=owner,
            department=department,
            due_date=due_date,
            priority=priority,
            deliverable=deliverable,
            measure=measure,
            dataset=dataset,
            created_by=by,
        )
        ActionItemUpdate.objects.create(
            item=item, by=by, by_name=_name_of(by), comment="Recorded at the session.", new_state=item.state
        )
    return item


def _locked(item: ActionItem) -> ActionItem:
    """``item`` read again under a row lock (its relations loaded for the access rules)."""
    return ActionItem.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)


def _store_attachment(update: ActionItemUpdate, attachment: UploadedFile) -> None:
    try:
        name = attachment_name(
            attachment.name or "",
            extensions=ATTACHMENT_EXTENSIONS,
            max_bytes=ATTACHMENT_MAX_BYTES,
            size=attachment.size or 0,
        )
        attachment.seek(0)
        refuse_html(attachment.read(2048))
        attachment.seek(0)
    except RefusedFile as exc:
        raise ValidationError({"attachment": str(exc)}) from exc
    update.attachment_name = name
    update.attachment.save(name, attachment, save=False)


def _refuse_merged(item: ActionItem) -> None:
    if item.state == ItemState.MERGED:
        raise ValidationError({"state": "This item was merged into another: update that one."})


def action_item_update(
    item: ActionItem,
    *,
    by: User | None,
    state: str | None = None,
    comment: str = "",
    attachment: UploadedFile | None = None,
    due_date: datetime.date | None = None,
) -> ActionItem:
    """Update ``item``: a comment, an attachment, a new state (incomplete, under review, overtaken by events, on
    hold), a new due date. Recorded as one :class:`ActionItemUpdate` with the state before and after.

    Who: the Stat team, the lead of the item's department, the item's owner. Only the Stat team moves a due date
    or reopens a closed item (completed or overtaken). A merged item takes no updates. An update that changes
    nothing is refused. The attachment is bounded (:data:`ATTACHMENT_EXTENSIONS`, :data:`ATTACHMENT_MAX_BYTES`)."""
    comment = comment.strip()
    with transaction.atomic():
        item = _locked(item)
        enforce(by, lambda actor: can_update_action_item(actor, item), UPDATE_REFUSED)
        stat_team = by is None or can_record_action_items(actor_for(by))
        _refuse_merged(item)
        old_state = item.state
        new_state = state or old_state
        if new_state not in UPDATE_STATES and new_state != old_state:
            raise ValidationError({"state": "Complete an item or merge it with their own forms."})
        if new_state != old_state and old_state not in OPEN_STATES and not stat_team:
            raise PermissionDenied("Only the Stat team reopens a completed or overtaken item.")
        if due_date is not None and due_date != item.due_date:
            if not stat_team:
                raise PermissionDenied(STAT_TEAM_ONLY)
            if due_date < _session_day(item.session):
                raise ValidationError({"due_date": "The due date cannot be before the session."})
            note = f"Due date moved from {item.due_date:%-d %B %Y} to {due_date:%-d %B %Y}."
            comment = f"{comment}\n{note}".strip()
            item.due_date = due_date
        if new_state == old_state and not comment and attachment is None:
            raise ValidationError({"comment": "Say what changed: a comment, an attachment or a new state."})
        update = ActionItemUpdate(
            item=item,
            by=by,
            by_name=_name_of(by),
            comment=comment,
            old_state=old_state,
            new_state=new_state,
        )
        if attachment is not None:
            _store_attachment(update, attachment)
        update.save()
        item.state = new_state
        if new_state != old_state:
            item.completed_on = None
        item.save(update_fields=["state", "due_date", "completed_on", "updated_at"])
    return item


def action_item_complete(
    item: ActionItem, *, by: User | None, comment: str = "", completed_on: datetime.date | None = None
) -> ActionItem:
    """Mark ``item`` completed on ``completed_on`` (today in the city's time zone by default; an earlier day may be
    given, never a later one): on time if that is on or before the due date, else after the deadline, decided
    now and kept. Only an open item is completed; by the same people who update it."""
    today = city_today()
    completed_on = completed_on or today
    if completed_on > today:
        raise ValidationError({"completed_on": "The completion date cannot be in the future."})
    with transaction.atomic():
        item = _locked(item)
        enforce(by, lambda actor: can_update_action_item(actor, item), UPDATE_REFUSED)
        if item.state not in OPEN_STATES:
            raise ValidationError({"state": "Only an open item can be completed."})
        if completed_on < _session_day(item.session):
            raise ValidationError({"completed_on": "The completion date cannot be before the session."})
        new_state = ItemState.COMPLETED_ON_TIME if completed_on <= item.due_date else ItemState.COMPLETED_LATE
        ActionItemUpdate.objects.create(
            item=item,
            by=by,
            by_name=_name_of(by),
            comment=comment.strip() or f"Completed on {completed_on:%-d %B %Y}.",
            old_state=item.state,
            new_state=new_state,
        )
        item.state = new_state
        item.completed_on = completed_on
        item.save(update_fields=["state", "completed_on", "updated_at"])
    return item


def action_item_merge(item: ActionItem, *, into: ActionItem, by: User | None, comment: str = "") -> ActionItem:
    """Merge ``item`` into ``into`` (a duplicate, or a request folded into a larger one): the Stat team only.
    ``into`` must be open and another item; ``item`` must not be merged already. The items merged into ``item``
    before now point at ``into`` too, so ``into`` carries every merged item's history and no chain or cycle can
    form. Returns ``item``, merged."""
    enforce(by, can_record_action_items, STAT_TEAM_ONLY)
    if into.pk == item.pk:
        raise ValidationError({"into": "An item cannot be merged into itself."})
    with transaction.atomic():
        locked = {
            row.pk: row
            for row in ActionItem.objects.select_for_update(of=("self",))
            .select_related("session")
            .filter(pk__in=[item.pk, into.pk])
        }
        item, into = locked[item.pk], locked[into.pk]
        if item.state == ItemState.MERGED:
            raise ValidationError({"into": "This item is already merged."})
        if into.state not in OPEN_STATES:
            raise ValidationError({"into": "Merge into an open item."})
        name = _name_of(by)
        note = comment.strip()
        ActionItemUpdate.objects.create(
            item=item,
            by=by,
            by_name=name,
            comment=f"Merged into {session_words(into.session)}, item {into.number}. {note}".strip(),
            old_state=item.state,
            new_state=ItemState.MERGED,
        )
        ActionItemUpdate.objects.create(
            item=into,
            by=by,
            by_name=name,
            comment=f"Item {item.number} of {session_words(item.session)} merged into this one. {note}".strip(),
        )
        ActionItem.objects.filter(merged_into=item).update(merged_into=into, updated_at=timezone.now())
        item.state = ItemState.MERGED
        item.merged_into = into
        item.completed_on = None
        item.save(update_fields=["state", "merged_into", "completed_on", "updated_at"])
    return item


def _reminder_recipients(items: list[ActionItem]) -> dict[int, tuple[Person, list[ActionItem]]]:
    """Each item's owner (active, with an email), or else its department's current lead, with their items."""
    leads: dict[int, Person] = {}
    for assignment in (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_LEAD, department_id__in={item.department_id for item in items})
        .select_related("person")
        .order_by("starts_on", "pk")
    ):
        person = assignment.person
        if person.active and person.email and assignment.department_id not in leads:
            leads[assignment.department_id] = person  # type: ignore[index]
    by_person: dict[int, tuple[Person, list[ActionItem]]] = {}
    for item in items:
        owner = item.owner
        recipient = owner if owner is not None and owner.active and owner.email else leads.get(item.department_id)
        if recipient is None:
            continue
        by_person.setdefault(recipient.pk, (recipient, []))[1].append(item)
    return by_person


def _overdue(today: datetime.date):
    return (
        ActionItem.objects.filter(state=ItemState.INCOMPLETE, due_date__lt=today)
        .exclude(overdue_reminded_on__gte=today)
        .select_related("owner", "department", "session__series")
        .order_by("due_date", "pk")
    )


def action_items_remind_overdue(*, by: None) -> int:
    """Email each person their overdue action items: the owner of each, or else its department's lead; one email
    per person listing them all. An item is in at most one reminder a day (``overdue_reminded_on``, set in the
    transaction that sends its email, one per person, its items locked: two runs at once skip each other's), however
    often this runs, and none before :data:`REMINDER_HOUR`. The system only. Returns how many emails went out."""
    enforce_system(by, SYSTEM_ONLY)
    now = timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE))
    if now.hour < REMINDER_HOUR:
        return 0
    today = now.date()
    sent = 0
    for person, candidates in _reminder_recipients(list(_overdue(today))).values():
        with transaction.atomic():
            items = list(
                _overdue(today)
                .select_for_update(of=("self",), skip_locked=True)
                .filter(pk__in=[item.pk for item in candidates])
            )
            if items and send_overdue_reminder(person, items, today=today):
                ActionItem.objects.filter(pk__in=[item.pk for item in items]).update(overdue_reminded_on=today)
                sent += 1
    return sent
