"""The base layout every page shares: USWDS, landmarks, the navigation and the account controls."""

import re

import pytest
from django.urls import reverse

from tests.pages import client_for, parse

pytestmark = pytest.mark.django_db


def test_layout_has_the_banner_skip_link_landmarks_and_assets(as_persona):
    html = as_persona("anonymous").get("/").content.decode()
    page = parse(as_persona("anonymous").get("/"))
    assert page.find("html").attrs["lang"] == "en"
    body = page.find("body")
    first_link = body.find("a")
    assert first_link.attrs["class"] == "usa-skipnav" and first_link.attrs["href"] == "#main-content"
    assert len(page.find_all("main")) == 1 and page.find("main").attrs["id"] == "main-content"
    assert "An official website of the City of Riverton" in page.find("section", class_="usa-banner").text
    assert len(page.find_all("footer")) == 1
    # One header landmark: the banner's own <header> sits inside its <section>, which makes it no landmark.
    assert [h.attrs["class"] for h in page.find_all("header") if h.closest("section") is None] == [
        "usa-header usa-header--extended"
    ]
    head = page.find("head")
    assert head.find("link", href="/static/uswds/css/uswds.min.css") is not None
    assert head.find("link", href="/static/css/app.css") is not None
    assert head.find("script", src="/static/uswds/js/uswds-init.min.js") is not None
    # The full script and htmx come last, after the footer.
    assert (
        html.index("</footer>") < html.index("/static/uswds/js/uswds.min.js") < html.index("/static/htmx/htmx.min.js")
    )
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", html.split("<body")[0])  # nothing from a CDN


def test_anonymous_visitors_get_a_sign_in_link(as_persona):
    page = parse(as_persona("anonymous").get("/"))
    nav = page.find("nav", aria_label="Primary navigation")
    assert [a.text for a in nav.find_all("a") if a.attrs["href"].startswith(reverse("login"))] == ["Sign in"]
    assert page.find("form", action=reverse("logout")) is None


def test_signed_in_header_names_the_user_and_signs_out_with_a_post(as_persona):
    page = parse(as_persona("stat_lead").get("/dashboard/"))
    nav = page.find("nav", aria_label="Primary navigation")
    assert "Signed in as Stella Lead" in nav.text
    assert nav.find("a", href=reverse("password_change")).text == "Change password"
    logout = nav.find("form", action=reverse("logout"))
    assert logout.attrs["method"] == "post"
    assert logout.find("input", name="csrfmiddlewaretoken") is not None
    assert logout.find("button").text == "Sign out"


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/dashboard/", "Dashboard"),
        ("/team/", "Team"),
        ("/team/gaps/", "Gaps"),
        ("/team/people/add/", "People"),
        ("/team/departments/", "Departments"),
        ("/team/departments/add/", "Departments"),
        ("/team/departments/police/", "Departments"),
        ("/team/portfolios/public-safety/edit/", "Portfolios"),
        ("/inventory/", "Inventory"),
        ("/public/datasets/", "Datasets"),
        ("/sessions/series/add/", "Stat sessions"),
        ("/sessions/action-items/", "Action items"),
    ],
)
def test_navigation_marks_exactly_the_current_section(as_persona, path, current):
    nav = parse(as_persona("stat_lead").get(path)).find("nav", aria_label="Primary navigation")
    assert [a.text for a in nav.find_all("a", aria_current="page")] == [current]
    labels = [a.text for a in nav.find("ul", class_="usa-nav__primary").find_all("a")]
    assert labels == [
        "Dashboard",
        "Inventory",
        "Datasets",
        "Goals",
        "Quality",
        "Stat sessions",
        "Action items",
        "Budget",
        "Team",
        "Departments",
        "Portfolios",
        "Gaps",
        "People",
        "API",
    ]


def test_navigation_offers_only_what_the_user_may_use(as_persona):
    nav = parse(as_persona("police_contact").get("/dashboard/")).find("ul", class_="usa-nav__primary")
    assert [a.text for a in nav.find_all("a")] == [
        "Dashboard",
        "Inventory",
        "Datasets",
        "Goals",
        "Quality",
        "Stat sessions",
        "Action items",
        "Team",
        "Departments",
        "Portfolios",
        "API",
    ]


def test_anonymous_navigation_offers_the_public_catalogue(client, db):
    nav = parse(client.get("/")).find("ul", class_="usa-nav__primary")
    assert [a.text for a in nav.find_all("a")] == ["Home", "Datasets", "Goals", "Stat sessions", "Budget"]


def test_messages_are_shown_as_uswds_alerts(as_persona, users, city):
    client = as_persona("stat_lead")
    client.post(reverse("team:person_create"), {"full_name": "Alert Example"})
    page = parse(client.get(reverse("team:people")))
    alert = page.find("div", class_="usa-alert--success")
    assert alert.attrs["role"] == "status"
    assert alert.text == "Added Alert Example."


PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/password/reset/"),
    ("anonymous", "/no-such-page/"),
    ("stat_lead", "/dashboard/"),
    ("stat_lead", "/team/"),
    ("stat_lead", "/team/gaps/"),
    ("stat_lead", "/team/people/"),
    ("stat_lead", "/team/people/add/"),
    ("stat_lead", "/team/departments/police/"),
    ("stat_lead", "/team/departments/"),
    ("stat_lead", "/team/departments/add/"),
    ("stat_lead", "/team/departments/police/edit/"),
    ("stat_lead", "/team/portfolios/"),
    ("stat_lead", "/team/portfolios/add/"),
    ("stat_lead", "/team/portfolios/public-safety/edit/"),
    ("stat_lead", "/accounts/password/change/"),
    ("parks_contact", "/team/gaps/"),
    ("no_role", "/dashboard/"),
]


@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_every_page_has_one_h1_and_headings_in_order(as_persona, persona, path, users):
    page = parse(client_for(persona, as_persona).get(path))
    levels = [int(node.tag[1]) for node in page.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    assert levels.count(1) == 1 and levels[0] == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after} on {path}: {levels}"
    assert page.find("title").text.endswith("| RivertonStat")


@pytest.mark.parametrize(("persona", "path"), PAGES)
def test_every_form_field_has_a_label(as_persona, persona, path, users):
    page = parse(client_for(persona, as_persona).get(path))
    labels = {label.attrs.get("for") for label in page.find_all("label")}
    for field in page.find_all("input") + page.find_all("select") + page.find_all("textarea"):
        if field.attrs.get("type") in ("hidden", "submit"):
            continue
        assert field.attrs.get("id") in labels, f"unlabelled field {field.attrs} on {path}"
