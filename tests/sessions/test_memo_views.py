"""The memo pages and the memo API, per role: who reads a draft, a shared draft and a sent memo; who changes it;
405 for a wrong method; a denied request changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import Memo, MemoTopic, Series
from sessions.services import memo_draft, memo_send, memo_share
from team.models import Role
from tests.factories import person_with_login

from .memo_data import first_session, make_kpis

pytestmark = pytest.mark.django_db

READERS_OF_SENT = ["principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "budget_analyst"]
OUTSIDERS = ["parks_contact", "data_expert"]


@pytest.fixture
def session(city, users, police_series):
    make_kpis(city, users, count=2)
    return first_session(police_series)


@pytest.fixture
def draft(session, users):
    return memo_draft(session, by=users["stat_analyst"])


def memo_url(session, name="stat_sessions:memo"):
    return reverse(name, kwargs={"pk": session.pk})


def snapshot_of_db() -> tuple:
    return (
        list(Memo.objects.values_list("subject", "state", "to_line", "shared_at")),
        list(MemoTopic.objects.order_by("pk").values_list("title", "position", "section")),
    )


def test_the_stat_team_sees_the_generate_button_then_the_draft(session, as_persona):
    client = as_persona("stat_analyst")
    response = client.get(memo_url(session))
    assert response.status_code == 200
    assert b"Generate the draft" in response.content
    response = client.post(memo_url(session, "stat_sessions:memo_draft"))
    assert response.status_code == 302
    response = client.get(memo_url(session))
    page = response.content.decode()
    assert "Department of Police briefing memorandum for reporting period December 2026" in page
    assert "KPI 0: crashes" in page and "Open action items from earlier sessions" in page
    assert "<svg" in page and "<title id=" in page
    assert "freshness, completeness (minutes)" in page
    assert "Save the header" in page and "Move up" in page


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", *OUTSIDERS])
def test_without_a_memo_others_get_404_and_cannot_draft(session, as_persona, persona):
    client = as_persona(persona)
    assert client.get(memo_url(session)).status_code == 404
    status = client.post(memo_url(session, "stat_sessions:memo_draft")).status_code
    assert status in (403, 404)
    assert not Memo.objects.exists()


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", *OUTSIDERS])
@pytest.mark.parametrize("name", ["stat_sessions:memo", "stat_sessions:memo_print", "stat_sessions:memo_pdf"])
def test_a_draft_is_the_stat_teams_alone(draft, session, as_persona, persona, name):
    assert as_persona(persona).get(memo_url(session, name)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(draft, session, as_persona):
    response = as_persona("anonymous").get(memo_url(session))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_shared_draft_is_read_by_the_departments_lead_and_contacts(draft, session, users, as_persona):
    Series.objects.filter(pk=session.series_id).update(no_surprises=True)
    memo_share(Memo.objects.get(), by=users["stat_lead"])
    for persona in ["police_lead", "police_contact"]:
        response = as_persona(persona).get(memo_url(session))
        assert response.status_code == 200
        assert b"shared with the department" in response.content
        assert b"Save the header" not in response.content
    for persona in ["budget_analyst", *OUTSIDERS]:
        assert as_persona(persona).get(memo_url(session)).status_code == 404


def test_sharing_needs_no_surprises(draft, session, as_persona):
    response = as_persona("stat_analyst").post(memo_url(session, "stat_sessions:memo_share"), follow=True)
    assert "no surprises" in response.content.decode()
    assert Memo.objects.get().shared_at is None


@pytest.mark.parametrize("persona", READERS_OF_SENT)
def test_a_sent_memo_is_read_by_everyone_at_the_session(draft, session, users, as_persona, persona):
    memo_send(draft, by=users["stat_lead"])
    response = as_persona(persona).get(memo_url(session))
    assert response.status_code == 200
    assert "Sent on" in response.content.decode() and "by Stella Lead" in response.content.decode()
    assert b"Save the header" not in response.content
    assert as_persona(persona).get(memo_url(session, "stat_sessions:memo_print")).status_code == 200


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_never_read_a_sent_memo(draft, session, users, as_persona, persona):
    memo_send(draft, by=users["stat_lead"])
    assert as_persona(persona).get(memo_url(session)).status_code == 404


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst"])
def test_readers_of_a_sent_memo_change_nothing(draft, session, users, as_persona, persona):
    memo_send(draft, by=users["stat_lead"])
    topic = MemoTopic.objects.first()
    before = snapshot_of_db()
    client = as_persona(persona)
    for url, data in [
        (
            memo_url(session, "stat_sessions:memo_header"),
            {"to_line": "x", "from_line": "x", "memo_date": "2027-01-01", "subject": "x"},
        ),
        (
            memo_url(session, "stat_sessions:memo_topic_add"),
            {"topic-title": "x", "topic-section": "new", "topic-suggested_minutes": 5},
        ),
        (memo_url(session, "stat_sessions:memo_send"), {}),
        (reverse("stat_sessions:memo_topic_remove", args=[session.pk, topic.pk]), {}),
        (reverse("stat_sessions:memo_topic_move", args=[session.pk, topic.pk]), {"direction": "down"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert snapshot_of_db() == before


def test_the_stat_team_edits_the_draft_through_the_pages(draft, session, as_persona):
    client = as_persona("stat_analyst")
    response = client.post(
        memo_url(session, "stat_sessions:memo_header"),
        {"to_line": "Mayor", "from_line": "Ana", "memo_date": "2026-12-30", "subject": "PoliceStat, December"},
    )
    assert response.status_code == 302
    assert Memo.objects.get().subject == "PoliceStat, December"
    response = client.post(
        memo_url(session, "stat_sessions:memo_topic_add"),
        {"topic-title": "Overtime", "topic-section": "new", "topic-suggested_minutes": 7, "topic-questions": "Why?"},
    )
    assert response.status_code == 302
    new = MemoTopic.objects.get(title="Overtime")
    first, second = MemoTopic.objects.filter(section="standing").order_by("position")
    response = client.post(reverse("stat_sessions:memo_topic_move", args=[session.pk, second.pk]), {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#topic-{second.pk}")
    assert list(MemoTopic.objects.filter(section="standing").order_by("position")) == [second, first]
    edit = reverse("stat_sessions:memo_topic_edit", args=[session.pk, new.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"title": "Overtime spend", "section": "new", "suggested_minutes": 9, "narrative": "Up.", "dataset": ""}
    )
    assert response.status_code == 302
    assert MemoTopic.objects.get(pk=new.pk).title == "Overtime spend"
    assert client.post(reverse("stat_sessions:memo_topic_remove", args=[session.pk, new.pk])).status_code == 302
    assert not MemoTopic.objects.filter(pk=new.pk).exists()


def test_invalid_input_is_shown_with_its_errors(draft, session, as_persona):
    before = snapshot_of_db()
    response = as_persona("stat_analyst").post(
        memo_url(session, "stat_sessions:memo_header"), {"to_line": "", "from_line": "x", "memo_date": "soon"}
    )
    assert response.status_code == 200
    assert b"usa-alert--error" in response.content
    assert snapshot_of_db() == before


def test_a_sent_memo_refuses_the_stat_teams_changes_too(draft, session, users, as_persona):
    memo_send(draft, by=users["stat_lead"])
    before = snapshot_of_db()
    response = as_persona("stat_analyst").post(
        memo_url(session, "stat_sessions:memo_header"),
        {"to_line": "x", "from_line": "x", "memo_date": "2027-01-01", "subject": "x"},
        follow=True,
    )
    assert "can no longer change" in response.content.decode()
    assert snapshot_of_db() == before


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("stat_sessions:memo", "post"),
        ("stat_sessions:memo", "put"),
        ("stat_sessions:memo_print", "post"),
        ("stat_sessions:memo_pdf", "delete"),
        ("stat_sessions:memo_send", "get"),
        ("stat_sessions:memo_draft", "get"),
        ("stat_sessions:memo_header", "get"),
    ],
)
def test_wrong_methods_are_405(draft, session, as_persona, name, method):
    before = snapshot_of_db()
    assert getattr(as_persona("stat_lead"), method)(memo_url(session, name)).status_code == 405
    assert snapshot_of_db() == before


# --- the API -------------------------------------------------------------------------------------------------------


def api(memo=None):
    return f"/api/memos/{memo.pk}/" if memo else "/api/memos/"


def test_the_api_lists_and_reads_memos_per_role(draft, session, users, as_persona):
    staff = as_persona("stat_analyst")
    assert [row["id"] for row in staff.get(api()).json()["results"]] == [draft.pk]
    body = staff.get(api(draft)).json()
    assert body["state"] == "draft"
    assert body["sections"][1]["topics"][0]["kpi"]["period_label"] == "December 2026"
    for persona in ["police_lead", "budget_analyst", *OUTSIDERS]:
        assert as_persona(persona).get(api()).json()["results"] == []
        assert as_persona(persona).get(api(draft)).status_code == 404
    assert as_persona("anonymous").get(api()).status_code == 403

    memo_send(draft, by=users["stat_lead"])
    for persona in ["police_lead", "police_contact", "budget_analyst"]:
        assert as_persona(persona).get(api(draft)).json()["sent_by"] == "Stella Lead"
    for persona in OUTSIDERS:
        assert as_persona(persona).get(api(draft)).status_code == 404


def test_the_api_is_read_only(draft, as_persona):
    before = snapshot_of_db()
    client = as_persona("stat_lead")
    assert client.post(api(), {}, content_type="application/json").status_code == 405
    assert client.patch(api(draft), {"subject": "x"}, content_type="application/json").status_code == 405
    assert client.delete(api(draft)).status_code == 405
    assert snapshot_of_db() == before


def test_a_seat_at_the_table_reads_the_memo_once_sent(draft, session, users):
    seat = person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov", full_name="Chief Staff")
    client = Client()
    client.force_login(seat)
    assert client.get(memo_url(session)).status_code == 404
    memo_send(draft, by=users["stat_lead"])
    assert client.get(memo_url(session)).status_code == 200
    assert client.post(memo_url(session, "stat_sessions:memo_send")).status_code == 403


def test_the_schema_lists_the_memos_read_only():
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    assert set(schema["paths"]["/api/memos/"]) == {"get"}
    assert set(schema["paths"]["/api/memos/{id}/"]) == {"get"}
    memo = schema["components"]["schemas"]["MemoOutput"]
    assert {"header", "sections", "sent_at", "sent_by"} <= set(memo["properties"])


def test_a_topic_moves_to_a_position(draft, session, as_persona):
    first, second = MemoTopic.objects.filter(section="standing").order_by("position")
    url = reverse("stat_sessions:memo_topic_move", args=[session.pk, first.pk])
    assert as_persona("stat_analyst").post(url, {"position": 2}).status_code == 302
    assert list(MemoTopic.objects.filter(section="standing").order_by("position")) == [second, first]
    page = as_persona("stat_analyst").get(memo_url(session)).content.decode()
    assert f'id="position-{first.pk}"' in page and "4 January 2027, 10:00" in page
