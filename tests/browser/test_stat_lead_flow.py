"""What people actually do in a browser: the Stat lead staffs a gap; a resident reads the home page; a keyboard
user skips the navigation."""

from __future__ import annotations

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PersonFactory

from .axe import assert_accessible
from .conftest import sign_in

pytestmark = pytest.mark.browser

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def region(page, heading: str | re.Pattern):
    """The innermost section (or table, list...) headed by ``heading``."""
    return (
        page.locator("section, article, div, li, table, fieldset")
        .filter(has=page.get_by_role("heading", name=heading))
        .last
    )


NO_LEAD = re.compile(r"^Departments without a lead$")


def test_stat_lead_fills_a_gap(page, personas, city):
    firefighter = PersonFactory(full_name="Frances Flame", title="Deputy Chief", department=city["fire"])

    # Signs in through the login form and lands on the dashboard.
    response = sign_in(page, personas["stat_lead"].username)
    assert response.ok
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    # The roster lists every department, and its gaps panel counts the two departments without a lead.
    page.get_by_role("navigation").get_by_role("link", name="Team", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/team/$"))
    main = page.locator("main")
    for name in ("Fire", "Police", "Parks & Recreation"):
        expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
    panel = region(page, "Staffing gaps")
    expect(panel).to_contain_text("2 departments without a lead")

    # The gaps page names them: Fire and Parks, not Police.
    panel.get_by_role("link", name=re.compile("see the gaps", re.I)).click()
    expect(page).to_have_url(re.compile(r"/team/gaps/$"))
    no_lead = region(page, NO_LEAD)
    expect(no_lead.get_by_role("link", name="Fire", exact=True)).to_be_visible()
    expect(no_lead.get_by_role("link", name="Parks & Recreation", exact=True)).to_be_visible()
    expect(no_lead.get_by_role("link", name="Police", exact=True)).to_have_count(0)

    # Chooses a lead for Fire: the people list, in "choose" mode, then the role form, already filled in.
    no_lead.get_by_role("link", name="choose a lead for Fire").click()
    expect(page.get_by_role("heading", name="Choose the department lead of Fire")).to_be_visible()
    page.get_by_role("link", name="Assign Frances Flame").click()
    expect(page).to_have_url(re.compile(rf"/team/people/{firefighter.pk}/roles/add/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Assign a role to Frances Flame")
    role = page.get_by_label(re.compile(r"^Role"))
    department = page.get_by_label(re.compile(r"^Department"))
    expect(role).to_have_value("department_lead")
    expect(department).to_be_visible()
    expect(department.locator("option:checked")).to_have_text("Fire")
    # The department field is only there for roles that need one (progressive enhancement in app.js).
    role.select_option(label="Stat analyst")
    expect(department).to_be_hidden()
    role.select_option(label="Department lead")
    expect(department).to_be_visible()
    department.select_option(label="Fire")
    page.get_by_role("button", name="Assign role").click()

    # Back on the person's page, with a confirmation.
    expect(page).to_have_url(re.compile(rf"/team/people/{firefighter.pk}/$"))
    expect(page.get_by_role("status").first).to_contain_text("Frances Flame is now department lead of Fire")
    roles = region(page, "Current roles")
    expect(roles.get_by_role("row", name=re.compile(r"Department lead\s+Fire"))).to_be_visible()
    assert_accessible(page)

    # The gap is gone: Parks still has no lead, Fire has one.
    page.get_by_role("navigation").get_by_role("link", name="Gaps", exact=True).first.click()
    no_lead = region(page, NO_LEAD)
    expect(no_lead.get_by_role("link", name="Parks & Recreation", exact=True)).to_be_visible()
    expect(no_lead.get_by_role("link", name="Fire", exact=True)).to_have_count(0)

    # The roster names Frances Flame as Fire's lead.
    page.get_by_role("navigation").get_by_role("link", name="Team", exact=True).first.click()
    fire = page.get_by_role("table", name="Who holds Fire’s roles")
    expect(fire.get_by_role("row", name=re.compile(r"^Department lead Frances Flame"))).to_be_visible()
    expect(region(page, "Staffing gaps")).to_contain_text("1 department without a lead")


def test_form_errors_take_focus_and_link_to_their_fields(page, login, personas):
    login(page, "stat_lead")
    page.goto(reverse("team:role_assign", kwargs={"pk": personas["police_contact"].person.pk}))
    page.get_by_label(re.compile(r"^Role")).select_option(label="Department lead")
    page.get_by_role("button", name="Assign role").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Department")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(re.compile(r"^Department"))).to_be_focused()


def test_ending_a_role_in_place_announces_it(page, login, personas):
    """Ending a role from the person page swaps the roles section in with htmx, without a page load."""
    login(page, "stat_lead")
    contact = personas["police_contact"].person
    page.goto(contact.get_absolute_url())
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("button", name=re.compile(r"^End role\W+Department contact of Police\W*$")).click()
    status = page.locator("#roles").get_by_role("status")
    expect(status).to_have_text("Dana Data is no longer department contact of Police.")
    expect(status).to_be_focused()
    assert page.evaluate("window.__sameDocument === true"), "ending the role reloaded the page instead of swapping"
    expect(region(page, "Past roles")).to_contain_text("Department contact")
    expect(region(page, "Current roles")).to_contain_text("holds no role at the moment")
    assert_accessible(page)


def test_anonymous_visitor_sees_public_home_without_email_addresses(page, personas):
    response = page.goto("/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    html = page.content()
    leaked = sorted({match.group(0) for match in EMAIL.finditer(html)})
    assert not leaked, f"the public home page shows email addresses: {leaked}"
    for user in personas.values():
        assert user.username not in html
    # Nothing for signed-in users only: no roster link, and a way to sign in.
    expect(page.get_by_role("link", name=re.compile(r"sign in|log in", re.I)).first).to_be_visible()
    expect(page.locator('a[href="/team/"]')).to_have_count(0)


@pytest.mark.parametrize(("persona", "path"), [("anonymous", "/"), ("stat_lead", "/team/")])
def test_skip_link_is_first_and_moves_focus_to_main(page, login, persona, path):
    login(page, persona)
    page.goto(path)
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href'),"
        " visible: document.activeElement.getBoundingClientRect().top >= 0})"
    )
    assert re.search(r"skip to (the )?main content", skip["text"], re.I), f"first Tab focused {skip}"
    assert skip["href"].startswith("#") and skip["visible"], skip
    target = skip["href"][1:]
    page.keyboard.press("Enter")
    focused = page.evaluate(
        "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " inMain: !!document.activeElement.closest('main')})"
    )
    assert focused["id"] == target and focused["inMain"], f"after the skip link, focus is on {focused}"
    # And the next Tab continues from main, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main') || !!document.activeElement.closest('footer')")


@pytest.mark.parametrize(("persona", "path", "name"), [("anonymous", "/", "home"), ("stat_lead", "/team/", "roster")])
def test_uswds_styles_and_scripts_are_applied(page, login, persona, path, name):
    login(page, persona)
    page.goto(path)
    styles = page.evaluate(
        "() => ({font: getComputedStyle(document.body).fontFamily,"
        " skipnav: getComputedStyle(document.querySelector('.usa-skipnav')).position,"
        " uswdsJs: document.documentElement.classList.contains('usa-js-loading') === false"
        " && !!window.uswdsPresent})"
    )
    assert "Source Sans Pro Web" in styles["font"], styles
    assert styles["skipnav"] == "absolute", styles
    assert styles["uswdsJs"], styles
    folder = os.environ.get("STATPROGRAM_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"statprogram-{name}.png"), full_page=True)
