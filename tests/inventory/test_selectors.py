"""The inventory's named reads: who reads which datasets, search, required metadata and coverage."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from inventory import selectors
from inventory.models import AccessLevel, Dataset, Status
from inventory.services.datasets import dataset_update
from team.access import actor_for
from team.models import Person
from tests.factories import DepartmentFactory
from tests.inventory.factories import DatasetFactory, DistributionFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db

EVERYTHING = {"Crashes", "Dispatch calls", "Overtime", "Fire inspections", "Park permits", "Playgrounds"}


@pytest.fixture
def catalogue(city, users):
    police, fire, parks = city["police"], city["fire"], city["parks"]
    steward = Person.objects.get(user=users["police_contact"])
    return {
        "crashes": PublicDatasetFactory(
            title="Crashes",
            description="Traffic collisions by intersection.",
            department=police,
            contact=steward,
            keywords=["traffic", "vision zero"],
            themes=["Public Safety"],
            license="https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        "dispatch": DatasetFactory(
            title="Dispatch calls", description="Computer-aided dispatch records.", department=police, keywords=["911"]
        ),
        # Public access, not yet published: not public yet.
        "overtime": DatasetFactory(
            title="Overtime", department=police, access_level=AccessLevel.PUBLIC, rights="", published=False
        ),
        "inspections": DatasetFactory(title="Fire inspections", department=fire),
        "permits": DatasetFactory(title="Park permits", department=parks),
        "playgrounds": PublicDatasetFactory(title="Playgrounds", department=parks, themes=["Recreation"]),
    }


def titles(queryset) -> set[str]:
    return {dataset.title for dataset in queryset}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("principal", EVERYTHING),
        ("stat_lead", EVERYTHING),
        ("stat_analyst", EVERYTHING),
        ("police_contact", EVERYTHING),
        ("parks_contact", EVERYTHING),
        ("data_expert", EVERYTHING),
        ("police_lead", {"Crashes", "Dispatch calls", "Overtime", "Playgrounds"}),
        ("budget_analyst", {"Crashes", "Dispatch calls", "Overtime", "Fire inspections", "Playgrounds"}),
    ],
)
def test_inventory_shows_what_each_persona_may_read(catalogue, users, persona, expected):
    assert titles(selectors.datasets_for_inventory(actor_for(users[persona]))) == expected


def test_anonymous_reads_only_published_public_datasets(catalogue):
    assert titles(selectors.datasets_for_inventory(actor_for(None))) == {"Crashes", "Playgrounds"}
    assert titles(selectors.public_datasets()) == {"Crashes", "Playgrounds"}


def test_inventory_rows_carry_the_priority_score(catalogue, users):
    dataset_update(by=None, dataset=catalogue["dispatch"], critical_to_decisions=True, ready=True)
    rows = {d.title: d.priority_score for d in selectors.datasets_for_inventory(actor_for(users["stat_lead"]))}
    assert rows["Dispatch calls"] == 6
    assert rows["Park permits"] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crashes", {"Crashes"}),  # title
        ("collision", {"Crashes"}),  # description, stemmed on PostgreSQL ("collisions")
        ("dispatch records", {"Dispatch calls"}),  # words of the description
        ("vision zero", {"Crashes"}),  # a keyword
        ("911", {"Dispatch calls"}),
        ("insp", {"Fire inspections"}),  # part of a word of the title
        ("nothing like this", set()),
        ("   ", EVERYTHING),
    ],
)
def test_search_covers_title_description_and_keywords(catalogue, text, expected):
    assert titles(selectors.datasets_matching(Dataset.objects.all(), text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("crashes", {"Crashes"}),
        ("COLLISIONS intersection", {"Crashes"}),  # every word, anywhere, any case
        ("vision zero", {"Crashes"}),
        ("911 dispatch", {"Dispatch calls"}),  # a keyword and a word of the title
        ("dispatch crashes", set()),
    ],
)
def test_search_without_postgresql_matches_every_word(catalogue, monkeypatch, text, expected):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert titles(selectors.datasets_matching(Dataset.objects.all(), text)) == expected


@pytest.mark.parametrize(
    ("persona", "text", "expected"),
    [
        ("police_lead", "permits", set()),  # a Parks dataset it may not read
        ("police_lead", "dispatch", {"Dispatch calls"}),
        (None, "dispatch", set()),  # not public
        (None, "collisions", {"Crashes"}),
    ],
)
def test_search_finds_only_what_the_reader_may_read(catalogue, users, persona, text, expected):
    actor = actor_for(users[persona] if persona else None)
    assert titles(selectors.datasets_matching(selectors.datasets_for_inventory(actor), text)) == expected


def test_a_dataset_matched_several_ways_is_counted_once(catalogue):
    # "crashes": the title's words, the title's text and (below) a keyword all match the same dataset.
    catalogue["crashes"].keywords.create(name="crashes by year")
    assert selectors.datasets_matching(Dataset.objects.all(), "crashes").count() == 1


@pytest.mark.parametrize("text", ["%", "_", "%%%"])
def test_search_text_is_not_a_pattern(catalogue, text):
    assert titles(selectors.datasets_matching(Dataset.objects.all(), text)) == set()


def service_requests(city, count: int) -> None:
    """``count`` Police datasets titled "Service requests <n>" (identifiers ``many-<n>``), in one insert."""
    Dataset.objects.bulk_create(
        Dataset(
            identifier=f"many-{i}",
            title=f"Service requests {i}",
            description="Calls.",
            department=city["police"],
            rights="Internal.",
        )
        for i in range(count)
    )


def plan_of(queryset) -> str:
    """PostgreSQL's plan for ``queryset`` (EXPLAIN)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search indexes are PostgreSQL's")
def test_search_reads_the_indexes_on_postgresql(city):
    """Among thousands of datasets, the full-text document and the title's text are read off their indexes (the stored
    document's, migration 0007; the title's trigrams, 0006), not computed for every dataset: an index on an expression
    serves only that very expression, which this keeps in step with the search."""
    service_requests(city, 3000)
    DatasetFactory(title="Fire inspections", description="Every inspection.", department=city["fire"])
    with connection.cursor() as cursor:
        # As autovacuum does on a live server: statistics, and the GIN indexes' pending rows moved into the index.
        cursor.execute("ANALYZE inventory_dataset")
        for index in ("dataset_search_document_idx", "dataset_title_trigram_idx"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    queryset = selectors.datasets_matching(Dataset.objects.all(), "insp")  # part of a word: the title's text
    assert titles(queryset) == {"Fire inspections"}
    plan = plan_of(queryset)
    assert "dataset_search_document_idx" in plan
    assert "dataset_title_trigram_idx" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored search document is PostgreSQL's")
def test_a_word_in_every_dataset_reads_the_stored_documents_and_they_follow_each_edit(city):
    """A word in nearly every dataset is found without stemming every dataset's text again: the plan reads the
    stored document (migration 0007), whichever way it goes, and PostgreSQL keeps that document up to date."""
    service_requests(city, 2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_dataset")
    queryset = selectors.datasets_matching(Dataset.objects.all(), "request")
    assert queryset.count() == 2000
    plan = plan_of(queryset)
    assert "search_document" in plan and "to_tsvector" not in plan, plan
    # An edit of the title or the description is searchable at once, and the old words are gone.
    one = Dataset.objects.get(identifier="many-7")
    one.title, one.description = "Pothole repairs", "Filled within two days."
    one.save()
    assert list(selectors.datasets_matching(Dataset.objects.all(), "repaired")) == [one]  # stemmed: repair
    assert list(selectors.datasets_matching(Dataset.objects.all(), "filled days")) == [one]
    assert selectors.datasets_matching(Dataset.objects.all(), "request").count() == 1999


def test_public_dataset_is_404_unless_published_and_public(catalogue):
    from django.http import Http404

    assert selectors.public_dataset(catalogue["crashes"].identifier) == catalogue["crashes"]
    for name in ("dispatch", "overtime", "permits"):
        with pytest.raises(Http404):
            selectors.public_dataset(catalogue[name].identifier)


# --- required metadata and coverage ------------------------------------------------------------------------------


def complete(dataset) -> bool:
    return Dataset.objects.filter(selectors.metadata_complete_q(), pk=dataset.pk).exists()


def test_required_metadata(catalogue, users):
    crashes = catalogue["crashes"]
    # Public and published without a distribution: incomplete until it has one.
    assert not complete(crashes)
    DistributionFactory(dataset=crashes)
    assert complete(crashes)
    # A public dataset needs a license.
    Dataset.objects.filter(pk=crashes.pk).update(license="")
    assert not complete(crashes)
    # Without a steward or keywords, a non-public dataset is incomplete; with them (and its rights), complete.
    dispatch = catalogue["dispatch"]
    assert not complete(dispatch)
    Dataset.objects.filter(pk=dispatch.pk).update(contact=crashes.contact)
    assert complete(dispatch)
    dispatch.keywords.clear()
    assert not complete(dispatch)


def test_coverage_figures(catalogue, city):
    DepartmentFactory(name="Libraries", slug="libraries", code="LIB")  # active, nothing inventoried
    DepartmentFactory(name="Old Works", slug="old-works", code="OW", active=False)  # inactive: not counted
    DistributionFactory(dataset=catalogue["crashes"])
    DatasetFactory(title="Retired thing", department=city["fire"], status=Status.RETIRED)
    coverage = selectors.inventory_coverage()
    # Police, Fire and Parks of four active departments.
    assert (coverage.departments_inventoried, coverage.departments) == (3, 4)
    assert coverage.departments_share == 75
    # Six not retired; only Crashes has keyword, steward, license and a distribution.
    assert (coverage.datasets_complete, coverage.datasets) == (1, 6)
    assert coverage.complete_share == 16
    assert coverage.last_changed == Dataset.objects.latest("updated_at").updated_at
    assert coverage.is_fresh


def test_coverage_goes_stale_after_twelve_months(catalogue):
    later = timezone.now() + datetime.timedelta(days=366)
    assert not selectors.inventory_coverage(now=later).is_fresh
    assert selectors.inventory_coverage(now=later - datetime.timedelta(days=2)).is_fresh


def test_coverage_of_an_empty_inventory(city):
    coverage = selectors.inventory_coverage()
    assert (coverage.departments_share, coverage.complete_share, coverage.last_changed) == (0, 0, None)
    assert not coverage.is_fresh


def test_coverage_costs_three_queries_then_one_until_the_inventory_changes(catalogue, users, django_assert_num_queries):
    now = timezone.now()
    with django_assert_num_queries(3):  # what changed last; departments; datasets
        first = selectors.inventory_coverage(now=now)
    with django_assert_num_queries(1):
        assert selectors.inventory_coverage(now=now) == first
    dataset_update(dataset=catalogue["dispatch"], by=users["stat_lead"], status=Status.RETIRED)
    with django_assert_num_queries(3):
        assert selectors.inventory_coverage(now=now).datasets == first.datasets - 1


def test_forgetting_the_coverage_counts_again(catalogue, django_assert_num_queries):
    selectors.inventory_coverage()
    selectors.forget_inventory_coverage()
    with django_assert_num_queries(3):
        selectors.inventory_coverage()
