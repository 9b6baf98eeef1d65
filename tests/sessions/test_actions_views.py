"""The action-item pages: the tracker (filters, chart counts, CSV, a fixed number of queries), an item's page and
its forms per role, attachments served as downloads to readers only, and the agenda for the screen with its live
recording form."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions import selectors_actions
from sessions.models import ActionItem, ActionItemUpdate, ItemState
from sessions.services import action_item_update

from .action_fixtures import on_city_date

pytestmark = pytest.mark.django_db

TRACKER = reverse("stat_sessions:action_items")
CSV_URL = reverse("stat_sessions:action_items_csv")


def detail(item) -> str:
    return reverse("stat_sessions:action_item", args=[item.pk])


def snapshot(item) -> tuple:
    item = ActionItem.objects.get(pk=item.pk)
    return item.state, item.due_date, item.completed_on, item.merged_into_id, item.updates.count()


@pytest.fixture
def items(record, city):
    police = record("Police overtime report", due_date=datetime.date(2027, 1, 10))
    fire = record("Fire inspections backlog", department=city["fire"], due_date=datetime.date(2027, 3, 1))
    parks = record("Parks mowing plan", department=city["parks"], due_date=datetime.date(2027, 3, 1))
    return {"police": police, "fire": fire, "parks": parks}


# --- the tracker --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("stat_lead", {"police", "fire", "parks"}),
        ("principal", {"police", "fire", "parks"}),
        ("police_lead", {"police"}),
        ("police_contact", {"police"}),
        ("parks_contact", {"parks"}),
        ("budget_analyst", {"police", "fire"}),
        ("data_expert", set()),
    ],
)
def test_tracker_shows_what_each_role_reads(as_persona, items, persona, sees):
    response = as_persona(persona).get(TRACKER)
    assert response.status_code == 200
    shown = {key for key, item in items.items() if item.title in response.content.decode()}
    assert shown == sees


def test_tracker_needs_a_login(as_persona, items):
    response = as_persona("anonymous").get(TRACKER)
    assert response.status_code == 302


def test_tracker_refuses_post(as_persona, items):
    assert as_persona("stat_lead").post(TRACKER).status_code == 405


def test_tracker_filters(as_persona, items, city, users):
    client = as_persona("stat_analyst")
    with on_city_date(2027, 2, 1):
        overdue = client.get(TRACKER, {"status": "overdue"}).content.decode()
        assert "Police overtime report" in overdue and "Fire inspections" not in overdue
        fire = client.get(TRACKER, {"department": "fire"}).content.decode()
        assert "Fire inspections backlog" in fire and "Police overtime" not in fire
    owner = users["police_lead"].person
    ActionItem.objects.filter(pk=items["parks"].pk).update(owner=owner)
    owned = client.get(TRACKER, {"owner": owner.pk}).content.decode()
    assert "Parks mowing plan" in owned and "Fire inspections" not in owned
    session = items["police"].session
    assert "Police overtime report" in client.get(TRACKER, {"session": session.pk}).content.decode()
    assert client.get(TRACKER, {"status": "nonsense"}).status_code == 200


def test_chart_counts_by_department_and_status(items, users):
    with on_city_date(2027, 2, 1):
        action_item_update(items["fire"], by=users["stat_analyst"], state=ItemState.ON_HOLD, comment="Budget")
        counts = {
            row.department: row.counts
            for row in selectors_actions.status_counts_by_department(ActionItem.objects.all())
        }
    assert counts == {
        "Fire": {"on_hold": 1},
        "Parks & Recreation": {"not_yet_due": 1},
        "Police": {"overdue": 1},
    }


def test_tracker_draws_the_chart_with_a_table(as_persona, items):
    content = as_persona("stat_lead").get(TRACKER).content.decode()
    assert 'data-goals-chart="action-items-status-figure"' in content
    assert "Action items by department and status (table)" in content
    assert '<script id="action-items-status-figure" type="application/json">' in content


def _many(record, city, count: int) -> None:
    first = record("First", owner=None)
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                session=first.session,
                number=n + 2,
                title=f"Item {n}",
                department=city["police"] if n % 2 else city["fire"],
                due_date=datetime.date(2027, 1, 5 + n % 20),
            )
            for n in range(count - 1)
        ]
    )


@pytest.mark.parametrize("persona", ["stat_lead", "budget_analyst"])
def test_tracker_costs_the_same_queries_for_10_and_100_items(as_persona, record, city, persona):
    """Counted cold (the chart's counts and the filters' choices are cached until the items change) and warm."""
    client = as_persona(persona)
    _many(record, city, 10)
    client.get(TRACKER)
    cache.clear()
    with CaptureQueriesContext(connection) as ten:
        assert client.get(TRACKER).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(TRACKER).status_code == 200
    assert len(warm) < len(ten)
    _many_more = [
        ActionItem(
            session=ActionItem.objects.first().session,
            number=100 + n,
            title=f"More {n}",
            department=city["police"],
            due_date=datetime.date(2027, 2, 1),
        )
        for n in range(90)
    ]
    ActionItem.objects.bulk_create(_many_more)
    cache.clear()
    with CaptureQueriesContext(connection) as hundred:
        assert client.get(TRACKER).status_code == 200
    assert len(hundred) == len(ten), [q["sql"] for q in hundred.captured_queries]


def test_csv_export_is_filtered_and_spreadsheet_safe(as_persona, record, items):
    record('=HYPERLINK("http://evil")')
    response = as_persona("police_contact").get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["series", "session", "number", "title"]
    titles = [row[3] for row in rows[1:]]
    assert titles == ["Police overtime report", '\'=HYPERLINK("http://evil")']
    assert all(row[5] == "Police" for row in rows[1:])
    fire_only = as_persona("stat_lead").get(CSV_URL, {"department": "fire"})
    assert len(list(csv.reader(io.StringIO(b"".join(fire_only.streaming_content).decode())))) == 2


# --- an item's page -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "form"),
    [
        ("stat_analyst", 200, True),
        ("police_lead", 200, True),
        ("police_contact", 200, False),
        ("budget_analyst", 200, False),
        ("parks_contact", 404, False),
        ("data_expert", 404, False),
    ],
)
def test_item_page_per_role(as_persona, items, persona, code, form):
    response = as_persona(persona).get(detail(items["police"]))
    assert response.status_code == code
    if code == 200:
        assert ("Record the update" in response.content.decode()) is form


def test_lead_of_another_department_gets_404(as_persona, items, city):
    from team.models import Role
    from tests.factories import person_with_login

    person_with_login(Role.DEPARTMENT_LEAD, username="firechief@example.gov", department=city["fire"])
    from django.test import Client

    client = Client()
    client.force_login(
        __import__("django.contrib.auth").contrib.auth.get_user_model().objects.get(username="firechief@example.gov")
    )
    before = snapshot(items["police"])
    assert client.get(detail(items["police"])).status_code == 404
    response = client.post(reverse("stat_sessions:action_item_update", args=[items["police"].pk]), {"comment": "x"})
    assert response.status_code == 404
    assert snapshot(items["police"]) == before


def test_lead_updates_with_comment_state_and_attachment(as_persona, items, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_persona("police_lead")
    url = reverse("stat_sessions:action_item_update", args=[items["police"].pk])
    upload = SimpleUploadedFile("Overtime.csv", b"unit,hours\nA,10\n", content_type="text/csv")
    response = client.post(url, {"state": "under_review", "comment": "Draft sent", "attachment": upload})
    assert response.status_code == 302
    item = ActionItem.objects.get(pk=items["police"].pk)
    assert item.state == ItemState.UNDER_REVIEW
    update = item.updates.order_by("pk").last()
    assert update.attachment_name == "Overtime.csv" and update.by_name == "Pat Chief"
    # The attachment: a download, for readers only.
    download = reverse("stat_sessions:action_item_attachment", args=[update.pk])
    got = as_persona("police_contact").get(download)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith('attachment; filename="Overtime.csv"')
    assert got["Content-Type"] == "application/octet-stream"
    assert b"".join(got.streaming_content) == b"unit,hours\nA,10\n"
    assert as_persona("parks_contact").get(download).status_code == 404
    assert as_persona("police_contact").post(download).status_code == 405


def test_contact_is_read_only(as_persona, items):
    before = snapshot(items["police"])
    client = as_persona("police_contact")
    for name, data in [
        ("stat_sessions:action_item_update", {"comment": "x", "state": "on_hold"}),
        ("stat_sessions:action_item_complete", {}),
        ("stat_sessions:action_item_merge", {"into": items["fire"].pk}),
    ]:
        assert client.post(reverse(name, args=[items["police"].pk]), data).status_code == 403
    assert snapshot(items["police"]) == before


def test_owner_may_update_their_own_item(items, users, city):
    from django.test import Client

    from tests.factories import PersonFactory, UserFactory

    user = UserFactory(username="owen@example.gov")
    owner = PersonFactory(full_name="Owen Owner", email="owen@example.gov", user=user, department=city["parks"])
    ActionItem.objects.filter(pk=items["police"].pk).update(owner=owner)
    client = Client()
    client.force_login(user)
    assert client.get(detail(items["police"])).status_code == 200
    assert client.get(detail(items["fire"])).status_code == 404
    url = reverse("stat_sessions:action_item_complete", args=[items["police"].pk])
    with on_city_date(2027, 1, 8):
        assert client.post(url, {"comment": "Sent"}).status_code == 302
    assert ActionItem.objects.get(pk=items["police"].pk).state == ItemState.COMPLETED_ON_TIME


def test_update_form_errors_are_shown(as_persona, items):
    response = as_persona("police_lead").post(
        reverse("stat_sessions:action_item_update", args=[items["police"].pk]), {"comment": ""}
    )
    assert response.status_code == 200
    assert "Say what changed" in response.content.decode()


def test_wrong_method_on_the_forms(as_persona, items):
    client = as_persona("stat_lead")
    for name in ("action_item_update", "action_item_complete", "action_item_merge"):
        assert client.get(reverse(f"stat_sessions:{name}", args=[items["police"].pk])).status_code == 405
    assert client.post(detail(items["police"])).status_code == 405


def test_stat_team_merges_from_the_page(as_persona, record, items):
    other = record("Overtime by unit")
    client = as_persona("stat_analyst")
    response = client.post(
        reverse("stat_sessions:action_item_merge", args=[other.pk]), {"into": items["police"].pk, "comment": "Dup"}
    )
    assert response.status_code == 302 and response.url == detail(items["police"])
    page = client.get(detail(items["police"])).content.decode()
    assert "Merged into this item" in page and "Overtime by unit" in page


def test_lead_cannot_merge(as_persona, record, items):
    other = record("Overtime by unit")
    before = snapshot(other)
    response = as_persona("police_lead").post(
        reverse("stat_sessions:action_item_merge", args=[other.pk]), {"into": items["police"].pk}
    )
    assert response.status_code == 403
    assert snapshot(other) == before


# --- the agenda ---------------------------------------------------------------------------------------------------


def agenda(session) -> str:
    return reverse("stat_sessions:agenda", args=[session.pk])


def test_agenda_lists_topics_in_order_with_start_times(as_persona, police_session, memo_topics):
    content = as_persona("stat_analyst").get(agenda(police_session)).content.decode()
    assert content.index("Open items") < content.index("Response times") < content.index("Overtime")
    # 10:00, then 10 minutes of follow-up, then 20 of standing items.
    assert ">10:00</time>" in content and ">10:10</time>" in content and ">10:30</time>" in content
    assert 'data-seconds="600"' in content
    assert "js/stat-agenda.js" in content
    assert "<script>" not in content  # no inline script (CSP)
    assert "Record a request" in content


def test_agenda_without_a_memo_still_records(as_persona, police_session):
    content = as_persona("stat_analyst").get(agenda(police_session)).content.decode()
    assert "no memo topics yet" in content and "Record a request" in content


def test_agenda_per_role(as_persona, police_session):
    assert as_persona("police_contact").get(agenda(police_session)).status_code == 200
    assert "Record a request" not in as_persona("police_lead").get(agenda(police_session)).content.decode()
    assert as_persona("parks_contact").get(agenda(police_session)).status_code == 404
    assert as_persona("stat_lead").post(agenda(police_session)).status_code == 405


def _record_data(city, **extra):
    data = {
        "item-title": "Bring the overtime by unit",
        "item-department": city["police"].pk,
        "item-due_date": "2027-01-18",
        "item-priority": "high",
        "item-deliverable": "report",
    }
    data.update(extra)
    return data


def test_recording_live_plain_post(as_persona, police_session, memo_topics, city):
    from tests.inventory.factories import DatasetFactory

    calls = DatasetFactory(department=city["police"], identifier="pd-calls", title="Calls for service")
    trees = DatasetFactory(department=city["parks"], identifier="prd-trees", title="Street trees")
    url = reverse("stat_sessions:action_item_add", args=[police_session.pk])
    client = as_persona("stat_analyst")
    page = client.get(agenda(police_session)).content.decode()
    assert "Calls for service" in page and "Street trees" not in page  # the series' department's datasets
    response = client.post(url, _record_data(city, **{"item-topic": memo_topics[0].pk, "item-dataset": calls.pk}))
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.number, item.topic_title, item.priority, item.deliverable) == (1, "Overtime", "high", "report")
    assert item.dataset == calls
    refused = client.post(url, _record_data(city, **{"item-dataset": trees.pk}))
    assert refused.status_code == 200 and ActionItem.objects.count() == 1


def test_recording_live_with_htmx_answers_the_row(as_persona, police_session, city):
    url = reverse("stat_sessions:action_item_add", args=[police_session.pk])
    response = as_persona("stat_analyst").post(url, _record_data(city), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'hx-swap-oob="beforeend:#recorded-items"' in content and "Bring the overtime by unit" in content
    assert 'id="record-form"' in content
    errors = as_persona("stat_analyst").post(url, _record_data(city, **{"item-title": ""}), HTTP_HX_REQUEST="true")
    assert errors.status_code == 200 and "usa-error-message" in errors.content.decode()
    assert ActionItem.objects.count() == 1


def test_only_the_stat_team_records_live(as_persona, police_session, city):
    url = reverse("stat_sessions:action_item_add", args=[police_session.pk])
    assert as_persona("police_lead").post(url, _record_data(city)).status_code == 403
    assert as_persona("parks_contact").post(url, _record_data(city)).status_code == 404
    assert as_persona("stat_analyst").get(url).status_code == 405
    assert not ActionItem.objects.exists()
    assert not ActionItemUpdate.objects.exists()


def test_a_seat_at_the_table_reads_everything_and_changes_nothing(items):
    from django.test import Client

    from team.models import Role
    from tests.factories import person_with_login

    client = Client()
    client.force_login(person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov"))
    content = client.get(TRACKER).content.decode()
    assert all(item.title in content for item in items.values())
    before = snapshot(items["parks"])
    assert client.get(detail(items["parks"])).status_code == 200
    url = reverse("stat_sessions:action_item_update", args=[items["parks"].pk])
    assert client.post(url, {"comment": "x"}).status_code == 403
    assert snapshot(items["parks"]) == before


def test_an_attachment_too_large_is_refused_by_the_form(as_persona, items, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("sessions.forms.ATTACHMENT_MAX_BYTES", 10)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 20)
    response = as_persona("police_lead").post(
        reverse("stat_sessions:action_item_update", args=[items["police"].pk]), {"comment": "x", "attachment": upload}
    )
    assert response.status_code == 200 and "larger than" in response.content.decode()
    assert snapshot(items["police"])[-1] == 1
    assert not list(tmp_path.rglob("*"))


def test_item_page_costs_the_same_queries_with_more_history(as_persona, record, items, users):
    client = as_persona("stat_analyst")
    client.get(detail(items["police"]))
    with CaptureQueriesContext(connection) as few:
        client.get(detail(items["police"]))
    for n in range(5):
        other = record(f"Duplicate {n}")
        action_item_update(other, by=users["police_lead"], comment=f"Note {n}")
        from sessions.services import action_item_merge

        action_item_merge(other, into=items["police"], by=users["stat_analyst"])
    with CaptureQueriesContext(connection) as many:
        client.get(detail(items["police"]))
    assert len(many) == len(few)


def test_the_agenda_lists_only_the_items_its_reader_may_read(as_persona, record, police_session, city):
    record("Police overtime")
    record("Fire hydrant survey", department=city["fire"])
    police = as_persona("police_contact").get(agenda(police_session)).content.decode()
    assert "Police overtime" in police and "Fire hydrant survey" not in police
    both = as_persona("stat_lead").get(agenda(police_session)).content.decode()
    assert "Police overtime" in both and "Fire hydrant survey" in both


def test_an_item_links_its_agenda_only_to_readers_of_the_session(record, city):
    from django.test import Client

    from team.models import Role
    from tests.factories import person_with_login

    item = record("Fire hydrant survey", department=city["fire"])
    client = Client()
    client.force_login(person_with_login(Role.DEPARTMENT_LEAD, username="fc@example.gov", department=city["fire"]))
    page = client.get(detail(item)).content.decode()
    assert "Fire hydrant survey" in page and "/agenda/" not in page
