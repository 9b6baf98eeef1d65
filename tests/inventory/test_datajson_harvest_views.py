"""The harvest pages (/inventory/harvest/): upload a data.json or give its address, and the harvest runs as a
background job whose page (/inventory/harvest/<id>/) shows its progress, then the preview where publishers are
mapped, then what the import did. Only the Stat lead and analysts harvest; only who started a harvest (and the Stat
lead) sees it.

The tests run Celery eagerly, as the embedded default (no REDIS_URL) does: a job's step runs in the request when
its transaction commits (``django_capture_on_commit_callbacks(execute=True)``)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Job, JobState
from inventory.models import Dataset
from team.models import Department, Role
from tests.conftest import PERSONAS
from tests.factories import person_with_login
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


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """``run_jobs(call)``: make the request, then run what it queued on commit (the job's step), as eager Celery
    does in the embedded default."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def preview(client, run_jobs, data=None) -> str:
    response = run_jobs(client.post, HARVEST, {"file": upload(data or a_catalog())})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_stat_team_previews_maps_and_imports(persona, as_persona, city, run_jobs):
    client = as_persona(persona)
    assert client.get(HARVEST).status_code == 200
    location = preview(client, run_jobs)
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
    assert text_of(client.get(location)) == text_of(page)  # the page survives a reload

    # Send Riverton PD to Police, skip the Water Board.
    form = page.context["form"]
    fields = {form.publishers[i]: f"publisher_{i}" for i in range(len(form.publishers))}
    choices = {
        fields["Police"]: str(city["police"].pk),
        fields["Riverton PD"]: str(city["police"].pk),
        fields["Water Board"]: "skip",
    }
    assert run_jobs(client.post, location, {**choices, "action": "preview"})["Location"] == location
    text = text_of(client.get(location))
    assert "2 new datasets" in text and "1 skipped" in text
    assert state() == before

    assert run_jobs(client.post, location, {**choices, "action": "import"})["Location"] == location
    done = client.get(location)
    assert done.status_code == 200
    assert "Harvest complete" in text_of(done)
    assert sorted(Dataset.objects.values_list("identifier", flat=True)) == ["a", "c"]
    assert Dataset.objects.get(identifier="c").department == city["police"]
    assert not Department.objects.filter(name="Water Board").exists()
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.payload is None  # the stored catalogue is gone once imported
    # Importing again is refused: the job is over.
    again = run_jobs(client.post, location, {**choices, "action": "import"}, follow=True)
    assert "not waiting for a choice" in text_of(again) or "no longer kept" in text_of(again)
    assert sorted(Dataset.objects.values_list("identifier", flat=True)) == ["a", "c"]


def test_the_request_returns_at_once_and_the_page_shows_progress(as_persona, city, django_capture_on_commit_callbacks):
    client = as_persona("stat_lead")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(HARVEST, {"file": upload(a_catalog())})
    assert response.status_code == 302 and len(queued) == 1  # the work is sent to a worker, not done here
    job = Job.objects.get()
    assert job.state == JobState.QUEUED and job.actor.username == "lead@example.gov" and job.payload_bytes > 0
    assert not Dataset.objects.exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'id="job-status" role="status" aria-live="polite"' in html  # a live region announces the progress
    assert "hx-get" in html and "Waiting for a worker" in text_of(page)
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "Waiting for a worker" in text_of(poll) and "HX-Refresh" not in poll

    queued[0]()  # the worker runs it
    poll = client.get(response["Location"], headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"  # the page reloads to show the preview
    assert "Preview of the harvest" in text_of(client.get(response["Location"]))


@pytest.mark.parametrize("persona", REFUSED)
def test_others_are_refused_and_nothing_is_written(persona, as_persona, city, users, run_jobs):
    client = as_persona(persona)
    assert client.get(HARVEST).status_code == 403
    before = state()
    assert client.post(HARVEST, {"file": upload(a_catalog())}).status_code == 403
    # Even with a preview someone else started.
    location = preview(as_persona("stat_analyst"), run_jobs)
    before = state()
    assert client.get(location).status_code == 403
    assert run_jobs(client.post, location, {"action": "import"}).status_code == 403
    assert state() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, city):
    assert_login_redirect(client.get(HARVEST), HARVEST)
    assert_login_redirect(client.post(HARVEST, {"file": upload(a_catalog())}), HARVEST)
    assert not Dataset.objects.exists() and not Job.objects.exists()


def test_a_harvest_is_seen_by_whoever_started_it_and_the_stat_lead_only(as_persona, city, run_jobs):
    location = preview(as_persona("stat_analyst"), run_jobs)
    other_analyst = person_with_login(Role.STAT_ANALYST, username="other@example.gov")
    other = as_persona("anonymous")
    other.force_login(other_analyst)
    assert other.get(location).status_code == 404
    assert other.get(location, headers={"HX-Request": "true"}).status_code == 404
    lead = as_persona("stat_lead")
    seen = lead.get(location)
    assert seen.status_code == 200  # the Stat lead sees it...
    assert "Only the person who started this harvest" in text_of(seen) and "Import" not in text_of(seen).split()
    before = state()
    assert run_jobs(lead.post, location, {"action": "import"}).status_code == 403  # ...but only its author imports
    assert state() == before


def test_wrong_methods(as_persona, city, run_jobs):
    client = as_persona("stat_lead")
    assert client.put(HARVEST).status_code == 405
    assert client.delete(preview(client, run_jobs)).status_code == 405


def test_a_file_that_is_plainly_not_json_is_refused_on_the_form(as_persona, city):
    response = as_persona("stat_lead").post(HARVEST, {"file": upload(b"<html></html>")})
    assert response.status_code == 400
    assert "This is not JSON" in text_of(response)
    assert not Job.objects.exists()


def test_a_file_that_is_not_a_catalogue_stops_the_job_with_its_reason(as_persona, city, run_jobs):
    client = as_persona("stat_lead")
    response = run_jobs(client.post, HARVEST, {"file": upload(b'{"hello": 1}')})
    page = client.get(response["Location"])
    assert "Harvest stopped" in text_of(page) and "not a DCAT-US catalogue" in text_of(page)
    assert Job.objects.get().state == JobState.FAILED


def test_one_source_only(as_persona, city):
    client = as_persona("stat_lead")
    assert "Upload a data.json file or give its address" in text_of(client.post(HARVEST, {}))
    both = client.post(HARVEST, {"file": upload(a_catalog()), "url": "https://data.example.gov/data.json"})
    assert both.status_code == 400


def test_a_private_address_is_refused(as_persona, city, server, run_jobs):  # noqa: F811
    client = as_persona("stat_lead")
    response = run_jobs(client.post, HARVEST, {"url": f"{server}/data.json"})
    assert "private, local or reserved network" in text_of(client.get(response["Location"]))
    assert Job.objects.get().state == JobState.FAILED


def test_a_url_is_fetched_when_allowed(as_persona, city, server, settings, run_jobs):  # noqa: F811
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    client = as_persona("stat_lead")
    response = run_jobs(client.post, HARVEST, {"url": f"{server}/data.json"})
    assert response.status_code == 302
    assert "0 records in the catalogue" in text_of(client.get(response["Location"]))
    assert Job.objects.get().payload_bytes > 0  # kept for the import


def test_the_harvest_urls_are_named():
    assert reverse("inventory:harvest") == HARVEST
    assert reverse("inventory:harvest_job", kwargs={"pk": 7}) == "/inventory/harvest/7/"
