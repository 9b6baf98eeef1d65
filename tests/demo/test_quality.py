"""The demo city's data files and quality history (``demo.quality``), seeded by ``manage.py seed_demo``."""

from __future__ import annotations

import csv
import datetime
import io
import random
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.inventory import DATASETS
from demo.quality import PLANTED, SHOWCASE, demo_table, table_schema
from demo.quality.generate import LATITUDE, LONGITUDE, text_matching
from demo.quality.plants import BLANKS, DUPLICATES, ENUM, MISSING_COLUMN, PATTERN, RAGGED, RANGE, STALE, TYPE
from demo.quality.seed import HISTORY_WEEKS, history_slots, quality_demo_seed, specs_with_data
from demo.quality.stories import FULL_MONTHS, STORIES, TARGETED_INTERSECTIONS, story_months
from quality.engine import check_file
from quality.engine.result import ERROR, FAIL, PASS, WARN
from quality.models import CheckResult, DatasetQuality, QualityNotification, QualityRun, SourceUpload, Trigger

DAY = datetime.date(2026, 11, 26)
SPECS = {spec.identifier: spec for spec in specs_with_data()}


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


# --- the generator ------------------------------------------------------------------------------------------


def test_the_generator_is_deterministic():
    spec = SPECS["311-service-requests"]
    first = demo_table(spec, as_of=DAY).csv()
    assert demo_table(spec, as_of=DAY).csv() == first
    assert demo_table(spec, as_of=DAY + datetime.timedelta(days=1)).csv() != first
    moment = datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
    assert demo_table(spec, as_of=DAY).csv(moment) == demo_table(spec, as_of=DAY).csv(moment)


def test_every_dataset_with_data_gets_a_realistic_file():
    assert len(SPECS) == len([s for s in DATASETS if s.status != "identified"]) >= 50
    for spec in SPECS.values():
        table = demo_table(spec, as_of=DAY)
        rows = rows_of(table.csv())
        if spec.identifier in STORIES:  # three years of history (see the next test)
            assert 300 <= len(rows) - 1 <= 7000, spec.identifier
        else:
            assert 250 <= len(rows) - 1 <= 2100, spec.identifier
        if spec.identifier not in PLANTED:
            assert rows[0] == [f.name for f in spec.fields]
            assert {len(row) for row in rows} == {len(spec.fields)}, spec.identifier


def test_values_follow_the_dictionary_and_the_city():
    table = demo_table(SPECS["311-service-requests"], as_of=DAY)
    rows = rows_of(table.csv())[1:]
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids) and all(len(i) == 11 and i.startswith("SR-") for i in ids)
    types = {row[1] for row in rows}
    assert {"Pothole", "Graffiti", "Missed trash"} <= types
    for row in rows[:200]:
        opened = datetime.datetime.fromisoformat(row[2])
        assert opened.date() < DAY
        if row[3]:
            assert datetime.datetime.fromisoformat(row[3]) >= opened
            assert row[4] == "Closed"
        lon, lat = (float(part) for part in row[8].split(", "))
        assert LONGITUDE[0] <= lon <= LONGITUDE[1] and LATITUDE[0] <= lat <= LATITUDE[1]
        assert 1 <= int(row[7]) <= 9
    # Newest requests are from yesterday: a daily dataset is fresh.
    assert max(datetime.datetime.fromisoformat(row[2]) for row in rows).date() >= DAY - datetime.timedelta(days=2)
    assert text_matching(r"^CE-\d{4}-\d{5}$", random.Random(1), 42) == "CE-2026-00042"


def test_the_datasets_behind_the_goals_demo_hold_three_years_told_as_its_stories():
    import demo.goals

    sources = {m.source for goal in demo.goals.GOALS for m in goal.measures if m.computation is not None}
    assert sources == set(STORIES)
    assert not (set(STORIES) - {SHOWCASE}) & set(PLANTED)  # only the showcase's measure is data suspect
    months = story_months(DAY)
    assert len(months) == FULL_MONTHS + 1 and months[0] == datetime.date(2023, 11, 1)
    for identifier in STORIES:
        table = demo_table(SPECS[identifier], as_of=DAY)
        assert table.csv() == demo_table(SPECS[identifier], as_of=DAY).csv()  # deterministic
        header, *rows = rows_of(table.csv())
        column = next(f.name for f in SPECS[identifier].fields if f.type in ("date", "datetime"))
        dates = sorted(row[header.index(column)][:10] for row in rows)
        # (Permits take weeks to issue: applications start a month earlier, so the first month has issues.)
        assert "2023-10" <= dates[0][:7] <= "2023-11" and dates[-1] < DAY.isoformat(), identifier
    # Crashes: the targeted intersections are 50, and their crashes fall by about a fifth from the first month.
    header, *crashes = rows_of(demo_table(SPECS["dot-crashes-by-intersection"], as_of=DAY).csv())
    at = header.index("crashed_at")
    targeted = [row for row in crashes if row[header.index("targeted_intersection")] == "Yes"]
    assert {row[header.index("intersection")] for row in targeted} <= set(TARGETED_INTERSECTIONS)
    assert len(TARGETED_INTERSECTIONS) == 50
    first = sum(row[at].startswith("2023-11") for row in targeted)
    last = sum(row[at].startswith("2026-10") for row in targeted)
    assert (first, last) == (62, 50)
    # Durations agree with their timestamps.
    header, *calls = rows_of(demo_table(SPECS[SHOWCASE], as_of=DAY).csv())
    for row in calls[:300]:
        if row[header.index("response_minutes")]:
            received = datetime.datetime.fromisoformat(row[header.index("received_at")])
            arrived = datetime.datetime.fromisoformat(row[header.index("arrived_at")])
            assert (arrived - received).total_seconds() / 60 == pytest.approx(
                float(row[header.index("response_minutes")])
            )
    header, *requests = rows_of(demo_table(SPECS["311-service-requests"], as_of=DAY).csv())
    for row in requests[:300]:
        opened, closed = (row[header.index(name)] for name in ("opened_at", "closed_at"))
        days = row[header.index("days_to_close")]
        assert bool(closed) == bool(days) == (row[header.index("status")] == "Closed")
        if closed:
            span = datetime.datetime.fromisoformat(closed) - datetime.datetime.fromisoformat(opened)
            assert span.total_seconds() / 86400 == pytest.approx(float(days))


def test_earlier_files_hold_only_the_rows_exported_by_then():
    table = demo_table(SPECS["rhd-restaurant-inspections"], as_of=DAY)
    months_ago = datetime.datetime(2026, 5, 26, tzinfo=datetime.UTC)
    earlier = rows_of(table.csv(months_ago))[1:]
    assert 0.35 * len(table.rows) < len(earlier) < 0.75 * len(table.rows)
    assert max(row[2] for row in earlier) <= "2026-05-26"


def test_problems_are_planted_as_documented():
    import demo.quality

    assert 8 <= len(PLANTED) <= 12
    for identifier, plants in PLANTED.items():
        assert identifier in SPECS and identifier in demo.quality.__doc__
        for plant in plants:
            assert plant.story
            assert not plant.column or plant.column in [f.name for f in SPECS[identifier].fields]
    kinds = {plant.kind for plants in PLANTED.values() for plant in plants}
    assert kinds == {BLANKS, ENUM, RANGE, PATTERN, TYPE, DUPLICATES, MISSING_COLUMN, RAGGED, STALE}
    # A problem with an onset is absent from files exported before it.
    table = demo_table(SPECS["dpw-building-energy"], as_of=DAY)
    assert "therms" in rows_of(table.csv(datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)))[0]
    assert "therms" not in rows_of(table.csv())[0]


# --- the engine on the generated files ------------------------------------------------------------------------

#: Which check finds each kind of planted problem.
FOUND_BY = {
    BLANKS: "required",
    ENUM: "enum",
    PATTERN: "pattern",
    TYPE: "type",
    MISSING_COLUMN: "missing_columns",
    RAGGED: "ragged_rows",
    STALE: "freshness",
}
NOW = datetime.datetime(2026, 11, 26, 14, 0, tzinfo=datetime.UTC)


def engine_result(spec, tmp_path, moment=None):
    table = demo_table(spec, as_of=DAY)
    path = tmp_path / f"{spec.identifier}.csv"
    path.write_bytes(table.csv(moment))
    when = moment or NOW
    return check_file(
        path,
        schema=table_schema(spec),
        frequency=spec.frequency,
        date_column=table.date_column,
        source_modified=when - datetime.timedelta(hours=1),
        now=when,
        media_type="text/csv",
    )


def test_the_engine_passes_every_file_without_a_planted_problem(tmp_path):
    clean = [spec for identifier, spec in SPECS.items() if identifier not in PLANTED]
    assert len(clean) >= 40
    for spec in clean:
        result = engine_result(spec, tmp_path)
        problems = [(c.check, c.column, c.message) for c in result.checks if c.status != PASS]
        assert not problems, (spec.identifier, problems)
        assert result.score == 100 and result.row_count >= 250


def test_the_engine_finds_every_planted_problem(tmp_path):
    for identifier, plants in PLANTED.items():
        result = engine_result(SPECS[identifier], tmp_path)
        failing = {(c.check, c.column) for c in result.checks if c.status in (FAIL, ERROR)}  # ragged rows: error
        for plant in plants:
            if plant.kind == RANGE:
                assert {("minimum", plant.column), ("maximum", plant.column)} & failing, identifier
            elif plant.kind in (MISSING_COLUMN, RAGGED, STALE):  # table-wide checks
                assert FOUND_BY[plant.kind] in {check for check, _ in failing}, identifier
            elif plant.kind == DUPLICATES:
                assert ("unique", "payment_id") in failing, identifier
            else:
                assert (FOUND_BY[plant.kind], plant.column) in failing, (identifier, failing)
        assert result.outcome == (ERROR if any(p.kind == RAGGED for p in plants) else FAIL) and result.score < 100
    # Duplicates also show as such (a warning), and "n/a" is a type error, not a silent empty value.
    payments = engine_result(SPECS["fin-vendor-payments"], tmp_path)
    assert any(c.check == "duplicate_rows" and c.status == WARN and c.value for c in payments.checks)
    usage = engine_result(SPECS["it-open-data-usage"], tmp_path)
    typed = next(c for c in usage.checks if c.check == "type" and c.column == "page_views")
    assert {e["value"] for e in typed.examples} <= {"n/a", "1,204", "2,311"}


def test_a_problem_with_an_onset_is_absent_before_it(tmp_path):
    months_ago = NOW - datetime.timedelta(days=150)
    for identifier in ("dot-parking-citations", "rhd-restaurant-inspections", "dpw-building-energy", "rfd-inspections"):
        assert engine_result(SPECS[identifier], tmp_path, months_ago).outcome == PASS, identifier
    # The showcase's problem is only in the newest file.
    assert engine_result(SPECS[SHOWCASE], tmp_path, NOW - datetime.timedelta(days=2)).outcome == PASS


# --- seeding ----------------------------------------------------------------------------------------------------


@pytest.fixture
def demo_inventory(db, settings, tmp_path):
    from demo.inventory import inventory_demo_seed
    from demo.team import demo_city_seed

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEBUG = True
    report = demo_city_seed(with_logins=True)
    inventory_demo_seed(report=report)
    return report


def snapshot() -> dict:
    return {
        "runs": list(QualityRun.objects.order_by("pk").values_list("pk", "state", "outcome", "finished_at")),
        "checks": CheckResult.objects.count(),
        "uploads": list(SourceUpload.objects.values_list("pk", "file")),
        "judgements": list(DatasetQuality.objects.order_by("pk").values_list("pk", "latest_run", "outcome")),
        "notifications": QualityNotification.objects.count(),
    }


SOME = (
    SHOWCASE,
    "dpw-building-energy",
    "311-call-centre-volume",
    "dpw-capital-projects",
    "rhd-immunizations",
    "rfd-hydrants",
    "dot-parking-citations",
)


def test_seeding_uploads_a_file_checks_it_and_keeps_months_of_history(demo_inventory, settings, tmp_path):
    from inventory.models import Dataset
    from quality.services import settings_update

    hydrants = Dataset.objects.get(identifier="rfd-hydrants")
    settings_update(by=None, dataset=hydrants, date_column="last_tested")  # chosen in the app before seeding: kept
    stats = quality_demo_seed(identifiers=SOME, force=True)
    assert stats.datasets == len(SOME) and stats.runs == QualityRun.objects.count()
    now = timezone.now()
    for identifier in SOME:
        runs = list(QualityRun.objects.filter(dataset__identifier=identifier).order_by("finished_at"))
        assert all(run.state == "finished" and run.score is not None for run in runs)
        latest = runs[-1]
        assert latest.trigger == Trigger.UPLOAD and latest.source.startswith("Uploaded file")
        assert latest.dataset.quality.latest_run == latest
        assert now - runs[0].finished_at > datetime.timedelta(weeks=HISTORY_WEEKS - 5), identifier
        assert len(runs) >= 6
        # Row counts grow as the months go by (the file as it stood at each run).
        counts = [run.row_count for run in runs]
        assert counts[0] < counts[-1] and counts == sorted(counts), identifier
        upload = SourceUpload.objects.get(dataset__identifier=identifier)
        assert upload.file.path.startswith(str(tmp_path / "media"))
        assert upload.file.read() == demo_table(SPECS[identifier], as_of=timezone.localdate(now)).csv()
    # The building energy export lost a column weeks ago: passing, then failing on every run since.
    outcomes = list(
        QualityRun.objects.filter(dataset__identifier="dpw-building-energy")
        .order_by("slot")
        .values_list("outcome", flat=True)
    )
    assert outcomes[0] == PASS and outcomes[-1] == FAIL and outcomes[-2] == FAIL
    first_fail = outcomes.index(FAIL)
    assert set(outcomes[first_fail:]) == {FAIL}
    assert (
        CheckResult.objects.filter(
            run__dataset__identifier="dpw-building-energy", name="missing_columns", status=FAIL
        ).count()
        == len(outcomes) - first_fail
    )
    # Every example row of every failing check, in every run, is on that line of the file as it stood then.
    today = timezone.localdate(now)
    for check in CheckResult.objects.filter(run__dataset__identifier="dot-parking-citations", status=FAIL):
        assert (check.name, check.column) == ("enum", "paid") and check.examples
        lines = rows_of(demo_table(SPECS["dot-parking-citations"], as_of=today).csv(check.run.finished_at))
        assert check.run.row_count == len(lines) - 1
        for example in check.examples:
            assert lines[example["row"] - 1][4] == example["value"] not in ("Yes", "No", "Contested")
    hydrants.refresh_from_db()
    assert hydrants.quality_settings.date_column == "last_tested"
    freshness = CheckResult.objects.filter(run__dataset=hydrants, name="freshness")
    assert freshness.count() == QualityRun.objects.filter(dataset=hydrants).count()
    assert all("last_tested" in message for message in freshness.values_list("message", flat=True))
    assert DatasetQuality.objects.get(dataset=hydrants).outcome == PASS
    # A stale dataset is flagged as such.
    assert DatasetQuality.objects.get(dataset__identifier="311-call-centre-volume").stale


def test_the_showcase_passed_then_failed_and_its_people_were_told(demo_inventory):
    quality_demo_seed(identifiers=SOME, force=True)
    runs = list(QualityRun.objects.filter(dataset__identifier=SHOWCASE).order_by("slot"))
    assert len(runs) >= 12
    assert {run.outcome for run in runs[:-1]} == {PASS}
    latest = runs[-1]
    assert latest.outcome == FAIL
    failing = latest.checks.get(status=FAIL)
    assert (failing.name, failing.column) == ("required", "dispatched_at")
    assert failing.examples and all(example["column"] == "dispatched_at" for example in failing.examples)
    judgement = DatasetQuality.objects.get(dataset__identifier=SHOWCASE)
    assert judgement.outcome == FAIL and judgement.failing_since == latest.finished_at
    told = set(QualityNotification.objects.filter(run=latest).values_list("person__full_name", flat=True))
    assert "Dana Whitaker" in told and len(told) >= 2  # Police's contact and the Stat analysts
    # Nobody was told about the past: only the showcase's latest run notified anyone.
    assert set(QualityNotification.objects.values_list("run", flat=True)) == {latest.pk}


def test_seed_demo_seeds_the_quality_demo_once(settings, tmp_path, db):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEBUG = True
    settings.QUALITY_DEMO_DATA = True
    started = time.perf_counter()
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    seconds = time.perf_counter() - started
    assert "data files" in out.getvalue() and "quality runs" in out.getvalue()
    assert DatasetQuality.objects.count() == SourceUpload.objects.count() == len(SPECS)
    failing = set(
        DatasetQuality.objects.filter(outcome__in=(FAIL, ERROR)).values_list("dataset__identifier", flat=True)
    )
    assert failing == set(PLANTED)
    # Every run of a dataset without a planted problem passed, all through its history.
    clean = QualityRun.objects.exclude(dataset__identifier__in=PLANTED)
    assert clean.count() > 400 and set(clean.values_list("outcome", flat=True)) == {PASS}
    spans = [
        max(times) - min(times)
        for times in (
            list(QualityRun.objects.filter(dataset__identifier=i).values_list("finished_at", flat=True)) for i in SPECS
        )
    ]
    assert min(spans) > datetime.timedelta(days=120)
    before = snapshot()
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    call_command("seed_quality_demo", stdout=StringIO())
    assert snapshot() == before
    print(f"seed_demo with the quality demo: {seconds:.1f} s")  # noqa: T201


def test_seed_demo_under_the_test_suite_leaves_quality_data_out_unless_asked(settings, tmp_path, db):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    assert not QualityRun.objects.exists() and not SourceUpload.objects.exists()


def test_history_slots_follow_the_schedule_at_most_every_two_weeks():
    now = timezone.make_aware(datetime.datetime(2026, 11, 26, 9, 0))
    daily = history_slots("R/P1D", now=now)
    assert len(daily) == 13 and all(slot.trigger == Trigger.SCHEDULED for slot in daily)
    days = [timezone.localdate(slot.slot) for slot in daily]
    assert all((b - a).days == 14 and b.weekday() == 0 for a, b in zip(days, days[1:], strict=False))
    # Half the datasets take the other Mondays, so every week has runs.
    odd = [timezone.localdate(slot.slot) for slot in history_slots("R/P1D", now=now, odd_weeks=True)]
    assert {(day - odd_day).days for day, odd_day in zip(days, odd, strict=False)} == {7}
    monthly = history_slots("R/P1M", now=now)
    assert [timezone.localtime(s.slot).day for s in monthly] == [1] * 5  # June to October; November is now
    annual = history_slots("R/P1Y", now=now)
    assert len(annual) == 6 and {s.trigger for s in annual} == {Trigger.MANUAL}
    for slots in (daily, monthly, annual):
        assert slots[-1].finished_at < now and now - slots[0].finished_at < datetime.timedelta(weeks=HISTORY_WEEKS)


def test_seed_quality_demo_asks_for_the_demo_inventory_first(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_quality_demo", stdout=StringIO())
    assert not QualityRun.objects.exists()
