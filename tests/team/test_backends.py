"""The authentication backend refuses the demo city's published password with DEBUG off, for every account."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from team.backends import StatProgramBackend
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_with_debug_off_no_account_signs_in_with_the_demo_password(settings, users):
    """Not only the demo's logins: the backend knows the password (a setting), not which accounts the demo made."""
    lead = users["stat_lead"]
    lead.set_password(settings.DEMO_PASSWORD)
    lead.save()
    settings.DEBUG = False
    client = Client()

    response = sign_in(client, lead.username, settings.DEMO_PASSWORD)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert StatProgramBackend().authenticate(None, username=lead.username, password=settings.DEMO_PASSWORD) is None


def test_with_debug_on_the_demo_password_signs_in(settings, users):
    lead = users["stat_lead"]
    lead.set_password(settings.DEMO_PASSWORD)
    lead.save()
    settings.DEBUG = True
    client = Client()

    assert sign_in(client, lead.username, settings.DEMO_PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(lead.pk)


def test_with_debug_off_any_other_password_signs_in_as_usual(settings, users):
    settings.DEBUG = False

    lead = users["stat_lead"]

    assert StatProgramBackend().authenticate(None, username=lead.username, password=PASSWORD) == lead
