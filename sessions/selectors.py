"""Queries for the sessions pages and feeds."""

from __future__ import annotations

from django.db.models import QuerySet

from team.models import Person

from .models import CalendarToken, Series, Session


def series_sessions(series: Series) -> QuerySet[Session]:
    """Every session of ``series``, cancelled ones too, in order, with the series loaded."""
    return series.sessions.select_related("series").order_by("starts_at", "pk")


def person_for_calendar_token(token: str) -> Person | None:
    """The active person whose calendar URL carries ``token``, or ``None``."""
    found = CalendarToken.objects.select_related("person").filter(token=token, person__active=True).first()
    return found.person if found is not None else None


def person_sessions(person: Person) -> QuerySet[Session]:
    """Every session ``person`` is at the table of, cancelled ones too, in order."""
    return Session.objects.filter(attendees__person=person).select_related("series").order_by("starts_at", "pk")
