"""Who is told when a dataset starts failing, when (only on the change from passing), and how (immediately, in a
daily digest, or not at all)."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from quality.engine.result import CheckOutcome, EngineResult
from quality.models import DatasetQuality, Delivery, QualityNotification
from quality.services import digest_send_all, notification_send, preference_set, run_record
from team.models import Person, Role, RoleAssignment
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.inventory.factories import DatasetFactory

CITY = ZoneInfo("America/New_York")


def result(status: str) -> EngineResult:
    checks = [
        CheckOutcome("row_count", "pass", 120, "120 rows."),
        CheckOutcome(
            "type",
            status,
            3,
            "3 values in response_minutes are not integers." if status != "pass" else "",
            column="response_minutes",
            examples=[{"row": 14, "column": "response_minutes", "value": "n/a"}],
        ),
    ]
    return EngineResult(checks=checks, score={"pass": 100, "warn": 90, "fail": 60}[status], row_count=120)


@pytest.fixture
def dataset(users, city):
    steward = PersonFactory(full_name="Sam Steward", email="steward@example.gov")
    return DatasetFactory(title="Calls for service", department=city["police"], contact=steward)


@pytest.fixture
def record(dataset, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://stat.example.gov/"
    moments = iter(timezone.now() - datetime.timedelta(hours=10) + datetime.timedelta(minutes=i) for i in range(100))

    def make(status: str | None, *, error: str = "", on=dataset, unfetched: bool = False):
        moment = next(moments)
        with django_capture_on_commit_callbacks(execute=True):
            return run_record(
                by=None,
                dataset=on,
                slot=moment,
                result=result(status) if status else None,
                error=error,
                source="https://data.example.gov/calls.csv",
                source_bytes=None if status is None else 2_048,
                finished_at=moment,
                unfetched=unfetched,
            )

    return make


def recipients(messages) -> set[str]:
    return {address for message in messages for address in message.to}


def test_the_first_failing_run_tells_the_contacts_the_steward_and_the_analysts(record, dataset):
    run = record("fail")

    assert recipients(mail.outbox) == {"pdata@example.gov", "steward@example.gov", "analyst@example.gov"}
    message = next(m for m in mail.outbox if m.to == ["pdata@example.gov"])
    assert message.subject == "[RivertonStat] Data quality: Calls for service is failing its checks"
    assert f"https://stat.example.gov/inventory/datasets/{dataset.pk}/" in message.body
    assert f"https://stat.example.gov/quality/runs/{run.pk}/" in message.body
    assert "https://stat.example.gov/quality/notifications/" in message.body
    assert "type (response_minutes): 3 values in response_minutes are not integers." in message.body
    assert "quality score 60 out of 100" in message.body
    assert QualityNotification.objects.filter(run=run, sent_at__isnull=False).count() == 3
    assert DatasetQuality.objects.get(dataset=dataset).failing_since == run.finished_at


def test_only_the_change_from_passing_to_failing_is_told(record, dataset):
    record("pass")
    record("warn")
    assert mail.outbox == []

    first_failure = record("fail")
    assert len(mail.outbox) == 3
    record("fail")
    record(None, error="example.gov answered 404 Not Found: there is no file at this address.")
    assert len(mail.outbox) == 3, "still failing: nobody is told again"
    assert DatasetQuality.objects.get(dataset=dataset).failing_since == first_failure.finished_at

    record("pass")
    assert DatasetQuality.objects.get(dataset=dataset).failing_since is None
    again = record(None, error="data.example.gov did not answer in time.")
    assert len(mail.outbox) == 6
    assert "data.example.gov did not answer in time." in mail.outbox[-1].body
    assert QualityNotification.objects.filter(run=again).count() == 3


def test_a_source_never_fetched_tells_nobody_until_its_data_was_read_once(record, dataset):
    """A placeholder or unreachable address is "not checked", not "started failing": the steward hears nothing until
    the data has been fetched at least once; after that, a fetch that fails is a failure like any other."""
    unreachable = "data.example.gov could not be reached (the connection failed). Gave up after 4 attempts."
    record(None, error=unreachable, unfetched=True)
    record(None, error=unreachable, unfetched=True)
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert quality.outcome == "" and quality.never_fetched and quality.failing_since is None
    assert mail.outbox == [] and not QualityNotification.objects.exists()

    record("pass")
    assert mail.outbox == []
    failed = record(None, error=unreachable, unfetched=True)
    assert recipients(mail.outbox) == {"pdata@example.gov", "steward@example.gov", "analyst@example.gov"}
    assert unreachable in mail.outbox[0].body
    quality = DatasetQuality.objects.get(dataset=dataset)
    assert quality.outcome == "error" and quality.failing_since == failed.finished_at and not quality.never_fetched


def test_every_link_in_a_quality_email_is_on_site_url(record, dataset, settings):
    """The development server on another port (``make run PORT=8123``): every link follows SITE_URL."""
    settings.SITE_URL = "http://127.0.0.1:8123/"
    run = record("fail")
    message = next(m for m in mail.outbox if m.to == ["steward@example.gov"])
    links = set(re.findall(r"https?://\S+", message.body)) - {run.source}  # the data's own address is no link of ours
    assert links == {
        f"http://127.0.0.1:8123/inventory/datasets/{dataset.pk}/",
        f"http://127.0.0.1:8123/quality/runs/{run.pk}/",
        "http://127.0.0.1:8123/quality/notifications/",
    }


def test_people_without_a_current_role_are_not_told(record, users, city):
    police_contact = Person.objects.get(user=users["police_contact"])
    RoleAssignment.objects.filter(person=police_contact).update(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2024, 1, 1)
    )
    newcomer = PersonFactory(email="new@example.gov")
    RoleAssignmentFactory(person=newcomer, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    inactive = PersonFactory(email="gone@example.gov", active=False)
    RoleAssignmentFactory(person=inactive, role=Role.STAT_ANALYST)

    record("fail")

    assert recipients(mail.outbox) == {"new@example.gov", "steward@example.gov", "analyst@example.gov"}


def test_no_emails_means_no_email_and_nothing_recorded(record, users):
    analyst = Person.objects.get(user=users["stat_analyst"])
    preference_set(by=None, person=analyst, delivery=Delivery.NONE)

    run = record("fail")

    assert "analyst@example.gov" not in recipients(mail.outbox)
    assert not QualityNotification.objects.filter(run=run, person=analyst).exists()


def test_a_daily_digest_lists_what_started_failing_once_a_day(record, users, city, dataset):
    analyst = Person.objects.get(user=users["stat_analyst"])
    preference_set(by=None, person=analyst, delivery=Delivery.DAILY_DIGEST)
    budget = DatasetFactory(title="Fire budget", department=city["fire"])

    record("fail")
    record(None, error="The file is empty.", on=budget)

    assert "analyst@example.gov" not in recipients(mail.outbox), "digest people get no immediate email"
    assert QualityNotification.objects.filter(person=analyst, sent_at__isnull=True).count() == 2
    mail.outbox.clear()

    tomorrow = timezone.localtime(timezone.now(), CITY).date() + datetime.timedelta(days=1)
    early = datetime.datetime.combine(tomorrow, datetime.time(6, 30), tzinfo=CITY)
    assert digest_send_all(by=None, now=early) == 0, "not before the digest hour"

    morning = datetime.datetime.combine(tomorrow, datetime.time(7, 5), tzinfo=CITY)
    assert digest_send_all(by=None, now=morning) == 1
    [digest] = mail.outbox
    assert digest.to == ["analyst@example.gov"]
    assert digest.subject == "[RivertonStat] Data quality: 2 datasets started failing"
    assert "Calls for service (Police)" in digest.body and "Fire budget (Fire)" in digest.body
    assert "The file is empty." in digest.body
    assert f"https://stat.example.gov/inventory/datasets/{budget.pk}/" in digest.body
    assert not QualityNotification.objects.filter(person=analyst, sent_at__isnull=True).exists()

    # Later that day another dataset breaks: it waits for tomorrow's digest.
    parks = DatasetFactory(title="Trees", department=city["parks"])
    record("fail", on=parks)
    assert digest_send_all(by=None, now=morning + datetime.timedelta(hours=5)) == 0
    assert digest_send_all(by=None, now=morning + datetime.timedelta(days=1)) == 1
    assert "Trees (Parks & Recreation)" in mail.outbox[-1].body


def test_sending_a_notification_twice_sends_one_email(record, users):
    run = record("fail")
    mail.outbox.clear()
    notification = QualityNotification.objects.filter(run=run).first()
    assert notification_send(by=None, notification_id=notification.pk) is False
    QualityNotification.objects.filter(pk=notification.pk).update(sent_at=None)
    assert notification_send(by=None, notification_id=notification.pk) is True
    assert notification_send(by=None, notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_history_recorded_with_notify_off_tells_nobody(dataset, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_record(by=None, dataset=dataset, slot=timezone.now(), result=result("fail"), notify=False)
    assert mail.outbox == []
    assert not QualityNotification.objects.exists()


def test_a_preference_must_be_one_of_the_choices(users):
    analyst = Person.objects.get(user=users["stat_analyst"])
    with pytest.raises(ValidationError):
        preference_set(by=None, person=analyst, delivery="weekly")
    assert preference_set(by=None, person=analyst, delivery=Delivery.DAILY_DIGEST).delivery == "daily"
    assert preference_set(by=None, person=analyst, delivery=Delivery.IMMEDIATE).delivery == "immediate"
    assert Person.objects.get(pk=analyst.pk).quality_notification_preference.delivery == "immediate"
