#!/usr/bin/env python3
"""Goals dashboards at scale: seed 500 measures with ten years of monthly observations, serve the app with gunicorn
on 127.0.0.1, and measure the city-wide dashboard, a department's dashboard and the public dashboard against
/healthz's throughput on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_goals .venv/bin/python benchmarks/goals_dashboards.py

Goal (issue 5): each page at least 10% of /healthz's throughput. The database named by DATABASE_URL is emptied and
re-seeded unless --reuse is given; with no DATABASE_URL a SQLite file under var/ is used. Requests go to 127.0.0.1
only, bounded in number. Also prints the cold cost of each page, which the cache hides from the throughput figures:
its first request after the server starts (with the worker's first imports) and, with warm workers, its first
request after a write (an observation corrected, as a department would), the median of --cold-samples writes.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402 - after the path is set
    PASSWORD,
    USERNAME,
    add_server_arguments,
    analyze,
    http_get,
    measure_pages,
    serve,
    setup_django,
    signed_in_cookie,
    stop,
    throughput,
)


def seed(measures: int, years: int, departments: int, per_goal: int) -> None:
    """``measures`` measures in goals of ``per_goal`` (the first of each the KPI) across ``departments``, half of
    the goals public, every tenth measure reading a dataset whose latest quality check failed; ``years`` of monthly
    observations each, with a target per period for the KPIs."""
    import random

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from goals.models import Goal, Measure, MeasureTarget, Observation, Priority
    from inventory.models import Dataset
    from quality.models import DatasetQuality
    from team.models import Department, Person, Role, RoleAssignment

    call_command("flush", interactive=False, verbosity=0)
    # The flush emptied the six default priorities the data migration made: put them back the same way.
    defaults = importlib.import_module("goals.migrations.0002_default_priorities").DEFAULT_PRIORITIES
    for position, (slug, name) in enumerate(defaults, start=1):
        Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    started = time.perf_counter()
    rng = random.Random(5)
    today = datetime.date.today()  # noqa: DTZ011 - the benchmark's calendar
    months = [
        datetime.date(today.year - years + (today.month - 1 + n) // 12, (today.month - 1 + n) % 12 + 1, 1)
        for n in range(years * 12)
    ]
    with transaction.atomic():
        depts = Department.objects.bulk_create(
            Department(name=f"Department {i:02d}", slug=f"department-{i:02d}", code=f"D{i:02d}")
            for i in range(departments)
        )
        user = get_user_model().objects.create_user(USERNAME, "bench@example.gov", PASSWORD)
        person = Person.objects.create(full_name="Bench Analyst", email="bench@example.gov", user=user)
        RoleAssignment.objects.create(person=person, role=Role.STAT_ANALYST)
        priorities = list(Priority.objects.order_by("position"))
        goals = []
        for g in range(measures // per_goal):
            goals.append(
                Goal(
                    priority=priorities[g % len(priorities)],
                    statement=f"Benchmark goal {g:03d}: move its measures toward their targets",
                    public=g % 2 == 0,
                    bold=g % 7 == 0,
                )
            )
        goals = Goal.objects.bulk_create(goals)
        Goal.departments.through.objects.bulk_create(
            Goal.departments.through(goal=goal, department=depts[g % departments]) for g, goal in enumerate(goals)
        )
        datasets = Dataset.objects.bulk_create(
            Dataset(
                identifier=f"bench-goals-{i:03d}",
                title=f"Benchmark source {i:03d}",
                description="Source of a benchmark measure.",
                department=depts[i % departments],
                access_level="public",
                published=True,
            )
            for i in range((measures + 9) // 10)  # one for every tenth measure
        )
        DatasetQuality.objects.bulk_create(
            DatasetQuality(dataset=dataset, outcome="fail" if i % 3 == 0 else "pass", score=60 + i % 40)
            for i, dataset in enumerate(datasets)
        )
        rows = []
        for m in range(measures):
            goal = goals[m // per_goal]
            rows.append(
                Measure(
                    goal=goal,
                    department=depts[(m // per_goal) % departments],
                    name=f"Benchmark measure {m:03d}",
                    slug=f"bench-measure-{m:03d}",
                    description="A synthetic measure for the benchmark.",
                    is_kpi=m % per_goal == 0,
                    unit="cases",
                    direction="down" if m % 2 else "up",
                    target_value=Decimal(100),
                    public=m % 3 != 2,
                    source_dataset=datasets[m // 10] if m % 10 == 0 else None,
                )
            )
        created = Measure.objects.bulk_create(rows)
        Observation.objects.bulk_create(
            (
                Observation(
                    measure=measure,
                    period=month,
                    value=Decimal(str(round(rng.uniform(80, 120), 1))),
                    source="manual",
                )
                for measure in created
                for month in months
            ),
            batch_size=5000,
        )
        MeasureTarget.objects.bulk_create(
            (
                MeasureTarget(measure=measure, period=month, value=Decimal(100 - n // 12))
                for measure in created
                if measure.is_kpi
                for n, month in enumerate(months)
            ),
            batch_size=5000,
        )
    print(
        f"seeded {measures} measures x {len(months)} monthly observations in {departments} departments in "
        f"{time.perf_counter() - started:.1f} s"
    )


def touch_an_observation() -> None:
    """A write every dashboard reads: the newest observation of the first KPI, corrected to the same value (its
    ``recorded_at`` moves, so the data's fingerprint changes and every page is rebuilt on its next request)."""
    from django.utils import timezone

    from goals.models import Observation

    newest = Observation.objects.filter(measure__is_kpi=True).order_by("-period", "measure_id").first()
    Observation.objects.filter(pk=newest.pk).update(recorded_at=timezone.now())


def cold_after_write(url: str, cookie: str, samples: int) -> tuple[float, int]:
    """The median time of the first request of ``url`` after a write, over ``samples`` writes, and the body's size."""
    times, size = [], 0
    for _ in range(samples):
        touch_an_observation()
        started = time.perf_counter()
        status, body = http_get(url, cookie=cookie)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
        size = len(body)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--departments", type=int, default=25)
    parser.add_argument("--per-goal", type=int, default=4, help="measures per goal (the first is its KPI)")
    add_server_arguments(parser, port=8766)
    parser.add_argument("--cold-samples", type=int, default=5, help="writes per page for the cold cost")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        seed(args.measures, args.years, args.departments, args.per_goal)
    analyze()
    from goals.models import Measure, Observation

    print(f"{Measure.objects.count()} measures, {Observation.objects.count()} observations")
    base = f"http://127.0.0.1:{args.port}"
    server = None
    try:
        server = serve(args.port, args.workers)
        cookie = signed_in_cookie(base)
        pages = [
            ("/healthz (baseline)", "/healthz"),
            ("city dashboard (principal)", "/goals/dashboard/"),
            ("department dashboard", "/goals/departments/department-00/"),
            ("public dashboard /public/", "/public/"),
        ]
        print("\ncold cost, first request after the server started (with the worker's first imports):")
        for label, path in pages[1:]:
            started = time.perf_counter()
            status, body = http_get(base + path, cookie=cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            print(f"  {label:38} {time.perf_counter() - started:6.2f} s, {len(body) / 1024:,.0f} KiB")
        for _label, path in pages:  # warm every worker up before the cold cost after a write
            throughput(base + path, cookie=cookie, requests_total=args.concurrency * 4, concurrency=args.concurrency)
        print(f"cold cost, first request after a write (warm workers; median of {args.cold_samples} writes):")
        for label, path in pages[1:]:
            seconds, size = cold_after_write(base + path, cookie, args.cold_samples)
            print(f"  {label:38} {seconds:6.2f} s, {size / 1024:,.0f} KiB")
        measure_pages(
            server,
            base,
            pages,
            cookie=cookie,
            args=args,
            goal=0.10,
        )
    finally:
        stop(server)


if __name__ == "__main__":
    main()
