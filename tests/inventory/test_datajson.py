"""/data.json: the catalogued datasets as DCAT-US v1.1, valid against the non-federal JSON Schema data.gov uses,
plus the rules that schema leaves out; and each dataset's Table Schema at its stable URL."""

import json

import pytest
from django.conf import settings
from django.urls import reverse
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from inventory.models import AccessLevel, FieldType
from inventory.services.datajson import DCAT_US_SCHEMA_DIR, datajson_catalog
from team.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.inventory.factories import (
    DataFieldFactory,
    DatasetFactory,
    DistributionFactory,
    PublicDatasetFactory,
)

pytestmark = pytest.mark.django_db

BASE = "https://project-open-data.cio.gov/v1.1/schema/"
SCHEMA_FILES = ("catalog.json", "dataset-non-federal.json")


def catalog_validator() -> Draft4Validator:
    """The catalogue schema, its ``$ref`` to dataset-non-federal.json resolved from the repository's copy."""
    schemas = {name: json.loads((DCAT_US_SCHEMA_DIR / name).read_text()) for name in SCHEMA_FILES}
    registry = Registry().with_resources(
        (BASE + name, Resource.from_contents(schema, default_specification=DRAFT4)) for name, schema in schemas.items()
    )
    return Draft4Validator(schemas["catalog.json"], registry=registry, format_checker=FormatChecker())


def assert_valid(catalog: dict) -> None:
    errors = sorted(catalog_validator().iter_errors(catalog), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


@pytest.fixture
def catalogue(city):
    """A public dataset with everything; a restricted one; a bare public one; and two that must never appear."""
    city["police"].contact_email = "police-data@example.gov"
    city["police"].save()
    steward = PersonFactory(
        full_name="Dana Data", email="dana@example.gov", phone="555-0199", department=city["police"]
    )
    RoleAssignmentFactory(person=steward, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    full = PublicDatasetFactory(
        identifier="pd-crimes",
        title="Reported crimes",
        department=city["police"],
        contact=steward,
        keywords=["crime", "public safety"],
        themes=["Public Safety"],
        license="https://creativecommons.org/publicdomain/zero/1.0/",
        spatial="City of Riverton",
        temporal="2015-01-01/2026-10-31",
        issued="2015-02-01",
        modified="2026-11-01",
        landing_page="https://data.example.gov/crimes",
    )
    DistributionFactory(dataset=full, download_url="https://data.example.gov/crimes.csv", title="CSV", position=0)
    DistributionFactory(
        dataset=full, download_url="", media_type="", access_url="https://data.example.gov/api/crimes", format="API"
    )
    DataFieldFactory(dataset=full, name="case_id", type=FieldType.INTEGER, required=True)
    restricted = DatasetFactory(
        identifier="fd-inspections",
        title="Fire inspections",
        department=city["fire"],
        access_level=AccessLevel.RESTRICTED_PUBLIC,
        rights="Available to property owners on request to the Fire Marshal.",
        published=True,
        keywords=["fire"],
    )
    bare = PublicDatasetFactory(identifier="prd-parks", title="Parks", department=city["parks"])
    DatasetFactory(identifier="pd-informants", title="Informants", department=city["police"], published=True)
    PublicDatasetFactory(identifier="pd-draft", title="Draft", department=city["police"], published=False)
    return {"full": full, "restricted": restricted, "bare": bare, "steward": steward}


def get_catalog(client) -> dict:
    response = client.get("/data.json")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def entries(catalog: dict) -> dict:
    return {entry["identifier"]: entry for entry in catalog["dataset"]}


def test_the_schema_files_are_in_the_repository_under_the_urls_data_json_names():
    ids = {name: json.loads((DCAT_US_SCHEMA_DIR / name).read_text())["id"] for name in SCHEMA_FILES}
    assert ids == {name: f"{BASE}{name}#" for name in SCHEMA_FILES}


def test_data_json_validates_against_the_non_federal_schema(client, catalogue):
    catalog = get_catalog(client)
    assert_valid(catalog)
    assert catalog["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert catalog["describedBy"] == "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["@context"].startswith("https://project-open-data.cio.gov/v1.1/schema/")
    assert catalog["@id"] == "http://testserver/data.json"


def test_the_validator_does_catch_a_bad_catalogue():
    with pytest.raises(AssertionError):
        assert_valid({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": [{"title": "x"}]})
    bad_publisher = {
        "title": "t",
        "description": "d",
        "identifier": "i",
        "accessLevel": "public",
        "contactPoint": {"fn": "x", "hasEmail": "x@example.gov"},  # no mailto:
        "publisher": {"name": "P", "subOrganizationOf": {"@type": "org:Organization"}},  # parent has no name
    }
    errors = list(catalog_validator().iter_errors({"conformsTo": BASE.rstrip("/"), "dataset": [bad_publisher]}))
    assert len(errors) == 2


def test_a_full_entry(client, catalogue):
    entry = entries(get_catalog(client))["pd-crimes"]
    assert entry == {
        "@type": "dcat:Dataset",
        "identifier": "pd-crimes",
        "title": "Reported crimes",
        "description": "What Reported crimes holds.",
        "accessLevel": "public",
        "publisher": {
            "@type": "org:Organization",
            "name": "Police",
            "subOrganizationOf": {"@type": "org:Organization", "name": settings.CITY_NAME},
        },
        "contactPoint": {"@type": "vcard:Contact", "fn": "Dana Data", "hasEmail": "mailto:police-data@example.gov"},
        "keyword": ["crime", "public safety"],
        "modified": "2026-11-01",
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "spatial": "City of Riverton",
        "temporal": "2015-01-01/2026-10-31",
        "accrualPeriodicity": "R/P1M",
        "issued": "2015-02-01",
        "landingPage": "https://data.example.gov/crimes",
        "theme": ["Public Safety"],
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "downloadURL": "https://data.example.gov/crimes.csv",
                "mediaType": "text/csv",
                "format": "CSV",
                "title": "CSV",
            },
            {
                "@type": "dcat:Distribution",
                "accessURL": "https://data.example.gov/api/crimes",
                "format": "API",
                "title": "CSV download",
            },
        ],
        "describedBy": "http://testserver/public/datasets/pd-crimes/schema.json",
        "describedByType": "application/json",
    }
    assert "555-0199" not in json.dumps(get_catalog(client))


def test_only_published_datasets_that_are_not_non_public_appear(client, catalogue):
    assert sorted(entries(get_catalog(client))) == ["fd-inspections", "pd-crimes", "prd-parks"]


def test_rules_the_schema_leaves_out(client, catalogue):
    catalog = get_catalog(client)
    for entry in catalog["dataset"]:
        if entry["accessLevel"] != "public":
            assert entry["rights"], entry["identifier"]
        else:
            assert "rights" not in entry
        for distribution in entry.get("distribution", []):
            if "downloadURL" in distribution:
                assert distribution["mediaType"]
        if "describedBy" in entry:
            path = entry["describedBy"].removeprefix("http://testserver")
            schema = client.get(path)
            assert schema.status_code == 200
            assert schema.json()["fields"][0]["name"] == "case_id"
    assert (
        entries(catalog)["fd-inspections"]["rights"] == "Available to property owners on request to the Fire Marshal."
    )


def test_a_dataset_without_steward_keywords_or_dictionary(client, catalogue, settings):
    entry = entries(get_catalog(client))["prd-parks"]
    assert entry["contactPoint"] == {"@type": "vcard:Contact", "fn": "Parks & Recreation"}
    assert "keyword" not in entry and "describedBy" not in entry and "distribution" not in entry
    settings.PROGRAM_CONTACT_EMAIL = "opendata@example.gov"
    catalog = datajson_catalog(base_url="https://stat.example.gov/")
    assert entries(catalog)["prd-parks"]["contactPoint"]["hasEmail"] == "mailto:opendata@example.gov"
    assert_valid(catalog)


def test_no_persons_address_is_published_unless_the_city_opts_in(client, catalogue, settings):
    """Issue 11, finding 10: the department's contact mailbox, else the program's, never the steward's own."""
    settings.PROGRAM_CONTACT_EMAIL = "opendata@example.gov"
    catalog = get_catalog(client)
    assert_valid(catalog)
    assert "dana@example.gov" not in json.dumps(catalog)
    emails = {identifier: entry["contactPoint"]["hasEmail"] for identifier, entry in entries(catalog).items()}
    assert emails == {
        "pd-crimes": "mailto:police-data@example.gov",  # Police's mailbox
        "fd-inspections": "mailto:opendata@example.gov",  # Fire has none: the program's
        "prd-parks": "mailto:opendata@example.gov",
    }
    assert entries(catalog)["pd-crimes"]["contactPoint"]["fn"] == "Dana Data"  # the steward is still named

    settings.PUBLISH_STEWARD_EMAILS = True
    catalog = get_catalog(client)
    assert_valid(catalog)
    assert entries(catalog)["pd-crimes"]["contactPoint"]["hasEmail"] == "mailto:dana@example.gov"
    assert entries(catalog)["prd-parks"]["contactPoint"]["hasEmail"] == "mailto:opendata@example.gov"  # no steward


def test_an_inactive_steward_is_not_named(client, catalogue):
    catalogue["steward"].active = False
    catalogue["steward"].save()
    assert entries(get_catalog(client))["pd-crimes"]["contactPoint"]["fn"] == "Police"


def test_an_empty_catalogue_is_valid(client, db):
    catalog = get_catalog(client)
    assert catalog["dataset"] == []
    assert_valid(catalog)


def test_data_json_is_json_cacheable_and_public(client, catalogue):
    response = client.get("/data.json")
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert client.post("/data.json").status_code == 405
    assert reverse("inventory:datajson") == "/data.json"


def test_data_json_costs_a_fixed_number_of_queries(client, catalogue, city, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        get_catalog(client)
    for n in range(15):
        dataset = PublicDatasetFactory(department=city["fire"], keywords=[f"k{n}"], themes=["Safety"])
        DistributionFactory(dataset=dataset)
        DataFieldFactory(dataset=dataset)
    with django_assert_max_num_queries(6):
        assert len(get_catalog(client)["dataset"]) == 18


def test_data_json_is_streamed_a_chunk_at_a_time_and_says_the_same(client, catalogue, city, monkeypatch):
    """A catalogue larger than a chunk is sent in pieces, with four queries a chunk, and reads as the same JSON."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inventory.services.datajson import catalogue as module

    for n in range(7):
        PublicDatasetFactory(department=city["fire"], keywords=[f"k{n}"])
    whole = get_catalog(client)
    monkeypatch.setattr(module, "CHUNK", 2)
    monkeypatch.setattr(module.catalogue_chunks, "__defaults__", (2,))
    response = client.get("/data.json")
    assert response.streaming
    with CaptureQueriesContext(connection) as queries:
        pieces = list(response.streaming_content)
    assert len(pieces) > 2
    assert json.loads(b"".join(pieces)) == whole
    assert len(whole["dataset"]) == 10
    assert len(queries) <= 4 * 5 + 1  # five chunks of two, and the read that finds no more


# --- the Table Schema URL ------------------------------------------------------------------------------------------


def test_schema_json_is_the_table_schema(client, catalogue):
    response = client.get(reverse("inventory:public_dataset_schema", kwargs={"identifier": "pd-crimes"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=300" in response["Cache-Control"]
    assert response.json() == {
        "fields": [{"name": "case_id", "title": "Case id", "type": "integer", "constraints": {"required": True}}]
    }


@pytest.mark.parametrize("identifier", ["pd-informants", "pd-draft", "no-such-dataset"])
def test_schema_json_is_404_for_datasets_the_public_may_not_know(client, catalogue, identifier, as_persona):
    assert client.get(f"/public/datasets/{identifier}/schema.json").status_code == 404
    assert as_persona("stat_lead").get(f"/public/datasets/{identifier}/schema.json").status_code == 404


def test_schema_json_for_an_identifier_that_is_a_url(client, city):
    dataset = PublicDatasetFactory(identifier="https://data.example.gov/id/42", department=city["police"])
    DataFieldFactory(dataset=dataset, name="x")
    url = reverse("inventory:public_dataset_schema", kwargs={"identifier": dataset.identifier})
    assert client.get(url).json()["fields"][0]["name"] == "x"


def test_free_text_that_dcat_us_would_reject_is_left_out_or_generalised(client, city):
    steward = PersonFactory(full_name="Lo Cal", email="lo@localhost", department=city["police"])
    RoleAssignmentFactory(person=steward, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    dataset = PublicDatasetFactory(
        identifier="messy", department=city["police"], contact=steward, temporal="2015 to now"
    )
    DistributionFactory(dataset=dataset, media_type="text/csv; charset=utf-8")
    DistributionFactory(dataset=dataset, media_type="CSV file")
    catalog = get_catalog(client)
    assert_valid(catalog)
    entry = entries(catalog)["messy"]
    assert "temporal" not in entry and "hasEmail" not in entry["contactPoint"]
    assert [d["mediaType"] for d in entry["distribution"]] == ["text/csv", "application/octet-stream"]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2015-01-01/2026-10-31", True),
        ("2015-01-01T00:00:00Z/2026-10-31T23:59:59-05:00", True),
        ("2015-01-01/P1Y", True),
        ("P1Y2M/2026-01-01", True),
        ("2015-01-01", False),
        ("2015-13-01/2016-01-01", False),
        ("P1Y/P2Y", False),
        ("since 2015", False),
        ("", False),
    ],
)
def test_temporal_coverage_is_published_only_when_dcat_us_accepts_it(value, valid):
    from inventory.services.datajson import valid_temporal

    assert valid_temporal(value) is valid
    if valid:
        record = {
            "title": "t",
            "description": "d",
            "identifier": "i",
            "accessLevel": "public",
            "temporal": value,
            "publisher": {"name": "P"},
            "contactPoint": {"fn": "x"},
        }
        assert_valid({"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": [record]})


@pytest.mark.parametrize("identifier", ["pd-crimes", "https://data.example.gov/id/42?x=1#y", "a b/ç%20", "//odd"])
def test_schema_urls_are_those_reverse_gives(identifier):
    from urllib.parse import urljoin

    from inventory.services.datajson import schema_url_builder

    base = "https://stat.example.gov/"
    expected = urljoin(base, reverse("inventory:public_dataset_schema", kwargs={"identifier": identifier}))
    assert schema_url_builder(base)(identifier) == expected
