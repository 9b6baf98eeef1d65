"""The account pages that are more than Django's own: password reset by email, rate-limited."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse

from core.http import client_ip
from core.links import site_origin
from core.ratelimit import hashed, hit
from core.templatetags.uswds import in_words


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Whether one more reset request for ``email`` from ``request``'s client stays within the limits
    (``PASSWORD_RESET_LIMIT_PER_ADDRESS`` per client address, ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` per email
    address, in each ``PASSWORD_RESET_WINDOW_MINUTES``). Every request counts against both, whether or not a login
    has that email, so the answer never tells whether an account exists."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    by_address = hit(
        f"password-reset:address:{client_ip(request)}",
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window_seconds=window,
    )
    by_account = hit(
        f"password-reset:account:{hashed(email.strip().lower())}",
        limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        window_seconds=window,
    )
    return by_address and by_account


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset by email, refusing (429, with the form and a clear message) a request over the limits
    of :func:`password_reset_allowed`: the same answer for an address that belongs to a login and one that does
    not.

    The email's link is on ``SITE_URL`` (:mod:`core.links`), like every email's: not on the address the request came
    in on, which the client names (its ``Host`` header)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if password_reset_allowed(self.request, form.cleaned_data["email"]):
            protocol, domain = site_origin()
            self.extra_email_context = {**(self.extra_email_context or {}), "protocol": protocol, "domain": domain}
            return super().form_valid(form)
        wait = in_words(datetime.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES))
        form.add_error(
            None,
            f"Too many password reset requests for this email address or from your network. Try again in {wait}; "
            "a reset email already sent still works.",
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)
