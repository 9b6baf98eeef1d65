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


def test_the_reset_link_is_on_site_url_not_the_address_the_request_named(users, settings):
    """An email's links are on SITE_URL (here a development server on port 8123), whatever Host the request gave."""
    settings.SITE_URL = "http://127.0.0.1:8123/"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "elsewhere.example.com"]
    response = Client().post(
        reverse("password_reset"), {"email": users["police_lead"].email}, HTTP_HOST="elsewhere.example.com"
    )
    assert response.status_code == 302

    [message] = mail.outbox
    [link] = LINK.findall(message.body)
    assert link.startswith("http://127.0.0.1:8123/accounts/password/reset/")
    assert "elsewhere" not in message.body


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


# --- behind the TLS proxy (issue 11, finding 5) ----------------------------------------------------------------------

PROXY = "10.0.0.2"  # every request reaches the app from the proxy's address


def behind_proxy(client_address: str, forged: str = "") -> dict:
    """What the app sees of a request from ``client_address`` through one proxy that appends the address it was
    reached from to X-Forwarded-For (after whatever the client sent itself: ``forged``)."""
    forwarded = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def sign_in_from(address: str, username: str, password: str = PASSWORD, forged: str = ""):
    return Client(**behind_proxy(address, forged)).post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def one_proxy(settings):
    settings.PROXY_COUNT = 1


def test_behind_a_proxy_a_lockout_is_the_clients_not_everyones(users, one_proxy):
    username = users["police_contact"].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_from("203.0.113.7", username, "not-the-password")
    assert sign_in_from("203.0.113.7", username).status_code == 429
    # Another client behind the same proxy still signs in to the same account.
    assert sign_in_from("198.51.100.9", username).status_code == 302


def test_a_forged_forwarded_address_is_ignored(users, one_proxy):
    """The left-most X-Forwarded-For entries are the client's own words: the locked-out client stays locked out
    whatever it claims, and cannot lock someone else out by claiming their address."""
    username = users["police_contact"].username
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_from("203.0.113.7", username, "not-the-password", forged="198.51.100.9")
    assert sign_in_from("203.0.113.7", username, forged="192.0.2.1").status_code == 429
    assert sign_in_from("198.51.100.9", username).status_code == 302


def test_a_lockout_is_for_an_account_and_an_address_together(users, one_proxy):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_from("203.0.113.7", users["police_contact"].username, "not-the-password")
    assert sign_in_from("203.0.113.7", users["police_contact"].username).status_code == 429
    assert sign_in_from("203.0.113.7", users["stat_lead"].username).status_code == 302  # same address, other account
    assert sign_in_from("198.51.100.9", users["police_contact"].username).status_code == 302  # other address


def test_without_a_proxy_count_the_forwarded_header_is_not_trusted(users, settings):
    settings.PROXY_COUNT = 0
    username = users["police_contact"].username
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in_from(f"203.0.113.{n}", username, "not-the-password")
    # Every attempt came from the proxy's address as far as the app can tell.
    assert sign_in_from("198.51.100.9", username).status_code == 429


# --- password reset is rate-limited ----------------------------------------------------------------------------------


def ask_reset(email: str, address: str = "203.0.113.7"):
    return Client(**behind_proxy(address)).post(reverse("password_reset"), {"email": email})


@pytest.fixture
def reset_limits(settings, one_proxy):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60


def test_password_reset_is_limited_per_account(users, reset_limits):
    email = users["police_lead"].email
    assert [ask_reset(email, f"203.0.113.{n}").status_code for n in range(2)] == [302, 302]
    refused = ask_reset(email, "203.0.113.99")
    assert refused.status_code == 429
    assert "Too many password reset requests" in parse(refused).find("div", class_="usa-alert--error").text
    assert len(mail.outbox) == 2
    # Other accounts are not held back.
    assert ask_reset(users["stat_lead"].email, "203.0.113.99").status_code == 302
    assert len(mail.outbox) == 3


def test_password_reset_is_limited_per_address(users, reset_limits):
    emails = [users[name].email for name in ("police_lead", "stat_lead", "stat_analyst", "principal")]
    assert [ask_reset(email).status_code for email in emails] == [302] * 4
    assert ask_reset(users["data_expert"].email).status_code == 429
    assert ask_reset(users["data_expert"].email, "198.51.100.9").status_code == 302  # another client
    assert len(mail.outbox) == 5


def test_the_limit_does_not_tell_whether_an_account_exists(users, reset_limits):
    """An address nobody has is counted and refused exactly as one that belongs to a login."""
    answers = {}
    for email in (users["police_lead"].email, "stranger@example.com"):
        responses = [ask_reset(email, f"198.51.100.{n}") for n in range(3)]
        answers[email] = [
            (r.status_code, r.get("Location"), parse(r).text if r.status_code != 302 else "") for r in responses
        ]
    known, unknown = answers.values()
    assert known == unknown
    assert [status for status, _, _ in known] == [302, 302, 429]


def test_the_limit_counts_the_address_whatever_its_case(users, reset_limits):
    email = users["police_lead"].email
    ask_reset(email.upper())
    ask_reset(f" {email} ")
    assert ask_reset(email).status_code == 429
