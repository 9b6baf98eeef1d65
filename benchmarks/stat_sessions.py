#!/usr/bin/env python3
"""Stat sessions at scale: a department with 40 KPIs of five years of monthly values, its next session's memo draft,
and 20,000 action items city-wide; the app served by gunicorn on 127.0.0.1; the memo page and the action-item tracker
measured against /healthz's throughput on the same server in the same run, and the time a memo PDF of about 20 pages
takes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sessions .venv/bin/python benchmarks/stat_sessions.py

Goal (issue 12): the memo page and the tracker each at least 15% of /healthz's throughput. The database named by
DATABASE_URL is emptied and re-seeded unless --reuse is given; with no DATABASE_URL a SQLite file under var/ is used.
Requests go to 127.0.0.1 only, bounded in number.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import random
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
)

DEPARTMENTS = 25


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    return [
        datetime.date(today.year - (count // 12) + (today.month - 1 + n) // 12, (today.month - 1 + n) % 12 + 1, 1)
        for n in range(count)
    ]


def seed(kpis: int, years: int, items: int) -> None:
    """One department ("Department 00") with ``kpis`` KPIs of ``years`` of monthly values and targets (every fifth
    reading a dataset whose latest quality check failed), a monthly series for it whose next session has its memo
    drafted, and ``items`` action items spread over ``DEPARTMENTS`` departments' sessions in every status."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from goals.models import Goal, Measure, MeasureTarget, Narrative, Observation, Priority
    from inventory.models import Dataset
    from quality.models import CheckResult, DatasetQuality, QualityRun
    from sessions.models import ActionItem, Deliverable, ItemState, Session
    from sessions.models import Priority as ItemPriority
    from sessions.services import memo_draft, memo_send, series_create
    from team.models import Department, Person, Role, RoleAssignment

    call_command("flush", interactive=False, verbosity=0)
    defaults = importlib.import_module("goals.migrations.0002_default_priorities").DEFAULT_PRIORITIES
    for position, (slug, name) in enumerate(defaults, start=1):
        Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    started = time.perf_counter()
    rng = random.Random(12)
    today = timezone.localdate()
    months = _months(today, years * 12)
    with transaction.atomic():
        depts = Department.objects.bulk_create(
            Department(name=f"Department {i:02d}", slug=f"department-{i:02d}", code=f"D{i:02d}")
            for i in range(DEPARTMENTS)
        )
        user = get_user_model().objects.create_user(USERNAME, "bench@example.gov", PASSWORD)
        analyst = Person.objects.create(full_name="Bench Analyst", email="bench@example.gov", user=user)
        RoleAssignment.objects.create(person=analyst, role=Role.STAT_LEAD)
        owners = Person.objects.bulk_create(
            Person(full_name=f"Lead {i:02d}", email=f"lead{i:02d}@example.gov") for i in range(DEPARTMENTS)
        )
        RoleAssignment.objects.bulk_create(
            RoleAssignment(person=owner, role=Role.DEPARTMENT_LEAD, department=dept)
            for owner, dept in zip(owners, depts, strict=True)
        )
        priority = Priority.objects.order_by("position").first()
        # One KPI per goal (the goals app's rule): a goal per KPI.
        goals = Goal.objects.bulk_create(
            Goal(priority=priority, statement=f"Benchmark goal {m:02d}: its KPI toward its target") for m in range(kpis)
        )
        Goal.departments.through.objects.bulk_create(
            Goal.departments.through(goal=goal, department=depts[0]) for goal in goals
        )
        datasets = Dataset.objects.bulk_create(
            Dataset(
                identifier=f"bench-sessions-{i:02d}",
                title=f"Benchmark source {i:02d}",
                description="Source of a benchmark KPI.",
                department=depts[0],
                access_level="public",
                published=True,
            )
            for i in range(kpis // 5 + 1)
        )
        now = timezone.now()
        runs = QualityRun.objects.bulk_create(
            QualityRun(
                dataset=dataset, slot=now, state="finished", finished_at=now, outcome="fail" if i % 2 else "pass"
            )
            for i, dataset in enumerate(datasets)
        )
        CheckResult.objects.bulk_create(
            CheckResult(run=run, name="freshness", status=run.outcome, message="Benchmark check.") for run in runs
        )
        DatasetQuality.objects.bulk_create(
            DatasetQuality(dataset=run.dataset, latest_run=run, outcome=run.outcome, score=80, checked_at=now)
            for run in runs
        )
        measures = Measure.objects.bulk_create(
            Measure(
                goal=goals[m],
                department=depts[0],
                name=f"Benchmark KPI {m:02d}",
                slug=f"bench-kpi-{m:02d}",
                description="A synthetic KPI for the benchmark.",
                is_kpi=True,
                unit="cases",
                direction="down" if m % 2 else "up",
                target_value=Decimal(100),
                source_dataset=datasets[m // 5] if m % 5 == 0 else None,
            )
            for m in range(kpis)
        )
        Observation.objects.bulk_create(
            (
                Observation(measure=measure, period=month, value=Decimal(str(round(rng.uniform(80, 120), 1))))
                for measure in measures
                for month in months
            ),
            batch_size=5000,
        )
        MeasureTarget.objects.bulk_create(
            (
                MeasureTarget(measure=measure, period=month, value=Decimal(100))
                for measure in measures
                for month in months
            ),
            batch_size=5000,
        )
        Narrative.objects.bulk_create(
            Narrative(measure=measure, period=months[-2], what_happened=f"What moved {measure.name} last month.")
            for measure in measures
        )
    series = [
        series_create(
            name=f"Stat {i:02d}",
            department=dept,
            cadence="monthly",
            start_date=today - datetime.timedelta(days=330),
            start_time=datetime.time(10),
            by=None,
        )
        for i, dept in enumerate(depts)
    ]
    upcoming = Session.objects.filter(series=series[0], starts_at__gt=timezone.now()).order_by("starts_at").first()
    memo_draft(upcoming, by=None)
    # The last session's memo, sent: what most readers open (frozen, so its sections are drawn once).
    last = Session.objects.filter(series=series[0], starts_at__lt=timezone.now()).order_by("starts_at").last()
    memo_send(memo_draft(last, by=None), by=None)
    past = list(Session.objects.filter(starts_at__lt=timezone.now()).select_related("series"))
    states = [state for state in ItemState if state != ItemState.MERGED]
    counters: dict[int, int] = {}
    rows = []
    for n in range(items):
        session = past[n % len(past)]
        counters[session.pk] = counters.get(session.pk, 0) + 1
        state = states[n % len(states)]
        due = session.starts_at.date() + datetime.timedelta(days=rng.randint(7, 60))
        rows.append(
            ActionItem(
                session=session,
                number=counters[session.pk],
                title=f"Benchmark request {n}",
                department_id=session.series.department_id,
                due_date=due,
                priority=rng.choice(list(ItemPriority)),
                deliverable=rng.choice(list(Deliverable)),
                state=state,
                completed_on=due
                if state == ItemState.COMPLETED_ON_TIME
                else (due + datetime.timedelta(days=3) if state == ItemState.COMPLETED_LATE else None),
            )
        )
    ActionItem.objects.bulk_create(rows, batch_size=5000)
    print(
        f"seeded {kpis} KPIs x {len(months)} months, {len(series)} series, {items} action items in "
        f"{time.perf_counter() - started:.1f} s"
    )


def pdf_pages(body: bytes) -> int:
    """The page count of a PDF WeasyPrint wrote: the /Count of its page tree, which may sit in a compressed object
    stream (no PDF library is installed)."""
    import re
    import zlib

    text = body
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", body, re.S):
        try:
            text += zlib.decompress(match.group(1))
        except zlib.error:
            continue
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", text, re.S)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", text, re.S)]
    return max(counts, default=0)


def time_pdf(url: str, cookie: str, samples: int) -> None:
    """The memo PDF's time (median of ``samples``), its size and its pages."""
    import statistics

    times, body = [], b""
    for _ in range(samples):
        started = time.perf_counter()
        status, body = http_get(url, cookie=cookie, timeout=300)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise SystemExit(f"{url} answered {status}")
    pages = pdf_pages(body)
    print(
        f"memo PDF: {statistics.median(times):.2f} s (median of {samples}), {len(body) / 1024:,.0f} KiB, {pages} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=40)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--pdf-samples", type=int, default=3)
    add_server_arguments(parser, port=8767)
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        seed(args.kpis, args.years, args.items)
    analyze()
    from django.utils import timezone

    from sessions.models import ActionItem, Memo

    memo = Memo.objects.select_related("session").get(session__starts_at__gt=timezone.now())
    sent = Memo.objects.get(state="sent")
    print(f"{memo.topics.count()} memo topics, {ActionItem.objects.count()} action items")
    base = f"http://127.0.0.1:{args.port}"
    server = None
    try:
        server = serve(args.port, args.workers)
        cookie = signed_in_cookie(base)
        session = memo.session_id
        time_pdf(f"{base}/sessions/{session}/memo.pdf", cookie, args.pdf_samples)
        pages = [
            ("/healthz (baseline)", "/healthz"),
            ("sent memo page (40 KPIs)", f"/sessions/{sent.session_id}/memo/"),
            ("draft memo page (40 KPIs, live data)", f"/sessions/{session}/memo/"),
            ("action-item tracker (20,000)", "/sessions/action-items/"),
            ("tracker, one department overdue", "/sessions/action-items/?department=department-03&status=overdue"),
        ]
        for label, path in pages[1:]:
            status, body = http_get(base + path, cookie=cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            print(f"  {label:38} {len(body) / 1024:,.0f} KiB")
        measure_pages(server, base, pages, cookie=cookie, args=args, goal=0.15)
    finally:
        stop(server)


if __name__ == "__main__":
    main()
