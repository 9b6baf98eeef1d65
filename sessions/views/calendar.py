"""Calendar feeds: a series' (for those who read it) and a person's (by the secret token in its URL, no login),
and resetting that token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from team.models import Person

from .. import selectors
from ..access import get_series_for_user
from ..ics import calendar_of
from ..services import calendar_token_reset

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


@require_POST
@login_required
def personal_calendar_reset(request: HttpRequest) -> HttpResponse:
    """A new secret for the signed-in person's calendar address: the old one stops working."""
    person = Person.objects.filter(user=request.user, active=True).first()
    if person is None:
        raise Http404("You have no personal calendar.")
    calendar_token_reset(person, by=request.user)
    messages.success(request, "Your calendar has a new address: the old one no longer works. Subscribe again.")
    return redirect(_next_url(request) or reverse("stat_sessions:index"))


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if target and allowed else None
