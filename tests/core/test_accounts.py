"""Signing in and out, changing and resetting a password, and django-axes locking out password guessers."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.pages import assert_login_redirect, parse

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")
NEW_PASSWORD = "a-long-fresh-passphrase-2026"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_has_a_labelled_form_and_a_reset_link():
    page = parse(Client().get(reverse("login")))
    form = page.find("form", action=reverse("login"))
    assert form.attrs["method"] == "post"
    labels = {label.attrs["for"]: label.text for label in form.find_all("label")}
    assert labels["id_username"].startswith("Username") and labels["id_password"].startswith("Password")
    assert page.find("a", href=reverse("password_reset")).text == "Forgot your password?"


def test_login_signs_in_and_lands_on_the_dashboard(users):
    client = Client()
    response = sign_in(client, users["stat_lead"].username)
    assert response.status_code == 302
    assert response["Location"] == reverse("site:dashboard")
    assert client.session[SESSION_KEY] == str(users["stat_lead"].pk)
    assert client.get(reverse("site:dashboard")).status_code == 200


def test_login_returns_to_the_page_asked_for(users):
    response = Client().post(
        f"{reverse('login')}?next=/team/",
        {"username": users["stat_lead"].username, "password": PASSWORD, "next": "/team/"},
    )
    assert response["Location"] == "/team/"


def test_wrong_password_is_shown_in_the_error_summary(users):
    client = Client()
    response = sign_in(client, users["stat_lead"].username, "not-the-password")
    assert response.status_code == 200
    summary = parse(response).find("div", class_="usa-alert--error")
    assert "Please enter a correct username and password." in summary.text
    assert SESSION_KEY not in client.session


def test_logout_is_a_post_and_signs_out(as_persona):
    client = as_persona("stat_lead")
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("site:dashboard")).status_code == 200  # still signed in
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("site:home")
    assert_login_redirect(client.get(reverse("site:dashboard")), reverse("site:dashboard"))


def test_password_change_needs_a_login():
    path = reverse("password_change")
    assert_login_redirect(Client().get(path), path)


def test_password_change(users):
    client = Client()
    sign_in(client, users["police_contact"].username)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_change_done")
    assert "Your password has been changed" in parse(client.get(response["Location"])).text
    client.post(reverse("logout"))
    assert sign_in(Client(), users["police_contact"].username, PASSWORD).status_code == 200  # old one refused
    assert sign_in(Client(), users["police_contact"].username, NEW_PASSWORD).status_code == 302


def test_password_change_errors_are_shown_next_to_fields(as_persona, users):
    response = as_persona("police_contact").post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "short", "new_password2": "different"},
    )
    assert response.status_code == 200
    page = parse(response)
    assert "Your old password was entered incorrectly" in page.find(id="id_old_password_error").text
    assert "two password fields didn’t match" in page.find(id="id_new_password2_error").text
    summary = page.find("div", class_="usa-alert--error")
    assert summary.find("a", href="#id_old_password") is not None
    users["police_contact"].refresh_from_db()
    assert users["police_contact"].check_password(PASSWORD)


def test_password_reset_emails_a_link_that_sets_a_new_password(users):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": users["police_lead"].email})
    assert response["Location"] == reverse("password_reset_done")
    assert "Check your email" in parse(client.get(response["Location"])).text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [users["police_lead"].email]
    assert message.subject == "Reset your RivertonStat password"
    link = LINK.findall(message.body)[0]

    form = client.get(link, follow=True)
    assert "Choose a new password" in parse(form).text
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "Your password has been set" in parse(done).text
    assert sign_in(Client(), users["police_lead"].username, NEW_PASSWORD).status_code == 302
    # The link worked once.
    assert "This link no longer works" in parse(client.get(link, follow=True)).text


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(db):
    response = Client().post(reverse("password_reset"), {"email": "stranger@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_repeated_wrong_passwords_lock_the_account_out(users):
    client = Client()
    username = users["police_contact"].username
    statuses = [sign_in(client, username, "not-the-password").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # Now even the right password is refused, with the lockout page.
    response = sign_in(client, username)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    page = parse(response)
    assert page.find("h1").text == "Too many failed sign-in attempts"
    assert "Try again in 15 minutes, or reset your password." in page.text
    assert page.find("a", href=reverse("password_reset")) is not None


def test_lockout_is_per_account(users):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, users["police_contact"].username, "not-the-password")
    assert sign_in(Client(), users["stat_lead"].username).status_code == 302


def test_behind_a_proxy_lockouts_follow_the_client_address_the_proxy_saw(users, settings):
    """With AXES_PROXY_COUNT=1 every request comes from the proxy's address (127.0.0.1); the lockout must fall on
    the guesser's own address, which nginx appends to X-Forwarded-For, and not on everyone behind the proxy. A
    client's own X-Forwarded-For entries (to the left of nginx's) cannot choose the address."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    username = users["police_contact"].username
    guesser = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, username, "not-the-password")
    assert sign_in(guesser, username).status_code == 429
    spoofing = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert sign_in(spoofing, username).status_code == 429, "the same client, whatever it put in front"
    owner = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert sign_in(owner, username).status_code == 302, "the account's owner, elsewhere, still signs in"


def test_without_a_proxy_x_forwarded_for_is_ignored(users):
    """AXES_PROXY_COUNT=0 (the default): anyone could write X-Forwarded-For, so only REMOTE_ADDR counts."""
    username = users["police_contact"].username
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{number}"), username, "not-the-password")
    assert sign_in(Client(HTTP_X_FORWARDED_FOR="192.0.2.200"), username).status_code == 429
