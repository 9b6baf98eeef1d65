"""Calendar feeds: a series' (for those who read it) and a person's (by the secret token in its URL, no login)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from . import selectors
from .access import get_series_for_user
from .ics import calendar_of

ICS_TYPE = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def series_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    return _ics(calendar_of(selectors.series_sessions(series), name=series.name), f"series-{series.pk}.ics")


@require_safe
def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    person = selectors.person_for_calendar_token(token)
    if person is None:
        raise Http404("No calendar matches this address.")
    body = calendar_of(selectors.person_sessions(person), name=f"Stat sessions: {person.full_name}")
    response = _ics(body, "stat-sessions.ics")
    response["Referrer-Policy"] = "no-referrer"
    return response
