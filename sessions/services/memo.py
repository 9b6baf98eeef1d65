"""The briefing memo: drafted from the data, edited by the analyst, shared with the department under "no surprises",
and sent, which freezes it.

Every function takes the acting user (``by``; ``None`` is the system). Writing is the Stat team's
(:func:`sessions.access.can_manage_sessions`); a sent memo refuses every change (:data:`MEMO_SENT_REFUSED`), so what
was sent is what the panel, the department and the archive read, whatever the data does afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.outbox import enqueue
from goals.models import Measure
from team.access import enforce, enforce_system
from team.models import SEAT_ROLES, Person, Role, RoleAssignment

from ..access import MANAGE_ONLY, MEMO_SENT_REFUSED, can_manage_sessions
from ..models import (
    ChecklistKind,
    Memo,
    MemoSection,
    MemoState,
    MemoTopic,
    Session,
    SessionState,
    TopicKind,
)
from ..selectors_memo import memo_live_data, memo_subject, user_name
from .checklist import checklist_mark

if TYPE_CHECKING:
    import datetime

    from django.contrib.auth.models import User

    from inventory.models import Dataset

#: The task that emails a memo's link (``sessions.tasks.memo_email_task``), by name: tasks import services.
MEMO_EMAIL_TASK = "sessions.memo_email"
SHARED, SENT = "shared", "sent"
NO_SURPRISES_ONLY = "Only a series with “no surprises” shares the memo with the department before the meeting."
CANCELLED = "A cancelled session has no memo."
#: Minutes the follow-up and each KPI are given in a new draft.
FOLLOW_UP_MINUTES = 10
KPI_MINUTES = 5


def _locked_memo(memo: Memo) -> Memo:
    """``memo`` read again and locked, refused if it has been sent meanwhile."""
    locked = Memo.objects.select_for_update(of=("self",)).select_related("session__series__department").get(pk=memo.pk)
    if locked.is_sent:
        raise ValidationError(MEMO_SENT_REFUSED)
    return locked


def _addressees() -> str:
    """The principal, then senior staff (the seats at the table), by name: one query."""
    order: dict[str, int] = {Role.PRINCIPAL: 0}
    rows = (
        RoleAssignment.objects.current()
        .filter(person__active=True, role__in=sorted({Role.PRINCIPAL, *SEAT_ROLES}))
        .order_by("person__full_name")
        .values_list("role", "person__full_name")
    )
    names: dict[str, int] = {}
    for role, name in rows:
        names[name] = min(names.get(name, 9), order.get(role, 1))
    ordered = sorted(names, key=lambda name: (names[name], name))
    return "; ".join(ordered)[:300] or "The principal"


def memo_draft(session: Session, *, by: User | None) -> Memo:
    """A draft memo for ``session`` made from the data: header (to, from, date, subject), a Follow-up topic for the
    open action items of earlier sessions, and one Standing topic per KPI of the department (its measure and source
    dataset set). The session is marked "memo drafted". One memo per session: if it has one, that is returned
    unchanged. A fixed number of queries, however many KPIs."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).select_related("series__department").get(pk=session.pk)
        existing = Memo.objects.filter(session=locked).first()
        if existing is not None:
            return existing
        if locked.state == SessionState.CANCELLED:
            raise ValidationError(CANCELLED)
        memo = Memo.objects.create(
            session=locked,
            to_line=_addressees(),
            from_line=(user_name(by) or "The Stat team")[:300],
            memo_date=timezone.localdate(),
            subject=memo_subject(locked)[:300],
            drafted_by=by,
        )
        topics = [
            MemoTopic(
                memo=memo,
                section=MemoSection.FOLLOW_UP,
                kind=TopicKind.FOLLOW_UP,
                position=0,
                title="Open action items from earlier sessions",
                suggested_minutes=FOLLOW_UP_MINUTES,
                questions="Which of these will be done before the next session?",
            )
        ]
        if locked.series.department_id is not None:
            kpis = Measure.objects.filter(department_id=locked.series.department_id, is_kpi=True).order_by(
                "goal__priority__position", "goal__statement", "name", "pk"
            )
            topics += [
                MemoTopic(
                    memo=memo,
                    section=MemoSection.STANDING,
                    kind=TopicKind.KPI,
                    position=index,
                    title=measure.name[:300],
                    measure=measure,
                    dataset_id=measure.source_dataset_id,
                    suggested_minutes=KPI_MINUTES,
                    questions="What explains the change since the last period?\nWhat will the department do next?",
                )
                for index, measure in enumerate(kpis)
            ]
        MemoTopic.objects.bulk_create(topics)
        now = timezone.now()
        fields: dict[str, Any] = {"memo_drafted_at": now, "updated_at": now}
        if locked.state == SessionState.PLANNED:
            fields["state"] = SessionState.MEMO_DRAFTED
        Session.objects.filter(pk=locked.pk).update(**fields)
        checklist_mark(locked, ChecklistKind.MEMO_DRAFT, done=True, by=by)
    return memo


def memo_update(
    memo: Memo,
    *,
    to_line: str,
    from_line: str,
    memo_date: datetime.date,
    subject: str,
    by: User | None,
) -> Memo:
    """Change the memo's header. Refused once sent; a blank field is a ValidationError naming it."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(memo)
        locked.to_line, locked.from_line, locked.memo_date, locked.subject = to_line, from_line, memo_date, subject
        locked.full_clean(exclude=["session", "drafted_by", "shared_by", "sent_by", "snapshot"])
        locked.save(update_fields=["to_line", "from_line", "memo_date", "subject", "updated_at"])
    return locked


def _renumber(memo: Memo, section: str, ordered: list[MemoTopic] | None = None) -> None:
    """Positions 0, 1, 2... in ``section``, in the given order (else the stored one)."""
    if ordered is None:
        ordered = list(memo.topics.filter(section=section).order_by("position", "pk"))
    for index, topic in enumerate(ordered):
        topic.position = index
    MemoTopic.objects.bulk_update(ordered, ["position"])


def _topic_fields(**fields: Any) -> dict:
    questions = fields.get("questions")
    if questions is not None:
        fields["questions"] = "\n".join(line.strip() for line in questions.splitlines() if line.strip())
    return fields


def topic_add(
    memo: Memo,
    *,
    title: str,
    section: str = MemoSection.NEW,
    narrative: str = "",
    suggested_minutes: int = 5,
    questions: str = "",
    measure: Measure | None = None,
    dataset: Dataset | None = None,
    by: User | None,
) -> MemoTopic:
    """A topic at the end of ``section`` (a KPI review if it names a measure; its data source defaults to the
    measure's). Refused once the memo is sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(memo)
        topic = MemoTopic(
            memo=locked,
            section=section,
            kind=TopicKind.KPI if measure is not None else TopicKind.TEXT,
            position=locked.topics.filter(section=section).count(),
            measure=measure,
            dataset=dataset if dataset is not None or measure is None else measure.source_dataset,
            **_topic_fields(title=title, narrative=narrative, suggested_minutes=suggested_minutes, questions=questions),
        )
        topic.full_clean()
        topic.save()
        Memo.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return topic


def topic_update(
    topic: MemoTopic,
    *,
    title: str,
    narrative: str,
    suggested_minutes: int,
    questions: str,
    section: str | None = None,
    dataset: Dataset | None | str = "unchanged",
    by: User | None,
) -> MemoTopic:
    """Change a topic's words, time and data source; a new ``section`` moves it to the end of that section.
    Refused once the memo is sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(topic.memo)
        current = MemoTopic.objects.select_for_update().get(pk=topic.pk, memo=locked)
        for name, value in _topic_fields(
            title=title, narrative=narrative, suggested_minutes=suggested_minutes, questions=questions
        ).items():
            setattr(current, name, value)
        if dataset != "unchanged":
            current.dataset = dataset  # type: ignore[assignment]  # a Dataset or None here
        old_section = current.section
        if section is not None and section != old_section:
            current.section = section
            current.position = locked.topics.filter(section=section).count()
        current.full_clean()
        current.save()
        if current.section != old_section:
            _renumber(locked, old_section)
        Memo.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return current


def topic_remove(topic: MemoTopic, *, by: User | None) -> None:
    """Remove a topic; those after it in its section move up. Refused once the memo is sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(topic.memo)
        MemoTopic.objects.filter(pk=topic.pk, memo=locked).delete()
        _renumber(locked, topic.section)
        Memo.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


def topic_move(
    topic: MemoTopic, *, direction: str | None = None, position: int | None = None, by: User | None
) -> MemoTopic:
    """Move a topic one place ``"up"`` or ``"down"`` in its section, or to ``position`` (0 first; clamped to the
    section). Refused once the memo is sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    if direction not in (None, "up", "down") or (direction is None) == (position is None):
        raise ValidationError("Say “up”, “down” or a position.")
    with transaction.atomic():
        locked = _locked_memo(topic.memo)
        ordered = list(locked.topics.select_for_update().filter(section=topic.section).order_by("position", "pk"))
        index = next(i for i, row in enumerate(ordered) if row.pk == topic.pk)
        if position is None:
            position = index - 1 if direction == "up" else index + 1
        position = max(0, min(position, len(ordered) - 1))
        moved = ordered.pop(index)
        ordered.insert(position, moved)
        _renumber(locked, topic.section, ordered)
        Memo.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return moved


def _department_people(session: Session) -> list[Person]:
    """The department's lead and contacts today, active, with an email address: one query."""
    department_id = session.series.department_id
    if department_id is None:
        return []
    holders = RoleAssignment.objects.current().filter(
        role__in=[Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT], department_id=department_id
    )
    return list(
        Person.objects.filter(pk__in=holders.values("person_id"), active=True)
        .filter(~Q(email="") | Q(user__email__gt=""))
        .select_related("user")
        .order_by("pk")
    )


def _attendee_people(session: Session) -> list[Person]:
    """The people at ``session``'s table, active, with an email address: one query."""
    return list(
        Person.objects.filter(stat_attendances__session=session, active=True)
        .filter(~Q(email="") | Q(user__email__gt=""))
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


def memo_share(memo: Memo, *, by: User | None) -> Memo:
    """Share the draft with the department before the meeting ("no surprises"): its lead and contacts may read it
    from now on and are emailed its link. Only for a series that has "no surprises"; refused once sent."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(memo)
        if not locked.session.series.no_surprises:
            raise ValidationError(NO_SURPRISES_ONLY)
        locked.shared_at, locked.shared_by = timezone.now(), by
        locked.save(update_fields=["shared_at", "shared_by", "updated_at"])
        enqueue(MEMO_EMAIL_TASK, locked.pk, SHARED)
    return locked


def memo_send(memo: Memo, *, by: User | None) -> Memo:
    """Send the memo: it is frozen as it stands (``snapshot``: header, topics, each KPI's figures, status, suspect
    flag and failing checks, narratives, chart points, data sources and their latest quality runs, the open action
    items as listed), marked sent with when and by whom, the session marked "memo sent", and the attendees emailed
    its link. Every later change is refused; sending twice too."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked_memo(memo)
        now = timezone.now()
        locked.state, locked.sent_at, locked.sent_by = MemoState.SENT, now, by
        locked.snapshot = memo_live_data(locked)
        locked.save(update_fields=["state", "sent_at", "sent_by", "snapshot", "updated_at"])
        session = locked.session
        fields: dict[str, Any] = {"memo_sent_at": now, "updated_at": now}
        if session.state in (SessionState.PLANNED, SessionState.MEMO_DRAFTED):
            fields["state"] = SessionState.MEMO_SENT
        Session.objects.filter(pk=session.pk).update(**fields)
        for kind in (ChecklistKind.MEMO_DRAFT, ChecklistKind.MEMO_SENT):
            checklist_mark(session, kind, done=True, by=by)
        enqueue(MEMO_EMAIL_TASK, locked.pk, SENT)
    return locked


def memo_email_send(*, memo_id: int, kind: str, by: None) -> int:
    """Email the memo's link: to the department's lead and contacts when it was shared, to the attendees when it was
    sent. Only the system sends (the task). Returns how many emails went out."""
    enforce_system(by, "Only the system emails memos.")
    memo = Memo.objects.select_related("session__series__department").filter(pk=memo_id).first()
    if memo is None or kind not in (SHARED, SENT):
        return 0
    people = _department_people(memo.session) if kind == SHARED else _attendee_people(memo.session)
    url = settings.SITE_URL.rstrip("/") + reverse("stat_sessions:memo", kwargs={"pk": memo.session_id})
    context = {"memo": memo, "url": url, "kind": kind, "program_name": settings.PROGRAM_NAME}
    subject = "".join(render_to_string("stat_sessions/email/memo_subject.txt", context).splitlines())
    sent = 0
    for person in people:
        address = person.email or (person.user.email if person.user else "")
        body = render_to_string("stat_sessions/email/memo_body.txt", {**context, "person": person})
        sent += send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return sent
