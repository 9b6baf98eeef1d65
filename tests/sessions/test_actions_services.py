"""Action items' services and statuses: the eight statuses (overdue by the city's date), completion on time or
late, merging carrying history, numbering, who may do what, attachments, overdue reminders."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction

from sessions import selectors_actions
from sessions.models import ActionItem, ActionItemUpdate, ItemState, ItemStatus
from sessions.services import (
    action_item_complete,
    action_item_create,
    action_item_merge,
    action_item_update,
    action_items_remind_overdue,
)
from sessions.services.actions import ATTACHMENT_MAX_BYTES
from tests.factories import PersonFactory

from .action_fixtures import SESSION_DAY, at_city_time

pytestmark = pytest.mark.django_db


def status(item) -> str:
    item = ActionItem.objects.get(pk=item.pk)
    annotated = selectors_actions.action_items_with_status(ActionItem.objects.filter(pk=item.pk)).get()
    in_memory = selectors_actions.status_of(item)
    assert annotated.status == in_memory.value  # SQL and memory agree
    return annotated.status


# --- statuses -----------------------------------------------------------------------------------------------------


def test_an_item_due_today_is_not_overdue_at_2330_city_time_while_utc_is_tomorrow(record):
    item = record(due_date=datetime.date(2027, 1, 20))
    with at_city_time(2027, 1, 20, 23, 30) as now:
        assert now.astimezone(datetime.UTC).date() == datetime.date(2027, 1, 21)
        assert status(item) == ItemStatus.NOT_YET_DUE
    with at_city_time(2027, 1, 21, 0, 1):
        assert status(item) == ItemStatus.OVERDUE


def test_the_status_filters_in_sql(record):
    due_today = record("Due today", due_date=datetime.date(2027, 1, 20))
    late = record("Late", due_date=datetime.date(2027, 1, 10))
    with at_city_time(2027, 1, 20, 23, 30):
        rows = selectors_actions.action_items_with_status(ActionItem.objects.all())
        assert list(rows.filter(status=ItemStatus.OVERDUE).values_list("pk", flat=True)) == [late.pk]
        assert list(rows.filter(status=ItemStatus.NOT_YET_DUE).values_list("pk", flat=True)) == [due_today.pk]


def test_completed_on_the_due_date_is_on_time_and_the_day_after_late(record, users):
    on_time = record("On time", due_date=datetime.date(2027, 1, 20))
    late = record("Late", due_date=datetime.date(2027, 1, 20))
    with at_city_time(2027, 1, 20, 23, 59):
        action_item_complete(on_time, by=users["police_lead"])
    with at_city_time(2027, 1, 21, 0, 5):
        action_item_complete(late, by=users["police_lead"])
        assert status(on_time) == ItemStatus.COMPLETED_ON_TIME
        assert status(late) == ItemStatus.COMPLETED_LATE
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.completed_on == datetime.date(2027, 1, 20)
    assert late.completed_on == datetime.date(2027, 1, 21)


def test_completion_may_be_dated_earlier_never_later(record, users):
    item = record(due_date=datetime.date(2027, 1, 20))
    with at_city_time(2027, 1, 25):
        with pytest.raises(ValidationError):
            action_item_complete(item, by=users["stat_analyst"], completed_on=datetime.date(2027, 1, 26))
        action_item_complete(item, by=users["stat_analyst"], completed_on=datetime.date(2027, 1, 19))
        assert status(item) == ItemStatus.COMPLETED_ON_TIME
        with pytest.raises(ValidationError):
            action_item_complete(item, by=users["stat_analyst"])  # not open any more


@pytest.mark.parametrize(
    "state", [ItemState.ON_HOLD, ItemState.UNDER_REVIEW, ItemState.OVERTAKEN], ids=lambda s: s.value
)
def test_on_hold_under_review_overtaken_show_as_stored_even_past_due(record, users, state):
    item = record(due_date=datetime.date(2027, 1, 10))
    with at_city_time(2027, 2, 1):
        action_item_update(item, by=users["police_lead"], state=state, comment="Waiting on the union.")
        assert status(item) == state.value
    update = ActionItemUpdate.objects.filter(item=item).last()
    assert (update.old_state, update.new_state, update.by_name) == ("incomplete", state.value, "Pat Chief")


def test_merged_item_carries_its_history_to_the_target(record, users):
    first = record("Overtime report")
    duplicate = record("Overtime figures by unit")
    older = record("Overtime by shift")
    with at_city_time(2027, 1, 6):
        action_item_update(duplicate, by=users["police_lead"], comment="Started on it.")
        action_item_merge(older, into=duplicate, by=users["stat_analyst"])
        action_item_merge(duplicate, into=first, by=users["stat_analyst"], comment="Same request.")
        assert status(duplicate) == ItemStatus.MERGED
    duplicate.refresh_from_db()
    older.refresh_from_db()
    assert duplicate.merged_into == first
    assert older.merged_into == first  # re-pointed: no chains
    history = list(selectors_actions.action_item_history(first))
    assert "Started on it." in [update.comment for update in history]
    assert {update.item_id for update in history} == {first.pk, duplicate.pk, older.pk}
    with pytest.raises(ValidationError):
        action_item_update(duplicate, by=users["stat_analyst"], comment="Too late")


def test_merge_refuses_itself_a_closed_target_and_non_stat_team(record, users):
    item, other = record("A"), record("B")
    with pytest.raises(ValidationError):
        action_item_merge(item, into=item, by=users["stat_analyst"])
    with pytest.raises(PermissionDenied):
        action_item_merge(item, into=other, by=users["police_lead"])
    with at_city_time(2027, 1, 10):
        action_item_complete(other, by=users["stat_analyst"])
    with pytest.raises(ValidationError):
        action_item_merge(item, into=other, by=users["stat_analyst"])
    item.refresh_from_db()
    assert item.state == ItemState.INCOMPLETE and item.merged_into is None


# --- recording ----------------------------------------------------------------------------------------------------


def test_items_are_numbered_within_their_session(record, police_series, users, city):
    assert [record(f"Item {n}").number for n in range(3)] == [1, 2, 3]
    second = police_series.sessions.order_by("starts_at")[1]
    item = record("Next time", session=second, due_date=second.starts_at.date() + datetime.timedelta(days=7))
    assert item.number == 1


def test_only_the_stat_team_records(record, users):
    for persona in ("police_lead", "police_contact", "budget_analyst", "data_expert"):
        with pytest.raises(PermissionDenied):
            record(by=users[persona])
    assert not ActionItem.objects.exists()


def test_topic_must_be_the_sessions_memos(record, memo_topics, police_series, users):
    item = record(topic=memo_topics[0])
    assert item.topic_title == "Overtime"
    second = police_series.sessions.order_by("starts_at")[1]
    with pytest.raises(ValidationError) as error:
        record(session=second, topic=memo_topics[0], due_date=datetime.date(2027, 12, 1))
    assert "topic" in error.value.message_dict


def test_measure_and_dataset_must_be_readable_by_the_recorder(record, city, users):
    from tests.inventory.factories import DatasetFactory

    dataset = DatasetFactory(department=city["parks"], identifier="parks-trees")
    item = record(dataset=dataset)
    assert item.dataset == dataset  # the Stat team reads every dataset


def test_due_date_not_before_the_session(record):
    with pytest.raises(ValidationError) as error:
        record(due_date=SESSION_DAY - datetime.timedelta(days=1))
    assert "due_date" in error.value.message_dict


# --- updating -----------------------------------------------------------------------------------------------------


def test_who_updates(record, users, city):
    owner = PersonFactory(full_name="Owen Owner", email="owen@example.gov")
    from tests.factories import UserFactory

    owner.user = UserFactory(username="owen@example.gov")
    owner.save()
    item = record(owner=owner)
    for persona in ("police_contact", "parks_contact", "budget_analyst", "principal"):
        allowed = persona == "principal"
        if allowed:
            action_item_update(item, by=users[persona], comment="Noted")
        else:
            with pytest.raises(PermissionDenied):
                action_item_update(item, by=users[persona], comment="Noted")
    action_item_update(item, by=owner.user, comment="On it")
    action_item_update(item, by=users["police_lead"], comment="Checked")
    assert list(item.updates.order_by("pk").values_list("comment", flat=True)) == [
        "Recorded at the session.",
        "Noted",
        "On it",
        "Checked",
    ]


def test_only_the_stat_team_moves_a_due_date_or_reopens(record, users):
    item = record(due_date=datetime.date(2027, 1, 20))
    with pytest.raises(PermissionDenied):
        action_item_update(item, by=users["police_lead"], due_date=datetime.date(2027, 2, 20))
    action_item_update(item, by=users["stat_lead"], due_date=datetime.date(2027, 2, 20))
    item.refresh_from_db()
    assert item.due_date == datetime.date(2027, 2, 20)
    assert "Due date moved from 20 January 2027 to 20 February 2027." in item.updates.order_by("pk").last().comment
    with at_city_time(2027, 1, 30):
        action_item_complete(item, by=users["police_lead"])
    with pytest.raises(PermissionDenied):
        action_item_update(item, by=users["police_lead"], state=ItemState.INCOMPLETE)
    action_item_update(item, by=users["stat_lead"], state=ItemState.INCOMPLETE, comment="Not done after all")
    item.refresh_from_db()
    assert item.state == ItemState.INCOMPLETE and item.completed_on is None


def test_an_update_must_say_something(record, users):
    item = record()
    with pytest.raises(ValidationError):
        action_item_update(item, by=users["police_lead"])
    with pytest.raises(ValidationError):
        action_item_update(item, by=users["police_lead"], state=ItemState.COMPLETED_ON_TIME)


def test_attachment_kept_with_its_name(record, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = record()
    upload = SimpleUploadedFile("Overtime Q4.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    action_item_update(item, by=users["police_lead"], comment="Report attached", attachment=upload)
    update = item.updates.order_by("pk").last()
    assert update.attachment_name == "Overtime Q4.pdf"
    assert "Overtime" not in update.attachment.name  # stored under a random name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.html", b"<html></html>"),
        ("run.exe", b"MZ"),
        ("report.pdf", b"<!doctype html><html>"),
        ("big.pdf", b"x" * (ATTACHMENT_MAX_BYTES + 1)),
    ],
    ids=["html", "exe", "html-as-pdf", "too-big"],
)
def test_attachment_refused(record, users, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    item = record()
    with pytest.raises(ValidationError) as error:
        action_item_update(item, by=users["police_lead"], comment="x", attachment=SimpleUploadedFile(name, content))
    assert "attachment" in error.value.message_dict
    assert item.updates.count() == 1
    assert not list(tmp_path.rglob("*.*"))


# --- follow-up selector -------------------------------------------------------------------------------------------


def test_open_items_before_a_session(record, police_series, users):
    kept = record("Still open")
    held = record("On hold")
    done = record("Done")
    with at_city_time(2027, 1, 10):
        action_item_update(held, by=users["stat_analyst"], state=ItemState.ON_HOLD, comment="Budget")
        action_item_complete(done, by=users["stat_analyst"])
    first, second = police_series.sessions.order_by("starts_at")[:2]
    later = record("Raised at the second", session=second, due_date=datetime.date(2027, 12, 1))
    assert list(selectors_actions.open_action_items_before(second)) == [kept, held]
    assert later not in selectors_actions.open_action_items_before(second)
    assert not selectors_actions.open_action_items_before(first).exists()


# --- reminders ----------------------------------------------------------------------------------------------------


def test_overdue_reminders_once_a_day_to_the_owner_or_else_the_lead(record, users, city):
    owner = PersonFactory(full_name="Owen Owner", email="owen@example.gov", department=city["police"])
    owned = record("Owned", owner=owner, due_date=datetime.date(2027, 1, 10))
    owned_too = record("Owned too", owner=owner, due_date=datetime.date(2027, 1, 11))
    unowned = record("Nobody's", due_date=datetime.date(2027, 1, 10))
    record("Not yet due", owner=owner, due_date=datetime.date(2027, 2, 10))
    with at_city_time(2027, 1, 15, 6):
        assert action_items_remind_overdue(by=None) == 0  # before the reminder hour
    with at_city_time(2027, 1, 15, 8):
        assert action_items_remind_overdue(by=None) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"owen@example.gov", "chief@example.gov"}
    assert "Owned too" in by_recipient["owen@example.gov"].body and "Owned" in by_recipient["owen@example.gov"].body
    assert "Nobody's" in by_recipient["chief@example.gov"].body
    with at_city_time(2027, 1, 15, 20):
        assert action_items_remind_overdue(by=None) == 0
    assert len(mail.outbox) == 2
    with at_city_time(2027, 1, 16, 8):
        assert action_items_remind_overdue(by=None) == 2
    for item in (owned, owned_too, unowned):
        item.refresh_from_db()
        assert item.overdue_reminded_on == datetime.date(2027, 1, 16)


def test_reminders_are_the_systems(users):
    with pytest.raises(PermissionDenied):
        action_items_remind_overdue(by=users["stat_lead"])


def test_the_task_is_scheduled():
    from core.schedule import PERIODIC_TASKS
    from sessions.tasks import remind_overdue_action_items_task

    assert ("sessions.remind_overdue_action_items", 3600) in PERIODIC_TASKS.values()
    assert remind_overdue_action_items_task.name == "sessions.remind_overdue_action_items"


# --- numbering under concurrency ---------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_two_analysts_recording_at_once_get_two_numbers(police_session, users, city):
    """The second waits for the first's transaction (the session's row is locked) and takes the next number."""
    started, finish = threading.Event(), threading.Event()
    numbers: list[int] = []

    def first():
        with transaction.atomic():
            numbers.append(_create(police_session, users["stat_analyst"], city, "First").number)
            started.set()
            finish.wait(5)

    def second():
        numbers.append(_create(police_session, users["stat_lead"], city, "Second").number)

    holder = _in_thread(first)
    assert started.wait(5)
    waiter = _in_thread(second)
    waiter.join(0.5)
    assert waiter.is_alive(), "the second waits for the first to commit"
    finish.set()
    holder.join(5)
    waiter.join(5)
    assert sorted(numbers) == [1, 2]


def _create(session, by, city, title):
    return action_item_create(
        session, title=title, department=city["police"], due_date=SESSION_DAY + datetime.timedelta(days=7), by=by
    )


def _in_thread(work) -> threading.Thread:
    def run():
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_status_condition_agrees_with_the_computed_status(record, users):
    items = [record(f"Due {day}", due_date=datetime.date(2027, 1, day)) for day in (5, 9, 10, 11)]
    with at_city_time(2027, 1, 10):
        action_item_update(items[1], by=users["stat_analyst"], state=ItemState.ON_HOLD, comment="Wait")
        today = selectors_actions.city_today()
        annotated = selectors_actions.action_items_with_status(ActionItem.objects.all(), today)
        for status_value in ItemStatus.values:
            by_case = set(annotated.filter(status=status_value).values_list("pk", flat=True))
            by_q = set(
                ActionItem.objects.filter(selectors_actions.status_q(status_value, today)).values_list("pk", flat=True)
            )
            assert by_case == by_q, status_value


def test_a_long_attachment_name_is_cut_keeping_its_extension(record, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = record()
    upload = SimpleUploadedFile("../../" + "r" * 300 + ".PDF", b"%PDF-1.4")
    action_item_update(item, by=users["police_lead"], comment="Long name", attachment=upload)
    name = item.updates.order_by("pk").last().attachment_name
    assert len(name) == 200 and name.endswith(".pdf") and "/" not in name
