#!/usr/bin/env python3
"""The quality pipeline at city scale: 2,000 datasets of 10,000-100,000 rows, served from a local HTTP server,
scheduled by real ``celery beat`` and checked by real ``celery worker`` processes on Redis and PostgreSQL until every
dataset is checked and the measures computed from them are recomputed; first with one worker process, then with two.

    psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE bench_pipe"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_pipe .venv/bin/python benchmarks/pipeline.py
    # a quick run: --datasets 200; also --concurrency 1,2 (the phases), --redis-url, --files N, --keep-files

Goals (issue 15): one two-core machine checks at least 100,000 such datasets a day; throughput grows linearly with
worker processes (two processes about twice one); no run is lost or doubled (counted in the database: every dataset
exactly one finished run per phase, each started once); the web keeps serving at least half its idle ``/healthz``
throughput while the workers run.

What it does. It generates ``--files`` (24) seeded CSVs of 10,000 to 100,000 rows, spread evenly (12 columns, the
shape and planted problems of ``quality_engine.py``), under var/bench_pipeline/, and serves them from a small HTTP
server on 127.0.0.1 (a subprocess using ``sendfile``, so "the internet" costs the machine little), each dataset at a
URL path of its own (a symbolic link to one of the files). It empties the database (``flush``), seeds the datasets
across 20 departments with their update frequencies (daily to annual), a download distribution each, a data
dictionary for half of them (the file's Table Schema), and, for every fifth dataset, two measures computed from it
(a monthly count and a monthly sum), then writes the real periodic schedule (``sync_schedule``) and makes "quality
checks due" due now (its interval stays 15 minutes). gunicorn serves the app (``harness.serve``) and ``/healthz`` is
measured idle. Each phase then starts ``celery beat`` and ``celery worker --concurrency N`` (prefork, as
``scripts/run-services.sh`` runs them) with ``statprogram.settings_test`` and ``FETCH_ALLOW_LOOPBACK=true``: the only
way the safe fetch reaches 127.0.0.1 (production settings ignore the variable). Beat queues every dataset; the
workers check each and, after a run that passed or warned, recompute its measures. Meanwhile ``/healthz`` is
measured in short bursts. A phase ends when every dataset has a finished run of the phase and every measure has been
computed since it began; before the next phase the runs' slots are moved a year back, so every dataset is due again.

Figures: datasets per hour (from the first run queued to the last run or computation finished), per worker process,
the scaling from one process to two, the day's projection for the machine (the two-process rate x 24 h), runs lost
(a dataset without a finished run), doubled (a second run of the phase, or a run started more than once), measures
not recomputed, and ``/healthz`` under the workers against idle (the median of the bursts, against the mean of the
idle baselines measured before and after the phase). Other work on a shared machine moves all of it: the load
average is printed at each phase.
"""

from __future__ import annotations

import argparse
import datetime
import http.server
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import serve, setup_django, stop, throughput  # noqa: E402 - after the path is set

WORK = ROOT / "var" / "bench_pipeline"
DEPARTMENTS = [
    ("Police", "POL", "Calls for service"),
    ("Fire", "FIR", "Incident responses"),
    ("Public Works", "DPW", "Work orders"),
    ("Transportation", "DOT", "Signal repairs"),
    ("Parks and Recreation", "PRK", "Facility bookings"),
    ("Public Health", "DPH", "Restaurant inspections"),
    ("Housing", "HSG", "Code violations"),
    ("Library", "LIB", "Circulation"),
    ("Finance", "FIN", "Vendor payments"),
    ("Water", "WTR", "Main breaks"),
    ("Sanitation", "SAN", "Missed collections"),
    ("Planning", "PLN", "Zoning cases"),
    ("Building Inspection", "DBI", "Permits issued"),
    ("311 Customer Service", "311", "Service requests"),
    ("Emergency Management", "OEM", "Alerts sent"),
    ("Human Services", "HSA", "Shelter intakes"),
    ("Economic Development", "OED", "Business licenses"),
    ("Technology", "DT", "Help desk tickets"),
    ("Human Resources", "DHR", "Job applications"),
    ("Animal Services", "ACC", "Animal intakes"),
]
#: Daily to annual: a slot that does not roll over during a run (an hourly dataset would be due again each hour).
FREQUENCIES = ["R/P1D", "R/P1W", "R/P1W", "R/P1M", "R/P1M", "R/P1M", "R/P3M", "R/P1Y"]
MIN_ROWS, MAX_ROWS = 10_000, 100_000
QUEUE_SETTINGS = "statprogram.settings_test"  # the only settings that let the safe fetch reach 127.0.0.1


# --- the data and its server ---------------------------------------------------------------------------------------


def file_rows(count: int) -> list[int]:
    """Row counts spread evenly from 10,000 to 100,000."""
    if count == 1:
        return [MAX_ROWS]
    return [MIN_ROWS + (MAX_ROWS - MIN_ROWS) * i // (count - 1) for i in range(count)]


NOTES = ["pothole", "graffiti", "noise", "streetlight out", "tree down", '"water, main"', "permit"]


def generate(path: Path, rows: int, seed: int, *, clean: bool) -> None:
    """A CSV of ``rows`` cases with ``quality_engine.py``'s 12 columns; unless ``clean``, about one row in 300 has a
    problem of the kinds that benchmark plants (a type error, a value out of range or outside its list, a missing
    district, a duplicate row)."""
    from benchmarks.quality_engine import HEADER, clean_row

    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        lines = []
        for i in range(1, rows + 1):
            row = clean_row(i, NOTES)
            if not clean and rnd.random() < 1 / 300:
                column, value = rnd.choice([(2, "Unknown"), (3, "high"), (4, "-5.00"), (5, "2026-02-30"), (8, "")])
                row[column] = value
            lines.append(",".join(row) + "\n")
            if not clean and i > 1 and rnd.random() < 1 / 2000:
                lines.append(lines[-2])  # a duplicate row
            if len(lines) >= 10000:
                out.write("".join(lines))
                lines.clear()
        out.write("".join(lines))


def generate_files(count: int) -> list[Path]:
    """``count`` seeded CSVs, every other one clean (kept between runs: made only when missing)."""
    folder = WORK / "files"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    started = time.perf_counter()
    for i, rows in enumerate(file_rows(count)):
        path = folder / f"data-{i:02d}-{rows}{'-clean' if i % 2 else ''}.csv"
        if not path.exists():
            partial = path.with_suffix(".part")
            generate(partial, rows, seed=1000 + i, clean=bool(i % 2))
            partial.rename(path)
        paths.append(path)
    total = sum(p.stat().st_size for p in paths)
    print(f"{count} data files, {total / 1e6:,.0f} MB, ready in {time.perf_counter() - started:.1f} s", flush=True)
    return paths


def file_for(i: int, files: list[Path]) -> Path:
    """The file the i-th dataset serves: the files in turn, but a clean one for the datasets measures are computed
    from (every fifth), whose checks then pass or warn, so their measures are recomputed."""
    if i % 5 == 0 and len(files) > 1:
        clean = files[1::2]
        return clean[(i // 5) % len(clean)]
    return files[i % len(files)]


def link_urls(identifiers: list[str], files: list[Path]) -> Path:
    """A web root where each dataset's path is a link to one of the files (:func:`file_for`)."""
    root = WORK / "www"
    shutil.rmtree(root, ignore_errors=True)
    (root / "d").mkdir(parents=True)
    for i, identifier in enumerate(identifiers):
        (root / "d" / f"{identifier}.csv").symlink_to(file_for(i, files))
    return root


class _SendfileHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server whose body goes out with ``sendfile``: the stand-in for the internet should cost the
    machine as little as it can."""

    def copyfile(self, source, outputfile) -> None:
        outputfile.flush()
        self.connection.sendfile(source)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


def serve_files_forever(root: str, port: int) -> None:
    """The data server's process (``--serve-files``)."""
    handler = lambda *a, **k: _SendfileHandler(*a, directory=root, **k)  # noqa: E731
    http.server.ThreadingHTTPServer.request_queue_size = 128
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


def start_file_server(root: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--serve-files", str(root), "--data-port", str(port)], cwd=ROOT
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the data server did not start")


# --- the database -------------------------------------------------------------------------------------------------


def seed(count: int, data_port: int) -> list[str]:
    """Empty the database and seed ``count`` datasets (see the module); returns their identifiers in order."""
    import importlib
    import json

    from django.core.management import call_command
    from django.db import transaction
    from django.utils.text import slugify

    from benchmarks.quality_engine import SCHEMA
    from goals.models import Goal, Measure, Priority
    from inventory.models import AccessLevel, DataField, Dataset, Distribution
    from team.models import Department

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    defaults = importlib.import_module("goals.migrations.0002_default_priorities").DEFAULT_PRIORITIES
    for position, (slug, name) in enumerate(defaults, start=1):
        Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
    started = time.perf_counter()
    rng = random.Random(15)
    with transaction.atomic():
        depts = Department.objects.bulk_create(
            Department(name=name, slug=slugify(name), code=code) for name, code, _topic in DEPARTMENTS
        )
        rows = []
        for i in range(count):
            d = i % len(DEPARTMENTS)
            name, code, topic = DEPARTMENTS[d]
            rows.append(
                Dataset(
                    identifier=f"{code.lower()}-{i:05d}",
                    title=f"{topic} {2000 + i // len(DEPARTMENTS) % 27} ({name}, no. {i})",
                    description=f"{topic} recorded by {name}: one row per case, as the department's system exports it.",
                    department=depts[d],
                    access_level=AccessLevel.PUBLIC,
                    license="https://creativecommons.org/publicdomain/zero/1.0/",
                    accrual_periodicity=FREQUENCIES[rng.randrange(len(FREQUENCIES))],
                    published=True,
                )
            )
        datasets = Dataset.objects.bulk_create(rows, batch_size=1000)
        Distribution.objects.bulk_create(
            (
                Distribution(
                    dataset=dataset,
                    title="CSV export",
                    download_url=f"http://127.0.0.1:{data_port}/d/{dataset.identifier}.csv",
                    media_type="text/csv",
                    format="CSV",
                )
                for dataset in datasets
            ),
            batch_size=2000,
        )
        fields = []
        for i, dataset in enumerate(datasets):
            if i % 2:  # half the datasets have a data dictionary
                continue
            for position, spec in enumerate(SCHEMA["fields"]):
                constraints = spec.get("constraints", {})
                fields.append(
                    DataField(
                        dataset=dataset,
                        position=position,
                        name=spec["name"],
                        type=spec["type"],
                        format=spec.get("format", ""),
                        required=constraints.get("required", False),
                        unique=constraints.get("unique", False),
                        allowed_values=constraints.get("enum", []),
                        minimum=json.dumps(constraints["minimum"]) if "minimum" in constraints else "",
                        maximum=json.dumps(constraints["maximum"]) if "maximum" in constraints else "",
                        pattern=constraints.get("pattern", ""),
                    )
                )
        DataField.objects.bulk_create(fields, batch_size=5000)
        priorities = list(Priority.objects.order_by("position"))
        measured = [dataset for i, dataset in enumerate(datasets) if i % 5 == 0]
        goals = Goal.objects.bulk_create(
            Goal(priority=priorities[g % len(priorities)], statement=f"Keep {dataset.title} on target", public=True)
            for g, dataset in enumerate(measured)
        )
        Goal.departments.through.objects.bulk_create(
            Goal.departments.through(goal=goal, department_id=dataset.department_id)
            for goal, dataset in zip(goals, measured, strict=True)
        )
        measures = []
        for goal, dataset in zip(goals, measured, strict=True):
            for kind, unit, column in (("count", "cases", ""), ("sum", "dollars", "amount")):
                measures.append(
                    Measure(
                        goal=goal,
                        department_id=dataset.department_id,
                        name=f"{dataset.title}: monthly {kind}",
                        slug=f"{dataset.identifier}-{kind}",
                        description=f"The monthly {kind} of {dataset.title}, computed from its data.",
                        is_kpi=kind == "count",
                        unit=unit,
                        source_dataset=dataset,
                        aggregation=kind,
                        value_column=column,
                        date_column="opened",
                        frequency="monthly",
                    )
                )
        Measure.objects.bulk_create(measures)
    call_command("sync_schedule", verbosity=0)
    print(
        f"seeded {count} datasets in {len(DEPARTMENTS)} departments ({len(fields) // len(SCHEMA['fields'])} with a "
        f"dictionary), {len(measures)} measures computed from {len(measured)} of them, in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return [dataset.identifier for dataset in datasets]


def make_all_due() -> None:
    """Every dataset due again: the runs of an earlier phase move a year back (their slot, so its period has none
    left), and beat's "quality checks due" is made due now (its interval stays the app's)."""
    from django.db.models import F
    from django.utils import timezone
    from django_celery_beat.models import PeriodicTask

    from quality.models import QualityRun

    QualityRun.objects.update(slot=F("slot") - datetime.timedelta(days=400))
    PeriodicTask.objects.filter(task="quality.schedule_due").update(
        last_run_at=timezone.now() - datetime.timedelta(days=1)
    )


def progress(since: datetime.datetime) -> dict:
    """What the phase that began at ``since`` has done so far (a handful of queries)."""
    from django.db.models import Count, Max, Min, Q

    from goals.models import Measure
    from quality.models import QualityRun

    runs = QualityRun.objects.filter(queued_at__gte=since)
    totals = runs.aggregate(
        runs=Count("pk"),
        finished=Count("pk", filter=Q(state="finished")),
        first_queued=Min("queued_at"),
        last_finished=Max("finished_at"),
    )
    # The measures a phase recomputes: those of the datasets whose run of the phase passed or warned.
    passed = runs.filter(state="finished", outcome__in=["pass", "warn"]).values("dataset_id")
    computed = Measure.objects.exclude(aggregation="").aggregate(
        measures=Count("pk"),
        expected=Count("pk", filter=Q(source_dataset__in=passed)),
        done=Count(
            "pk", filter=Q(source_dataset__in=passed, computed_at__gte=since, compute_requested_at__isnull=True)
        ),
        errors=Count("pk", filter=Q(computed_at__gte=since) & ~Q(compute_error="")),
        last_computed=Max("computed_at", filter=Q(computed_at__gte=since)),
    )
    return {**totals, **computed}


def tally(since: datetime.datetime, count: int) -> dict:
    """Runs lost and doubled in the phase that began at ``since``, counted per dataset."""
    from django.db.models import Count, Q

    from core.models import OutboxMessage
    from inventory.models import Dataset
    from quality.models import QualityRun

    per_dataset = Dataset.objects.annotate(
        runs=Count("quality_runs", filter=Q(quality_runs__queued_at__gte=since)),
        finished=Count("quality_runs", filter=Q(quality_runs__queued_at__gte=since, quality_runs__state="finished")),
    )
    runs = QualityRun.objects.filter(queued_at__gte=since)
    return {
        "datasets": per_dataset.count(),
        "lost": per_dataset.filter(finished=0).count(),
        "doubled": per_dataset.filter(runs__gt=1).count(),
        "started_twice": runs.filter(attempts__gt=1).count(),
        "outcomes": dict(runs.values_list("outcome").annotate(n=Count("pk")).order_by("outcome")),
        "waiting_in_outbox": OutboxMessage.objects.count(),
    }


# --- the processes ------------------------------------------------------------------------------------------------


def celery_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": QUEUE_SETTINGS,
        "FETCH_ALLOW_LOOPBACK": "true",
    }


def celery(arguments: list[str], env: dict, log: Path, *, nice: int = 0) -> subprocess.Popen:
    prefix = ["nice", "-n", str(nice)] if nice else []
    with log.open("w") as out:
        return subprocess.Popen(  # noqa: S603 - our own Celery, fixed arguments
            [*prefix, str(Path(sys.executable).parent / "celery"), "-A", "statprogram", *arguments],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_ready(worker: subprocess.Popen, log: Path) -> None:
    """Until the worker says it is ready (so the phase's time is not its start-up's)."""
    for _ in range(600):
        if " ready." in log.read_text(errors="replace"):
            return
        if worker.poll() is not None:
            raise SystemExit(f"the worker stopped; see {log}")
        time.sleep(0.2)
    raise SystemExit(f"the worker did not start; see {log}")


def halt(process: subprocess.Popen | None) -> None:
    """Celery's warm shutdown (SIGTERM), killed if it has not stopped in 60 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def purge(redis_url: str) -> None:
    """Empty the benchmark's own Redis database (its broker and cache) before a phase."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def children_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children so far, from /proc (Linux)."""
    total = 0.0
    try:
        pids = [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        for p in pids:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime; and for the main process cutime, cstime: the pool processes it replaced.
            ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if p == str(pid) else 0)
            total += ticks / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return total


# --- /healthz -----------------------------------------------------------------------------------------------------


def healthz_rps(url: str, requests: int, concurrency: int, rounds: int = 3) -> float:
    """The median requests per second of ``rounds`` bursts of ``requests`` GETs."""
    return statistics.median(
        throughput(url, cookie="", requests_total=requests, concurrency=concurrency)[0] for _ in range(rounds)
    )


class HealthzSampler(threading.Thread):
    """Bursts of /healthz every ``gap`` seconds while the workers run."""

    def __init__(self, url: str, requests: int, concurrency: int, gap: float):
        super().__init__(daemon=True)
        self.url, self.requests, self.concurrency, self.gap = url, requests, concurrency, gap
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.gap):
            rps, _ = throughput(self.url, cookie="", requests_total=self.requests, concurrency=self.concurrency)
            self.samples.append(rps)


# --- a phase ------------------------------------------------------------------------------------------------------


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_phase(number: int, concurrency: int, nice: int, args: argparse.Namespace, healthz: str) -> dict:
    from django.utils import timezone

    niced = f", nice {nice}" if nice else ""
    print(f"\n=== phase {number}: one worker, --concurrency {concurrency}{niced} (load {load()}) ===", flush=True)
    purge(args.redis_url)
    make_all_due()
    idle_before = healthz_rps(healthz, args.healthz_requests, args.healthz_concurrency)
    print(f"/healthz idle: {idle_before:.0f} req/s", flush=True)
    since = timezone.now()
    env = celery_env(args.database_url, args.redis_url)
    worker = celery(
        ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--hostname=pipeline{number}@%h"],
        env,
        WORK / f"worker-{number}.log",
        nice=nice,
    )
    wait_ready(worker, WORK / f"worker-{number}.log")
    beat = celery(["beat", "--loglevel=INFO", "--pidfile="], env, WORK / f"beat-{number}.log")
    sampler = HealthzSampler(healthz, args.healthz_requests, args.healthz_concurrency, args.healthz_gap)
    sampler.start()
    loads = [os.getloadavg()[0]]
    deadline = time.monotonic() + args.phase_timeout
    state: dict = {}
    last_print = 0.0
    try:
        while time.monotonic() < deadline:
            time.sleep(2)
            if worker.poll() is not None or beat.poll() is not None:
                raise SystemExit(f"a Celery process stopped; see {WORK}/worker-{number}.log and beat-{number}.log")
            state = progress(since)
            if time.monotonic() - last_print > 30:
                last_print = time.monotonic()
                loads.append(os.getloadavg()[0])
                print(
                    f"  {state['finished']}/{args.datasets} checked, {state['done']}/{state['expected']} measures "
                    f"recomputed (load {load()})",
                    flush=True,
                )
            if state["finished"] >= args.datasets and state["done"] >= state["expected"]:
                break
        else:
            print(f"  phase {number} did not finish within {args.phase_timeout} s", flush=True)
        worker_cpu = children_cpu(worker.pid)
    finally:
        sampler.done.set()
        sampler.join()
        halt(beat)
        halt(worker)
    idle_after = healthz_rps(healthz, args.healthz_requests, args.healthz_concurrency)
    counts = tally(since, args.datasets)
    first, last = (
        state.get("first_queued"),
        max(filter(None, [state.get("last_finished"), state.get("last_computed")]), default=None),
    )
    seconds = (last - first).total_seconds() if first and last else float("nan")
    per_hour = state.get("finished", 0) / seconds * 3600 if seconds else float("nan")
    computed = _computations(WORK / f"worker-{number}.log")
    result = {
        "concurrency": concurrency,
        "nice": nice,
        "seconds": seconds,
        "per_hour": per_hour,
        "per_hour_per_process": per_hour / concurrency,
        "finished": state.get("finished", 0),
        "measures": state.get("measures", 0),
        "expected": state.get("expected", 0),
        "recomputed": state.get("done", 0),
        "compute_errors": state.get("errors", 0),
        "computations": computed,
        "healthz_idle": (idle_before + idle_after) / 2,
        "healthz_busy": statistics.median(sampler.samples) if sampler.samples else float("nan"),
        "healthz_samples": len(sampler.samples),
        "worker_cpu": worker_cpu,
        "loads": loads,
        **counts,
    }
    result["healthz_ratio"] = result["healthz_busy"] / result["healthz_idle"]
    print(
        f"phase {number}: {result['finished']} datasets checked in {seconds:.0f} s = {per_hour:,.0f} datasets/hour, "
        f"{result['per_hour_per_process']:,.0f} per worker process; worker CPU {worker_cpu:.0f} s "
        f"({worker_cpu / max(result['finished'], 1) * 1000:.0f} ms a dataset; {worker_cpu / seconds:.2f} cores used)",
        flush=True,
    )
    print(
        f"  runs: lost {counts['lost']}, doubled {counts['doubled']}, started more than once "
        f"{counts['started_twice']}; outcomes {counts['outcomes']}; left in the outbox {counts['waiting_in_outbox']}",
        flush=True,
    )
    print(
        f"  measures: {result['recomputed']} recomputed of {result['expected']} whose dataset passed or warned "
        f"({result['measures']} in all; {result['compute_errors']} with an "
        f"error), computations in the worker's log: {computed['measures']} measures, {computed['twice']} computed "
        f"more than once",
        flush=True,
    )
    print(
        f"  /healthz: idle {idle_before:.0f} and {idle_after:.0f} req/s, under the workers {result['healthz_busy']:.0f}"
        f" (median of {len(sampler.samples)} bursts) = {result['healthz_ratio']:.0%}; load average "
        f"{min(loads):.1f}-{max(loads):.1f}",
        flush=True,
    )
    return result


_SUMMARY = re.compile(r"'([^']*): (\d+) new values?, (\d+) changed")


def _computations(log: Path) -> dict:
    """Measures computed (not skipped) per the worker's log of ``goals.measures_compute``'s results."""
    seen: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if "goals.measures_compute" in line and "succeeded" in line:
            for name, *_ in _SUMMARY.findall(line):
                seen[name] = seen.get(name, 0) + 1
    return {"measures": len(seen), "twice": sum(1 for n in seen.values() if n > 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--files", type=int, default=24, help="distinct data files (10,000-100,000 rows)")
    parser.add_argument("--concurrency", default="1,2", help="worker processes of each phase")
    parser.add_argument(
        "--nice", default="", help="the workers' niceness in each phase (e.g. 0,10; default 0: as run-services.sh)"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5", help="a Redis database of its own")
    parser.add_argument("--port", type=int, default=8715, help="gunicorn's port")
    parser.add_argument("--data-port", type=int, default=8716, help="the data server's port")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--healthz-requests", type=int, default=200)
    parser.add_argument("--healthz-concurrency", type=int, default=4)
    parser.add_argument("--healthz-gap", type=float, default=15.0, help="seconds between /healthz bursts")
    parser.add_argument("--phase-timeout", type=int, default=3600)
    parser.add_argument("--seed-only", action="store_true", help="seed the database and the files, then stop")
    parser.add_argument("--serve-files", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_files:
        serve_files_forever(args.serve_files, args.data_port)
        return
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give a PostgreSQL database of its own: --database-url or DATABASE_URL (it is emptied)")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    setup_django()
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)", flush=True)
    files = generate_files(args.files)
    identifiers = seed(args.datasets, args.data_port)
    web_root = link_urls(identifiers, files)
    from benchmarks.harness import analyze

    analyze()
    if args.seed_only:
        return
    data_server = start_file_server(web_root, args.data_port)
    server = None
    results = []
    try:
        server = serve(args.port, args.web_workers)
        healthz = f"http://127.0.0.1:{args.port}/healthz"
        throughput(healthz, cookie="", requests_total=40, concurrency=4)  # warm up
        phases = [int(c) for c in args.concurrency.split(",")]
        nices = [int(n) for n in args.nice.split(",")] if args.nice else []
        for number, concurrency in enumerate(phases):
            nice = nices[number] if number < len(nices) else 0
            results.append(run_phase(number + 1, concurrency, nice, args, healthz))
    finally:
        stop(server)
        data_server.terminate()
        data_server.wait(timeout=10)
    print(
        f"\n{'processes':>9} {'nice':>4} {'seconds':>8} {'datasets/h':>11} {'per process':>12} {'/healthz':>9}  "
        "lost doubled"
    )
    for r in results:
        print(
            f"{r['concurrency']:>9} {r['nice']:>4} {r['seconds']:8.0f} {r['per_hour']:11,.0f} "
            f"{r['per_hour_per_process']:12,.0f} "
            f"{r['healthz_ratio']:9.0%}  {r['lost']:4} {r['doubled'] + r['started_twice']:7}"
        )
    if len(results) >= 2:
        scaling = results[-1]["per_hour"] / results[0]["per_hour"]
        ideal = results[-1]["concurrency"] / results[0]["concurrency"]
        print(
            f"scaling {results[0]['concurrency']} -> {results[-1]['concurrency']} processes: x{scaling:.2f} "
            f"(ideal x{ideal:.0f})"
        )
    best = max(results, key=lambda r: r["per_hour"])
    print(
        f"projection for this machine ({best['concurrency']} processes): {best['per_hour'] * 24:,.0f} datasets a day "
        f"(goal >= 100,000); load average at the end: {load()}"
    )


if __name__ == "__main__":
    main()
