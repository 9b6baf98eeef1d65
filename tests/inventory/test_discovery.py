"""The discovery questionnaire: the list of departments, a department's answers, recording answers, and candidate
datasets created from an answer."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory.models import AccessLevel, Dataset, DiscoveryAnswer, DiscoveryQuestion, Status
from inventory.services.discovery import (
    CANDIDATE_RIGHTS,
    department_questionnaire,
    discovery_answer_record,
    discovery_candidate_create,
)
from team.models import Role
from tests.conftest import PERSONAS
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.inventory.factories import InitiativeFactory
from tests.pages import assert_login_redirect, client_for, parse, text_of

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
        # Back to the question answered, with the form under the next one, the same date and no respondent.
        assert response["Location"] == f"{POLICE}?recorded=7&answered_on=2026-04-01&question=8#question-7"
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


# --- keeping the person's place ----------------------------------------------------------------------------------


def test_the_form_sits_under_the_first_question_without_an_answer(as_persona, city):
    answer(city["police"], DiscoveryQuestion.GRANTS)
    page = parse(as_persona("police_contact").get(POLICE))
    form = page.find("div", id="answer-form")
    assert form.closest("section").attrs["id"] == "question-2"
    assert form.find("h3").text == "Record an answer to question 2"
    assert form.find("input", name="question").attrs["value"] == "2"
    # Every other question links to the form under it.
    links = [a.attrs["href"] for a in page.find_all("a") if a.attrs.get("href", "").endswith("#answer-form")]
    assert links == [f"?question={n}#answer-form" for n in (1, 3, 4, 5, 6, 7, 8)]


def test_the_form_goes_under_the_question_asked_for(as_persona, city):
    page = parse(as_persona("stat_analyst").get(POLICE, {"question": "5"}))
    form = page.find("div", id="answer-form")
    assert form.closest("section").attrs["id"] == "question-5"
    assert form.find("form").attrs["action"] == "?question=5#answer-form"
    # A question that is not one of the eight: the first without an answer.
    page = parse(as_persona("stat_analyst").get(POLICE, {"question": "42"}))
    assert page.find("div", id="answer-form").closest("section").attrs["id"] == "question-1"


def test_when_every_question_has_an_answer_each_offers_a_new_one(as_persona, city):
    for question in DiscoveryQuestion:
        answer(city["police"], question, f"Answer {question.value}")
    page = parse(as_persona("stat_analyst").get(POLICE))
    assert page.find("div", id="answer-form") is None
    assert text_of(as_persona("stat_analyst").get(POLICE)).count("Record a new answer") == 8


def test_after_an_answer_the_page_returns_to_it_with_the_next_question_ready(as_persona, city, users):
    """The person recording an interview goes question by question: the page comes back to the answer just
    recorded, says so there, and has the form under the next question without an answer, with the same respondent
    and date."""
    answer(city["police"], DiscoveryQuestion.LEGISLATIVE)  # question 3 already has an answer
    chief = users["police_lead"].person
    client = as_persona("police_contact")
    response = client.post(
        f"{POLICE}?question=2",
        answer_post(question="2", answer="The records system.", respondent=str(chief.pk), answered_on="2026-04-01"),
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"{POLICE}?recorded=2&answered_on=2026-04-01&question=4&respondent={chief.pk}#question-2"
    )
    page = parse(client.get(response["Location"]))
    answered = page.find("section", id="question-2")
    assert "Recorded Police’s answer to question 2." in answered.find("div", role="status").text
    assert "The records system." in answered.text
    form = page.find("div", id="answer-form")
    assert form.closest("section").attrs["id"] == "question-4"
    assert form.find("option", value=str(chief.pk)).attrs.get("selected") is not None
    assert form.find("input", name="answered_on").attrs["value"] == "2026-04-01"


def test_after_the_last_unanswered_question_the_form_moves_on_or_closes(as_persona, city):
    for question in DiscoveryQuestion:
        if question != DiscoveryQuestion.INITIATIVE:
            answer(city["police"], question)
    client = as_persona("stat_analyst")
    last = client.post(POLICE, answer_post(question="8"))
    assert last["Location"] == f"{POLICE}?recorded=8&answered_on=2026-04-01#question-8"
    again = client.post(POLICE, answer_post(question="3"))
    assert again["Location"] == f"{POLICE}?recorded=3&answered_on=2026-04-01&question=4#question-3"


def test_a_bad_date_or_respondent_in_the_address_is_ignored(as_persona, city):
    response = as_persona("stat_analyst").get(POLICE, {"answered_on": "2026-02-30", "respondent": "x"})
    form = parse(response).find("div", id="answer-form")
    assert form.find("input", name="answered_on").attrs["value"] == timezone.localdate().isoformat()
    assert form.find("option", value="").attrs.get("selected") is not None


def test_an_invalid_answer_comes_back_under_its_question(as_persona, city):
    response = as_persona("stat_analyst").post(f"{POLICE}?question=6", answer_post(question="6", answer=" "))
    assert response.status_code == 200
    form = parse(response).find("div", id="answer-form")
    assert form.closest("section").attrs["id"] == "question-6"
    assert "There is a problem" in form.text
    assert not DiscoveryAnswer.objects.exists()


# --- who answered ------------------------------------------------------------------------------------------------


def test_the_departments_own_people_are_offered_first(as_persona, city, users):
    """Police's people (its department's staff and whoever holds a role in it) come first, then everyone else."""
    consultant = PersonFactory(full_name="Aaron Consultant", title="Adviser")
    RoleAssignmentFactory(person=consultant, role=Role.DEPARTMENT_CONTACT, department=city["police"])
    PersonFactory(full_name="Former Officer", department=city["police"], active=False)
    PersonFactory(full_name="Gone Elsewhere", department=city["fire"], active=False)
    select = parse(as_persona("stat_analyst").get(POLICE)).find("select", name="respondent")
    groups = {group.attrs["label"]: [o.text for o in group.find_all("option")] for group in select.find_all("optgroup")}
    assert list(groups) == ["Police’s people", "Everyone else"]
    assert groups["Police’s people"][0] == "Aaron Consultant, Adviser"  # each with their title
    names = {label: [text.split(",")[0] for text in texts] for label, texts in groups.items()}
    assert names["Police’s people"] == ["Aaron Consultant", "Dana Data", "Former Officer", "Pat Chief"]
    assert "Park Ranger" in names["Everyone else"] and "Stella Lead" in names["Everyone else"]
    assert "Gone Elsewhere" not in select.text


def test_anyone_offered_may_be_the_respondent_and_no_one_else(as_persona, city, users):
    client = as_persona("stat_analyst")
    ranger = users["parks_contact"].person
    assert client.post(POLICE, answer_post(respondent=str(ranger.pk))).status_code == 302
    assert DiscoveryAnswer.objects.get().respondent == ranger
    gone = PersonFactory(full_name="Gone Elsewhere", department=city["fire"], active=False)
    response = client.post(POLICE, answer_post(respondent=str(gone.pk)))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"respondent"}
    assert DiscoveryAnswer.objects.count() == 1
