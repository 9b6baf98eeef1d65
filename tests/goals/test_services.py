"""Defining goals and measures (with field-level messages for a computation that cannot work), per-period targets,
manual observations, CSV uploads with a dry run, and narratives."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.import_plan import CHANGED, INVALID, NEW, UNCHANGED
from goals.models import Measure, MeasureTarget, Narrative, Observation, ObservationSource
from goals.services import (
    UploadError,
    goal_create,
    goal_update,
    measure_create,
    measure_target_set,
    measure_update,
    narrative_save,
    observation_record,
    observations_import,
    observations_plan,
    read_observations,
)
from tests.inventory.factories import DataFieldFactory, DatasetFactory

from .factories import GoalFactory, MeasureFactory, ObservationFactory, priority

pytestmark = pytest.mark.django_db


def fields_of(error: ValidationError) -> dict:
    return error.value.message_dict


# --- goals -------------------------------------------------------------------------------------------------------


def test_goal_create_and_update_record_who(city, users):
    goal = goal_create(
        by=users["stat_lead"], priority=priority(), statement="Cut crashes by 20%", departments=[city["police"]]
    )
    assert list(goal.departments.all()) == [city["police"]]
    goal = goal_update(goal=goal, by=users["stat_analyst"], statement="Cut crashes by 25%", departments=[city["fire"]])
    assert goal.statement == "Cut crashes by 25%" and list(goal.departments.all()) == [city["fire"]]
    assert goal.history.first().history_user == users["stat_analyst"]


def test_goal_needs_a_statement_and_an_owner_and_cannot_cascade_from_itself(city):
    with pytest.raises(ValidationError) as error:
        goal_create(by=None, priority=priority(), statement="", departments=[])
    assert {"statement", "departments"} <= set(fields_of(error))
    parent = GoalFactory()
    child = GoalFactory(parent=parent)
    with pytest.raises(ValidationError) as error:
        goal_update(by=None, goal=parent, parent=child)
    assert "cannot cascade from itself" in fields_of(error)["parent"][0]
    parent.refresh_from_db()
    assert parent.parent is None


# --- measures ----------------------------------------------------------------------------------------------------


@pytest.fixture
def crashes(city):
    dataset = DatasetFactory(identifier="pd-crashes", title="Crashes", department=city["police"])
    DataFieldFactory(dataset=dataset, name="crash_date", type="date")
    DataFieldFactory(dataset=dataset, name="injuries", type="integer")
    DataFieldFactory(dataset=dataset, name="severity", type="string")
    return dataset


def base(city, **fields):
    return {
        "goal": GoalFactory(),
        "department": city["police"],
        "name": "Crashes at targeted intersections",
        "description": "Crashes reported at the 50 intersections.",
        "unit": "crashes",
        **fields,
    }


def test_measure_create_makes_a_unique_slug_and_cleans_its_computation(city, crashes):
    first = measure_create(by=None, **base(city))
    second = measure_create(
        by=None,
        **base(
            city,
            source_dataset=crashes,
            aggregation="count",
            value_column="injuries",
            date_column=" crash_date ",
            filters=[{"column": "severity", "op": "=", "value": "fatal"}, {"column": "", "op": "=", "value": ""}],
        ),
    )
    assert first.slug == "crashes-at-targeted-intersections"
    assert second.slug == "crashes-at-targeted-intersections-2"
    assert second.value_column == "" and second.date_column == "crash_date"
    assert second.filters == [{"column": "severity", "op": "=", "value": "fatal"}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"aggregation": "count"}, {"source_dataset": "needs the dataset", "date_column": "Name the date column"}),
        (
            {"aggregation": "sum", "with_dataset": True, "date_column": "crash_date"},
            {"value_column": "Name the column"},
        ),
        (
            {"aggregation": "mean", "with_dataset": True, "date_column": "when", "value_column": "speed"},
            {
                "date_column": "“when” is not a column of “Crashes” (its data dictionary lists: crash_date, injuries, "
                "severity).",
                "value_column": "“speed” is not a column",
            },
        ),
        (
            {"aggregation": "median", "with_dataset": True, "date_column": "crash_date", "value_column": "severity"},
            {"value_column": "“severity” holds string values in the data dictionary; a median needs numbers."},
        ),
        ({"aggregation": "share", "with_dataset": True, "date_column": "crash_date"}, {"condition": "A share needs"}),
        (
            {
                "aggregation": "share",
                "with_dataset": True,
                "date_column": "crash_date",
                "condition": {"column": "injuries", "op": "<=", "value": "many"},
            },
            {"condition": "compares numbers or dates"},
        ),
        (
            {
                "aggregation": "count",
                "with_dataset": True,
                "date_column": "crash_date",
                "filters": [
                    {"column": "severity", "op": "~", "value": "x"},
                    {"column": "ward", "op": "=", "value": "3"},
                ],
            },
            {"filters": "Filter 1: “~” is not an operator"},
        ),
        ({"date_column": "crash_date"}, {"aggregation": "Choose how to compute"}),
    ],
)
def test_a_computation_that_cannot_work_is_refused_field_by_field(city, crashes, fields, expected):
    if fields.pop("with_dataset", False):
        fields["source_dataset"] = crashes
    with pytest.raises(ValidationError) as error:
        measure_create(by=None, **base(city, **fields))
    messages = fields_of(error)
    for name, text in expected.items():
        assert any(text in message for message in messages[name]), messages
    assert not Measure.objects.exists()


def test_unknown_filter_columns_are_each_named(city, crashes):
    with pytest.raises(ValidationError) as error:
        measure_create(
            by=None,
            **base(
                city,
                source_dataset=crashes,
                aggregation="count",
                date_column="crash_date",
                filters=[{"column": "ward", "op": "=", "value": "3"}],
            ),
        )
    assert fields_of(error)["filters"] == [
        "Filter 1: “ward” is not a column of “Crashes” (its data dictionary lists: crash_date, injuries, severity)."
    ]


def test_without_a_dictionary_any_column_name_is_accepted_until_the_data_is_read(city):
    dataset = DatasetFactory(identifier="pd-nodict", department=city["police"])
    measure = measure_create(
        by=None, **base(city, source_dataset=dataset, aggregation="sum", value_column="x", date_column="d")
    )
    assert measure.is_computed


def test_one_kpi_per_goal(city):
    kpi = MeasureFactory(is_kpi=True, name="Crashes")
    with pytest.raises(ValidationError) as error:
        measure_create(by=None, **base(city, goal=kpi.goal, is_kpi=True))
    assert "already has a key performance indicator: “Crashes”" in fields_of(error)["is_kpi"][0]
    # The KPI itself may be saved again.
    measure_update(by=None, measure=kpi, unit="crashes a month")


def test_measure_update_changes_only_what_is_given_and_a_new_computation_clears_the_old_error(city, crashes):
    measure = MeasureFactory(
        source_dataset=crashes, aggregation="count", date_column="crash_date", compute_error="old problem"
    )
    measure = measure_update(by=None, measure=measure, unit="crashes")
    assert measure.compute_error == "old problem"
    measure = measure_update(by=None, measure=measure, filters=[{"column": "severity", "op": "=", "value": "fatal"}])
    assert measure.compute_error == "" and measure.unit == "crashes"


def test_a_new_frequency_is_refused_while_values_targets_or_narratives_sit_on_periods_it_does_not_have(city):
    measure = MeasureFactory(frequency="monthly")
    ObservationFactory(measure=measure, period=datetime.date(2026, 1, 1), value=10)
    ObservationFactory(measure=measure, period=datetime.date(2026, 2, 1), value=12)
    with pytest.raises(ValidationError) as error:
        measure_update(by=None, measure=measure, frequency="quarterly")
    assert fields_of(error) == {
        "frequency": [
            "1 value, target or narrative is recorded for a period that starts no quarterly period (February "
            "2026): remove it or keep the monthly frequency."
        ]
    }
    assert Measure.objects.get(pk=measure.pk).frequency == "monthly"
    Observation.objects.filter(period=datetime.date(2026, 2, 1)).delete()
    MeasureTarget.objects.create(measure=measure, period=datetime.date(2026, 3, 1), value=5)
    with pytest.raises(ValidationError, match="March 2026"):
        measure_update(by=None, measure=measure, frequency="quarterly")
    MeasureTarget.objects.all().delete()
    assert measure_update(by=None, measure=measure, frequency="quarterly").frequency == "quarterly"  # January starts Q1


def test_targets_per_period_are_set_on_the_period_start_and_removed_with_none(city):
    measure = MeasureFactory(frequency="quarterly")
    target = measure_target_set(by=None, measure=measure, period=datetime.date(2026, 5, 17), value=Decimal("75"))
    assert target.period == datetime.date(2026, 4, 1)
    measure_target_set(by=None, measure=measure, period=datetime.date(2026, 4, 1), value=Decimal("70"))
    assert list(MeasureTarget.objects.values_list("period", "value")) == [(datetime.date(2026, 4, 1), Decimal("70"))]
    measure_target_set(by=None, measure=measure, period=datetime.date(2026, 4, 1), value=None)
    assert not MeasureTarget.objects.exists()


# --- observations ------------------------------------------------------------------------------------------------


def test_observation_record_upserts_the_period_and_refuses_computed_measures_and_the_future(city, users, crashes):
    measure = MeasureFactory()
    first = observation_record(
        measure=measure, period=datetime.date(2026, 3, 9), value=Decimal("12"), by=users["police_contact"]
    )
    again = observation_record(
        by=None, measure=measure, period=datetime.date(2026, 3, 1), value=Decimal("13"), note="fixed"
    )
    assert first.pk == again.pk and again.period == datetime.date(2026, 3, 1) and again.value == 13
    assert Observation.objects.count() == 1 and again.history.count() == 2
    with pytest.raises(ValidationError) as error:
        observation_record(by=None, measure=measure, period=datetime.date(2999, 1, 1), value=Decimal("1"))
    assert "has not begun yet" in fields_of(error)["period"][0]
    computed = MeasureFactory(source_dataset=crashes, aggregation="count", date_column="crash_date")
    with pytest.raises(ValidationError, match="computed from its dataset"):
        observation_record(by=None, measure=computed, period=datetime.date(2026, 3, 1), value=Decimal("1"))


def csv_file(text: str) -> io.BytesIO:
    data = io.BytesIO(text.encode())
    data.name = "observations.csv"
    return data


def test_an_upload_is_planned_row_by_row_and_nothing_is_written_until_imported(city, users):
    measure = MeasureFactory(frequency="monthly")
    ObservationFactory(measure=measure, period=datetime.date(2026, 1, 1), value=10, source=ObservationSource.MANUAL)
    ObservationFactory(measure=measure, period=datetime.date(2026, 2, 1), value=20, source=ObservationSource.MANUAL)
    rows = read_observations(
        csv_file(
            "Period,Value,Note\n"
            "2026-01,10,\n"  # unchanged
            "2026-02-15,21,late report\n"  # changed (any day of the month names the month)
            '2026-03,"1,234.5",\n'  # new
            "2026-Q2,5,\n"  # not a month
            "2026-04,lots,\n"  # not a number
            "2026-03-31,7,\n"  # March again
            "2999-01,1,\n"  # not begun
            ",,no numbers yet\n"
        )
    )
    plan = observations_plan(measure=measure, rows=rows, today=datetime.date(2026, 6, 1))
    assert [row.action for row in plan.rows] == [UNCHANGED, CHANGED, NEW, INVALID, INVALID, INVALID, INVALID, INVALID]
    reasons = [row.errors for row in plan.rows]
    assert "does not name one monthly period" in reasons[3][0]
    assert reasons[4] == ["“lots” is not a number."]
    assert reasons[5] == ["March 2026 is also on line 4."]
    assert "has not begun yet" in reasons[6][0]
    assert reasons[7] == ["The period is missing.", "The value is missing."]
    assert plan.rows[1].previous == 20 and plan.to_write == 2
    assert Observation.objects.count() == 2  # the plan wrote nothing

    result = observations_import(measure=measure, rows=rows, by=users["police_lead"])
    assert (result.created, result.updated, result.unchanged, len(result.skipped)) == (1, 1, 1, 5)
    values = dict(Observation.objects.values_list("period", "value"))
    assert values == {
        datetime.date(2026, 1, 1): 10,
        datetime.date(2026, 2, 1): 21,
        datetime.date(2026, 3, 1): Decimal("1234.5"),
    }
    assert Observation.objects.get(period=datetime.date(2026, 3, 1)).source == ObservationSource.UPLOAD
    again = observations_import(measure=measure, rows=rows, by=users["police_lead"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_an_upload_saves_a_new_note_on_an_unchanged_value_and_keeps_notes_a_file_without_notes_lacks(city, users):
    measure = MeasureFactory(frequency="monthly")
    january, february = datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)
    ObservationFactory(measure=measure, period=january, value=10, note="")
    ObservationFactory(measure=measure, period=february, value=20, note="Estimated: the count came in late")
    with_notes = read_observations(csv_file("period,value,note\n2026-01,10,Two stations closed\n"))
    plan = observations_plan(measure=measure, rows=with_notes, today=datetime.date(2026, 6, 1))
    assert [row.action for row in plan.rows] == [CHANGED] and plan.to_write == 1
    result = observations_import(measure=measure, rows=with_notes, by=users["police_lead"])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert Observation.objects.get(measure=measure, period=january).note == "Two stations closed"
    # A file with no note column corrects the value and leaves the note that was written alone.
    without_notes = read_observations(csv_file("period,value\n2026-02,21\n2026-01,10\n"))
    plan = observations_plan(measure=measure, rows=without_notes, today=datetime.date(2026, 6, 1))
    assert [row.action for row in plan.rows] == [CHANGED, UNCHANGED]
    observations_import(measure=measure, rows=without_notes, by=users["police_lead"])
    notes = dict(Observation.objects.filter(measure=measure).values_list("period", "note"))
    assert notes == {january: "Two stations closed", february: "Estimated: the count came in late"}
    assert Observation.objects.get(measure=measure, period=february).value == 21


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The file is empty."),
        ("month,amount\n2026-01,3\n", "The file has no 'period' or 'value' column."),
        ("period,value\n", "no observations under it"),
        ("PK\x03\x04binary", "not a CSV file"),
    ],
)
def test_an_unreadable_upload_says_why(content, message):
    with pytest.raises(UploadError, match=message):
        read_observations(csv_file(content))


def test_an_upload_to_a_computed_measure_is_all_invalid(city, crashes):
    measure = MeasureFactory(source_dataset=crashes, aggregation="count", date_column="crash_date")
    plan = observations_plan(measure=measure, rows=[{"period": "2026-01", "value": "3"}])
    assert plan.rows[0].action == INVALID and "computed from its dataset" in plan.rows[0].errors[0]


# --- narratives --------------------------------------------------------------------------------------------------


def test_narrative_save_one_per_period(users):
    measure = MeasureFactory(frequency="monthly")
    first = narrative_save(
        measure=measure, period=datetime.date(2026, 3, 1), what_happened="Fewer crashes.", by=users["police_lead"]
    )
    second = narrative_save(
        by=None,
        measure=measure,
        period=datetime.date(2026, 3, 1),
        what_happened="Fewer crashes, again.",
        next_steps="More",
    )
    assert first.pk == second.pk and Narrative.objects.count() == 1 and second.history.count() == 2
    with pytest.raises(ValidationError) as error:
        narrative_save(by=None, measure=measure, period=datetime.date(2026, 3, 2), what_happened=" ")
    assert set(fields_of(error)) == {"period", "what_happened"}


def test_a_new_computed_measure_is_computed_once_saved(city, crashes, django_capture_on_commit_callbacks):
    from .factories import upload_data

    upload_data(crashes, b"crash_date,injuries,severity\n2025-01-05,1,minor\n2025-02-07,0,none\n")
    with django_capture_on_commit_callbacks(execute=True):
        measure = measure_create(
            by=None, **base(city, source_dataset=crashes, aggregation="count", date_column="crash_date")
        )
    assert dict(Observation.objects.filter(measure=measure).values_list("period", "value")) == {
        datetime.date(2025, 1, 1): 1,
        datetime.date(2025, 2, 1): 1,
    }


def test_a_changed_computation_replaces_the_computed_values_and_keeps_the_manual_ones(
    city, crashes, django_capture_on_commit_callbacks
):
    from .factories import upload_data

    upload_data(crashes, b"crash_date,injuries,severity\n2025-01-05,1,minor\n2025-02-07,0,none\n2025-05-01,3,x\n")
    measure = MeasureFactory(source_dataset=crashes, aggregation="count", date_column="crash_date")
    ObservationFactory(measure=measure, period=datetime.date(2025, 2, 1), value=5, source=ObservationSource.COMPUTED)
    ObservationFactory(measure=measure, period=datetime.date(2024, 1, 1), value=9, source=ObservationSource.MANUAL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        measure_update(by=None, measure=measure, frequency="quarterly")
    assert len(callbacks) == 1
    assert dict(Observation.objects.filter(measure=measure).values_list("period", "value")) == {
        datetime.date(2024, 1, 1): 9,  # entered by hand: kept (and never overwritten)
        datetime.date(2025, 1, 1): 2,
        datetime.date(2025, 4, 1): 1,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        measure_update(by=None, measure=measure, unit="crashes a quarter")
    assert callbacks == []  # not a change of computation: nothing recomputed
