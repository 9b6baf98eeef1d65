"""Harvesting a DCAT-US catalogue: idempotent by identifier, one savepoint per record, publishers mapped or created,
a catalogue that is not DCAT-US refused whole; and the export → import → export round trip."""

import copy
import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from inventory.models import AccessLevel, Dataset, Distribution, FieldType, Frequency
from inventory.services.datajson import NotACatalogue, datajson_catalog, datajson_import
from team.models import Department, Person, Role
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.inventory.factories import DataFieldFactory, DatasetFactory, DistributionFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db

CONFORMS = "https://project-open-data.cio.gov/v1.1/schema"


def record(identifier: str, publisher: str = "Police", **extra) -> dict:
    entry = {
        "@type": "dcat:Dataset",
        "identifier": identifier,
        "title": f"Title of {identifier}",
        "description": "Something useful.",
        "accessLevel": "public",
        "publisher": {"@type": "org:Organization", "name": publisher},
        "contactPoint": {"@type": "vcard:Contact", "fn": publisher},
        "keyword": ["alpha", "beta"],
        "modified": "2026-10-01",
        "accrualPeriodicity": "R/P1W",
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "downloadURL": f"https://x.example/{identifier}.csv",
                "mediaType": "text/csv",
            }
        ],
    }
    entry.update(extra)
    return entry


def catalog(*records) -> dict:
    return {"conformsTo": CONFORMS, "@type": "dcat:Catalog", "dataset": list(records)}


def state() -> list:
    return [
        list(Dataset.objects.order_by("pk").values()),
        list(Distribution.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
        Dataset.history.count(),
    ]


def test_import_creates_datasets_in_the_publishers_department(city, users):
    report = datajson_import(catalog=catalog(record("a"), record("b", "Fire")), by=users["stat_analyst"])
    assert len(report.created) == 2 and not report.invalid
    a = Dataset.objects.get(identifier="a")
    assert a.department == city["police"]
    assert a.accrual_periodicity == Frequency.WEEKLY
    assert a.published and a.access_level == AccessLevel.PUBLIC
    assert sorted(a.keywords.values_list("name", flat=True)) == ["alpha", "beta"]
    assert a.distributions.get().media_type == "text/csv"
    assert a.created_by == users["stat_analyst"]
    assert Dataset.objects.get(identifier="b").department == city["fire"]


def test_importing_twice_changes_nothing(city):
    data = catalog(record("a"), record("b"))
    datajson_import(by=None, catalog=data)
    before = state()
    report = datajson_import(by=None, catalog=copy.deepcopy(data))
    assert report.unchanged == ["“Title of a” (record 1)", "“Title of b” (record 2)"]
    assert not report.created and not report.updated
    assert state() == before


def test_a_changed_record_updates_its_dataset(city):
    datajson_import(by=None, catalog=catalog(record("a")))
    changed = record("a", title="New title", keyword=["gamma"], distribution=[])
    report = datajson_import(by=None, catalog=catalog(changed))
    assert report.updated == ["“New title” (record 1)"]
    dataset = Dataset.objects.get(identifier="a")
    assert dataset.title == "New title"
    assert list(dataset.keywords.values_list("name", flat=True)) == ["gamma"]
    assert not dataset.distributions.exists()
    assert dataset.history.first().history_change_reason == "Harvested from data.json"


def test_invalid_records_are_reported_while_valid_ones_import(city):
    no_media = record("c", distribution=[{"downloadURL": "https://x.example/c.csv"}])
    report = datajson_import(
        by=None,
        catalog=catalog(
            record("a"),
            "not an object",
            record("b", accessLevel="restricted public"),
            no_media,
            record("d", license="not a url"),
            record("a", title="Duplicate"),
            {"title": "", "identifier": "e"},
        ),
    )
    assert report.created == ["“Title of a” (record 1)"]
    invalid = dict(report.invalid)
    assert invalid["Record 2"] == ["it is not a JSON object."]
    assert invalid["“Title of b” (record 3)"] == ["it is not public but has no rights statement saying why."]
    assert invalid["“Title of c” (record 4)"] == ["distribution 1 has a downloadURL without its mediaType."]
    assert "license" in invalid["“Title of d” (record 5)"][0]
    assert "repeats an earlier record" in invalid["“Duplicate” (record 6)"][0]
    assert "it has no title." in invalid["Record 7"]
    assert list(Dataset.objects.values_list("identifier", flat=True)) == ["a"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html>not json</html>", "This is not JSON"),
        (b"\x89PNG\x00\x00", "binary"),
        (b"[]", "not a DCAT-US catalogue"),
        (b'{"datasets": []}', "not a DCAT-US catalogue"),
        (b'{"dataset": "x"}', "not a DCAT-US catalogue"),
        (b'{"dataset": [{"name": "a CKAN package"}]}', "none of its"),
        (b'{"conformsTo": "https://example.com/other", "dataset": []}', "only DCAT-US v1.1"),
    ],
)
def test_a_catalogue_that_is_not_dcat_us_is_refused_and_nothing_written(city, data, message):
    before = state()
    with pytest.raises(NotACatalogue) as error:
        datajson_import(by=None, catalog=data, create_departments=True)
    assert message in error.value.messages[0]
    assert state() == before


def test_unmapped_publishers_are_listed_and_their_datasets_skipped(city):
    report = datajson_import(
        by=None, catalog=catalog(record("a"), record("b", "Water Board"), record("c", "Water Board"))
    )
    assert report.unmapped_publishers == ["Water Board"]
    assert report.publishers == {"Police": 1, "Water Board": 2}
    assert len(report.skipped) == 2
    assert list(Dataset.objects.values_list("identifier", flat=True)) == ["a"]


def test_publishers_are_mapped_by_the_user_or_created_when_asked(city):
    data = catalog(record("a", "PD"), record("b", "Water Board"), record("c", "Library"))
    report = datajson_import(
        by=None, catalog=data, department_map={"PD": city["police"], "Library": None}, create_departments=True
    )
    assert report.created_departments == ["Water Board"]
    assert report.unmapped_publishers == ["Library"]
    assert Dataset.objects.get(identifier="a").department == city["police"]
    water = Dataset.objects.get(identifier="b").department
    assert (water.name, water.code) == ("Water Board", "WB")
    assert not Dataset.objects.filter(identifier="c").exists()


def test_a_dry_run_reports_and_writes_nothing(city):
    before = state()
    report = datajson_import(
        by=None, catalog=catalog(record("a"), record("b", "Water Board")), create_departments=True, dry_run=True
    )
    assert len(report.created) == 2 and report.created_departments == ["Water Board"]
    assert state() == before


def test_stewards_are_linked_by_email_and_never_given_a_role(city):
    steward = PersonFactory(full_name="Dana Data", email="dana@example.gov")
    RoleAssignmentFactory(person=steward, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    outsider = PersonFactory(full_name="Out Sider", email="out@example.gov")
    contact = {"@type": "vcard:Contact", "fn": "Dana Data", "hasEmail": "mailto:DANA@example.gov"}
    stranger = {"@type": "vcard:Contact", "fn": "Out Sider", "hasEmail": "mailto:out@example.gov"}
    datajson_import(
        by=None,
        catalog=catalog(record("a", contactPoint=contact), record("b", contactPoint=stranger)),
        create_departments=True,
    )
    assert Dataset.objects.get(identifier="a").contact == steward
    assert Dataset.objects.get(identifier="b").contact is None
    assert not outsider.assignments.exists()


def test_dates_and_frequencies_the_inventory_cannot_hold_are_noted(city):
    report = datajson_import(by=None, catalog=catalog(record("a", modified="R/P1D", accrualPeriodicity="R/P4M")))
    notes = [warning for _, warning in report.warnings]
    assert "its modified “R/P1D” is not a date: left blank." in notes
    assert "its accrualPeriodicity “R/P4M” has no match here: set to irregular." in notes
    dataset = Dataset.objects.get()
    assert dataset.modified is None and dataset.accrual_periodicity == Frequency.IRREGULAR


# --- the round trip ------------------------------------------------------------------------------------------------


def test_export_import_export_round_trips(city):
    steward = PersonFactory(full_name="Dana Data", email="dana@example.gov")
    RoleAssignmentFactory(person=steward, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    crimes = PublicDatasetFactory(
        identifier="pd-crimes",
        department=city["police"],
        contact=steward,
        keywords=["crime"],
        themes=["Public Safety"],
        license="https://creativecommons.org/publicdomain/zero/1.0/",
        spatial="Riverton",
        temporal="2015-01-01/2026-10-31",
        issued="2015-02-01",
        modified="2026-11-01",
        landing_page="https://data.example.gov/crimes",
    )
    DistributionFactory(dataset=crimes, title="CSV", description="All of it", position=0)
    DistributionFactory(dataset=crimes, download_url="", media_type="", access_url="https://api.example/c", position=1)
    DataFieldFactory(dataset=crimes, name="case_id", type=FieldType.INTEGER, required=True, minimum="1", position=0)
    DataFieldFactory(dataset=crimes, name="kind", allowed_values=["theft", "assault"], position=1)
    DatasetFactory(
        identifier="fd-inspections",
        department=city["fire"],
        access_level=AccessLevel.RESTRICTED_PUBLIC,
        rights="On request.",
        published=True,
    )
    PublicDatasetFactory(identifier="prd-parks", department=city["parks"], accrual_periodicity=Frequency.IRREGULAR)
    DatasetFactory(identifier="pd-secret", department=city["police"])  # never exported

    base = "http://testserver/"
    first = datajson_catalog(base_url=base)
    schemas = {
        entry["describedBy"]: Client().get(entry["describedBy"].removeprefix(base[:-1])).content
        for entry in first["dataset"]
        if "describedBy" in entry
    }

    # An empty inventory: no datasets, no departments, no people.
    Dataset.objects.all().delete()
    Person.objects.all().delete()
    Department.objects.all().delete()

    report = datajson_import(
        by=None, catalog=json.loads(json.dumps(first)), create_departments=True, fetch=schemas.__getitem__
    )
    assert len(report.created) == 3 and not report.invalid and not report.warnings
    assert sorted(report.created_departments) == ["Fire", "Parks & Recreation", "Police"]
    assert datajson_catalog(base_url=base) == first

    again = datajson_import(by=None, catalog=first, fetch=schemas.__getitem__)
    assert len(again.unchanged) == 3


def test_harvesting_our_own_data_json_takes_no_mailbox_for_a_stewards_address(city, settings):
    """data.json gives the department's contact mailbox (or the program's), not the steward's own address (issue 11,
    finding 10): harvesting it back matches stewards by name and gives nobody a mailbox for their own address."""
    settings.PROGRAM_CONTACT_EMAIL = "opendata@example.gov"
    city["police"].contact_email = "police-data@example.gov"
    city["police"].save()
    steward = PersonFactory(full_name="Dana Data", email="dana@example.gov")
    RoleAssignmentFactory(person=steward, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    PublicDatasetFactory(identifier="pd-crimes", department=city["police"], contact=steward)
    PublicDatasetFactory(identifier="prd-parks", department=city["parks"])
    first = datajson_catalog(base_url="http://testserver/")
    assert "dana@example.gov" not in json.dumps(first)
    people = list(Person.objects.order_by("pk").values())

    assert len(datajson_import(catalog=first, by=None).unchanged) == 2
    Dataset.objects.filter(identifier="pd-crimes").delete()  # harvested anew: its steward is found by name
    report = datajson_import(catalog=first, by=None)
    assert len(report.created) == 1 and not report.invalid
    assert Dataset.objects.get(identifier="pd-crimes").contact == steward
    assert list(Person.objects.order_by("pk").values()) == people
    assert datajson_catalog(base_url="http://testserver/") == first


def test_a_harvest_never_changes_an_existing_person(city, users):
    """Issue 11, finding 1, on the harvest's path: a catalogue naming someone's address under another name (here
    someone about to be Stat lead) neither renames them, nor gives them a role, nor takes their address."""
    incoming = PersonFactory(full_name="Ines Coming", email="incoming@example.gov")
    RoleAssignmentFactory(
        person=incoming, role=Role.STAT_LEAD, starts_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    before = list(Person.objects.order_by("pk").values())
    contact = {"@type": "vcard:Contact", "fn": "Someone Else", "hasEmail": "mailto:incoming@example.gov"}
    report = datajson_import(
        catalog=catalog(record("a", contactPoint=contact), record("b", "Water Board", contactPoint=contact)),
        by=users["stat_lead"],
        create_departments=True,
    )
    assert len(report.created) == 2
    assert list(Person.objects.order_by("pk").values()) == before
    assert incoming.assignments.count() == 1
