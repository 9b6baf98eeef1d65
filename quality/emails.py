"""Emails of the quality checks: "a dataset started failing" (one per person and dataset) and the daily digest.

Sent by Celery tasks, outside any request, so links are built on ``settings.SITE_URL``.
"""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from team.models import Person

from .models import Outcome, QualityNotification, QualityRun

#: An email lists at most this many failing checks of a run.
MAX_CHECKS_LISTED = 10


def dataset_url(run: QualityRun) -> str:
    return urljoin(settings.SITE_URL, run.dataset.get_absolute_url())


def address_of(person: Person) -> str:
    return person.email or (person.user.email if person.user_id and person.user else "")


def _run_context(run: QualityRun) -> dict:
    failing = list(run.checks.filter(status__in=[Outcome.FAIL, Outcome.ERROR]).order_by("position")[:MAX_CHECKS_LISTED])
    return {
        "run": run,
        "dataset": run.dataset,
        "department": run.dataset.department,
        "failing_checks": failing,
        "dataset_url": dataset_url(run),
        "run_url": urljoin(settings.SITE_URL, run.get_absolute_url()),
    }


def _base_context(person: Person) -> dict:
    return {
        "person": person,
        "program_name": settings.PROGRAM_NAME,
        "city_name": settings.CITY_NAME,
        "preferences_url": urljoin(settings.SITE_URL, reverse("quality:notifications")),
    }


def send_failing_email(notification: QualityNotification) -> bool:
    """Email ``notification.person`` that its run's dataset started failing. False when they have no address."""
    address = address_of(notification.person)
    if not address:
        return False
    context = {**_base_context(notification.person), **_run_context(notification.run)}
    subject = " ".join(render_to_string("quality/email/failing_subject.txt", context).split())
    body = render_to_string("quality/email/failing_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


def send_digest_email(person: Person, notifications: list[QualityNotification]) -> bool:
    """Email ``person`` one digest of the datasets that started failing. False when they have no address."""
    address = address_of(person)
    if not address or not notifications:
        return False
    context = {
        **_base_context(person),
        "items": [_run_context(notification.run) for notification in notifications],
        "count": len(notifications),
    }
    subject = " ".join(render_to_string("quality/email/digest_subject.txt", context).split())
    body = render_to_string("quality/email/digest_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True
