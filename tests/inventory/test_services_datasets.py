"""The dataset write path: create, update, dictionary, distributions and restore."""

import datetime
import inspect

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inventory.models import AccessLevel, DataField, Dataset, Distribution, FieldType, Initiative
from inventory.services import datasets as services
from inventory.services import restore

from .factories import DataFieldFactory, DatasetFactory, DistributionFactory, InitiativeFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db


def test_factories_make_valid_datasets(city):
    dataset = DatasetFactory(department=city["police"], keywords=["crime"], themes=["Public Safety"])
    dataset.full_clean()
    assert dataset.rights and dataset.access_level == AccessLevel.NON_PUBLIC
    assert [k.name for k in dataset.keywords.all()] == ["crime"]
    public = PublicDatasetFactory(department=city["parks"])
    assert public.is_public and public.rights == ""
    field = DataFieldFactory(dataset=dataset)
    distribution = DistributionFactory(dataset=dataset)
    assert list(dataset.fields.all()) == [field]
    assert list(dataset.distributions.all()) == [distribution]
    # Without a department the factory uses the Police of the personas' city.
    assert DatasetFactory().department == city["police"]


# --- create and update: one history entry per change ----------------------------------------------------------


def _create(city, users, **extra):
    fields = {
        "title": "Calls for service",
        "description": "Every call to 911 and 311.",
        "department": city["police"],
        "rights": "Holds callers' addresses.",
        "keywords": ["calls", "911"],
        "themes": ["Public Safety"],
    }
    fields.update(extra)
    return services.dataset_create(by=users["stat_analyst"], **fields)


def test_create_records_one_history_entry_with_its_tags(city, users):
    dataset = _create(city, users)
    versions = list(dataset.history.all())
    assert len(versions) == 1
    (version,) = versions
    assert version.history_type == "+"
    assert version.history_change_reason == "Created"
    assert version.history_user == users["stat_analyst"]
    assert sorted(version.keywords.values_list("keyword__name", flat=True)) == ["911", "calls"]


def test_update_records_one_history_entry_even_when_tags_change(city, users):
    dataset = _create(city, users)
    services.dataset_update(
        dataset=dataset, by=users["stat_lead"], title="Calls", keywords=["calls", "cad"], themes=[], reason="Tidy"
    )
    versions = list(dataset.history.order_by("history_id"))
    assert len(versions) == 2
    latest = versions[-1]
    assert (latest.history_type, latest.history_change_reason, latest.history_user) == ("~", "Tidy", users["stat_lead"])
    assert latest.title == "Calls"
    assert sorted(latest.keywords.values_list("keyword__name", flat=True)) == ["cad", "calls"]
    assert list(latest.themes.all()) == []
    # The first version still holds what it was created with.
    assert sorted(versions[0].keywords.values_list("keyword__name", flat=True)) == ["911", "calls"]


# --- distributions -------------------------------------------------------------------------------------------------


def test_save_distributions_creates_updates_reorders_and_deletes(city, users):
    dataset = DatasetFactory(department=city["police"])
    first, second = services.dataset_save_distributions(
        dataset=dataset,
        distributions=[
            {"title": "CSV", "download_url": "https://data.example.gov/a.csv", "media_type": "text/csv"},
            {"title": "API", "access_url": "https://api.example.gov/calls"},
        ],
        by=users["stat_analyst"],
    )
    assert [d.title for d in dataset.distributions.all()] == ["CSV", "API"]
    services.dataset_save_distributions(
        dataset=dataset,
        distributions=[{"id": second.pk, "title": "The API", "access_url": "https://api.example.gov/calls"}],
        by=users["stat_analyst"],
    )
    assert [(d.pk, d.title, d.position) for d in dataset.distributions.all()] == [(second.pk, "The API", 0)]
    assert not Distribution.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"title": "Nothing"}, "Give a download URL"),
        ({"download_url": "https://data.example.gov/a.csv"}, "media type"),
        ({"access_url": "not a url"}, "Enter a valid URL"),
    ],
)
def test_bad_distributions_write_nothing(city, users, row, message):
    dataset = DatasetFactory(department=city["police"])
    kept = DistributionFactory(dataset=dataset)
    with pytest.raises(ValidationError) as caught:
        services.dataset_save_distributions(dataset=dataset, distributions=[row], by=users["stat_analyst"])
    assert message in " ".join(caught.value.messages)
    assert list(dataset.distributions.all()) == [kept]


def test_a_distribution_of_another_dataset_cannot_be_taken_over(city, users):
    mine, theirs = DatasetFactory(department=city["police"]), DatasetFactory(department=city["parks"])
    other = DistributionFactory(dataset=theirs)
    with pytest.raises(ValidationError):
        services.dataset_save_distributions(
            by=None, dataset=mine, distributions=[{"id": other.pk, "access_url": "https://x.example.gov/"}]
        )
    other.refresh_from_db()
    assert other.dataset == theirs


# --- the dictionary ------------------------------------------------------------------------------------------------


def _field(name, **extra):
    return {"name": name, "type": FieldType.STRING, **extra}


def test_save_dictionary_keeps_order_updates_and_deletes(city, users):
    dataset = DatasetFactory(department=city["police"])
    saved = services.dataset_save_dictionary(
        dataset=dataset,
        fields=[
            _field("incident_id", required=True, unique=True),
            _field("priority", type=FieldType.INTEGER, minimum="1", maximum="5", allowed_values=["1", "2", "3"]),
            _field("beat", pattern=r"^\d{3}$"),
        ],
        by=users["stat_analyst"],
    )
    ids = {f.name: f.pk for f in saved}
    assert [(f.name, f.position) for f in dataset.fields.all()] == [("incident_id", 0), ("priority", 1), ("beat", 2)]
    priority = DataField.objects.get(pk=ids["priority"])
    assert (priority.type, priority.minimum, priority.maximum, priority.allowed_values) == (
        "integer",
        "1",
        "5",
        ["1", "2", "3"],
    )
    # Reorder, rename one, drop one, add one.
    services.dataset_save_dictionary(
        dataset=dataset,
        fields=[
            {"id": ids["beat"], **_field("beat_code", pattern=r"^\d{3}$")},
            {"id": ids["incident_id"], **_field("incident_id", required=True, unique=True)},
            _field("reported_at", type=FieldType.DATETIME),
        ],
        by=users["stat_analyst"],
    )
    assert [(f.pk, f.name) for f in dataset.fields.all()][:2] == [
        (ids["beat"], "beat_code"),
        (ids["incident_id"], "incident_id"),
    ]
    assert [f.name for f in dataset.fields.all()] == ["beat_code", "incident_id", "reported_at"]
    assert not DataField.objects.filter(pk=ids["priority"]).exists()


def test_two_fields_may_swap_names(city):
    dataset = DatasetFactory(department=city["police"])
    a = DataFieldFactory(dataset=dataset, name="a", position=0)
    b = DataFieldFactory(dataset=dataset, name="b", position=1)
    services.dataset_save_dictionary(
        by=None, dataset=dataset, fields=[{"id": a.pk, **_field("b")}, {"id": b.pk, **_field("a")}]
    )
    assert {f.pk: f.name for f in dataset.fields.all()} == {a.pk: "b", b.pk: "a"}


def test_unchanged_fields_are_not_rewritten(city, users):
    dataset = DatasetFactory(department=city["police"])
    (field,) = services.dataset_save_dictionary(dataset=dataset, fields=[_field("a")], by=users["stat_analyst"])
    before = field.history.count()
    services.dataset_save_dictionary(by=None, dataset=dataset, fields=[{"id": field.pk, **_field("a")}])
    assert field.history.count() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_field("a"), _field("a")], "already named “a”"),
        ([_field("")], "Enter the field’s name"),
        ([_field("a", type="colour")], "Choose a type"),
        ([_field("a", pattern="(")], "not a valid regular expression"),
        ([_field("n", type=FieldType.INTEGER, minimum="ten")], "whole number"),
        ([_field("n", type=FieldType.NUMBER, minimum="5", maximum="1")], "must not be less than the minimum"),
        ([_field("n", type=FieldType.INTEGER, allowed_values=["1", "two"])], "“two” is not"),
        ([_field("d", type=FieldType.DATE, maximum="2026-13-01")], "YYYY-MM-DD"),
        ([_field("x" * 201)], "at most 200 characters"),
    ],
)
def test_bad_dictionaries_write_nothing(city, rows, message):
    dataset = DatasetFactory(department=city["police"])
    kept = DataFieldFactory(dataset=dataset, name="kept")
    with pytest.raises(ValidationError) as caught:
        services.dataset_save_dictionary(by=None, dataset=dataset, fields=rows)
    assert message in " ".join(caught.value.messages)
    assert list(dataset.fields.all()) == [kept]


def test_a_field_of_another_dataset_cannot_be_taken_over(city):
    mine, theirs = DatasetFactory(department=city["police"]), DatasetFactory(department=city["parks"])
    other = DataFieldFactory(dataset=theirs, name="secret")
    with pytest.raises(ValidationError):
        services.dataset_save_dictionary(by=None, dataset=mine, fields=[{"id": other.pk, **_field("mine")}])
    other.refresh_from_db()
    assert (other.dataset, other.name) == (theirs, "secret")


# --- all of it at once ---------------------------------------------------------------------------------------------


def test_dataset_save_writes_nothing_when_its_dictionary_is_bad(city, users):
    before = (Dataset.objects.count(), Distribution.objects.count(), DataField.objects.count())
    with pytest.raises(ValidationError):
        services.dataset_save(
            by=users["stat_analyst"],
            title="Crashes",
            description="Crashes by intersection.",
            department=city["police"],
            rights="Draft.",
            distributions=[{"download_url": "https://data.example.gov/c.csv", "media_type": "text/csv"}],
            dictionary=[_field("a"), _field("a")],
        )
    assert (Dataset.objects.count(), Distribution.objects.count(), DataField.objects.count()) == before


def test_dataset_save_updates_metadata_distributions_and_dictionary_together(city, users):
    dataset = DatasetFactory(department=city["police"])
    services.dataset_save(
        dataset=dataset,
        by=users["police_contact"],
        title="Renamed",
        distributions=[{"access_url": "https://api.example.gov/"}],
        dictionary=[_field("a")],
        reason="Documented",
    )
    dataset.refresh_from_db()
    assert dataset.title == "Renamed"
    assert dataset.updated_by == users["police_contact"]
    assert [d.access_url for d in dataset.distributions.all()] == ["https://api.example.gov/"]
    assert [f.name for f in dataset.fields.all()] == ["a"]
    assert dataset.history.first().history_change_reason == "Documented"


# --- restore -------------------------------------------------------------------------------------------------------


def test_restore_brings_back_fields_and_tags_as_a_new_version(city, users):
    dataset = _create(city, users, initiatives=[InitiativeFactory(name="CompStat")])
    original = dataset.history.get()
    services.dataset_update(
        dataset=dataset, by=users["stat_lead"], title="Changed", keywords=["other"], initiatives=[], sensitive=True
    )
    restore.dataset_restore(dataset=dataset, history_id=original.history_id, by=users["stat_analyst"])
    dataset.refresh_from_db()
    assert dataset.title == "Calls for service"
    assert dataset.sensitive is False
    assert sorted(k.name for k in dataset.keywords.all()) == ["911", "calls"]
    assert [i.name for i in dataset.initiatives.all()] == ["CompStat"]
    assert dataset.updated_by == users["stat_analyst"]
    latest = dataset.history.order_by("-history_id").first()
    assert latest.history_change_reason.startswith("Restored version of ")
    assert latest.history_user == users["stat_analyst"]
    assert dataset.history.count() == 3


def test_restore_refuses_a_version_whose_steward_is_no_longer_a_contact(city, users):
    steward = users["police_contact"].person
    dataset = _create(city, users, contact=steward)
    original = dataset.history.get()
    services.dataset_update(by=None, dataset=dataset, contact=None, title="No steward")
    steward.assignments.update(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1))
    with pytest.raises(ValidationError):
        restore.dataset_restore(by=None, dataset=dataset, history_id=original.history_id)
    dataset.refresh_from_db()
    assert dataset.title == "No steward"
    assert dataset.history.count() == 2


def test_restore_refuses_a_version_of_another_dataset(city, users):
    dataset, other = _create(city, users), _create(city, users, title="Other")
    with pytest.raises(Dataset.history.model.DoesNotExist):
        restore.dataset_restore(by=None, dataset=dataset, history_id=other.history.get().history_id)


# --- the services' keyword arguments --------------------------------------------------------------------------------


def _values_of(function) -> dict[str, inspect.Parameter]:
    return {name: p for name, p in inspect.signature(function).parameters.items() if name in services.SCALAR_FIELDS}


@pytest.mark.parametrize("function", [services.dataset_create, services.dataset_update, services.dataset_save])
def test_each_dataset_service_takes_every_dataset_value_by_name(function):
    assert set(_values_of(function)) == set(services.SCALAR_FIELDS)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in _values_of(function).values())


def test_dataset_create_defaults_are_the_models():
    defaults = {name: p.default for name, p in _values_of(services.dataset_create).items()}
    assert defaults.pop("title") is defaults.pop("department") is inspect.Parameter.empty  # required
    assert defaults == {name: Dataset._meta.get_field(name).get_default() for name in defaults}


def test_a_value_that_is_not_a_dataset_value_is_refused(city):
    with pytest.raises(TypeError):
        services.dataset_create(by=None, title="Calls", department=city["police"], colour="red")
    assert not Dataset.objects.exists()


def test_only_those_who_import_add_initiatives(users):
    with pytest.raises(PermissionDenied):
        services.initiative_get_or_create(name="Vision Zero", by=users["police_lead"])
    assert not Initiative.objects.exists()
    added = services.initiative_get_or_create(name=" Vision  Zero ", by=users["police_contact"])
    assert (added.name, added.slug) == ("Vision Zero", "vision-zero")
    assert services.initiative_get_or_create(name="vision zero", by=users["stat_analyst"]) == added
