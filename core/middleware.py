"""Requests refused before any view sees them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

NUL_IN_QUERY = (
    "The address holds a NUL character (%00) in its query string, which no search or filter can use. Remove it and "
    "try again."
)


class RefuseNulInQueryMiddleware:
    """Answer 400, with a message, a query string holding a NUL character: no filter, search or form means one, and
    PostgreSQL refuses it in a query (a 500 on whichever page passes it on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"detail": NUL_IN_QUERY}, status=400)
            return render(request, "400.html", {"message": NUL_IN_QUERY}, status=400)
        return self.get_response(request)
