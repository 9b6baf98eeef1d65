"""The public home page, the signed-in dashboard and the error pages."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from tests.conftest import PERSONAS
from tests.pages import EMAIL, assert_login_redirect, client_for, parse, section

pytestmark = pytest.mark.django_db


# --- the public home page ------------------------------------------------------------------------------------------


def test_home_page_tells_the_public_what_the_program_is(as_persona):
    response = as_persona("anonymous").get("/")
    assert response.status_code == 200
    page = parse(response)
    assert page.find("h1").text == "RivertonStat: how the City of Riverton tracks its performance"
    for audience in ("For residents", "For press and nonprofits", "For developers"):
        assert section(page, audience) is not None
    numbers = page.find("ul", aria_label="The program in numbers").text
    assert "3 departments take part" in numbers
    assert "2 budget portfolios group them" in numbers
    developers = section(page, "For developers")
    assert developers.find("a", href=reverse("api-docs")) is not None
    assert developers.find("a", href=reverse("api-schema")) is not None


def test_home_page_links_the_dashboard_the_catalogue_and_data_json_where_the_public_looks(as_persona):
    page = parse(as_persona("anonymous").get("/"))
    dashboard, catalogue, datajson = reverse("goals:public_home"), reverse("inventory:public_datasets"), "/data.json"
    assert section(page, "For residents").find("a", href=dashboard) is not None
    press = section(page, "For press and nonprofits")
    for href in (dashboard, catalogue, datajson):
        assert press.find("a", href=href) is not None, href
    developers = section(page, "For developers")
    assert developers.find("a", href=catalogue) is not None and developers.find("a", href=datajson) is not None
    for href in (dashboard, catalogue, datajson):
        assert as_persona("anonymous").get(href).status_code == 200


def test_home_page_shows_no_contact_details_and_no_private_links(as_persona, users):
    html = as_persona("anonymous").get("/").content.decode()
    assert EMAIL.search(html) is None
    for user in users.values():
        assert user.username not in html
        assert user.person.phone not in html
        assert user.person.full_name not in html
    page = parse(as_persona("anonymous").get("/"))
    assert page.find("a", href=reverse("team:roster")) is None
    assert page.find("a", href=reverse("site:dashboard")) is None
    nav = page.find("ul", class_="usa-nav__primary")
    assert [a.text for a in nav.find_all("a")] == ["Home", "Datasets", "Goals", "Stat sessions", "Budget"]


def test_home_page_sends_signed_in_staff_to_their_dashboard(as_persona):
    page = parse(as_persona("stat_lead").get("/"))
    assert section(page, "For city staff").find("a", href=reverse("site:dashboard")) is not None


def test_home_page_is_read_only(as_persona):
    assert as_persona("anonymous").post("/").status_code == 405


# --- the dashboard -------------------------------------------------------------------------------------------------


def test_dashboard_needs_a_login(as_persona):
    assert_login_redirect(as_persona("anonymous").get("/dashboard/"), "/dashboard/")


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_every_persona_has_a_dashboard_listing_their_roles(persona, as_persona):
    response = as_persona(persona).get("/dashboard/")
    assert response.status_code == 200
    roles = section(parse(response), "Your roles").text
    assert "since" in roles


def test_stat_lead_dashboard_links_to_team_tools_and_summarises_gaps(as_persona):
    page = parse(as_persona("stat_lead").get("/dashboard/"))
    assert page.find("h1").text == "Welcome, Stella Lead"
    assert "Stat lead, since" in section(page, "Your roles").text
    tools = section(page, "What you can do here")
    for name in ("team:roster", "team:people", "team:gaps"):
        assert tools.find("a", href=reverse(name)) is not None
    gaps = section(page, "Staffing gaps")
    assert "4 gaps to fill" in gaps.text
    assert "2 departments without a lead" in gaps.text
    assert "1 portfolio without a budget analyst" in gaps.text


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_the_city_dashboard_is_offered_to_those_who_may_open_it(persona, as_persona):
    """The link to the city-wide goals dashboard shows exactly when the page would open (data experts and seats at
    the table read it too, not only the Stat team)."""
    client = as_persona(persona)
    tools = section(parse(client.get("/dashboard/")), "What you can do here")
    offered = tools.find("a", href=reverse("goals:dashboard_city")) is not None
    assert offered == (client.get(reverse("goals:dashboard_city")).status_code == 200)


def test_department_lead_dashboard_shows_their_department_and_no_gaps(as_persona, city):
    page = parse(as_persona("police_lead").get("/dashboard/"))
    roles = section(page, "Your roles")
    assert "Department lead of Police" in roles.text
    assert roles.find("a", href=city["police"].get_absolute_url()) is not None
    tools = section(page, "What you can do here")
    assert tools.find("a", href=reverse("team:roster")) is not None
    assert tools.find("a", href=reverse("team:people")) is None
    assert "Staffing gaps" not in page.text


def test_someone_without_a_role_is_told_so(as_persona):
    page = parse(client_for("no_role", as_persona).get("/dashboard/"))
    assert "You don’t hold a role in RivertonStat yet." in page.text
    assert "What you can do here" not in page.text


def test_dashboard_is_read_only(as_persona):
    assert as_persona("stat_lead").post("/dashboard/").status_code == 405


# --- error pages ---------------------------------------------------------------------------------------------------


def test_not_found_uses_the_site_layout(as_persona):
    response = as_persona("anonymous").get("/no-such-page/")
    assert response.status_code == 404
    page = parse(response)
    assert page.find("h1").text == "Page not found"
    assert page.find("main", id="main-content") is not None


def test_forbidden_page_says_why(as_persona):
    response = as_persona("parks_contact").get("/team/gaps/")
    assert response.status_code == 403
    page = parse(response)
    assert page.find("h1").text == "You can’t do that"
    assert "Only the Stat team can see the staffing gaps." in page.text


def test_server_error_page_stands_alone():
    # Django renders it with no request context: it must need no context processors, database or static files.
    html = render_to_string("500.html")
    assert "Something went wrong" in html and 'lang="en"' in html and "<main" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_server_error_page_is_styled_by_a_stylesheet_not_an_inline_style():
    """The Content-Security-Policy refuses inline styles; the site's own 500 handler names its stylesheet."""
    from statprogram.views import server_error as site_server_error

    html = site_server_error(RequestFactory().get("/")).content.decode()
    assert '<link rel="stylesheet" href="/static/css/error.css">' in html
    assert "<style" not in html
