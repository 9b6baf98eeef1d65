"""The inventory list (/inventory/): who sees it and which rows, filters, search, sort, pagination, the coverage
panel and the number of queries a page costs."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from inventory.models import AccessLevel, Dataset, Frequency, Status
from inventory.services.datasets import dataset_update
from team.models import Person
from tests.conftest import PERSONAS
from tests.factories import DepartmentFactory
from tests.inventory.factories import DatasetFactory, DistributionFactory, InitiativeFactory, PublicDatasetFactory
from tests.pages import assert_login_redirect, client_for, parse, section, text_of

pytestmark = pytest.mark.django_db

URL = "/inventory/"
EVERYTHING = ["Crashes", "Dispatch calls", "Fire inspections", "Overtime", "Park permits", "Playgrounds"]
READ_ALL = ("principal", "stat_lead", "stat_analyst", "police_contact", "parks_contact", "data_expert")


@pytest.fixture
def catalogue(city, users):
    police, fire, parks = city["police"], city["fire"], city["parks"]
    steward = Person.objects.get(user=users["police_contact"])
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    return {
        "crashes": PublicDatasetFactory(
            title="Crashes",
            description="Traffic collisions by intersection.",
            department=police,
            contact=steward,
            keywords=["traffic", "vision zero"],
            themes=["Public Safety", "Transportation"],
            license="https://creativecommons.org/publicdomain/zero/1.0/",
            accrual_periodicity=Frequency.DAILY,
        ),
        "dispatch": DatasetFactory(
            title="Dispatch calls",
            description="Computer-aided dispatch records.",
            department=police,
            keywords=["911"],
            initiatives=[compstat],
            critical_to_decisions=True,
            status=Status.QUALITY_CHECKED,
        ),
        "overtime": DatasetFactory(
            title="Overtime", department=police, access_level=AccessLevel.PUBLIC, rights="", published=False
        ),
        "inspections": DatasetFactory(
            title="Fire inspections", department=fire, themes=["Public Safety"], status=Status.IDENTIFIED
        ),
        "permits": DatasetFactory(title="Park permits", department=parks, access_level=AccessLevel.RESTRICTED_PUBLIC),
        "playgrounds": PublicDatasetFactory(
            title="Playgrounds", department=parks, themes=["Recreation"], accrual_periodicity=Frequency.ANNUAL
        ),
    }


def rows(response) -> list[str]:
    """The titles of the datasets listed, in order."""
    return [th.find("a").text for th in parse(response).find_all("th", scope="row")]


def listed(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return rows(response)


# --- who sees what ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", READ_ALL)
def test_readers_of_everything_see_every_dataset(catalogue, as_persona, persona):
    assert listed(as_persona(persona)) == EVERYTHING


def test_a_department_lead_sees_their_departments_datasets_and_public_ones(catalogue, as_persona):
    assert listed(as_persona("police_lead")) == ["Crashes", "Dispatch calls", "Overtime", "Playgrounds"]


def test_the_budget_analyst_sees_their_portfolios_datasets_and_public_ones(catalogue, as_persona):
    assert listed(as_persona("budget_analyst")) == [
        "Crashes",
        "Dispatch calls",
        "Fire inspections",
        "Overtime",
        "Playgrounds",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(catalogue, as_persona):
    assert_login_redirect(as_persona("anonymous").get(URL), URL)


def test_a_user_with_no_role_is_refused_and_pointed_to_the_catalogue(catalogue, as_persona):
    response = client_for("no_role", as_persona).get(URL)
    assert response.status_code == 403
    assert "Crashes" not in text_of(response)


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_not_allowed(catalogue, as_persona, method):
    assert getattr(as_persona("stat_lead"), method)(URL).status_code == 405


def test_rows_show_department_steward_status_access_and_priority(catalogue, as_persona):
    page = parse(as_persona("stat_lead").get(URL, {"search": "crashes"}))
    row = page.find("th", scope="row").closest("tr")
    assert row.find("a").attrs["href"] == catalogue["crashes"].get_absolute_url()
    cells = [td.text for td in row.find_all("td")]
    # Select box, department, steward, status, access, updated, priority.
    # Published once: the status says it, so no "published" tag repeats it.
    assert cells[1:5] == ["Police", "Dana Data", "Published", "Public"]
    assert cells[-1] == "0"
    page = parse(as_persona("stat_lead").get(URL, {"search": "dispatch"}))
    assert page.find("th", scope="row").closest("tr").find_all("td")[-1].text == "9"  # critical 5 + initiative 4


def test_a_row_shows_its_themes_and_link_and_escapes_what_people_typed(catalogue, as_persona, city):
    odd = DatasetFactory(title='Fish & <b>"chips"</b>', department=city["parks"], themes=["Food & Drink", "Recreation"])
    response = as_persona("stat_analyst").get(URL, {"search": "chips"})
    html = response.content.decode()
    assert "<b>" not in html and "Fish &amp; &lt;b&gt;&quot;chips&quot;&lt;/b&gt;" in html
    row = parse(response).find("th", scope="row").closest("tr")
    assert row.find("a").attrs["href"] == odd.get_absolute_url()
    assert row.find("span", class_="font-body-3xs").text == "Food & Drink, Recreation"
    assert row.find("label").text.startswith('Select Fish & <b>"chips"</b>')
    assert row.find("input", name="dataset").attrs["value"] == str(odd.pk)
    assert row.find("time").attrs["datetime"] == timezone.localtime(odd.updated_at).isoformat()
    assert "Not checked" in row.find_all("td")[-2].text  # the quality badge


def test_steward_contact_details_are_not_on_the_list(catalogue, as_persona):
    assert "pdata@example.gov" not in as_persona("stat_lead").get(URL).content.decode()


# --- filters, search, sort, pagination ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "police"}, ["Crashes", "Dispatch calls", "Overtime"]),
        ({"status": Status.IDENTIFIED}, ["Fire inspections"]),
        ({"access_level": AccessLevel.RESTRICTED_PUBLIC}, ["Park permits"]),
        ({"theme": "Public Safety"}, ["Crashes", "Fire inspections"]),
        ({"keyword": "Vision Zero"}, ["Crashes"]),
        ({"frequency": Frequency.ANNUAL}, ["Playgrounds"]),
        ({"initiative": "compstat"}, ["Dispatch calls"]),
        ({"department": "police", "theme": "Public Safety"}, ["Crashes"]),
        ({"search": "dispatch"}, ["Dispatch calls"]),
        ({"search": "traffic"}, ["Crashes"]),
        ({"search": "collisions intersection"}, ["Crashes"]),
        ({"search": "no such thing at all"}, []),
    ],
)
def test_filters_and_search(catalogue, as_persona, params, expected):
    assert listed(as_persona("stat_analyst"), **params) == expected


def test_filters_never_widen_what_a_persona_reads(catalogue, as_persona):
    assert listed(as_persona("police_lead"), department="parks") == ["Playgrounds"]
    assert listed(as_persona("police_lead"), search="permits") == []


def test_an_unknown_filter_value_is_shown_as_an_error(catalogue, as_persona):
    response = as_persona("stat_analyst").get(URL, {"department": "atlantis"})
    assert response.status_code == 200
    assert parse(response).find("span", class_="usa-error-message") is not None


def test_no_match_says_so(catalogue, as_persona):
    response = as_persona("stat_analyst").get(URL, {"search": "zebra"})
    assert "No dataset matches your filters." in text_of(response)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", EVERYTHING),
        ("-title", EVERYTHING[::-1]),
        ("department", ["Fire inspections", "Park permits", "Playgrounds", "Crashes", "Dispatch calls", "Overtime"]),
        ("-priority", ["Dispatch calls", "Crashes", "Fire inspections", "Overtime", "Park permits", "Playgrounds"]),
    ],
)
def test_sort(catalogue, as_persona, sort, expected):
    assert listed(as_persona("stat_lead"), sort=sort) == expected


def test_sort_by_last_update(catalogue, as_persona):
    Dataset.objects.filter(pk=catalogue["permits"].pk).update(updated_at="2020-01-01T00:00:00Z")
    Dataset.objects.filter(pk=catalogue["overtime"].pk).update(updated_at="2031-01-01T00:00:00Z")
    assert listed(as_persona("stat_lead"), sort="-updated")[0] == "Overtime"
    assert listed(as_persona("stat_lead"), sort="updated")[0] == "Park permits"


def test_pagination_keeps_the_filters(city, as_persona):
    for n in range(30):
        DatasetFactory(title=f"Police set {n:02d}", department=city["police"])
    DatasetFactory(title="A parks set", department=city["parks"])
    client = as_persona("stat_analyst")
    first = client.get(URL, {"department": "police"})
    assert rows(first) == [f"Police set {n:02d}" for n in range(25)]
    assert "Showing 1–25 of 30 datasets matching your filters." in text_of(first)
    next_link = parse(first).find("a", aria_label="Next page").attrs["href"]
    assert "department=police" in next_link and "page=2" in next_link
    second = client.get(URL + next_link)
    assert rows(second) == [f"Police set {n:02d}" for n in range(25, 30)]


def test_a_page_costs_the_same_queries_for_3_or_40_datasets(city, as_persona, django_assert_max_num_queries):
    client = as_persona("stat_analyst")
    for n in range(3):
        DatasetFactory(title=f"Set {n}", department=city["police"], themes=["Public Safety"], keywords=["k"])
    client.get(URL)  # warm the session and the priority weights row
    cache.clear()  # the coverage figures are counted afresh: the page at its dearest
    with django_assert_max_num_queries(16) as few:  # session, user, roles, weights, count, rows, themes, filters...
        assert len(rows(client.get(URL, {"sort": "-priority", "theme": "Public Safety"}))) == 3
    for n in range(3, 40):
        DatasetFactory(title=f"Set {n}", department=city["police"], themes=["Public Safety"], keywords=["k"])
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get(URL, {"sort": "-priority", "theme": "Public Safety"}))) == 25
    with django_assert_max_num_queries(len(few.captured_queries) - 2):  # coverage from the cache: one query
        assert len(rows(client.get(URL, {"sort": "-priority", "theme": "Public Safety"}))) == 25


# --- the coverage panel -------------------------------------------------------------------------------------------


def test_coverage_panel(catalogue, as_persona):
    DistributionFactory(dataset=catalogue["crashes"])
    panel = section(parse(as_persona("stat_lead").get(URL)), "Inventory coverage")
    assert "100% of active departments have inventoried datasets (3 of 3)" in panel.text
    assert "16% of datasets have complete required metadata (1 of 6)" in panel.text
    assert "Current" in panel.text


def test_the_coverage_panel_follows_each_change_at_once(catalogue, as_persona, users, city):
    """The figures are cached, yet a change made through the app (or a new department) shows on the next page."""
    client = as_persona("stat_lead")
    assert "(1 of 6)" not in section(parse(client.get(URL)), "Inventory coverage").text
    DistributionFactory(dataset=catalogue["crashes"])
    dataset_update(dataset=catalogue["crashes"], by=users["stat_lead"], reason="Distribution added")
    assert (
        "16% of datasets have complete required metadata (1 of 6)"
        in section(parse(client.get(URL)), "Inventory coverage").text
    )
    DepartmentFactory(name="Libraries", slug="libraries", code="LIB")
    assert "(3 of 4)" in section(parse(client.get(URL)), "Inventory coverage").text


@pytest.mark.parametrize("persona", ["police_lead", "budget_analyst"])
def test_coverage_panel_is_for_those_who_read_every_dataset(catalogue, as_persona, persona):
    assert "Inventory coverage" not in text_of(as_persona(persona).get(URL))


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_bulk_controls_only_for_the_stat_team(catalogue, as_persona, persona):
    page = parse(as_persona(persona).get(URL))
    has_bulk = page.find("form", id="bulk-form") is not None
    assert has_bulk == (persona in ("stat_lead", "stat_analyst"))
    assert (page.find("input", name="dataset") is not None) == has_bulk


# --- sorting from the column headers --------------------------------------------------------------------------------


def headers(response) -> dict:
    """Each sortable column header: its aria-sort (blank when not sorted by it) and where its link goes."""
    found = {}
    for th in parse(response).find("thead").find_all("th", scope="col"):
        link = th.find("a")
        if link is not None:
            found[link.text.split(":")[0].strip(" ▲▼")] = (th.attrs.get("aria-sort", ""), link.attrs["href"])
    return found


def test_headers_sort_and_say_how_the_list_is_sorted(catalogue, as_persona):
    client = as_persona("stat_analyst")
    unsorted = headers(client.get(URL))
    assert unsorted["Title"] == ("ascending", "?sort=-title")  # the default order is by title
    assert unsorted["Department"] == ("", "?sort=department")
    assert unsorted["Updated"] == ("", "?sort=-updated")  # newest first on the first click
    assert unsorted["Priority"] == ("", "?sort=-priority")
    by_title_reversed = client.get(URL + unsorted["Title"][1])
    assert rows(by_title_reversed) == list(reversed(EVERYTHING))
    assert headers(by_title_reversed)["Title"] == ("descending", "?sort=title")
    by_priority = client.get(URL + unsorted["Priority"][1])
    assert rows(by_priority)[0] == "Dispatch calls"
    assert headers(by_priority)["Priority"] == ("descending", "?sort=priority")
    assert headers(by_priority)["Title"] == ("", "?sort=title")


def test_header_links_keep_the_filters_and_go_back_to_the_first_page(catalogue, as_persona):
    response = as_persona("stat_analyst").get(URL, {"department": "police", "page": "1", "sort": "title"})
    href = headers(response)["Department"][1]
    assert href == "?department=police&sort=department"
    assert rows(as_persona("stat_analyst").get(URL + href)) == ["Crashes", "Dispatch calls", "Overtime"]


def test_each_sort_link_says_what_it_does_to_screen_readers(catalogue, as_persona):
    th = parse(as_persona("stat_analyst").get(URL, {"sort": "-updated"})).find("th", aria_sort="descending")
    assert th.find("a").text == "Updated: sort ascending ▼"
