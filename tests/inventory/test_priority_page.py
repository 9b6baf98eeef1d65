"""The prioritisation page: the weights (changed by the principal and Stat lead, read by analysts), the formula in
words, and the top datasets by score with their reasons."""

from __future__ import annotations

import pytest

from inventory.models import PriorityWeights
from inventory.services.priority import FACTOR_LABELS, formula_in_words, priority_ranking
from tests.conftest import PERSONAS
from tests.inventory.factories import DatasetFactory, InitiativeFactory
from tests.pages import assert_login_redirect, client_for, parse, text_of

pytestmark = pytest.mark.django_db

PATH = "/inventory/priority/"
EVERYONE = [*PERSONAS, "no_role"]
READERS = ("principal", "stat_lead", "stat_analyst")
CHANGERS = ("principal", "stat_lead")


def weights_post(**overrides) -> dict:
    weights = PriorityWeights.current()
    data = {factor: getattr(weights, factor) for factor in FACTOR_LABELS}
    data.update(overrides)
    return {k: str(v) for k, v in data.items()}


def weights_state() -> list:
    return list(PriorityWeights.objects.values()) + [PriorityWeights.history.count()]


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_page_is_for_program_staff(persona, as_persona, city):
    response = client_for(persona, as_persona).get(PATH)
    if persona == "anonymous":
        assert_login_redirect(response, PATH)
    else:
        assert response.status_code == (200 if persona in READERS else 403)


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_the_principal_and_stat_lead_change_the_weights(persona, as_persona, city):
    PriorityWeights.current()
    before = weights_state()
    response = client_for(persona, as_persona).post(PATH, weights_post(grant_reporting=9))
    if persona == "anonymous":
        assert_login_redirect(response, PATH)
    elif persona in CHANGERS:
        assert response.status_code == 302 and response["Location"] == PATH
        assert PriorityWeights.current().grant_reporting == 9
        return
    else:
        assert response.status_code == 403
    assert weights_state() == before


def test_wrong_method(as_persona):
    assert as_persona("stat_lead").put(PATH).status_code == 405
    assert as_persona("stat_lead").delete(PATH).status_code == 405


def test_the_analyst_sees_the_weights_read_only(as_persona, city):
    response = as_persona("stat_analyst").get(PATH)
    text = text_of(response)
    assert "Save the weights" not in text
    assert "The principal or the Stat lead sets the weights." in text
    assert "Grant reporting: adds 2 points" in text
    assert all(field.field.disabled for field in response.context["form"])


def test_the_formula_in_plain_words(city):
    weights = PriorityWeights.current()
    weights.ready, weights.sensitive, weights.grant_reporting = 1, -3, 0
    lines = formula_in_words(weights)
    assert "Ready to bring in: adds 1 point" in lines
    assert "Sensitive (harder to publish): takes away 3 points" in lines
    assert "Grant reporting: counts for nothing" in lines
    assert len(lines) == len(FACTOR_LABELS)


def test_out_of_range_weights_are_refused_with_errors(as_persona, city):
    PriorityWeights.current()
    before = weights_state()
    response = as_persona("stat_lead").post(PATH, weights_post(ready=99, sensitive="lots"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"ready", "sensitive"}
    assert "There are 2 problems" in text_of(response)
    assert weights_state() == before


def test_changing_a_weight_reorders_the_ranking(as_persona, city):
    grant = DatasetFactory(identifier="grant", title="A grant report", grant_reporting=True)
    demand = DatasetFactory(identifier="demand", title="B public demand", public_demand=True)
    plain = DatasetFactory(identifier="plain", title="C nothing declared")
    client = as_persona("stat_lead")

    ranking = client.get(PATH).context["ranking"]
    assert [d.identifier for d in ranking] == ["demand", "grant", "plain"]  # 3 > 2 > 0
    assert [d.priority_score for d in ranking] == [3, 2, 0]

    client.post(PATH, weights_post(grant_reporting=6))

    response = client.get(PATH)
    assert [d.identifier for d in response.context["ranking"]] == ["grant", "demand", "plain"]
    text = text_of(response)
    assert text.index("A grant report") < text.index("B public demand") < text.index("C nothing declared")
    assert "Grant reporting (+6)" in text
    assert "Nothing declared yet" in text
    assert plain.pk and grant.pk and demand.pk


def test_the_ranking_shows_the_top_twenty_with_reasons(as_persona, city, django_assert_max_num_queries):
    compstat = InitiativeFactory(name="CompStat", slug="compstat")
    for n in range(25):
        DatasetFactory(
            identifier=f"d{n:02d}",
            title=f"Dataset {n:02d}",
            sensitive=n % 2 == 0,
            initiatives=[compstat] if n < 3 else [],
        )
    weights = PriorityWeights.current()
    with django_assert_max_num_queries(3):
        ranking = priority_ranking(DatasetFactory._meta.model.objects.all(), weights)
    assert len(ranking) == 20
    assert [d.identifier for d in ranking[:3]] == ["d01", "d00", "d02"]  # initiative +4; d00 and d02 sensitive -1
    assert [r.factor for r in ranking[1].reasons] == ["sensitive", "initiative"]
    client = as_persona("stat_analyst")
    with django_assert_max_num_queries(10):
        response = client.get(PATH)
    assert "Tied to an initiative (+4)" in text_of(response)
    assert len(response.context["ranking"]) == 20


# --- which datasets are ranked ------------------------------------------------------------------------------------


def ranked(response) -> list[str]:
    return [d.identifier for d in response.context["ranking"]]


def test_the_ranking_is_of_the_datasets_still_to_bring_in_unless_asked_for_all(as_persona, city):
    """Published datasets (by their flag or their status) and retired ones are in; the rest are still to bring in."""
    DatasetFactory(identifier="todo", title="A still to do", critical_to_decisions=True)
    DatasetFactory(identifier="flagged", title="B published", critical_to_decisions=True, published=True)
    DatasetFactory(identifier="status", title="C published status", critical_to_decisions=True, status="published")
    DatasetFactory(identifier="retired", title="D retired", critical_to_decisions=True, status="retired")
    client = as_persona("stat_analyst")

    response = client.get(PATH)
    assert ranked(response) == ["todo"]
    text = text_of(response)
    assert "The top 20 datasets still to bring in" in text
    assert "B published" not in text

    everything = client.get(PATH, {"show": "all"})
    assert ranked(everything) == ["todo", "flagged", "status", "retired"]
    assert "The top 20 datasets" in text_of(everything)
    checked = parse(everything).find("input", id="ranking_show_1")
    assert checked.attrs.get("checked") is not None


def test_nothing_left_to_bring_in_says_so_and_offers_every_dataset(as_persona, city):
    DatasetFactory(identifier="done", title="Done", published=True)
    text = text_of(as_persona("stat_lead").get(PATH))
    assert "No dataset is left to bring in" in text
    assert "Rank every dataset" in text


def test_an_unknown_choice_is_explained_and_the_default_ranking_shown(as_persona, city):
    DatasetFactory(identifier="todo", title="A still to do")
    DatasetFactory(identifier="flagged", title="B published", published=True)
    response = as_persona("stat_analyst").get(PATH, {"show": "everything-ever"})
    assert response.status_code == 200
    assert ranked(response) == ["todo"]
    assert "Choose the datasets still to bring in or every dataset." in text_of(response)


def test_saving_the_weights_keeps_the_ranking_chosen(as_persona, city):
    PriorityWeights.current()
    client = as_persona("stat_lead")
    response = client.post(f"{PATH}?show=all", weights_post(grant_reporting=5))
    assert response.status_code == 302 and response["Location"] == f"{PATH}?show=all"
    assert client.post(PATH, weights_post(grant_reporting=4))["Location"] == PATH
