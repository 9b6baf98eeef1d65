"""Emails the team sends: the invitation that lets a new login choose its password. Its links are built on
``SITE_URL`` (:mod:`core.links`), whoever sent it and from wherever."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core.links import site_url

from .models import Person


def set_password_url(user) -> str:
    """A one-time link to Django's password-reset confirmation page: it works until the password changes."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url(path)


def send_person_invite(person: Person) -> bool:
    """Email ``person`` a link to set the password of their new login.

    Sends nothing (and returns False) when the person has no login or no email, or has already chosen a
    password, so sending twice never invites someone who is already signing in.
    """
    user = person.user
    if user is None or not user.is_active or not (user.email or person.email) or user.has_usable_password():
        return False
    context = {
        "person": person,
        "user": user,
        "program_name": settings.PROGRAM_NAME,
        "city_name": settings.CITY_NAME,
        "set_password_url": set_password_url(user),
        "reset_url": site_url(reverse("password_reset")),
    }
    subject = "".join(render_to_string("registration/invite_subject.txt", context).splitlines())
    body = render_to_string("registration/invite_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email or person.email])
    return True
