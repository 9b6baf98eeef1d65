"""A Stat session from first to last, entirely through the pages, as its people would use them: the analyst creates
PoliceStat with the series form, prepares its first session (the portfolio's budget analyst is already at the
table), drafts the memo from the data, adds and reorders a topic and sends it; the police lead reads it; the analyst
runs the meeting from the agenda (recording a request live), marks it held and sends the follow-up memo; the police
lead updates and completes the request, and the tracker shows it completed on time. axe checks every page."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Observation
from tests.goals.factories import GoalFactory, MeasureFactory

from .axe import assert_accessible

pytestmark = pytest.mark.browser

KPI = "Response time to priority 1 calls"
NEW_TOPIC = "Overtime on the night shift"
OTHER_TOPIC = "Body-worn camera footage requests"
REQUEST = "Brief the panel on night-shift staffing"
PLAIN_REQUEST = "Count overtime hours by unit"


def city_today() -> datetime.date:
    return timezone.localdate(timezone.now(), ZoneInfo(settings.TIME_ZONE))


def police_kpi(city) -> None:
    """A Police KPI with a year of monthly values up to last month (the first session's reporting period)."""
    goal = GoalFactory(departments=[city["police"]], statement="Answer priority calls faster")
    measure = MeasureFactory(
        goal=goal, department=city["police"], name=KPI, slug="p1-response", is_kpi=True, unit="minutes"
    )
    today = city_today()
    index = today.year * 12 + today.month - 1 - 12
    Observation.objects.bulk_create(
        Observation(measure=measure, period=datetime.date((index + i) // 12, (index + i) % 12 + 1, 1), value=12 - i / 4)
        for i in range(12)
    )


def check(page) -> None:
    """axe finds nothing, and no two elements share an id (axe no longer checks it: a label would name the wrong
    field)."""
    assert_accessible(page)
    duplicates = page.evaluate(
        "() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);"
        " return Object.keys(seen).filter(id => seen[id] > 1); }"
    )
    assert not duplicates, f"ids used more than once at {page.url}: {duplicates}"


def visit(page, path_or_link) -> None:
    """Follow a link (a locator) or open a path, then check the page with axe."""
    if isinstance(path_or_link, str):
        response = page.goto(path_or_link)
        assert response.ok, f"{path_or_link} answered {response.status}"
    else:
        path_or_link.click()
        page.wait_for_load_state()
    check(page)


def sign_in_as(page, personas, base_url, persona: str) -> None:
    """Swap the browser's sign-in for ``persona``'s (the login form itself is tested elsewhere)."""
    from django.test import Client

    page.context.clear_cookies()
    client = Client()
    client.force_login(personas[persona])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def test_analyst_prepares_runs_and_follows_up_a_session(page, browser, login, personas, city, base_url, mailoutbox):
    police_kpi(city)
    today = city_today()
    main = page.locator("main")

    # --- Preparing --------------------------------------------------------------------------------------------------
    login(page, "stat_analyst")
    check(page)
    visit(page, page.get_by_role("navigation").get_by_role("link", name="Stat sessions", exact=True).first)
    visit(page, main.get_by_role("link", name="New series"))
    page.get_by_label(re.compile(r"^Name")).fill("PoliceStat")
    page.get_by_label(re.compile(r"^Department")).select_option(label="Police")
    page.get_by_label(re.compile(r"^Cadence")).select_option(label="Monthly")
    # The first meeting this very morning: prepared today, held today.
    page.get_by_label(re.compile(r"^First meeting")).fill(today.isoformat())
    page.get_by_label(re.compile(r"^Start time")).fill("00:00")
    page.get_by_label(re.compile(r"^Default place")).fill("City Hall, room 215")
    # The analyst invites themself; the rest of the table comes with their roles.
    page.get_by_label(re.compile(r"^Default attendees")).select_option(label="Ana Lyst")
    page.get_by_role("button", name="Create the series").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PoliceStat")
    check(page)

    first = today.strftime("%a ") + str(today.day) + today.strftime(" %b %Y, 00:00")
    visit(page, main.get_by_role("link", name=first))
    expect(page.get_by_role("heading", level=1)).to_contain_text("PoliceStat")
    attendees = page.get_by_role("table", name="Who attends, their role and seat")
    # The budget analyst of Police's portfolio is at the table, added for their role, by nobody.
    expect(attendees.get_by_role("row", name=re.compile(r"^Bud Get\b.*For their role"))).to_be_visible()
    session_url = page.url

    # Ticks the first step of the checklist.
    checklist = page.get_by_role("table", name="Preparation steps, by due date")
    first_step = checklist.get_by_role("row").nth(1)
    step = first_step.get_by_role("rowheader").inner_text()
    first_step.get_by_role("button", name=re.compile(r"^Mark done")).click()
    checklist = page.get_by_role("table", name="Preparation steps, by due date")
    expect(checklist.get_by_role("row", name=re.compile(re.escape(step)))).to_contain_text("Yes,")
    check(page)

    # Drafts the memo from the data: the KPI is reviewed in it.
    visit(page, main.get_by_role("link", name="Draft the memo from the data"))
    page.get_by_role("button", name="Generate the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing memo")
    expect(main).to_contain_text(KPI)
    check(page)

    # Adds two New-items topics, then moves the second above the first.
    for title in (OTHER_TOPIC, NEW_TOPIC):
        add = page.locator("form", has=page.get_by_role("button", name="Add the topic"))
        add.get_by_label(re.compile(r"^Title")).fill(title)
        add.get_by_label(re.compile(r"^Section")).select_option(label="New items")
        add.get_by_label(re.compile(r"^Narrative")).fill(f"What the panel should know about {title.lower()}.")
        add.get_by_role("button", name="Add the topic").click()
        expect(main.get_by_role("heading", name=title)).to_be_visible()
    check(page)
    topics = main.locator("h3")
    expect(topics).to_contain_text([OTHER_TOPIC, NEW_TOPIC])
    page.get_by_role("button", name=re.compile(rf"^Move up\W+{NEW_TOPIC}$")).click()
    expect(topics).to_contain_text([NEW_TOPIC, OTHER_TOPIC])
    check(page)

    page.get_by_role("button", name="Send the memo").click()
    expect(main.get_by_text(re.compile(r"Sent on .* by Ana Lyst"))).to_be_visible()
    check(page)
    memo_url = page.url

    # --- The police lead reads the sent memo ------------------------------------------------------------------------
    sign_in_as(page, personas, base_url, "police_lead")
    visit(page, session_url)
    visit(page, main.get_by_role("link", name=re.compile(r"briefing memorandum")))
    assert page.url == memo_url
    expect(main).to_contain_text(NEW_TOPIC)
    expect(main).to_contain_text(KPI)
    expect(main.get_by_role("button", name="Send the memo")).to_have_count(0)

    # --- The meeting: the analyst records a request from the agenda -------------------------------------------------
    sign_in_as(page, personas, base_url, "stat_analyst")
    visit(page, session_url)
    visit(page, main.get_by_role("link", name="Agenda for the screen"))
    expect(page.get_by_role("table").first).to_contain_text(NEW_TOPIC)
    due = today + datetime.timedelta(days=14)
    record = page.locator("#record-form")
    record.get_by_label(re.compile(r"^What was asked for")).fill(REQUEST)
    record.get_by_label(re.compile(r"^Department")).select_option(label="Police")
    record.get_by_label(re.compile(r"^Owner")).select_option(label="Pat Chief (Police)")
    record.get_by_label(re.compile(r"^Due date")).fill(due.isoformat())
    record.get_by_label(re.compile(r"^Deliverable")).select_option(label="Briefing")
    record.get_by_label(re.compile(r"^Topic")).select_option(label=NEW_TOPIC)
    record.get_by_role("button", name="Record the item").click()
    recorded = page.locator("#recorded-items")
    expect(recorded).to_contain_text(REQUEST)
    expect(page.locator("#record-form").get_by_label(re.compile(r"^What was asked for"))).to_have_value("")
    check(page)

    # And the same without JavaScript: the plain form posts and the agenda comes back with the item.
    agenda_url = page.url
    plain = browser.new_context(base_url=base_url, java_script_enabled=False, viewport=page.viewport_size)
    try:
        plain.add_cookies(page.context.cookies())
        no_js = plain.new_page()
        no_js.goto(agenda_url)
        form = no_js.locator("#record-form")
        form.get_by_label(re.compile(r"^What was asked for")).fill(PLAIN_REQUEST)
        form.get_by_label(re.compile(r"^Due date")).fill(due.isoformat())
        form.get_by_label(re.compile(r"^Deliverable")).select_option(label="Report")
        with no_js.expect_navigation():
            form.get_by_role("button", name="Record the item").click()
        expect(no_js.locator("#recorded-items")).to_contain_text(REQUEST)
        expect(no_js.locator("#recorded-items")).to_contain_text(PLAIN_REQUEST)
    finally:
        plain.close()

    # Marks the session held, with who attended.
    visit(page, session_url)
    visit(page, main.get_by_role("link", name="Record who attended and mark the session held"))
    for name in ("Ana Lyst", "Pat Chief", "Bud Get"):
        # USWDS draws its own box over the input: a person clicks the label.
        page.locator("label", has_text=re.compile(rf"^{name}\b")).click()
        expect(page.get_by_label(re.compile(rf"^{name}\b"))).to_be_checked()
    page.get_by_role("button", name="Mark as held").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who attended")
    check(page)

    # Drafts and sends the follow-up memo; its PDF is a PDF.
    visit(page, main.get_by_role("link", name="Go to the follow-up memo"))
    page.get_by_role("button", name="Draft the follow-up memo").click()
    expect(main).to_contain_text(REQUEST)
    expect(main).to_contain_text(PLAIN_REQUEST)
    check(page)
    page.locator("label", has_text="I have read the memo and want to send it now").click()
    page.get_by_role("button", name="Send the follow-up memo").click()
    expect(main.get_by_text(re.compile(r"^Sent on "))).to_be_visible()
    check(page)
    pdf = page.request.get(main.get_by_role("link", name="Download the PDF as sent").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF"), (pdf.status, pdf.body()[:20])
    assert any(attachment[2] == "application/pdf" for message in mailoutbox for attachment in message.attachments), (
        "the follow-up memo went out without its PDF"
    )

    # --- The police lead updates the request, then completes it -----------------------------------------------------
    sign_in_as(page, personas, base_url, "police_lead")
    visit(page, "/sessions/action-items/")
    visit(page, main.get_by_role("link", name=re.compile(re.escape(REQUEST))).first)
    expect(page.get_by_role("heading", level=1)).to_contain_text(REQUEST)
    update = page.locator("form", has=page.get_by_role("button", name="Record the update"))
    update.get_by_label(re.compile(r"^Comment")).fill("Staffing figures gathered; briefing drafted.")
    update.get_by_role("button", name="Record the update").click()
    expect(page.get_by_role("list").filter(has_text="Staffing figures gathered")).to_be_visible()
    check(page)
    complete = page.locator("form", has=page.get_by_role("button", name="Mark completed"))
    complete.get_by_label(re.compile(r"^What was delivered")).fill("Briefing given to the panel.")
    complete.get_by_role("button", name="Mark completed").click()
    expect(main.get_by_text("Completed on time").first).to_be_visible()
    check(page)

    # --- The tracker shows it completed on time ---------------------------------------------------------------------
    visit(page, "/sessions/action-items/")
    row = main.get_by_role("row", name=re.compile(re.escape(REQUEST)))
    expect(row).to_contain_text("Completed on time")
