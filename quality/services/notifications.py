"""Telling people that a dataset started failing: its department's contacts, its steward, and the Stat analysts.

Who is told: everyone holding a current department-contact role for the dataset's department, the dataset's own
contact (its steward), and everyone holding a current Stat analyst role; active people with an email address only.
When: only when the dataset goes from passing (pass or warn) to failing (fail or error), not on every failing run.
A dataset's first-ever run counts as a transition when it fails, since nobody has yet been told it is broken.
How: each person's :class:`NotificationPreference` (immediate by default, a daily digest, or none). A
:class:`QualityNotification` row records each person to be told; ``sent_at`` is set when the email went out.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.outbox import enqueue
from team.access import enforce_system
from team.models import Person, Role, RoleAssignment

from ..models import Delivery, NotificationPreference, QualityNotification, QualityRun

logger = logging.getLogger(__name__)

#: Telling people is the system's doing: recording a run (whoever recorded it) and the tasks that send the emails.
SYSTEM_ONLY = "Only the system sends quality notifications."
#: The task that emails one notification (``quality.tasks.send_notification_task``), by name: tasks import services.
SEND_NOTIFICATION_TASK = "quality.send_notification"


def recipients_for(run: QualityRun) -> list[Person]:
    """The people who answer for ``run``'s dataset (see the module), each once, in one query."""
    dataset = run.dataset
    current = RoleAssignment.objects.current()
    contacts = current.filter(role=Role.DEPARTMENT_CONTACT, department_id=dataset.department_id)
    analysts = current.filter(role=Role.STAT_ANALYST)
    who = Q(pk__in=contacts.values("person_id")) | Q(pk__in=analysts.values("person_id"))
    if dataset.contact_id:
        who |= Q(pk=dataset.contact_id)
    return list(
        Person.objects.filter(who, active=True)
        .filter(~Q(email="") | Q(user__email__gt=""))
        .select_related("user")
        .order_by("pk")
    )


def notify_failing(*, run: QualityRun, by: None) -> list[QualityNotification]:
    """Record who is to be told that ``run``'s dataset started failing, and send the immediate emails on commit.

    Guarantees: only the system notifies (``by=None``; a user is refused with ``PermissionDenied``); one
    notification per person per run (a database constraint; calling twice adds none); people who chose no quality
    emails get no row; those on a daily digest get an unsent row for the next digest.
    """
    enforce_system(by, SYSTEM_ONLY)
    people = recipients_for(run)
    choices = dict(NotificationPreference.objects.filter(person__in=people).values_list("person_id", "delivery"))
    wanted = [person for person in people if choices.get(person.pk, Delivery.IMMEDIATE) != Delivery.NONE]
    QualityNotification.objects.bulk_create(
        [QualityNotification(person=person, run=run) for person in wanted], ignore_conflicts=True
    )
    notifications = list(QualityNotification.objects.filter(run=run, person__in=wanted, sent_at__isnull=True))
    immediate = [n.pk for n in notifications if choices.get(n.person_id, Delivery.IMMEDIATE) == Delivery.IMMEDIATE]
    for notification_id in immediate:
        enqueue(SEND_NOTIFICATION_TASK, notification_id)
    return notifications


def notification_send(*, notification_id: int, by: None) -> bool:
    """Email one person that a dataset started failing, unless already done. Returns whether an email went out.

    Guarantees: only the system sends (``by=None``, the task; a user is refused with ``PermissionDenied``); at most
    one email per notification (the row is locked, and ``sent_at`` set in the same transaction as the sending; if
    sending raises, nothing is marked and the task may retry).
    """
    enforce_system(by, SYSTEM_ONLY)
    from ..emails import send_failing_email

    with transaction.atomic():
        notification = (
            QualityNotification.objects.select_for_update(of=("self",))
            .select_related("person__user", "run__dataset__department")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )
        if notification is None:
            return False
        if not send_failing_email(notification):
            return False
        notification.sent_at = timezone.now()
        notification.save(update_fields=["sent_at"])
    return True


def digest_send_all(*, by: None, now: datetime.datetime | None = None) -> int:
    """Send each person on a daily digest one email listing the datasets that started failing since their last
    one, once per local day and not before ``QUALITY_DIGEST_HOUR`` (local time). Returns how many went out.

    Guarantees: only the system sends (``by=None``, the task; a user is refused with ``PermissionDenied``); a
    notification is in at most one digest (marked sent in the transaction that sends it); a person gets at most one
    digest per day, however often the task runs.
    """
    enforce_system(by, SYSTEM_ONLY)
    from ..emails import send_digest_email

    now = now or timezone.now()
    local_now = timezone.localtime(now)
    if local_now.hour < settings.QUALITY_DIGEST_HOUR:
        return 0
    start_of_day = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    digest_people = NotificationPreference.objects.filter(delivery=Delivery.DAILY_DIGEST).values("person_id")
    pending = (
        QualityNotification.objects.filter(sent_at__isnull=True, person_id__in=digest_people)
        .exclude(person__quality_notifications__sent_at__gte=start_of_day)
        .values_list("person_id", flat=True)
        .distinct()
    )
    sent = 0
    for person_id in sorted(set(pending)):
        with transaction.atomic():
            rows = list(
                QualityNotification.objects.select_for_update(of=("self",))
                .select_related("person__user", "run__dataset__department")
                .filter(person_id=person_id, sent_at__isnull=True)
                .order_by("created_at", "pk")
            )
            if not rows or QualityNotification.objects.filter(person_id=person_id, sent_at__gte=start_of_day).exists():
                continue
            if not send_digest_email(rows[0].person, rows):
                continue
            QualityNotification.objects.filter(pk__in=[n.pk for n in rows]).update(sent_at=now)
            sent += 1
    return sent
