"""The forms a city employee uses every week (issue 14), in the browser: the steward list follows the department as
it is chosen, the discovery questionnaire keeps the person's place from one answer to the next, and each page,
in the state the user leaves it, passes axe."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def steward_names(page) -> list[str]:
    return page.locator("#id_contact option").all_inner_texts()


def test_the_steward_list_follows_the_department_chosen(page, open_as, personas, city):
    from team.models import Person, Role
    from tests.factories import person_with_login

    person_with_login(Role.DEPARTMENT_CONTACT, username="fire@example.gov", department=city["fire"], full_name="Fay")
    police_contact = Person.objects.get(user=personas["police_contact"]).full_name
    assert open_as(page, "stat_analyst", reverse("inventory:dataset_create")).status == 200
    assert "Fay" in steward_names(page) and police_contact in steward_names(page)  # none chosen yet: everyone

    page.locator("#id_department").select_option(label="Fire")
    expect(page.locator("#id_contact option")).to_have_count(2)
    assert steward_names(page) == ["- No steward yet -", "Fay"]
    expect(page.locator("#steward-status")).to_have_text("The steward list now offers Fire’s department contacts.")
    expect(page.locator("#id_contact_hint")).to_contain_text("Fire’s department contacts")
    page.locator("#id_contact").select_option(label="Fay")

    page.locator("#id_department").select_option(label="Parks & Recreation")
    expect(page.locator("#steward-status")).to_contain_text("Parks & Recreation’s department contacts")
    assert page.locator("#id_contact").input_value() == ""  # Fay is no Parks contact: not kept
    assert_accessible(page)


def test_the_discovery_questionnaire_keeps_the_persons_place(page, open_as, personas, city):
    from team.models import Person

    chief = Person.objects.get(user=personas["police_lead"])
    path = reverse("inventory:discovery_department", args=[city["police"].slug])
    assert open_as(page, "police_contact", path).status == 200
    form = page.locator("#question-1 #answer-form")
    expect(form.get_by_role("heading")).to_have_text("Record an answer to question 1")
    respondent = form.get_by_label("Who answered")
    # The department's own people come first.
    assert respondent.locator("optgroup").first.get_attribute("label") == "Police’s people"
    respondent.select_option(value=str(chief.pk))
    form.locator('textarea[name="answer"]').fill("The JAG grant, every quarter.")
    with page.expect_navigation():
        form.get_by_role("button", name="Record the answer to question 1").click()

    answered = page.locator("#question-1")
    expect(answered.get_by_role("status")).to_have_text("Recorded Police’s answer to question 1.")
    expect(answered).to_contain_text("The JAG grant, every quarter.")
    # The page is back at the question answered, not at its top...
    assert page.evaluate("scrollY") > 0
    top = answered.evaluate("section => section.getBoundingClientRect().top")
    assert abs(top) < 5
    # ...with the form under the next question, the respondent kept.
    following = page.locator("#question-2 #answer-form")
    expect(following.get_by_role("heading")).to_have_text("Record an answer to question 2")
    assert following.get_by_label("Who answered").input_value() == str(chief.pk)
    assert_accessible(page)


def test_the_priority_ranking_chosen_by_its_radios(page, open_as, personas, city):
    from tests.inventory.factories import DatasetFactory

    DatasetFactory(identifier="axe-todo", title="Still to do", department=city["police"], critical_to_decisions=True)
    DatasetFactory(identifier="axe-done", title="Already out", department=city["police"], published=True)
    assert open_as(page, "stat_analyst", reverse("inventory:priority")).status == 200
    ranking = page.locator("#ranking")
    expect(ranking).to_contain_text("Still to do")
    expect(ranking).not_to_contain_text("Already out")
    page.locator("label", has_text="Every dataset").click()  # USWDS draws the radio on its label
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(ranking).to_contain_text("Already out")
    expect(page.get_by_role("heading", name="The top 20 datasets", exact=True)).to_be_visible()
    assert_accessible(page)
