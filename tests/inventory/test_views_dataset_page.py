"""The dataset page: what it shows, and that it costs the same queries however big the dictionary."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import PriorityWeights
from tests.pages import client_for, parse, section

from .factories import DataFieldFactory, DatasetFactory, DistributionFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(city, users):
    dataset = DatasetFactory(
        department=city["police"],
        title="Crashes by intersection",
        contact=users["police_contact"].person,
        keywords=["crashes", "traffic"],
        themes=["Transportation"],
        initiatives=[InitiativeFactory(name="Vision Zero")],
        critical_to_decisions=True,
        sensitive=True,
        created_by=users["stat_analyst"],
        updated_by=users["police_contact"],
    )
    DistributionFactory(dataset=dataset, title="CSV", download_url="https://data.example.gov/crashes.csv")
    DistributionFactory(
        dataset=dataset, title="API", download_url="", media_type="", access_url="https://api.example.gov/crashes"
    )
    DataFieldFactory(dataset=dataset, name="severity", type="string", required=True, allowed_values=["fatal", "injury"])
    DataFieldFactory(dataset=dataset, name="speed", type="number", minimum="0", maximum="120")
    return dataset


def test_the_page_shows_metadata_distributions_dictionary_priority_and_who_changed_it(as_persona, dataset):
    PriorityWeights.current()
    page = parse(as_persona("data_expert").get(dataset.get_absolute_url()))
    assert page.find("h1").text == "Crashes by intersection"

    about = section(page, "About this dataset").text
    assert "Police" in about and "Dana Data" in about
    assert "crashes, traffic" in about and "Transportation" in about and "Vision Zero" in about
    assert "Monthly" in about

    priority = section(page, "Priority")
    # Critical to decisions 5 + initiative 4 + sensitive -1 (the default weights).
    assert "Priority score 8" in priority.text
    reasons = [row.find("th").text for row in priority.find("tbody").find_all("tr")]
    assert reasons == [
        "Critical to decisions (e.g. 311, call-centre data)",
        "Sensitive (harder to publish)",
        "Tied to an initiative",
    ]

    distributions = section(page, "Distributions").find("tbody").find_all("tr")
    assert [row.find("th").text for row in distributions] == ["CSV", "API"]
    assert "text/csv" in distributions[0].text and "https://api.example.gov/crashes" in distributions[1].text

    dictionary = section(page, "Data dictionary").find("tbody").find_all("tr")
    assert [row.find("th").text for row in dictionary] == ["severity", "speed"]
    assert "Required" in dictionary[0].text and "One of: fatal, injury" in dictionary[0].text
    assert "Minimum 0" in dictionary[1].text and "Maximum 120" in dictionary[1].text

    record = section(page, "Record").text
    assert "by Ana Lyst" in record and "by Dana Data" in record


@pytest.mark.parametrize("persona", ["data_expert", "no_role"])
def test_internal_fields_are_for_those_with_a_role(as_persona, dataset, persona):
    """A login without a role reads a public dataset's page, but not its internal fields (the API hides the same
    ones: issue 11, finding 9)."""
    dataset.access_level, dataset.published = "public", True
    dataset.source_system, dataset.privacy_notes = "Records management system", "Victims' addresses"
    dataset.save()
    page = parse(client_for(persona, as_persona).get(dataset.get_absolute_url()))
    shown = persona != "no_role"
    assert ("Records management system" in page.text) is shown
    assert ("Victims" in page.text) is shown
    assert (page.find(id="priority-heading") is not None) is shown
    assert "Crashes by intersection" in page.text
    # Nor its history, whose old values hold them.
    history = reverse("inventory:dataset_history", args=[dataset.pk])
    assert (page.find("a", href=history) is not None) is shown
    assert client_for(persona, as_persona).get(history).status_code == (200 if shown else 403)


def test_a_dataset_without_rows_says_so(as_persona, city):
    page = parse(as_persona("stat_analyst").get(DatasetFactory(department=city["police"]).get_absolute_url()))
    assert "No distributions yet." in section(page, "Distributions").text
    assert "No data dictionary yet. Describe its fields." in section(page, "Data dictionary").text
    assert "no declared value yet" in section(page, "Priority").text


def test_the_page_costs_the_same_queries_with_2_or_30_fields(as_persona, dataset, django_assert_max_num_queries):
    client = as_persona("police_contact")
    with CaptureQueriesContext(connection) as small:
        assert client.get(dataset.get_absolute_url()).status_code == 200
    for n in range(28):
        DataFieldFactory(dataset=dataset, name=f"extra_{n}")
        DistributionFactory(dataset=dataset)
    with django_assert_max_num_queries(len(small)):
        response = client.get(dataset.get_absolute_url())
    assert len(section(parse(response), "Data dictionary").find("tbody").find_all("tr")) == 30


def test_the_edit_form_costs_the_same_queries_with_2_or_30_fields(as_persona, dataset, django_assert_max_num_queries):
    client = as_persona("stat_analyst")
    path = f"/inventory/datasets/{dataset.pk}/edit/"
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    for n in range(28):
        DataFieldFactory(dataset=dataset, name=f"extra_{n}")
    with django_assert_max_num_queries(len(small)):
        client.get(path)


def test_links_to_draft_the_dictionary_for_writers_and_to_the_public_table_schema(as_persona, city):
    from .factories import PublicDatasetFactory

    public = PublicDatasetFactory(department=city["police"], identifier="pd-public")
    writer = parse(as_persona("police_contact").get(public.get_absolute_url()))
    hrefs = {a.attrs.get("href") for a in section(writer, "Data dictionary").find_all("a")}
    assert f"/inventory/datasets/{public.pk}/dictionary/draft/" in hrefs
    assert "/public/datasets/pd-public/schema.json" in hrefs

    reader = parse(as_persona("police_lead").get(public.get_absolute_url()))
    hrefs = {a.attrs.get("href") for a in section(reader, "Data dictionary").find_all("a")}
    assert hrefs == {"/public/datasets/pd-public/schema.json"}

    hidden = DatasetFactory(department=city["police"])
    page = parse(as_persona("police_contact").get(hidden.get_absolute_url()))
    assert not any("schema.json" in a.attrs.get("href", "") for a in page.find_all("a"))


def test_the_page_shows_its_latest_change_as_old_and_new(as_persona, city, users):
    from inventory.services.datasets import dataset_create, dataset_update

    dataset = dataset_create(by=None, title="Potholes", description="x", department=city["police"], rights="Draft.")
    dataset_update(dataset=dataset, by=users["police_contact"], title="Pothole reports", reason="Clearer title")
    record = section(parse(as_persona("stat_lead").get(dataset.get_absolute_url())), "Record")
    assert "Latest change: changed" in record.text and "by Dana Data" in record.text
    assert "Reason: Clearer title" in record.text
    (row,) = record.find("tbody").find_all("tr")
    assert [cell.text for cell in row.find_all("td")] == ["Potholes", "Pothole reports"]


def test_the_dictionary_shows_every_constraint_escaped(as_persona, dataset):
    DataFieldFactory(
        dataset=dataset,
        name="code<x>",
        title="",
        type="date",
        format="%Y-%m-%d",
        description='Ward "A" & <b>B</b>',
        unique=True,
        allowed_values=["a<b", 2, 1.5, "", True],
        pattern="^[A-Z]{2}<>$",
    )
    DataFieldFactory(dataset=dataset, name="plain", title="Plain & simple", type="integer", maximum="10&x")
    page = parse(as_persona("stat_analyst").get(dataset.get_absolute_url()))
    rows = section(page, "Data dictionary").find("tbody").find_all("tr")
    assert [row.find("th").text for row in rows] == ["severity", "speed", "code<x>", "plain"]
    assert "One of: a<b, 2, 1.5, , True" in rows[2].text and "Matches ^[A-Z]{2}<>$" in rows[2].text
    assert "Date (%Y-%m-%d)" in rows[2].text and 'Ward "A" & <b>B</b>' in rows[2].text
    assert "Maximum 10&x" in rows[3].text and "None" not in rows[3].text
    assert [cell.text for cell in rows[3].find_all("td")][0] == "Plain & simple"


def test_keywords_themes_and_initiatives_each_list_their_own_names_in_order(as_persona, city):
    from .factories import KeywordFactory

    dataset = DatasetFactory(
        department=city["police"],
        keywords=["zebra", "Apple", "mango", "Transit"],
        themes=["Transit", "Safety"],
        initiatives=[InitiativeFactory(name="Vision Zero"), InitiativeFactory(name="BlightStat")],
    )
    KeywordFactory(name="unused")
    values = about_values(as_persona("police_contact").get(dataset.get_absolute_url()))
    assert values["Keywords"] == ", ".join(dataset.keywords.values_list("name", flat=True))  # the relation's order
    assert sorted(values["Keywords"].split(", ")) == sorted(["zebra", "Apple", "mango", "Transit"])
    assert values["Themes"] == "Safety, Transit"
    assert values["Initiatives"] == "BlightStat, Vision Zero"
    untagged = DatasetFactory(department=city["police"])
    values = about_values(as_persona("police_contact").get(untagged.get_absolute_url()))
    assert values["Keywords"] == values["Themes"] == values["Initiatives"] == "None"


def about_values(response) -> dict[str, str]:
    about = section(parse(response), "About this dataset")
    return dict(zip([dt.text for dt in about.find_all("dt")], [dd.text for dd in about.find_all("dd")], strict=True))
