"""The published schedule at /public/sessions/, open to everyone without a login: the sessions of the series the
Stat team made public, with their date, department and, once the memo has been sent, its topics' titles."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_cookie

from .. import selectors

#: How long browsers and shared caches may keep the page: a moved session shows within five minutes.
PUBLIC_MAX_AGE = 300


@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@vary_on_cookie
def public_schedule(request: HttpRequest) -> HttpResponse:
    return render(request, "stat_sessions/public_schedule.html", {"sessions": selectors.public_schedule()})
