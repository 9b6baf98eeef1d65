"""Emails about Stat sessions: the overdue action items' reminder."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from team.models import Person

from .models import ActionItem


def send_overdue_reminder(person: Person, items: Sequence[ActionItem], *, today: datetime.date) -> bool:
    """Email ``person`` the list of their overdue ``items`` (one email), each with its link. False, and nothing
    sent, when the person has no email."""
    if not person.email or not items:
        return False
    rows = [
        {
            "item": item,
            "days_overdue": (today - item.due_date).days,
            "url": urljoin(settings.SITE_URL, reverse("stat_sessions:action_item", args=[item.pk])),
        }
        for item in items
    ]
    context = {
        "person": person,
        "rows": rows,
        "program_name": settings.PROGRAM_NAME,
        "tracker_url": urljoin(settings.SITE_URL, reverse("stat_sessions:action_items")),
    }
    subject = "".join(render_to_string("stat_sessions/email/overdue_subject.txt", context).splitlines())
    body = render_to_string("stat_sessions/email/overdue_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    return True
