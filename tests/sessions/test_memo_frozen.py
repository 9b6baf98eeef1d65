"""Sending freezes the memo: what it showed is stored, and the memo page, its PDF and the API keep showing exactly
that however the data changes afterwards; every later change is refused. Sharing and sending email a link."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from goals.models import Measure, Narrative, Observation
from inventory.models import Dataset
from quality.models import DatasetQuality, Outcome
from sessions.models import ActionItem, ItemState, Memo, MemoState, MemoTopic, SessionState
from sessions.selectors_memo import memo_data
from sessions.services import (
    memo_draft,
    memo_send,
    memo_share,
    memo_update,
    topic_add,
    topic_move,
    topic_remove,
    topic_update,
)
from tests.quality.factories import QualityRunFactory

from .memo_data import action_items, earlier_session, first_session, make_kpis
from .pdf_text import pdf_text

pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def sent(city, users, police_series, django_capture_on_commit_callbacks):
    make_kpis(city, users, count=2)
    session = first_session(police_series)
    items = action_items(earlier_session(police_series), city)
    memo = memo_draft(session, by=users["stat_analyst"])
    topic_add(memo, title="Overtime", narrative="Up 12%.", by=users["stat_analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        memo = memo_send(memo, by=users["stat_lead"])
    return {"session": session, "memo": memo, "items": items}


def views_of(session, client) -> tuple[str, str, str, dict]:
    page = CSRF.sub("", client.get(reverse("stat_sessions:memo", kwargs={"pk": session.pk})).content.decode())
    printable = client.get(reverse("stat_sessions:memo_print", kwargs={"pk": session.pk})).content.decode()
    pdf = pdf_text(client.get(reverse("stat_sessions:memo_pdf", kwargs={"pk": session.pk})).content)
    memo = Memo.objects.get(session=session)
    return page, printable, pdf, client.get(f"/api/memos/{memo.pk}/").json()


def change_everything(city, users, items) -> None:
    """Every kind of data the memo showed changes: values, targets, narratives, quality, names, action items."""
    Observation.objects.filter(period=datetime.date(2026, 12, 1)).update(value=1)
    Observation.objects.filter(period=datetime.date(2026, 11, 1)).delete()
    Narrative.objects.update(what_happened="Rewritten afterwards.")
    Measure.objects.update(name="Renamed measure", target_value=1, unit="incidents")
    for dataset in Dataset.objects.all():
        run = QualityRunFactory(dataset=dataset, outcome=Outcome.PASS)
        DatasetQuality.objects.filter(dataset=dataset).update(latest_run=run, outcome=Outcome.PASS, stale=False)
    Dataset.objects.update(title="Renamed dataset")
    ActionItem.objects.filter(pk=items["open"].pk).update(state=ItemState.COMPLETED_LATE)
    ActionItem.objects.create(
        session=items["open"].session,
        number=9,
        title="Raised afterwards",
        department=city["police"],
        due_date=datetime.date(2027, 2, 1),
    )
    MemoTopic.objects.update(title="Edited behind its back", narrative="")


def test_sending_stores_the_memo_and_marks_the_session(sent, users):
    memo = Memo.objects.get()
    assert memo.state == MemoState.SENT and memo.sent_by == users["stat_lead"] and memo.sent_at is not None
    snapshot = memo.snapshot
    assert snapshot["sent_by"] == "Stella Lead"
    kpi_topic = snapshot["sections"][1]["topics"][0]
    assert kpi_topic["kpi"]["value_text"] == "103 crashes"
    assert kpi_topic["kpi"]["chart"]["markers"]
    assert kpi_topic["source"]["failing_checks"] == ["freshness", "completeness (minutes)"]
    assert kpi_topic["source"]["run"]["id"]
    assert [row["title"] for row in snapshot["sections"][0]["topics"][0]["action_items"]] == [
        "Item open",
        "Item on_hold",
    ]
    session = sent["session"]
    session.refresh_from_db()
    assert session.state == SessionState.MEMO_SENT and session.memo_sent_at == memo.sent_at


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead", "budget_analyst"])
def test_later_data_changes_never_alter_a_sent_memo(sent, city, users, as_persona, persona):
    client = as_persona(persona)
    before = views_of(sent["session"], client)
    assert "103 crashes" in before[0] and "freshness" in before[2]
    change_everything(city, users, sent["items"])
    after = views_of(sent["session"], client)
    assert after[0] == before[0]
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[3] == before[3]
    assert "Renamed" not in after[0] and "Rewritten" not in after[0] and "Raised afterwards" not in after[0]


def test_a_draft_follows_the_data(city, users, police_series):
    make_kpis(city, users, count=1)
    memo = memo_draft(first_session(police_series), by=users["stat_lead"])
    assert memo_data(memo)["sections"][1]["topics"][0]["kpi"]["value_text"] == "103 crashes"
    Observation.objects.filter(period=datetime.date(2026, 12, 1)).update(value=7)
    assert memo_data(memo)["sections"][1]["topics"][0]["kpi"]["value_text"] == "7 crashes"


def test_a_sent_memo_refuses_every_change(sent, users):
    memo = Memo.objects.get()
    topic = memo.topics.first()
    lead = users["stat_lead"]
    before = (memo.snapshot, list(MemoTopic.objects.order_by("pk").values()))
    for change in [
        lambda: memo_update(memo, to_line="x", from_line="x", memo_date=memo.memo_date, subject="x", by=lead),
        lambda: topic_add(memo, title="Late", by=lead),
        lambda: topic_update(topic, title="x", narrative="", suggested_minutes=5, questions="", by=lead),
        lambda: topic_remove(topic, by=lead),
        lambda: topic_move(topic, direction="down", by=lead),
        lambda: memo_share(memo, by=lead),
        lambda: memo_send(memo, by=lead),
    ]:
        with pytest.raises(ValidationError, match="has been sent"):
            change()
    memo.refresh_from_db()
    assert (memo.snapshot, list(MemoTopic.objects.order_by("pk").values())) == before


def test_sending_emails_the_attendees_a_link(sent):
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert "chief@example.gov" in recipients and "budget@example.gov" in recipients
    assert "parks@example.gov" not in recipients
    message = mail.outbox[0]
    assert message.subject.startswith("Briefing memo: Department of Police")
    assert f"/sessions/{sent['session'].pk}/memo/" in message.body


def test_sharing_under_no_surprises_emails_the_department(
    city, users, police_series, django_capture_on_commit_callbacks
):
    police_series.no_surprises = True
    police_series.save(update_fields=["no_surprises"])
    memo = memo_draft(first_session(police_series), by=users["stat_lead"])
    with django_capture_on_commit_callbacks(execute=True):
        memo = memo_share(memo, by=users["stat_analyst"])
    assert memo.shared_by == users["stat_analyst"] and memo.shared_at is not None
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "chief@example.gov",
        "pdata@example.gov",
    ]
    assert mail.outbox[0].subject.startswith("Shared before the meeting")


def test_sharing_without_no_surprises_is_refused(city, users, police_series):
    memo = memo_draft(first_session(police_series), by=users["stat_lead"])
    with pytest.raises(ValidationError, match="no surprises"):
        memo_share(memo, by=users["stat_lead"])
    assert Memo.objects.get().shared_at is None
