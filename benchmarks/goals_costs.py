#!/usr/bin/env python3
"""Costs that must not grow with the data (issue 15, item 4): the goals dashboards' freshness check and an upload of
5,000 observations, each against its baseline measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_costs .venv/bin/python benchmarks/goals_costs.py

Seeds what ``goals_dashboards.py`` seeds (500 measures × 10 years: 60,000 observations) unless --reuse, then:

1. the freshness check a cached dashboard runs on every request (``goals.selectors_dashboard.data_fingerprint``:
   one read of the data-version row, plus the datasets' and departments' small tables), against the check it
   replaced (counting every observation, measure, goal, target and narrative, kept below as ``OLD_FINGERPRINT``);
   median of --samples calls each, in queries and milliseconds;
2. an upload of 5,000 weekly observations to a new manual measure through ``observations_import`` (bulk writes),
   against the way it wrote before (``observation_record`` once per row, each in its own savepoint), in queries and
   seconds; and the same upload again with every value changed.

Goal: the check costs the same at any number of observations (one query, not counting them); an upload runs a
constant number of queries (the same for 50 rows as for 5,000). The database named by DATABASE_URL is emptied and
re-seeded unless --reuse is given.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import analyze, setup_django  # noqa: E402 - after the path is set

#: The freshness check before issue 15: it counted every row of goals' tables on every request.
OLD_FINGERPRINT = """
SELECT
  (SELECT COUNT(*) || ':' || COALESCE(MAX(recorded_at)::text, '') FROM goals_observation),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM goals_measure),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM goals_goal),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM goals_measuretarget),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM goals_narrative),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(latest_run_id)::text, '') || ':' || COALESCE(MAX(checked_at)::text, '')
          || ':' || SUM(CASE WHEN stale THEN 1 ELSE 0 END) FROM quality_datasetquality),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM inventory_dataset),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(id)::text, '') FROM goals_goal_departments),
  (SELECT COUNT(*) || ':' || COALESCE(MAX(updated_at)::text, '') FROM team_department)
"""


def _old_fingerprint() -> None:
    from django.db import connection

    sql = OLD_FINGERPRINT if connection.vendor == "postgresql" else OLD_FINGERPRINT.replace("::text", "")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        cursor.fetchone()


def _timed(call, samples: int) -> tuple[float, int]:
    """The median milliseconds of ``call()`` over ``samples`` calls, and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def _measure(name: str):
    from goals.models import Goal, Measure
    from team.models import Department

    return Measure.objects.create(
        goal=Goal.objects.order_by("pk").first(),
        department=Department.objects.order_by("pk").first(),
        name=name,
        slug=name.lower().replace(" ", "-"),
        frequency="weekly",
        unit="cases",
    )


def _rows(count: int, bump: int = 0) -> list[dict[str, str]]:
    from django.utils import timezone

    today = timezone.localdate()
    return [
        {"period": f"{today - datetime.timedelta(weeks=n + 1):%Y-%m-%d}", "value": str(n + bump), "note": ""}
        for n in range(count)
    ]


def _upload(measure, rows, *, per_row: bool) -> tuple[float, int]:
    """Seconds and queries of one upload of ``rows`` to ``measure``: in bulk, or (``per_row``) as it was written
    before (each valid row through ``observation_record`` in its own savepoint)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from goals.models import ObservationSource
    from goals.services import observation_record, observations_import, observations_plan

    by = get_user_model().objects.get(username="bench-analyst")
    count = [0]

    def counted(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        if per_row:
            with transaction.atomic():
                plan = observations_plan(measure=measure, rows=rows)
                for row in plan.rows:
                    if row.action in ("new", "changed"):
                        with transaction.atomic():
                            observation_record(
                                measure=measure,
                                period=row.period,
                                value=row.value,
                                note=row.note,
                                by=by,
                                source=ObservationSource.UPLOAD,
                            )
        else:
            observations_import(measure=measure, rows=rows, by=by)
    return time.perf_counter() - started, count[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rows", type=int, default=5000, help="observations in the upload")
    parser.add_argument("--samples", type=int, default=200, help="calls of each freshness check")
    parser.add_argument("--reuse", action="store_true", help="keep the data an earlier run seeded")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from benchmarks.goals_dashboards import seed
    from goals.models import Measure, Observation
    from goals.selectors_dashboard import data_fingerprint

    if not args.reuse:
        seed(args.measures, args.years, 25, 4)
        analyze()
    Measure.objects.filter(slug__startswith="bench-upload-").delete()
    connection.force_debug_cursor = False
    print(f"{Observation.objects.count():,} observations, {connection.vendor}")

    new_ms, new_q = _timed(data_fingerprint, args.samples)
    old_ms, old_q = _timed(_old_fingerprint, args.samples)
    print(f"freshness check: now {new_ms:.2f} ms ({new_q} query); before {old_ms:.2f} ms ({old_q} query)")

    for label, count in (("50 rows", 50), (f"{args.rows:,} rows", args.rows)):
        bulk, per_row = _measure(f"Bench upload bulk {count}"), _measure(f"Bench upload per row {count}")
        seconds, queries = _upload(bulk, _rows(count), per_row=False)
        again_s, again_q = _upload(bulk, _rows(count, bump=1), per_row=False)
        base_s, base_q = _upload(per_row, _rows(count), per_row=True)
        print(
            f"upload of {label}: now {queries} queries, {seconds:.2f} s (changed again: {again_q} queries, "
            f"{again_s:.2f} s); before {base_q} queries, {base_s:.2f} s"
        )
    Measure.objects.filter(slug__startswith="bench-upload-").delete()


if __name__ == "__main__":
    main()
