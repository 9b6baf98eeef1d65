"""The harvest pages (/inventory/harvest/): upload a data.json or give its address, preview, map publishers, import.
Only the Stat lead and analysts harvest."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Dataset
from team.models import Department
from tests.conftest import PERSONAS
from tests.inventory.test_datajson_fetch import server  # noqa: F401 - the local HTTP server fixture
from tests.inventory.test_datajson_import import catalog, record
from tests.pages import assert_login_redirect, text_of

pytestmark = pytest.mark.django_db

HARVEST = "/inventory/harvest/"
ALLOWED = ("stat_lead", "stat_analyst")
REFUSED = [p for p in PERSONAS if p not in ALLOWED and p != "anonymous"]


def upload(data: dict | bytes, name: str = "data.json") -> SimpleUploadedFile:
    content = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def a_catalog() -> dict:
    return catalog(record("a"), record("b", "Water Board"), record("c", "Riverton PD"), {"title": "Broken"})


def state() -> tuple:
    return (list(Dataset.objects.values()), list(Department.objects.values()))


def preview(client, data=None) -> str:
    response = client.post(HARVEST, {"file": upload(data or a_catalog())})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_stat_team_previews_maps_and_imports(persona, as_persona, city):
    client = as_persona(persona)
    assert client.get(HARVEST).status_code == 200
    location = preview(client)
    before = state()
    page = client.get(location)
    assert page.status_code == 200
    text = text_of(page)
    assert "Nothing has been saved yet" in text
    assert (
        "“Broken” (record 4)" in text and "It has no identifier. It has no description. It has no accessLevel." in text
    )
    if persona == "stat_lead":
        assert "3 new datasets" in text and "New departments: Water Board, Riverton PD" in text
    else:  # only a principal or the Stat lead adds departments: an analyst maps publishers to existing ones
        assert "1 new dataset" in text and "New departments" not in text
        assert "Only a principal or the Stat lead adds departments" in text
        form = page.context["form"]
        assert all("new" not in dict(field.field.choices) for field in form)
    assert state() == before  # the preview wrote nothing

    # Send Riverton PD to Police, skip the Water Board.
    form = page.context["form"]
    fields = {form.publishers[i]: f"publisher_{i}" for i in range(len(form.publishers))}
    choices = {
        fields["Police"]: str(city["police"].pk),
        fields["Riverton PD"]: str(city["police"].pk),
        fields["Water Board"]: "skip",
    }
    page = client.post(location, {**choices, "action": "preview"})
    assert "2 new datasets" in text_of(page) and "1 skipped" in text_of(page)
    assert state() == before

    done = client.post(location, {**choices, "action": "import"})
    assert done.status_code == 200
    assert "Harvest complete" in text_of(done)
    assert sorted(Dataset.objects.values_list("identifier", flat=True)) == ["a", "c"]
    assert Dataset.objects.get(identifier="c").department == city["police"]
    assert not Department.objects.filter(name="Water Board").exists()
    assert client.get(location).status_code == 404  # the stored catalogue is gone once imported


@pytest.mark.parametrize("persona", REFUSED)
def test_others_are_refused_and_nothing_is_written(persona, as_persona, city, users):
    client = as_persona(persona)
    assert client.get(HARVEST).status_code == 403
    before = state()
    assert client.post(HARVEST, {"file": upload(a_catalog())}).status_code == 403
    # Even with a preview someone else started.
    location = preview(as_persona("stat_analyst"))
    assert client.post(location, {"action": "import"}).status_code == 403
    assert state() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, city):
    assert_login_redirect(client.get(HARVEST), HARVEST)
    assert_login_redirect(client.post(HARVEST, {"file": upload(a_catalog())}), HARVEST)
    assert not Dataset.objects.exists()


def test_a_preview_belongs_to_whoever_started_it(as_persona, city):
    location = preview(as_persona("stat_analyst"))
    assert as_persona("stat_lead").get(location).status_code == 404


def test_wrong_methods(as_persona, city):
    client = as_persona("stat_lead")
    assert client.put(HARVEST).status_code == 405
    assert client.delete(preview(client)).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html></html>", "This is not JSON"),
        (b'{"hello": 1}', "not a DCAT-US catalogue"),
    ],
)
def test_a_file_that_is_not_a_catalogue_is_refused_on_the_form(as_persona, city, data, message):
    response = as_persona("stat_lead").post(HARVEST, {"file": upload(data)})
    assert response.status_code == 400
    assert message in text_of(response)


def test_one_source_only(as_persona, city):
    client = as_persona("stat_lead")
    assert "Upload a data.json file or give its address" in text_of(client.post(HARVEST, {}))
    both = client.post(HARVEST, {"file": upload(a_catalog()), "url": "https://data.example.gov/data.json"})
    assert both.status_code == 400


def test_a_private_address_is_refused_on_the_form(as_persona, city, server):  # noqa: F811
    response = as_persona("stat_lead").post(HARVEST, {"url": f"{server}/data.json"})
    assert response.status_code == 400
    assert "private, local or reserved network" in text_of(response)


def test_a_url_is_fetched_when_allowed(as_persona, city, server, settings):  # noqa: F811
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    client = as_persona("stat_lead")
    response = client.post(HARVEST, {"url": f"{server}/data.json"})
    assert response.status_code == 302
    assert "0 records in the catalogue" in text_of(client.get(response["Location"]))


def test_the_harvest_urls_are_named():
    assert reverse("inventory:harvest") == HARVEST
    assert reverse("inventory:harvest_preview", kwargs={"token": "t"}) == "/inventory/harvest/t/"
