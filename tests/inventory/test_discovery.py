"""The discovery questionnaire: the list of departments, a department's answers, recording answers, and candidate
datasets created from an answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from inventory.models import AccessLevel, Dataset, DiscoveryAnswer, DiscoveryQuestion, Status
from inventory.services.discovery import (
    CANDIDATE_RIGHTS,
    department_questionnaire,
    discovery_answer_record,
    discovery_candidate_create,
)
from tests.conftest import PERSONAS
from tests.inventory.factories import InitiativeFactory
from tests.pages import assert_login_redirect, client_for, text_of

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "no_role"]
LIST = "/inventory/discovery/"
POLICE = "/inventory/discovery/police/"
#: Who sees the Police answers: program staff and Police's own lead and contact.
POLICE_READERS = ("principal", "stat_lead", "stat_analyst", "police_lead", "police_contact")
#: Who records Police answers: the Stat lead and analysts, and Police's own lead and contact (not the principal).
POLICE_ANSWERERS = ("stat_lead", "stat_analyst", "police_lead", "police_contact")
#: Who turns a Police answer into a candidate dataset: whoever may add Police datasets.
POLICE_CREATORS = ("stat_lead", "stat_analyst", "police_contact")


def answer(department, question=DiscoveryQuestion.GRANTS, text="We report on the JAG grant.", **kwargs):
    return discovery_answer_record(
        by=None,
        department=department,
        question=question,
        answer=text,
        respondent=kwargs.pop("respondent", None),
        answered_on=kwargs.pop("answered_on", datetime.date(2026, 3, 2)),
    )


def state() -> tuple:
    return (
        list(DiscoveryAnswer.objects.order_by("pk").values()),
        list(Dataset.objects.order_by("pk").values()),
    )


def answer_post(**overrides) -> dict:
    data = {"question": "7", "answer": "Crime maps and arrest counts.", "respondent": "", "answered_on": "2026-04-01"}
    data.update(overrides)
    return data


# --- who may -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_list_is_for_program_staff_and_department_leads_and_contacts(persona, as_persona, city):
    response = client_for(persona, as_persona).get(LIST)
    if persona == "anonymous":
        assert_login_redirect(response, LIST)
        return
    allowed = (*POLICE_READERS, "parks_contact")
    assert response.status_code == (200 if persona in allowed else 403)
    if persona == "police_lead":
        names = [d.name for d in response.context["departments"]]
        assert names == ["Police"]


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_department_page_is_for_program_staff_and_its_own_people(persona, as_persona, city):
    """Anyone else gets a 404, as for a department that does not exist: not a 403 that says it is there."""
    response = client_for(persona, as_persona).get(POLICE)
    if persona == "anonymous":
        assert_login_redirect(response, POLICE)
    else:
        assert response.status_code == (200 if persona in POLICE_READERS else 404)


@pytest.mark.parametrize("persona", EVERYONE)
def test_recording_an_answer(persona, as_persona, city):
    client = client_for(persona, as_persona)
    before = state()
    response = client.post(POLICE, answer_post())
    if persona == "anonymous":
        assert_login_redirect(response, POLICE)
    elif persona in POLICE_ANSWERERS:
        assert response.status_code == 302
        assert response["Location"] == f"{POLICE}#question-7"
        recorded = DiscoveryAnswer.objects.get()
        assert (recorded.department, recorded.question, recorded.answered_on) == (
            city["police"],
            7,
            datetime.date(2026, 4, 1),
        )
        return
    else:
        # 403 for a reader who may not answer (the principal), 404 for anyone who may not even see the answers.
        assert response.status_code == (403 if persona in POLICE_READERS else 404)
    assert state() == before


@pytest.mark.parametrize("persona", EVERYONE)
def test_creating_a_candidate(persona, as_persona, city):
    source = answer(city["police"])
    path = reverse("inventory:discovery_candidate", args=[source.pk])
    client = client_for(persona, as_persona)
    before = state()
    response = client.post(path, {"title": "JAG grant performance measures"})
    if persona == "anonymous":
        assert_login_redirect(response, path)
    elif persona in POLICE_CREATORS:
        assert response.status_code == 302
        assert Dataset.objects.get().discovered_from == source
        return
    else:
        # 403 for a reader of the answer who may not add datasets there, 404 for anyone who may not see it.
        assert response.status_code == (403 if persona in POLICE_READERS else 404)
    assert state() == before


def test_wrong_methods_and_missing_things(as_persona, city):
    client = as_persona("stat_analyst")
    source = answer(city["police"])
    assert client.put(POLICE).status_code == 405
    assert client.post(LIST).status_code == 405
    assert client.get(reverse("inventory:discovery_candidate", args=[source.pk])).status_code == 405
    assert client.get("/inventory/discovery/no-such-department/").status_code == 404
    assert client.post(reverse("inventory:discovery_candidate", args=[99999]), {"title": "X"}).status_code == 404


def test_another_departments_contact_may_not_answer_or_create_for_police(as_persona, city):
    source = answer(city["police"])
    client = as_persona("parks_contact")
    before = state()
    assert client.post(POLICE, answer_post()).status_code == 404
    path = reverse("inventory:discovery_candidate", args=[source.pk])
    assert client.post(path, {"title": "Sneaky"}).status_code == 404
    assert state() == before
    assert client.get("/inventory/discovery/parks/").status_code == 200


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_list_shows_how_far_each_department_is(as_persona, city):
    for question in DiscoveryQuestion:
        answer(city["police"], question, f"Answer {question.value}")
    answer(city["police"], DiscoveryQuestion.GRANTS, "A newer answer", answered_on=datetime.date(2026, 5, 1))
    answer(city["fire"], DiscoveryQuestion.DATABASES, "We run the RMS.")
    response = as_persona("stat_analyst").get(LIST)
    rows = {d.name: d for d in response.context["departments"]}
    assert rows["Police"].questions_answered == 8
    assert rows["Police"].last_answered == datetime.date(2026, 5, 1)
    assert rows["Fire"].questions_answered == 1
    assert rows["Parks & Recreation"].questions_answered == 0
    text = text_of(response)
    assert "8 of 8" in text and "Complete" in text and "In progress" in text and "Not started" in text


def test_the_department_page_shows_the_latest_answer_and_keeps_the_earlier(as_persona, city, users):
    respondent = users["police_lead"].person
    answer(city["police"], DiscoveryQuestion.GRANTS, "Old: the JAG grant.", answered_on=datetime.date(2025, 1, 5))
    answer(
        city["police"],
        DiscoveryQuestion.GRANTS,
        "New: JAG and COPS grants.",
        respondent=respondent,
        answered_on=datetime.date(2026, 2, 3),
    )
    response = as_persona("police_contact").get(POLICE)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) == 8
    grants = entries[0]
    assert grants.latest.answer == "New: JAG and COPS grants."
    assert [a.answer for a in grants.earlier] == ["Old: the JAG grant."]
    text = text_of(response)
    assert f"Answered 3 February 2026 by {respondent.full_name}" in text
    assert "superseded" in text
    assert "Not answered yet." in text
    assert "Record an answer" in text
    assert "Create candidate dataset" in text  # the Police contact may add Police datasets


def test_the_principal_reads_but_does_not_answer(as_persona, city):
    answer(city["police"])
    text = text_of(as_persona("principal").get(POLICE))
    assert "We report on the JAG grant." in text
    assert "Record an answer" not in text
    assert "Create candidate dataset" not in text


def test_a_new_answer_never_overwrites_the_old(as_persona, city):
    old = answer(city["police"], DiscoveryQuestion.PUBLIC_REQUESTS, "Crime maps.")
    client = as_persona("stat_analyst")
    client.post(POLICE, answer_post(answer="Crime maps and body-camera footage.", answered_on="2026-06-01"))
    old.refresh_from_db()
    assert old.answer == "Crime maps."
    assert DiscoveryAnswer.objects.filter(question=7).count() == 2
    new = DiscoveryAnswer.objects.exclude(pk=old.pk).get()
    assert new.recorded_by.username == "analyst@example.gov"


def test_an_invalid_answer_is_shown_with_its_errors(as_persona, city):
    response = as_persona("stat_analyst").post(POLICE, answer_post(answer="  ", question="9", answered_on="soon"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"answer", "question", "answered_on"}
    assert "There are 3 problems" in text_of(response)
    assert not DiscoveryAnswer.objects.exists()


# --- candidate datasets ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "flags"),
    [
        (DiscoveryQuestion.GRANTS, {"grant_reporting"}),
        (DiscoveryQuestion.DATABASES, set()),
        (DiscoveryQuestion.LEGISLATIVE, {"legislative_reporting"}),
        (DiscoveryQuestion.STRATEGIC_PLAN, set()),
        (DiscoveryQuestion.OVERSIGHT, {"legislative_reporting"}),
        (DiscoveryQuestion.PERFORMANCE_BUDGETING, {"performance_budgeting"}),
        (DiscoveryQuestion.PUBLIC_REQUESTS, {"public_demand"}),
        (DiscoveryQuestion.INITIATIVE, set()),
    ],
)
def test_a_candidate_carries_what_its_question_implies(city, users, question, flags):
    source = answer(city["fire"], question, "Something we keep.")
    dataset = discovery_candidate_create(answer=source, title="  Fire   inspections ", by=users["stat_analyst"])
    assert dataset.title == "Fire inspections"
    assert dataset.status == Status.IDENTIFIED
    assert dataset.department == city["fire"]
    assert dataset.discovered_from == source
    assert dataset.access_level == AccessLevel.NON_PUBLIC
    assert dataset.rights == CANDIDATE_RIGHTS
    assert dataset.identifier.startswith("fd-fire-inspections-")
    assert "Something we keep." in dataset.description
    all_flags = {"critical_to_decisions", "public_demand", "grant_reporting", "legislative_reporting"}
    all_flags |= {"performance_budgeting", "sensitive", "ready"}
    assert {flag for flag in all_flags if getattr(dataset, flag)} == flags
    assert dataset.created_by == users["stat_analyst"]


def test_an_initiative_answer_links_the_initiatives_it_names(city):
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    InitiativeFactory(name="BlightStat", slug="blightstat")
    source = answer(city["police"], DiscoveryQuestion.INITIATIVE, "Everything we track feeds CompStat weekly.")
    dataset = discovery_candidate_create(by=None, answer=source, title="Weekly crime counts")
    assert list(dataset.initiatives.all()) == [compstat]


def test_creating_a_candidate_from_the_page(as_persona, city):
    source = answer(city["police"], DiscoveryQuestion.PUBLIC_REQUESTS, "Crime maps.")
    client = as_persona("stat_analyst")
    response = client.post(
        reverse("inventory:discovery_candidate", args=[source.pk]), {"title": "Crime map extract"}, follow=True
    )
    assert "Added “Crime map extract” to the inventory" in text_of(response)
    assert "Candidate datasets from this answer" in text_of(response)
    dataset = Dataset.objects.get()
    assert dataset.public_demand is True
    entries = department_questionnaire(city["police"])
    assert list(entries[6].latest.candidate_datasets.all()) == [dataset]


def test_a_candidate_needs_a_title(as_persona, city):
    source = answer(city["police"])
    response = as_persona("stat_analyst").post(
        reverse("inventory:discovery_candidate", args=[source.pk]), {"title": "   "}, follow=True
    )
    assert "Give the candidate dataset a title" in text_of(response)
    assert not Dataset.objects.exists()


def test_the_department_page_costs_a_fixed_number_of_queries(as_persona, city, django_assert_max_num_queries):
    for question in DiscoveryQuestion:
        for n in range(3):
            source = answer(city["police"], question, f"Answer {n}", answered_on=datetime.date(2026, 1, n + 1))
            discovery_candidate_create(by=None, answer=source, title=f"Candidate {question.value}-{n}")
    client = as_persona("stat_analyst")
    with django_assert_max_num_queries(15):
        assert client.get(POLICE).status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(as_persona, city, django_assert_max_num_queries):
    for department in (city["police"], city["fire"], city["parks"]):
        for question in DiscoveryQuestion:
            answer(department, question, "Yes.")
    client = as_persona("stat_analyst")
    with django_assert_max_num_queries(8):
        assert client.get(LIST).status_code == 200
