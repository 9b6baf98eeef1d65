"""Emails of the quality checks: "a dataset started failing" (one per person and dataset) and the daily digest.

Sent by Celery tasks, outside any request, so links are built on ``settings.SITE_URL`` (:mod:`core.links`). Each
email is written for its recipient: the failing checks' example rows show their values only as far as the recipient
may read them (:func:`quality.access.with_shown_examples`, the rule the pages follow), judged from the roles they
hold when it is sent.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from core.links import site_url
from team.access import Actor, actor_for_person
from team.models import Person

from .access import with_shown_examples
from .models import Outcome, QualityNotification, QualityRun

#: An email lists at most this many failing checks of a run, and this many example rows of each.
MAX_CHECKS_LISTED = 10
MAX_EXAMPLES_LISTED = 5


def dataset_url(run: QualityRun) -> str:
    return site_url(run.dataset.get_absolute_url())


def address_of(person: Person) -> str:
    return person.email or (person.user.email if person.user_id and person.user else "")


def _run_context(run: QualityRun, reader: Actor) -> dict:
    failing = with_shown_examples(
        reader,
        run.dataset,
        run.checks.filter(status__in=[Outcome.FAIL, Outcome.ERROR]).order_by("position")[:MAX_CHECKS_LISTED],
    )
    for check in failing:
        check.shown_examples = check.shown_examples[:MAX_EXAMPLES_LISTED]  # type: ignore[attr-defined]
    return {
        "run": run,
        "dataset": run.dataset,
        "department": run.dataset.department,
        "failing_checks": failing,
        "dataset_url": dataset_url(run),
        "run_url": site_url(run.get_absolute_url()),
    }


def _base_context(person: Person) -> dict:
    return {
        "person": person,
        "program_name": settings.PROGRAM_NAME,
        "city_name": settings.CITY_NAME,
        "preferences_url": site_url(reverse("quality:notifications")),
    }


def send_failing_email(notification: QualityNotification) -> bool:
    """Email ``notification.person`` that its run's dataset started failing. False when they have no address."""
    address = address_of(notification.person)
    if not address:
        return False
    reader = actor_for_person(notification.person)
    context = {**_base_context(notification.person), **_run_context(notification.run, reader)}
    subject = " ".join(render_to_string("quality/email/failing_subject.txt", context).split())
    body = render_to_string("quality/email/failing_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


def send_digest_email(person: Person, notifications: list[QualityNotification]) -> bool:
    """Email ``person`` one digest of the datasets that started failing. False when they have no address."""
    address = address_of(person)
    if not address or not notifications:
        return False
    reader = actor_for_person(person)
    context = {
        **_base_context(person),
        "items": [_run_context(notification.run, reader) for notification in notifications],
        "count": len(notifications),
    }
    subject = " ".join(render_to_string("quality/email/digest_subject.txt", context).split())
    body = render_to_string("quality/email/digest_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True
