"""Example rows are the dataset's data: who sees their values, through every way they leave the app (the dataset
page's quality panel, a run's page, the status partial, the emails and the admin).

Police's Criminal History is not public: its example values are for the Stat team, Police's lead, contacts and the
dataset's steward, and the data experts assigned to Police; every other quality reader (a seat at the table, another
department's contact, an unassigned data expert, the portfolio's budget analyst) sees the checks, their counts and
line numbers only. Its ``full_name`` column is marked personal in the data dictionary: hidden from all but the Stat
team and Police, even were the dataset public.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory

from quality.access import can_read_example_values, can_read_sensitive_values
from quality.admin import CheckResultInline
from quality.emails import send_digest_email, send_failing_email
from quality.models import QualityNotification, QualityRun
from team.access import actor_for
from team.models import Person, Role, RoleAssignment
from tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory, person_with_login
from tests.inventory.factories import DataFieldFactory, DatasetFactory, PublicDatasetFactory
from tests.pages import text_of

from .factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory

CHARGE = "FELONY-X"  # a value of an ordinary column
NAME = "Johnny Doe"  # a value of the personal column
LINE = "12,Jane Roe,THEFT,extra"  # a whole line of the file (a ragged row): every column, the personal one too

#: Who sees what of a dataset that is not public.
EVERYTHING = ["principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "steward"]
ALL_BUT_PERSONAL = ["police_expert"]
NO_VALUES = ["parks_contact", "data_expert", "budget_analyst", "chief_of_staff"]
READERS = EVERYTHING + ALL_BUT_PERSONAL + NO_VALUES


@pytest.fixture
def people(users, city):
    """The personas, and: the dataset's steward (a data expert of no department: without the stewardship they would
    see no values), a data expert assigned to Police, and a seat at the table."""
    steward = person_with_login(Role.DATA_EXPERT, username="steward@example.gov", full_name="Sam Steward")
    police_expert = person_with_login(username="pdexpert@example.gov", full_name="Pia Expert")
    RoleAssignmentFactory(person=police_expert.person, role=Role.DATA_EXPERT, department=city["police"])
    chief = person_with_login(Role.CHIEF_OF_STAFF, username="cos@example.gov", full_name="Cole Staff")
    return {**users, "steward": steward, "police_expert": police_expert, "chief_of_staff": chief}


def _history(dataset_factory, city, people) -> QualityRun:
    dataset = dataset_factory(title="Criminal History", department=city["police"], contact=people["steward"].person)
    DataFieldFactory(dataset=dataset, name="charge")
    DataFieldFactory(dataset=dataset, name="Full_Name", sensitive=True)
    run = QualityRunFactory(dataset=dataset, outcome="fail", score=40)
    CheckResultFactory(
        run=run,
        position=0,
        name="enum",
        column="charge",
        status="fail",
        value=1,
        message="1 value is not among the allowed values.",
        examples=[{"row": 7, "column": "charge", "value": CHARGE}],
    )
    CheckResultFactory(
        run=run,
        position=1,
        name="pattern",
        column="full_name",
        status="fail",
        value=1,
        message="1 value does not match the pattern.",
        examples=[{"row": 9, "column": "full_name", "value": NAME}],
    )
    CheckResultFactory(
        run=run,
        position=2,
        name="ragged_rows",
        status="error",
        value=1,
        message="Ragged rows: 1 row has more fields than the header's 3 columns.",
        examples=[{"row": 12, "column": "", "value": LINE}],
    )
    CheckResultFactory(
        run=run,
        position=3,
        name="duplicate_rows",
        status="warn",
        value=1,
        message="1 row repeats an earlier row exactly.",
        examples=[{"row": 20, "column": "", "value": "same as row 3"}],
    )
    DatasetQualityFactory(run=run)
    return run


@pytest.fixture
def history(city, people) -> QualityRun:
    """Criminal History, not public, its latest run failing with examples of each kind."""
    return _history(DatasetFactory, city, people)


@pytest.fixture
def public_history(city, people) -> QualityRun:
    """The same, were the dataset public."""
    return _history(PublicDatasetFactory, city, people)


def client(people, name: str):
    from django.test import Client

    c = Client()
    c.force_login(people[name])
    return c


def assert_sees(text: str, *, values: bool, personal: bool, email: bool = False) -> None:
    """The page or email ``text`` shows the line numbers always, and the values as the reader may see them."""
    assert ("row 7" if email else "Row 7") in text
    assert ("row 9" if email else "Row 9") in text
    assert ("row 12" if email else "Row 12") in text
    if not email:  # emails list the failing checks, not the warnings
        assert "same as row 3" in text  # a reference to another line, never data
    assert (CHARGE in text) is values
    assert (NAME in text) is personal
    assert ("Jane Roe" in text) is personal
    if not (values and personal):
        assert "value not shown to you" in text


def expected(name: str, *, public: bool = False) -> dict[str, bool]:
    if name in EVERYTHING:
        return {"values": True, "personal": True}
    return {"values": public or name in ALL_BUT_PERSONAL, "personal": False}


# --- the rule ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_who_reads_the_values_of_a_dataset_that_is_not_public(people, history, name):
    actor = actor_for(people[name])
    assert can_read_example_values(actor, history.dataset) is expected(name)["values"]
    assert can_read_sensitive_values(actor, history.dataset) is expected(name)["personal"]


@pytest.mark.parametrize("name", READERS)
def test_on_a_public_dataset_everyone_reads_the_values_but_personal_columns_stay_hidden(people, public_history, name):
    actor = actor_for(people[name])
    assert can_read_example_values(actor, public_history.dataset)
    assert can_read_sensitive_values(actor, public_history.dataset) is expected(name, public=True)["personal"]


def test_a_published_dataset_whose_access_level_is_not_public_is_not_public(people, city):
    dataset = DatasetFactory(department=city["police"], published=True)
    assert not can_read_example_values(actor_for(people["parks_contact"]), dataset)


def test_a_department_lead_of_another_department_reads_no_values(people, city, history):
    parks_lead = person_with_login(Role.DEPARTMENT_LEAD, username="parks-lead@example.gov", department=city["parks"])
    assert not can_read_example_values(actor_for(parks_lead), history.dataset)


# --- the pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", READERS)
def test_the_dataset_pages_quality_panel_shows_values_to_those_who_read_the_data(people, history, name):
    response = client(people, name).get(history.dataset.get_absolute_url())
    assert response.status_code == 200
    assert "Criminal History" in text_of(response) and "Data quality" in text_of(response)
    assert_sees(text_of(response), **expected(name))


@pytest.mark.parametrize("name", READERS)
def test_the_run_page_shows_values_to_those_who_read_the_data(people, history, name):
    response = client(people, name).get(f"/quality/runs/{history.pk}/")
    assert response.status_code == 200
    assert_sees(text_of(response), **expected(name))


@pytest.mark.parametrize("name", READERS)
def test_on_a_public_dataset_the_pages_hide_only_the_personal_column(people, public_history, name):
    for path in (public_history.dataset.get_absolute_url(), f"/quality/runs/{public_history.pk}/"):
        response = client(people, name).get(path)
        assert response.status_code == 200
        assert_sees(text_of(response), **expected(name, public=True))


@pytest.mark.parametrize("name", ["stat_analyst", "police_expert", "parks_contact"])
def test_the_status_answer_shows_values_as_the_panel_it_updates_does(people, history, name):
    """Once the check has finished, the status answer carries the panel's checks to swap in place: their values are
    shown as far as the reader may read them, as on the dataset page itself."""
    response = client(people, name).get(
        f"/quality/datasets/{history.dataset.pk}/status/?run={history.pk}", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Check finished" in text
    assert_sees(text, **expected(name))


def test_a_whole_line_is_shown_when_no_column_is_personal(people, city):
    run = _history(DatasetFactory, city, people)
    run.dataset.fields.update(sensitive=False)
    text = text_of(client(people, "police_expert").get(f"/quality/runs/{run.pk}/"))
    assert LINE in text and NAME in text


def test_the_steward_without_the_stewardship_sees_no_values(people, history):
    history.dataset.contact = None
    history.dataset.save(update_fields=["contact"])
    assert_sees(text_of(client(people, "steward").get(f"/quality/runs/{history.pk}/")), values=False, personal=False)


# --- the emails, per recipient -------------------------------------------------------------------------------------


def _email_to(person: Person, run: QualityRun) -> str:
    mail.outbox.clear()
    notification = QualityNotification.objects.create(person=person, run=run)
    assert send_failing_email(notification)
    (message,) = mail.outbox
    return message.body


@pytest.mark.parametrize("name", READERS)
def test_the_failing_email_shows_each_recipient_what_they_may_read(people, history, name):
    body = _email_to(Person.objects.get(user=people[name]), history)
    assert_sees(body, **expected(name), email=True)


def test_a_steward_without_a_login_or_a_role_gets_the_values(people, history):
    steward = PersonFactory(full_name="Lou Login-less", email="lou@example.gov")
    history.dataset.contact = steward
    history.dataset.save(update_fields=["contact"])
    assert_sees(_email_to(steward, history), values=True, personal=True, email=True)


def test_a_contact_whose_role_ended_before_the_email_went_out_gets_no_values(people, history):
    contact = Person.objects.get(user=people["police_contact"])
    RoleAssignment.objects.filter(person=contact).update(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2024, 1, 1)
    )
    assert_sees(_email_to(contact, history), values=False, personal=False, email=True)


@pytest.mark.parametrize(
    ("name", "values", "personal"), [("police_contact", True, True), ("parks_contact", False, False)]
)
def test_the_digest_follows_the_same_rule(people, history, name, values, personal):
    person = Person.objects.get(user=people[name])
    notification = QualityNotification.objects.create(person=person, run=history)
    assert send_digest_email(person, [notification])
    (message,) = mail.outbox
    assert_sees(message.body, values=values, personal=personal, email=True)


# --- the admin -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "shown"), [("superuser", True), ("stat_lead", True), ("police_contact", True), ("parks_contact", False)]
)
def test_the_admin_lists_example_rows_only_to_those_who_see_all_the_data(people, history, who, shown):
    user = UserFactory(username="root@example.gov", is_superuser=True, is_staff=True) if who == "superuser" else None
    request = RequestFactory().get("/admin/")
    request.user = user or people[who]
    fields = CheckResultInline(QualityRun, admin.site).get_fields(request, history)
    assert ("examples" in fields) is shown
    assert "message" in fields
