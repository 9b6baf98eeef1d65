"""The public data catalogue (/public/datasets/): published public datasets only, to everyone; every other dataset
is 404 there, signed in or not; stewards by name only."""

import pytest
from django.urls import reverse

from inventory.models import AccessLevel, Dataset
from team.models import Person
from tests.conftest import PERSONAS
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory
from tests.pages import EMAIL, parse, text_of

pytestmark = pytest.mark.django_db

URL = "/public/datasets/"


@pytest.fixture
def catalogue(city, users):
    steward = Person.objects.get(user=users["police_contact"])
    crashes = PublicDatasetFactory(
        identifier="pd-crashes",
        title="Crashes",
        description="Traffic collisions by intersection.",
        department=city["police"],
        contact=steward,
        keywords=["traffic", "vision zero"],
        themes=["Public Safety"],
        license="https://creativecommons.org/publicdomain/zero/1.0/",
    )
    DistributionFactory(dataset=crashes, title="Crashes CSV", download_url="https://data.example.gov/crashes.csv")
    DistributionFactory(
        dataset=crashes, title="Crashes API", download_url="", media_type="", access_url="https://api.example.gov/c"
    )
    DataFieldFactory(dataset=crashes, name="crash_date", type="date", required=True, description="When it happened.")
    DataFieldFactory(dataset=crashes, name="severity", allowed_values=["fatal", "injury", "property"])
    return {
        "crashes": crashes,
        "dispatch": DatasetFactory(identifier="pd-dispatch", title="Dispatch calls", department=city["police"]),
        "overtime": DatasetFactory(
            identifier="pd-overtime",
            title="Overtime",
            department=city["police"],
            access_level=AccessLevel.PUBLIC,
            rights="",
            published=False,
        ),
        "restricted": DatasetFactory(
            identifier="prd-permits",
            title="Park permits",
            department=city["parks"],
            access_level=AccessLevel.RESTRICTED_PUBLIC,
            published=True,
        ),
        "playgrounds": PublicDatasetFactory(
            identifier="prd-playgrounds", title="Playgrounds", department=city["parks"], themes=["Recreation"]
        ),
    }


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [h.find("a").text for h in parse(response).find_all("h2", class_="usa-collection__heading")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_sees_only_published_public_datasets(catalogue, as_persona, persona):
    assert listed(as_persona(persona).get(URL)) == ["Crashes", "Playgrounds"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["dispatch", "overtime", "restricted"])
def test_other_datasets_are_404_to_everyone(catalogue, as_persona, persona, name):
    url = reverse("inventory:public_dataset", kwargs={"identifier": catalogue[name].identifier})
    assert as_persona(persona).get(url).status_code == 404


def test_unknown_identifier_is_404(catalogue, client):
    assert client.get("/public/datasets/no-such-thing/").status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "collisions"}, ["Crashes"]),
        ({"search": "dispatch"}, []),  # not public: search never finds it
        ({"department": "police"}, ["Crashes"]),
        ({"theme": "Recreation"}, ["Playgrounds"]),
        ({"keyword": "traffic"}, ["Crashes"]),
        ({"sort": "-title"}, ["Playgrounds", "Crashes"]),
    ],
)
def test_search_and_filters(catalogue, client, params, expected):
    assert listed(client.get(URL, params)) == expected


def test_filters_offer_only_departments_and_themes_with_public_datasets(catalogue, client, city):
    page = parse(client.get(URL))
    departments = [o.text for o in page.find("select", name="department").find_all("option")]
    assert departments == ["Any department", "Parks & Recreation", "Police"]
    themes = [o.text for o in page.find("select", name="theme").find_all("option")]
    assert themes == ["Any theme", "Public Safety", "Recreation"]
    assert page.find("select", name="status") is None  # the inventory's filters stay in the inventory


def test_pagination(city, client):
    for n in range(23):
        PublicDatasetFactory(title=f"Open set {n:02d}", department=city["police"])
    first = client.get(URL)
    assert listed(first) == [f"Open set {n:02d}" for n in range(20)]
    assert listed(client.get(URL, {"page": 2})) == [f"Open set {n:02d}" for n in range(20, 23)]


def test_the_list_costs_the_same_queries_for_3_or_40_datasets(city, client, django_assert_max_num_queries):
    for n in range(3):
        PublicDatasetFactory(title=f"Open {n}", department=city["police"], themes=["Public Safety"])
    with django_assert_max_num_queries(6) as few:  # count, rows, themes, department and theme options
        assert len(listed(client.get(URL))) == 3
    for n in range(3, 40):
        PublicDatasetFactory(title=f"Open {n}", department=city["police"], themes=["Public Safety"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(client.get(URL))) == 20


def test_dataset_page_shows_metadata_distributions_and_dictionary(catalogue, client):
    response = client.get(reverse("inventory:public_dataset", kwargs={"identifier": "pd-crashes"}))
    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "Crashes",
        "Traffic collisions by intersection.",
        "Police",
        "Dana Data",
        "traffic",
        "vision zero",
        "Public Safety",
        "Monthly",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "Download Crashes CSV (CSV)",
        "Crashes API",
        "crash_date",
        "When it happened.",
        "Required.",
        "One of: fatal, injury, property.",
    ):
        assert expected in text, expected
    page = parse(response)
    assert page.find("a", href="https://data.example.gov/crashes.csv") is not None


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_never_show_a_stewards_email_or_phone(catalogue, as_persona, users, persona):
    steward = Person.objects.get(user=users["police_contact"])
    client = as_persona(persona)
    for url in (URL, reverse("inventory:public_dataset", kwargs={"identifier": "pd-crashes"})):
        main = parse(client.get(url)).find("main").text
        assert steward.email not in main and steward.phone not in main
        assert not EMAIL.search(main)


def test_a_dataset_with_a_url_identifier_has_a_page(city, client):
    dataset = PublicDatasetFactory(identifier="https://data.example.gov/id/abc-123", department=city["police"])
    url = reverse("inventory:public_dataset", kwargs={"identifier": dataset.identifier})
    assert client.get(url).status_code == 200
    assert client.get(URL).status_code == 200


def test_a_dataset_that_stops_being_public_is_404_at_once(catalogue, client):
    url = reverse("inventory:public_dataset", kwargs={"identifier": "pd-crashes"})
    assert client.get(url).status_code == 200
    Dataset.objects.filter(pk=catalogue["crashes"].pk).update(published=False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_catalogue_is_read_only(catalogue, client, method):
    assert getattr(client, method)(URL).status_code == 405
    assert getattr(client, method)("/public/datasets/pd-crashes/").status_code == 405


def test_home_page_links_to_the_catalogue(client, db):
    assert parse(client.get("/")).find("a", href=URL) is not None


def test_the_dataset_page_costs_the_same_queries_for_2_or_30_fields(catalogue, client, django_assert_max_num_queries):
    url = reverse("inventory:public_dataset", kwargs={"identifier": "pd-crashes"})
    with django_assert_max_num_queries(7) as few:  # dataset, keywords, themes, initiatives, distributions, fields
        assert client.get(url).status_code == 200
    for n in range(28):
        DataFieldFactory(dataset=catalogue["crashes"], name=f"extra_{n}")
        DistributionFactory(dataset=catalogue["crashes"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "extra_27" in client.get(url).content.decode()
