"""Browser tests: Debian's chromium, driven by Playwright's sync API, against pytest-django's live server.

One browser for the whole session; a fresh context (cookies, storage) for every test. Every page must load
nothing from outside the live server, throw no JavaScript errors, log no console errors and fetch all its assets:
the ``page`` fixture fails the test otherwise.

Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse ORM calls from it
(``SynchronousOnlyOperation``), so the ``browser`` fixture allows them (``DJANGO_ALLOW_ASYNC_UNSAFE``) while
chromium runs, and only then: the tests and the live server never share a connection, and the tests only touch
the database between page loads. The variable is removed again when the browser closes, so no other test sees it.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlencode, urlsplit

import pytest

from tests.factories import PASSWORD

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, launched once for the session (never a downloaded browser)."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"browser tests need chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def base_url(live_server) -> str:
    """The live server's root, e.g. ``http://localhost:41234`` (pages are ``base_url + "/team/"``)."""
    return live_server.url


@pytest.fixture
def personas(transactional_db, live_server, users):
    """The persona users, committed so the live server's thread sees them (hence ``transactional_db`` first)."""
    return users


@pytest.fixture
def inventory_datasets(personas, city):
    """A few committed datasets for the inventory's pages: a public Police one with a distribution and a data
    dictionary (identifier ``pd-crashes``), a non-public Police one and a public Parks one."""
    from inventory.models import Frequency
    from team.models import Person
    from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory

    crashes = PublicDatasetFactory(
        identifier="pd-crashes",
        title="Crashes by intersection",
        description="Every reported traffic collision, by the intersection nearest to it.",
        department=city["police"],
        contact=Person.objects.get(user=personas["police_contact"]),
        keywords=["traffic", "vision zero"],
        themes=["Public Safety", "Transportation"],
        license="https://creativecommons.org/publicdomain/zero/1.0/",
        accrual_periodicity=Frequency.DAILY,
        critical_to_decisions=True,
    )
    DistributionFactory(dataset=crashes, title="Crashes CSV")
    DataFieldFactory(dataset=crashes, name="crash_date", type="date", required=True, description="When it happened.")
    DataFieldFactory(dataset=crashes, name="severity", allowed_values=["fatal", "injury", "property damage"])
    return {
        "crashes": crashes,
        "dispatch": DatasetFactory(identifier="pd-dispatch", title="Dispatch calls", department=city["police"]),
        "playgrounds": PublicDatasetFactory(
            identifier="prd-playgrounds", title="Playgrounds", department=city["parks"], themes=["Recreation"]
        ),
    }


class PageProblems:
    """What went wrong while a page loaded that axe would not see: outside requests, JS errors, missing assets."""

    def __init__(self, base_url: str):
        self.origin = urlsplit(base_url)[:2]
        self.external: list[str] = []
        self.errors: list[str] = []
        self.failed_assets: list[str] = []
        self.console: list[str] = []

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts[:2] != self.origin:
            self.external.append(request.url)

    def on_response(self, response) -> None:
        # The page itself may be a 403 or 404 on purpose; the files it needs may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed_assets.append(f"{response.status} {response.url}")

    def on_request_failed(self, request) -> None:
        if request.resource_type != "document":
            self.failed_assets.append(f"failed ({request.failure}) {request.url}")

    def on_console(self, message) -> None:
        # A 403 or 404 page logs "Failed to load resource" for itself; failed assets are caught by on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(message.text)

    def report(self) -> str:
        lines = []
        if self.external:
            lines.append("requests outside the live server (pages must load nothing external):")
            lines += [f"  {url}" for url in self.external]
        if self.errors:
            lines.append("JavaScript errors:")
            lines += [f"  {error}" for error in self.errors]
        if self.console:
            lines.append("console errors:")
            lines += [f"  {text}" for text in self.console]
        if self.failed_assets:
            lines.append("assets that did not load:")
            lines += [f"  {asset}" for asset in self.failed_assets]
        return "\n".join(lines)


@pytest.fixture
def page(browser, base_url):
    """A page in a fresh browser context whose relative URLs resolve against the live server."""
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="en-US", timezone_id="America/New_York")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    problems = PageProblems(base_url)
    context.on("request", problems.on_request)
    context.on("response", problems.on_response)
    context.on("requestfailed", problems.on_request_failed)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on("console", problems.on_console)
    page.problems = problems
    yield page
    context.close()
    report = problems.report()
    if report:
        pytest.fail(f"while testing {page.url}:\n{report}", pytrace=False)


def sign_in(page, username: str, password: str = PASSWORD, *, next: str = ""):
    """Sign in through the real login form; returns the response the form led to (after any redirects)."""
    page.goto("/accounts/login/" + (f"?{urlencode({'next': next})}" if next else ""))
    form = page.locator("form", has=page.locator('input[name="password"]'))
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"], input[type="submit"]').first.click()
    return navigation.value


@pytest.fixture
def login(personas):
    """``login(page, "stat_lead")``: sign that persona in through the login form; returns the page's response.

    The form lands the user on the dashboard, or on ``next=`` (saving a page load when a test wants another page).
    ``"anonymous"`` signs nobody in. Fails the test if the form does not take the user where it should.
    """

    def do_login(page, persona: str, *, next: str = ""):
        if persona == "anonymous":
            return None
        response = sign_in(page, personas[persona].username, next=next)
        expected = urlsplit(next).path if next else "/dashboard/"
        assert urlsplit(page.url).path == expected, f"signing in as {persona} ended on {page.url}, not {expected}"
        return response

    return do_login


@pytest.fixture
def open_as(personas, base_url):
    """``open_as(page, "stat_lead", url)``: open ``url`` signed in as that persona; returns the page's response.

    The session is made on the server (as the test client's ``force_login`` makes it) and its cookie handed to
    the browser, which saves the login form's two page loads per test; the form itself is driven by ``login``
    and its own tests. ``"anonymous"`` signs nobody in. Fails the test if the page sent a signed-in persona to the
    login form (a lost session would otherwise pass for the page under test)."""
    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.test import Client

    def do_open(page, persona: str, url: str):
        if persona != "anonymous":
            client = Client()
            client.force_login(personas[persona])
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
        response = page.goto(url)
        if persona != "anonymous":
            login_path = resolve_url(settings.LOGIN_URL)
            assert urlsplit(page.url).path != login_path, f"{persona} was sent to sign in at {page.url}"
        return response

    return do_open
