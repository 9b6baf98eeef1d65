"""Data for the after-the-meeting tests: a PoliceStat session that has just taken place, and action items raised at
it (made here with the ORM: their own services are another part's)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from sessions.models import ActionItem, Session


def just_held(series, *, hours_ago: float = 3) -> Session:
    """The series' first session, moved to have started ``hours_ago`` hours ago (the rest stay in 2027)."""
    session = series.sessions.order_by("starts_at").first()
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=hours_ago))
    session.refresh_from_db()
    return session


def item(session, number: int, topic: str, title: str, *, department, owner=None, due=None, state="incomplete"):
    return ActionItem.objects.create(
        session=session,
        number=number,
        topic_title=topic,
        title=title,
        department=department,
        owner=owner,
        due_date=due or datetime.date(2027, 3, 1),
        state=state,
    )
