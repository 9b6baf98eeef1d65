"""The goals pages: who sees and does what (happy path, outsider 404, read-only 403, wrong method 405, a denied
request changes nothing), forms with clear errors, and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation
from tests.inventory.factories import DataFieldFactory, DatasetFactory
from tests.pages import parse

from .factories import (
    GoalFactory,
    MeasureFactory,
    MeasureTargetFactory,
    NarrativeFactory,
    ObservationFactory,
    upload_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_goal(city):
    return GoalFactory(statement="Cut crashes by 20%", departments=[city["police"]])


@pytest.fixture
def manual(police_goal, city):
    return MeasureFactory(goal=police_goal, department=city["police"], name="Crashes", slug="crashes", is_kpi=True)


@pytest.fixture
def computed(police_goal, city):
    dataset = DatasetFactory(identifier="pd-calls", title="Calls", department=city["police"])
    DataFieldFactory(dataset=dataset, name="received", type="date")
    upload_data(dataset, b"received\n2026-01-05\n2026-01-09\n2026-02-01\n")
    return MeasureFactory(
        goal=police_goal,
        department=city["police"],
        name="Calls",
        slug="calls",
        source_dataset=dataset,
        aggregation="count",
        date_column="received",
    )


def url(name, *args):
    return reverse(f"goals:{name}", args=args)


# --- reading -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("principal", 200),
        ("stat_lead", 200),
        ("stat_analyst", 200),
        ("police_lead", 200),
        ("police_contact", 200),
        ("budget_analyst", 200),
        ("data_expert", 200),
        ("parks_contact", 404),
    ],
)
def test_the_measure_page_per_role(as_persona, manual, persona, status):
    ObservationFactory(measure=manual, period=datetime.date(2026, 1, 1), value=90)
    response = as_persona(persona).get(url("measure", "crashes"))
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "January 2026: 90 crashes" in html and "On track" in html


def test_anonymous_visitors_are_sent_to_sign_in(as_persona, manual):
    for path in (url("index"), url("measure", "crashes"), url("goal", manual.goal_id)):
        response = as_persona("anonymous").get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_framework_lists_priorities_goals_and_the_measures_each_reader_may_read(as_persona, city, manual):
    parks_goal = GoalFactory(statement="Open every playground", departments=[city["parks"]])
    MeasureFactory(goal=parks_goal, department=city["parks"], name="Playgrounds open", slug="playgrounds")
    html = as_persona("stat_analyst").get(url("index")).content.decode()
    assert "Public safety" in html and "Cut crashes by 20%" in html and "Open every playground" in html
    assert "Add a goal" in html
    lead = as_persona("police_lead").get(url("index")).content.decode()
    assert "Cut crashes by 20%" in lead and "Playgrounds open" not in lead and "Add a goal" not in lead


def test_the_framework_costs_a_fixed_number_of_queries(as_persona, city, django_assert_max_num_queries):
    client = as_persona("stat_lead")
    client.get(url("index"))

    def add(n):
        for _ in range(n):
            goal = GoalFactory(departments=[city["police"], city["fire"]])
            for j in range(3):
                measure = MeasureFactory(goal=goal, department=city["police"], slug=f"m-{goal.pk}-{j}")
                MeasureTargetFactory(measure=measure, period=datetime.date(2026, 1, 1))
                for month in range(1, 4):
                    ObservationFactory(measure=measure, period=datetime.date(2026, month, 1))

    add(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url("index")).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("index")).status_code == 200
    assert len(many) == len(few)


def test_the_measure_page_costs_a_fixed_number_of_queries(as_persona, manual, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("police_lead")
    ObservationFactory(measure=manual, period=datetime.date(2025, 1, 1), recorded_by=users["police_contact"])
    with CaptureQueriesContext(connection) as few:
        client.get(url("measure", "crashes"))
    for month in range(1, 13):
        ObservationFactory(measure=manual, period=datetime.date(2024, month, 1), recorded_by=users["police_contact"])
        NarrativeFactory(measure=manual, period=datetime.date(2024, month, 1), author=users["police_lead"])
        MeasureTargetFactory(measure=manual, period=datetime.date(2024, month, 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("measure", "crashes"))
    assert response.status_code == 200 and len(many) == len(few)


def test_narratives_show_to_their_readers_only(as_persona, manual):
    ObservationFactory(measure=manual, period=datetime.date(2026, 1, 1))
    NarrativeFactory(measure=manual, period=datetime.date(2026, 1, 1), what_happened="Signals retimed.")
    assert "Signals retimed." in as_persona("police_contact").get(url("measure", "crashes")).content.decode()
    assert "Signals retimed." not in as_persona("data_expert").get(url("measure", "crashes")).content.decode()


def test_a_data_suspect_measure_says_so(as_persona, computed):
    from quality.models import DatasetQuality

    DatasetQuality.objects.create(dataset=computed.source_dataset, outcome="fail")
    html = as_persona("stat_lead").get(url("measure", "calls")).content.decode()
    assert "Data suspect" in html and "The data behind this measure is suspect" in html
    assert "Data suspect" in as_persona("stat_lead").get(url("index")).content.decode()


@pytest.mark.parametrize("name", ["index", "measure"])
def test_pages_refuse_other_methods(as_persona, manual, name):
    path = url(name, "crashes") if name == "measure" else url(name)
    assert as_persona("stat_lead").post(path).status_code == 405


# --- goals ---------------------------------------------------------------------------------------------------------


def goal_data(city, **overrides):
    from goals.models import Priority

    return {
        "priority": Priority.objects.get(slug="public-health").pk,
        "statement": "Cut overdoses by a third",
        "departments": [city["police"].pk, city["fire"].pk],
        "horizon": "intermediate",
        **overrides,
    }


@pytest.mark.parametrize("persona", ["principal", "stat_lead", "stat_analyst"])
def test_the_program_adds_and_edits_goals(as_persona, city, persona):
    client = as_persona(persona)
    assert client.get(url("goal_create")).status_code == 200
    response = client.post(url("goal_create"), goal_data(city))
    goal = Goal.objects.get(statement="Cut overdoses by a third")
    assert response.status_code == 302 and response["Location"] == goal.get_absolute_url()
    assert set(goal.departments.all()) == {city["police"], city["fire"]}
    client.post(url("goal_edit", goal.pk), goal_data(city, statement="Cut overdoses by half", bold="on"))
    goal.refresh_from_db()
    assert goal.statement == "Cut overdoses by half" and goal.bold


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", "data_expert"])
def test_others_may_not_define_goals(as_persona, city, police_goal, persona):
    client = as_persona(persona)
    assert client.get(url("goal_create")).status_code == 403
    assert client.post(url("goal_create"), goal_data(city)).status_code == 403
    # They read the goal (Police's, or all goals), so editing it is forbidden rather than not found.
    assert client.post(url("goal_edit", police_goal.pk), goal_data(city)).status_code == 403
    assert not Goal.objects.filter(statement="Cut overdoses by a third").exists()
    police_goal.refresh_from_db()
    assert police_goal.statement == "Cut crashes by 20%"


def test_an_outsider_gets_404_for_a_goal_it_may_not_read(as_persona, police_goal):
    assert as_persona("parks_contact").get(url("goal", police_goal.pk)).status_code == 404
    assert as_persona("parks_contact").post(url("goal_edit", police_goal.pk), {}).status_code == 404


def test_a_goal_page_does_not_name_a_parent_goal_the_reader_may_not_read(as_persona, city, police_goal):
    parks_goal = GoalFactory(statement="Open every playground", departments=[city["parks"]], parent=police_goal)
    parks = as_persona("parks_contact").get(url("goal", parks_goal.pk))
    assert parks.status_code == 200 and "Cut crashes by 20%" not in parks.content.decode()
    assert "Cut crashes by 20%" in as_persona("stat_analyst").get(url("goal", parks_goal.pk)).content.decode()
    parks_api = as_persona("parks_contact").get(f"/api/goals/{parks_goal.pk}/").json()
    assert parks_api["parent"] is None
    assert as_persona("stat_analyst").get(f"/api/goals/{parks_goal.pk}/").json()["parent"] == police_goal.pk


def test_the_goal_form_shows_errors_and_writes_nothing(as_persona, city):
    response = as_persona("stat_lead").post(url("goal_create"), goal_data(city, statement="", departments=[]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There are 2 problems" in html and "usa-error-message" in html
    assert not Goal.objects.exists()


def test_goal_edit_refuses_delete(as_persona, police_goal):
    assert as_persona("stat_lead").delete(url("goal_edit", police_goal.pk)).status_code == 405


# --- measures ------------------------------------------------------------------------------------------------------


def measure_data(city, **overrides):
    return {
        "name": "Overdoses",
        "description": "Overdoses reported to EMS.",
        "department": city["police"].pk,
        "type": "outcome",
        "unit": "overdoses",
        "direction": "down",
        "frequency": "monthly",
        "tolerance_percent": "10",
        **overrides,
    }


def test_the_program_adds_a_computed_measure_with_a_filter_and_a_condition(as_persona, city, police_goal, computed):
    client = as_persona("stat_analyst")
    assert client.get(url("measure_create", police_goal.pk)).status_code == 200
    response = client.post(
        url("measure_create", police_goal.pk),
        measure_data(
            city,
            source_dataset=computed.source_dataset.pk,
            aggregation="share",
            date_column="received",
            condition_column="received",
            condition_op=">=",
            condition_value="2026-01-07",
            filter_0_column="received",
            filter_0_op="not empty",
        ),
    )
    measure = Measure.objects.get(name="Overdoses")
    assert response.status_code == 302
    assert measure.condition == {"column": "received", "op": ">=", "value": "2026-01-07"}
    assert measure.filters == [{"column": "received", "op": "not empty", "value": ""}]


def test_a_computation_that_cannot_work_is_shown_by_its_inputs(as_persona, city, police_goal, computed):
    response = as_persona("stat_lead").post(
        url("measure_create", police_goal.pk),
        measure_data(
            city,
            source_dataset=computed.source_dataset.pk,
            aggregation="sum",
            date_column="opened",
            filter_0_column="ward",
            filter_0_op="=",
            filter_0_value="3",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "“opened” is not a column of “Calls” (its data dictionary lists: received)." in html
    assert "Name the column whose numbers the sum is taken of." in html
    assert "Filter 1: “ward” is not a column of “Calls”" in html
    assert 'id="id_date_column_error"' in html
    assert not Measure.objects.filter(name="Overdoses").exists()


def test_measure_edit_keeps_the_form_filled_and_saves(as_persona, city, computed):
    client = as_persona("stat_lead")
    html = client.get(url("measure_edit", "calls")).content.decode()
    assert 'value="received"' in html
    assert "The data dictionary of <strong>Calls</strong> lists:\n          <code>received</code>." in html
    response = client.post(
        url("measure_edit", "calls"),
        measure_data(
            city, name="Calls", source_dataset=computed.source_dataset.pk, aggregation="count", date_column="received"
        ),
    )
    assert response.status_code == 302
    computed.refresh_from_db()
    assert computed.unit == "overdoses"


def test_editing_a_measure_keeps_every_filter_it_has(as_persona, city, computed):
    """The API saves any number of filters; the page shows three empty rows for new ones. Editing a measure with
    more must show and keep them all (it dropped the fourth, and the values computed with it)."""
    rules = [{"column": "received", "op": "not empty", "value": ""}] + [
        {"column": "received", "op": "!=", "value": f"2020-01-0{n}"} for n in range(1, 5)
    ]
    Measure.objects.filter(pk=computed.pk).update(filters=rules)
    ObservationFactory(measure=computed, period=datetime.date(2026, 1, 1), value=2, source="computed")
    client = as_persona("stat_lead")
    html = client.get(url("measure_edit", "calls")).content.decode()
    assert 'name="filter_4_value"' in html and 'value="2020-01-04"' in html
    data = measure_data(
        city, name="Calls", source_dataset=computed.source_dataset.pk, aggregation="count", date_column="received"
    )
    for index, rule in enumerate(rules):
        data.update({f"filter_{index}_{part}": rule[part] for part in ("column", "op", "value")})
    assert client.post(url("measure_edit", "calls"), data).status_code == 302
    computed.refresh_from_db()
    assert computed.filters == rules and computed.unit == "overdoses"
    assert computed.observations.count() == 1  # the same computation: its values stay


def test_a_measure_of_a_department_no_longer_active_can_still_be_edited(as_persona, city, manual):
    from team.models import Department

    Department.objects.filter(pk=city["police"].pk).update(active=False)
    client = as_persona("stat_lead")
    assert client.get(url("measure_edit", "crashes")).status_code == 200
    response = client.post(url("measure_edit", "crashes"), measure_data(city, name="Crashes"))
    assert response.status_code == 302, response.context["form"].errors
    manual.refresh_from_db()
    assert manual.unit == "overdoses" and manual.department_id == city["police"].pk


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst", "data_expert"])
def test_readers_may_not_define_measures(as_persona, city, police_goal, computed, persona):
    client = as_persona(persona)
    assert client.post(url("measure_create", police_goal.pk), measure_data(city)).status_code == 403
    assert client.post(url("measure_edit", "calls"), measure_data(city)).status_code == 403
    assert client.post(url("target_set", "calls"), {"period": "2026-01-01", "value": "5"}).status_code == 403
    assert not Measure.objects.filter(name="Overdoses").exists() and not MeasureTarget.objects.exists()
    computed.refresh_from_db()
    assert computed.unit == "crashes"


def test_an_outsider_gets_404_for_every_measure_page(as_persona, computed, manual):
    client = as_persona("parks_contact")
    for path in (
        url("measure_edit", "calls"),
        url("measure_compute", "calls"),
        url("observation_add", "crashes"),
        url("upload", "crashes"),
        url("target_set", "calls"),
        url("narrative", "crashes", "2026-01-01"),
    ):
        assert client.post(path, {"period": "2026-01-01", "value": "1", "what_happened": "x"}).status_code == 404
    assert not Observation.objects.exists() and not Narrative.objects.exists()


# --- compute now ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("stat_lead", 302), ("principal", 302), ("police_contact", 302), ("budget_analyst", 403), ("data_expert", 403)],
)
def test_compute_now(as_persona, computed, persona, status, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona(persona).post(url("measure_compute", "calls"))
    assert response.status_code == status
    assert Observation.objects.filter(measure=computed).exists() is (status == 302)
    if status == 302:
        page = as_persona(persona).get(url("measure", "calls")).content.decode()
        assert "Last computed" in page


def test_compute_now_shows_why_it_failed(as_persona, computed, django_capture_on_commit_callbacks):
    upload_data(computed.source_dataset, b"received\nyesterday\n", "broken.csv")
    with django_capture_on_commit_callbacks(execute=True):
        as_persona("stat_lead").post(url("measure_compute", "calls"))
    html = as_persona("stat_lead").get(url("measure", "calls")).content.decode()
    assert "The last computation failed" in html and "1 value of “received” is not a date" in html


def test_compute_now_is_post_only_and_not_for_manual_measures(as_persona, manual, computed):
    assert as_persona("stat_lead").get(url("measure_compute", "calls")).status_code == 405
    assert as_persona("stat_lead").post(url("measure_compute", "crashes")).status_code == 403


# --- observations --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("stat_analyst", 302),
        ("police_lead", 302),
        ("police_contact", 302),
        ("principal", 403),
        ("budget_analyst", 403),
        ("data_expert", 403),
    ],
)
def test_recording_a_value(as_persona, manual, persona, status):
    client = as_persona(persona)
    assert client.get(url("observation_add", "crashes")).status_code == (200 if status == 302 else 403)
    response = client.post(url("observation_add", "crashes"), {"period": "2026-02-17", "value": "12.5", "note": "x"})
    assert response.status_code == status
    saved = Observation.objects.filter(measure=manual, period=datetime.date(2026, 2, 1), value="12.5").exists()
    assert saved is (status == 302)


def test_recording_errors_are_shown_and_computed_measures_refuse(as_persona, manual, computed):
    client = as_persona("police_contact")
    response = client.post(url("observation_add", "crashes"), {"period": "2999-01-01", "value": "ten"})
    html = response.content.decode()
    assert response.status_code == 200 and "Enter a number." in html
    response = client.post(url("observation_add", "crashes"), {"period": "2999-01-01", "value": "10"})
    assert "has not begun yet" in response.content.decode()
    assert client.post(url("observation_add", "calls"), {"period": "2026-01-01", "value": "1"}).status_code == 403
    assert not Observation.objects.exists()


def test_the_upload_previews_then_saves_only_when_confirmed(as_persona, manual):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_persona("police_contact")
    assert client.get(url("upload", "crashes")).status_code == 200
    content = b"period,value,note\n2026-01,10,\n2026-02,eleven,\n2026-03,12,\n"
    response = client.post(url("upload", "crashes"), {"file": SimpleUploadedFile("v.csv", content, "text/csv")})
    html = response.content.decode()
    assert response.status_code == 200 and "Nothing has been saved yet" in html
    assert "“eleven” is not a number." in html and "Save 2 values" in html
    assert not Observation.objects.exists()
    token = response.context["token"]
    # Another user's confirmation (or a made-up token) saves nothing.
    assert as_persona("police_lead").post(url("upload_confirm", "crashes"), {"token": token}).status_code == 302
    assert client.post(url("upload_confirm", "crashes"), {"token": "forged"}).status_code == 302
    assert not Observation.objects.exists()
    response = client.post(url("upload_confirm", "crashes"), {"token": token})
    assert response.status_code == 200 and "1 row skipped" in response.content.decode()
    assert dict(Observation.objects.values_list("period", "value")) == {
        datetime.date(2026, 1, 1): 10,
        datetime.date(2026, 3, 1): 12,
    }


def test_an_unreadable_upload_is_a_form_error(as_persona, manual):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_persona("police_contact").post(
        url("upload", "crashes"), {"file": SimpleUploadedFile("v.csv", b"month,amount\n1,2\n", "text/csv")}
    )
    assert response.status_code == 400 and "The file has no &#x27;period&#x27; or &#x27;value&#x27; column" in (
        response.content.decode()
    )


@pytest.mark.parametrize("persona", ["budget_analyst", "data_expert", "principal"])
def test_readers_may_not_upload(as_persona, manual, persona):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_persona(persona)
    response = client.post(
        url("upload", "crashes"), {"file": SimpleUploadedFile("v.csv", b"period,value\n2026-01,1\n")}
    )
    assert response.status_code == 403
    assert client.post(url("upload_confirm", "crashes"), {"token": "x"}).status_code == 403
    assert not Observation.objects.exists()


def test_upload_confirm_is_post_only(as_persona, manual):
    assert as_persona("police_contact").get(url("upload_confirm", "crashes")).status_code == 405


# --- targets and narratives ----------------------------------------------------------------------------------------


def test_the_program_sets_and_removes_a_period_target(as_persona, manual):
    client = as_persona("principal")
    assert client.get(url("target_set", "crashes")).status_code == 200
    assert client.post(url("target_set", "crashes"), {"period": "2026-03-20", "value": "75"}).status_code == 302
    assert MeasureTarget.objects.get().period == datetime.date(2026, 3, 1)
    client.post(url("target_set", "crashes"), {"period": "2026-03-01", "value": ""})
    assert not MeasureTarget.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("police_lead", 302), ("stat_lead", 302), ("police_contact", 403), ("budget_analyst", 403), ("data_expert", 404)],
)
def test_the_department_lead_writes_the_narrative(as_persona, manual, persona, status):
    path = url("narrative", "crashes", "2026-01-01")
    data = {"what_happened": "Fewer crashes after retiming.", "next_steps": "Ten more intersections."}
    response = as_persona(persona).post(path, data)
    assert response.status_code == status
    assert Narrative.objects.filter(measure=manual).exists() is (status == 302)


def test_the_narrative_form_shows_errors_and_refuses_a_day_that_starts_no_period(as_persona, manual):
    client = as_persona("police_lead")
    assert "Write the narrative for" in client.get(url("measure", "crashes")).content.decode()
    response = client.post(url("narrative", "crashes", "2026-01-01"), {"what_happened": ""})
    assert response.status_code == 200 and "usa-error-message" in response.content.decode()
    assert client.get(url("narrative", "crashes", "2026-01-02")).status_code == 404
    assert client.put(url("narrative", "crashes", "2026-01-01")).status_code == 405
    assert not Narrative.objects.exists()


def test_the_narrative_form_shows_the_period_s_value_and_target_beside_the_text_box(as_persona, manual):
    manual.target_value = 100
    manual.save()
    ObservationFactory(measure=manual, period=datetime.date(2026, 1, 1), value=120, note="CAD outage, estimated")
    MeasureTargetFactory(measure=manual, period=datetime.date(2026, 1, 1), value=105)
    page = parse(as_persona("police_lead").get(url("narrative", "crashes", "2026-01-01")))
    box = page.find("div", role="region", aria_labelledby="period-heading")
    assert box.find("h2").text == "January 2026"
    # Its own target (not the standing 100), and the status in words.
    assert "Value 120 crashes Target 105 crashes Status ✗ Off track" in box.text
    assert "Lower is better. Note on the value: CAD outage, estimated" in box.text
    # Beside the form on a wide screen (after it there), before it for a reader going down the page.
    row = box.parent.parent
    assert "desktop:order-last" in box.parent.attrs["class"].split()
    assert [child.tag for child in row.children if not isinstance(child, str)] == ["div", "div"]
    assert row.find("textarea", name="what_happened") is not None
    # A period with no value yet: its standing target, and no value.
    february = parse(as_persona("police_lead").get(url("narrative", "crashes", "2026-02-01")))
    assert (
        "Value None recorded yet Target 100 crashes Status – No data"
        in february.find("div", aria_labelledby="period-heading").text
    )


def test_goals_sit_in_the_navigation_of_signed_in_roles_only(as_persona, manual):
    assert 'href="/goals/"' in as_persona("police_contact").get("/dashboard/").content.decode()
    assert 'href="/goals/"' not in as_persona("anonymous").get("/").content.decode()


def test_the_measure_page_says_how_it_is_computed(as_persona, computed):
    from goals.services import measure_update

    measure_update(
        by=None,
        measure=computed,
        aggregation="share",
        condition={"column": "received", "op": ">=", "value": "2026-01-07"},
        filters=[{"column": "received", "op": "not empty", "value": ""}],
    )
    html = as_persona("police_lead").get(url("measure", "calls")).content.decode()
    assert (
        "The share of rows (%) where “received” is at least “2026-01-07” per month, placed by “received”, counting "
        "only rows where “received” is not empty." in html.replace("&#x27;", "'")
    )
