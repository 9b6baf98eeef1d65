"""The sessions index (/sessions/: the upcoming sessions one may read, and the series), a series' form (the Stat
team's) and a series' page (its sessions, its calendar feed and one's personal calendar address)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import require_get_or_post
from team.access import actor_for, require
from team.forms import add_service_errors
from team.models import Person

from .. import selectors, services
from ..access import MANAGE_ONLY, can_manage_sessions, can_read_sessions, get_series_for_user
from ..forms import SeriesForm, series_initial
from ..models import Series

READ_REFUSED = "Only the Stat team, the seats at the table and the departments' leads, contacts and budget analysts "
READ_REFUSED += "read Stat sessions."


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    require(can_read_sessions(actor), READ_REFUSED)
    return render(
        request,
        "stat_sessions/index.html",
        {
            "sessions": selectors.upcoming_sessions(actor),
            "series_list": selectors.series_list(actor),
            "may_manage": can_manage_sessions(actor),
        },
    )


def _series_form(request: HttpRequest, series: Series | None) -> HttpResponse:
    if series is None:
        initial: dict = {"time_zone": settings.TIME_ZONE}
    else:
        initial = series_initial(series)
    form = SeriesForm(request.POST if request.method == "POST" else None, initial=initial, series=series)
    if request.method == "POST" and form.is_valid():
        try:
            if series is None:
                saved = services.series_create(by=request.user, **form.create_fields)
            else:
                saved = services.series_update(
                    series,
                    by=request.user,
                    default_attendees=form.cleaned_data["default_attendees"],
                    **form.update_fields,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if series is None:
                count = saved.sessions.count()
                messages.success(request, f"Added “{saved.name}” and booked its {count} sessions for a year.")
            else:
                messages.success(request, f"Saved “{saved.name}”.")
            return redirect("stat_sessions:series", pk=saved.pk)
    return render(request, "stat_sessions/series_form.html", {"form": form, "series": series})


@require_get_or_post
@login_required
def series_create(request: HttpRequest) -> HttpResponse:
    require(can_manage_sessions(actor_for(request.user)), MANAGE_ONLY)
    return _series_form(request, None)


@require_get_or_post
@login_required
def series_edit(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk, write=True)
    return _series_form(request, series)


@require_safe
@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    series = get_series_for_user(request.user, pk)
    actor = actor_for(request.user)
    person = Person.objects.filter(user=request.user, active=True).first()
    personal_url = None
    if person is not None:
        token = services.calendar_token_of(person, by=request.user)
        personal_url = request.build_absolute_uri(
            reverse("stat_sessions:personal_calendar", kwargs={"token": token.token})
        )
    return render(
        request,
        "stat_sessions/series_detail.html",
        {
            "series": series,
            "sessions": selectors.series_sessions(series),
            "default_attendees": series.default_attendees.order_by("full_name"),
            "feed_url": request.build_absolute_uri(reverse("stat_sessions:series_calendar", args=[series.pk])),
            "personal_url": personal_url,
            "may_manage": can_manage_sessions(actor),
        },
    )
