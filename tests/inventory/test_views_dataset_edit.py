"""Logging and editing a dataset through its form: metadata, distributions and the data dictionary together."""

import pytest
from django.urls import reverse

from inventory.models import DataField, Dataset
from tests.pages import parse, text_of

from .dataset_pages import edit_data, form_data, inventory_state
from .factories import DataFieldFactory, DatasetFactory, DistributionFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

ADD = "/inventory/datasets/add/"


def edit_path(dataset) -> str:
    return reverse("inventory:dataset_edit", args=[dataset.pk])


def summary(response) -> str:
    alert = parse(response).find("div", data_error_summary="")
    assert alert is not None, "no error summary on the page"
    return alert.text


# --- logging a dataset ---------------------------------------------------------------------------------------------


def test_analyst_logs_a_dataset_with_distributions_and_a_dictionary(as_persona, city, users):
    compstat = InitiativeFactory(name="CompStat")
    steward = users["police_contact"].person
    data = form_data(
        city["police"],
        contact=str(steward.pk),
        initiatives=str(compstat.pk),
        critical_to_decisions=True,
        accrual_periodicity="R/P1D",
        distributions=[
            {"title": "CSV", "download_url": "https://data.example.gov/crashes.csv", "media_type": "text/csv"},
            {"title": "API", "access_url": "https://api.example.gov/crashes"},
            {},  # a blank extra row: ignored
        ],
        fields=[
            {"name": "crash_id", "type": "integer", "required": True, "unique": True},
            {"name": "severity", "type": "string", "allowed_values": "fatal\ninjury\nproperty damage"},
            {"name": "speed", "type": "number", "minimum": "0", "maximum": "120.5"},
            {"type": "string"},  # blank extra rows: ignored
            {"type": "string"},
        ],
    )
    client = as_persona("stat_analyst")
    response = client.post(ADD, data)
    dataset = Dataset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == dataset.get_absolute_url()
    assert dataset.title == "Crashes by intersection"
    assert dataset.identifier.startswith("pd-crashes-by-intersection-")
    assert (dataset.department, dataset.contact, dataset.accrual_periodicity) == (city["police"], steward, "R/P1D")
    assert dataset.critical_to_decisions and not dataset.sensitive
    assert dataset.created_by == users["stat_analyst"]
    assert sorted(k.name for k in dataset.keywords.all()) == ["crashes", "traffic safety"]
    assert [t.name for t in dataset.themes.all()] == ["Transportation"]
    assert list(dataset.initiatives.all()) == [compstat]
    assert [(d.title, d.media_type) for d in dataset.distributions.all()] == [("CSV", "text/csv"), ("API", "")]
    fields = list(dataset.fields.all())
    assert [f.name for f in fields] == ["crash_id", "severity", "speed"]
    assert (fields[0].type, fields[0].required, fields[0].unique) == ("integer", True, True)
    assert fields[1].allowed_values == ["fatal", "injury", "property damage"]
    assert (fields[2].minimum, fields[2].maximum) == ("0", "120.5")
    assert dataset.history.count() == 1

    page = client.get(response["Location"])
    assert "Logged “Crashes by intersection”." in text_of(page)


def test_contact_logs_a_dataset_in_their_own_department_only(as_persona, city, users):
    client = as_persona("police_contact")
    form = parse(client.get(ADD))
    options = [o.attrs.get("value") for o in form.find("select", name="department").find_all("option")]
    assert options == ["", str(city["police"].pk)]

    response = client.post(ADD, form_data(city["police"]))
    assert response.status_code == 302
    assert Dataset.objects.get().department == city["police"]


def test_contact_cannot_log_a_dataset_in_another_department(as_persona, city):
    before = inventory_state()
    response = as_persona("police_contact").post(ADD, form_data(city["parks"]))
    assert response.status_code == 200
    assert "Select a valid choice" in summary(response)
    assert inventory_state() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"access_level": "restricted public", "rights": ""}, "rights", "the rights statement is required"),
        ({"title": ""}, "title", "This field is required"),
        ({"license": "not a url"}, "license", "Enter a valid URL"),
        ({"accrual_periodicity": "P1D"}, "accrual_periodicity", "Select a valid choice"),
    ],
)
def test_metadata_errors_show_next_to_the_field_and_write_nothing(as_persona, city, overrides, field, message):
    before = inventory_state()
    response = as_persona("stat_analyst").post(ADD, form_data(city["police"], **overrides))
    assert response.status_code == 200
    page = parse(response)
    assert message in summary(response)
    error = page.find("span", id=f"id_{field}_error")
    assert error is not None and message in error.text
    assert page.find("title").text.startswith("Error:")
    assert inventory_state() == before


def test_a_public_dataset_needs_no_rights_statement(as_persona, city):
    response = as_persona("stat_analyst").post(ADD, form_data(city["police"], access_level="public", rights=""))
    assert response.status_code == 302


def test_download_without_media_type_is_an_error_on_that_row(as_persona, city):
    data = form_data(city["police"], distributions=[{"download_url": "https://data.example.gov/a.csv"}])
    before = inventory_state()
    response = as_persona("stat_analyst").post(ADD, data)
    assert response.status_code == 200
    assert "Distribution 1, Media type: Give the media type" in summary(response)
    assert parse(response).find("span", id="id_distributions-0-media_type_error") is not None
    assert inventory_state() == before


def test_duplicate_field_names_are_an_error_on_the_second_row(as_persona, city):
    data = form_data(city["police"], fields=[{"name": "id", "type": "string"}, {"name": "id", "type": "integer"}])
    before = inventory_state()
    response = as_persona("stat_analyst").post(ADD, data)
    assert response.status_code == 200
    assert "Field 2, Name: Another field is already named “id”" in summary(response)
    page = parse(response)
    assert page.find("span", id="id_fields-1-name_error") is not None
    assert page.find("span", id="id_fields-0-name_error") is None
    assert inventory_state() == before


@pytest.mark.parametrize(
    ("row", "key", "message"),
    [
        ({"name": "n", "type": "integer", "minimum": "1.5"}, "minimum", "whole number"),
        ({"name": "n", "type": "number", "minimum": "9", "maximum": "1"}, "maximum", "less than the minimum"),
        ({"name": "n", "type": "string", "pattern": "[a-"}, "pattern", "regular expression"),
        ({"title": "No name", "type": "string"}, "name", "This field is required"),
    ],
)
def test_dictionary_row_errors_show_on_their_input(as_persona, city, row, key, message):
    before = inventory_state()
    response = as_persona("stat_analyst").post(ADD, form_data(city["police"], fields=[row]))
    assert response.status_code == 200
    assert message in summary(response)
    error = parse(response).find("span", id=f"id_fields-0-{key}_error")
    assert error is not None and message in error.text
    assert inventory_state() == before


def test_a_steward_from_another_department_is_refused(as_persona, city, users):
    before = inventory_state()
    data = form_data(city["police"], contact=str(users["parks_contact"].person.pk))
    response = as_persona("stat_analyst").post(ADD, data)
    assert response.status_code == 200
    assert "The steward must be a current department contact of the owner department" in summary(response)
    assert inventory_state() == before


def test_a_forged_steward_who_is_no_contact_at_all_is_refused(as_persona, city, users):
    before = inventory_state()
    response = as_persona("stat_analyst").post(
        ADD, form_data(city["police"], contact=str(users["stat_lead"].person.pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in summary(response)
    assert inventory_state() == before


def test_the_steward_list_groups_contacts_by_department(as_persona, users):
    select = parse(as_persona("stat_analyst").get(ADD)).find("select", name="contact")
    groups = {g.attrs["label"]: g.text for g in select.find_all("optgroup")}
    assert groups == {"Parks & Recreation": "Park Ranger", "Police": "Dana Data"}


# --- editing -------------------------------------------------------------------------------------------------------


@pytest.fixture
def dataset(city, users):
    dataset = DatasetFactory(
        department=city["police"], title="Calls for service", contact=users["police_contact"].person, keywords=["calls"]
    )
    DistributionFactory(dataset=dataset, title="CSV")
    DataFieldFactory(dataset=dataset, name="call_id", position=0)
    DataFieldFactory(dataset=dataset, name="priority", position=1)
    DataFieldFactory(dataset=dataset, name="beat", position=2)
    return dataset


def test_edit_form_shows_the_current_metadata_and_rows(as_persona, dataset):
    page = parse(as_persona("police_contact").get(edit_path(dataset)))
    assert page.find("input", name="title").attrs["value"] == "Calls for service"
    assert page.find("input", name="keywords").attrs["value"] == "calls"
    assert [page.find("input", name=f"fields-{i}-name").attrs["value"] for i in range(3)] == [
        "call_id",
        "priority",
        "beat",
    ]
    assert page.find("input", name="fields-3-name").attrs.get("value") is None  # one blank row to add a field
    assert page.find("input", name="distributions-0-title").attrs["value"] == "CSV"
    assert page.find("input", name="identifier") is None  # stable: never edited


def test_contact_edits_dictionary_rows_removes_reorders_and_adds(as_persona, dataset, users):
    call_id, priority, beat = dataset.fields.all()
    fields = [
        {"id": call_id.pk, "name": "call_id", "type": "integer", "required": True, "ORDER": "2"},
        {"id": priority.pk, "name": "priority", "type": "string", "DELETE": True, "ORDER": "3"},
        {"id": beat.pk, "name": "beat_code", "type": "string", "ORDER": "1"},
        {"name": "received_at", "type": "datetime", "ORDER": "4"},
    ]
    data = edit_data(dataset, title="Calls for service (CAD)", fields=fields, reason="Documented the CAD export")
    response = as_persona("police_contact").post(edit_path(dataset), data)
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.title == "Calls for service (CAD)"
    assert dataset.updated_by == users["police_contact"]
    rows = list(dataset.fields.all())
    assert [(f.name, f.position) for f in rows] == [("beat_code", 0), ("call_id", 1), ("received_at", 2)]
    assert rows[0].pk == beat.pk and rows[1].pk == call_id.pk and rows[1].required
    assert not DataField.objects.filter(pk=priority.pk).exists()
    assert dataset.history.first().history_change_reason == "Documented the CAD export"


def test_contact_marks_a_column_personal_and_the_form_shows_it(as_persona, dataset):
    call_id, priority, beat = dataset.fields.all()
    fields = [
        {"id": call_id.pk, "name": "call_id", "type": "string"},
        {"id": priority.pk, "name": "priority", "type": "string"},
        {"id": beat.pk, "name": "beat", "type": "string", "sensitive": True},
    ]
    response = as_persona("police_contact").post(edit_path(dataset), edit_data(dataset, fields=fields))
    assert response.status_code == 302
    assert list(dataset.fields.values_list("name", "sensitive")) == [
        ("call_id", False),
        ("priority", False),
        ("beat", True),
    ]
    page = parse(as_persona("police_contact").get(edit_path(dataset)))
    assert "checked" in page.find("input", name="fields-2-sensitive").attrs
    assert "checked" not in page.find("input", name="fields-0-sensitive").attrs
    # Saving the form again as it comes keeps the mark.
    assert as_persona("police_contact").post(edit_path(dataset), edit_data(dataset)).status_code == 302
    assert dataset.fields.get(name="beat").sensitive


def test_contact_cannot_move_a_dataset_to_another_department(as_persona, dataset, city):
    before = inventory_state()
    response = as_persona("police_contact").post(
        edit_path(dataset), edit_data(dataset, department=str(city["parks"].pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in summary(response)
    assert inventory_state() == before
    dataset.refresh_from_db()
    assert dataset.department == city["police"]


def test_analyst_moves_a_dataset_and_picks_a_steward_there(as_persona, dataset, city, users):
    parks_steward = users["parks_contact"].person
    data = edit_data(dataset, department=str(city["parks"].pk), contact=str(parks_steward.pk))
    response = as_persona("stat_analyst").post(edit_path(dataset), data)
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert (dataset.department, dataset.contact) == (city["parks"], parks_steward)


def test_moving_without_changing_the_steward_is_refused(as_persona, dataset, city):
    before = inventory_state()
    response = as_persona("stat_analyst").post(edit_path(dataset), edit_data(dataset, department=str(city["parks"].pk)))
    assert "The steward must be a current department contact" in summary(response)
    assert inventory_state() == before


def test_a_bad_row_on_edit_writes_nothing_at_all(as_persona, dataset):
    before = inventory_state()
    fields = [{"id": f.pk, "name": f.name, "type": "string"} for f in dataset.fields.all()]
    fields.append({"name": "call_id", "type": "string"})
    response = as_persona("stat_analyst").post(edit_path(dataset), edit_data(dataset, title="New title", fields=fields))
    assert response.status_code == 200
    assert "Field 4, Name: Another field is already named “call_id”" in summary(response)
    assert inventory_state() == before


def test_a_forged_row_id_from_another_dataset_is_refused(as_persona, dataset, city):
    other = DataFieldFactory(dataset=DatasetFactory(department=city["parks"]), name="secret")
    before = inventory_state()
    fields = [{"id": other.pk, "name": "mine", "type": "string"}]
    response = as_persona("police_contact").post(edit_path(dataset), edit_data(dataset, fields=fields))
    assert response.status_code == 200
    assert "is not part of this dataset’s dictionary" in summary(response)
    assert inventory_state() == before


def test_empty_management_form_is_an_error_not_a_crash(as_persona, dataset):
    data = edit_data(dataset)
    del data["fields-TOTAL_FORMS"]
    before = inventory_state()
    response = as_persona("stat_analyst").post(edit_path(dataset), data)
    assert response.status_code == 200
    assert "ManagementForm data is missing" in summary(response)
    assert inventory_state() == before


def test_a_keyword_longer_than_a_keyword_may_be_is_an_error_not_a_crash(as_persona, city):
    before = inventory_state()
    response = as_persona("stat_analyst").post(ADD, form_data(city["police"], keywords="ok, " + "x" * 101))
    assert response.status_code == 200
    assert "Keywords: Each one may be at most 100 characters long" in summary(response)
    assert inventory_state() == before
