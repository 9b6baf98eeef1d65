#!/usr/bin/env python3
"""A mixed load on the production configuration: the demo city (``seed_demo``), gunicorn with gunicorn.conf.py and
DEBUG off on 127.0.0.1, and for a bounded time (--duration, 20 s) concurrent clients cycling through public pages,
/data.json, and, signed in as a Stat analyst, the inventory list and the dashboards. Reports requests per second
and latency percentiles; the bar is zero errors (every answer a 200).

    psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE bench_load"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load .venv/bin/python benchmarks/load_mixed.py
    # later runs on the same data: --reuse; --connections (8), --threads (2), --duration (20), --workers (3)

The load comes from wrk (Debian's ``apt-get install wrk``) with a Lua script that rotates the pages, or, without
wrk, from a small client of Python threads (which itself takes CPU from the server: its figures run lower). The
database named by DATABASE_URL is emptied and re-seeded unless --reuse is given. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402 - after the path is set
    PASSWORD,
    USERNAME,
    analyze,
    http_get,
    serve_production,
    setup_django,
    signed_in_cookie,
    stop,
)


def seed() -> None:
    """The demo city, as ``make demo`` loads it, and the benchmark's Stat analyst (the demo logins exist only with
    DEBUG on)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from team.models import Person, Role, RoleAssignment

    call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)  # the data migrations' rows, emptied by the flush
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.create_user(USERNAME, "bench@example.gov", PASSWORD)
    person = Person.objects.create(full_name="Bench Analyst", email="bench@example.gov", user=user)
    RoleAssignment.objects.create(person=person, role=Role.STAT_ANALYST)


def pages() -> list[tuple[str, bool]]:
    """(path, signed in?) for each page of the mix."""
    from goals.models import Measure, public_measure_q

    measure = Measure.objects.filter(public_measure_q()).order_by("slug").first()
    public = ["/", "/public/", "/public/datasets/", "/data.json"]
    if measure:
        public.append(f"/public/measures/{measure.slug}/")
    return [(path, False) for path in public] + [
        ("/inventory/", True),
        ("/dashboard/", True),
        ("/goals/dashboard/", True),
    ]


WRK_SCRIPT = """
local paths = %(paths)s
local cookie = %(cookie)s
threads = {}
-- Globals, not locals: done() reads each thread's not_ok with thread:get.
counter, not_ok = 0, 0

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = offset
end

function request()
  counter = counter + 1
  local page = paths[(counter %% #paths) + 1]
  if page[2] then
    return wrk.format("GET", page[1], { ["Cookie"] = cookie })
  end
  return wrk.format("GET", page[1])
end

function response(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not_ok")
  end
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"socket_errors": %%d, "not_200": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, bad))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for these (ASCII) values


def run_wrk(base: str, mix: list[tuple[str, bool]], cookie: str, args: argparse.Namespace) -> dict:
    paths = "{" + ", ".join(f"{{{lua_string(path)}, {'true' if signed else 'false'}}}" for path, signed in mix) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": paths, "cookie": lua_string(cookie)})
    command = [
        shutil.which("wrk") or "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=10s",
        f"--script={script.name}",
        base,
    ]
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603 - Debian's wrk
    Path(script.name).unlink()
    if result.returncode:
        raise SystemExit(f"wrk failed:\n{result.stdout}{result.stderr}")
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    figures = json.loads(line.removeprefix("WRK "))
    return {
        "client": "wrk",
        "requests": figures["requests"],
        "seconds": figures["duration_us"] / 1e6,
        "p50_ms": figures["p50_us"] / 1000,
        "p90_ms": figures["p90_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000,
        "errors": figures["socket_errors"] + figures["not_200"],
    }


def run_threads(port: int, mix: list[tuple[str, bool]], cookie: str, args: argparse.Namespace) -> dict:
    """The same rotation from ``--connections`` Python threads, each on a kept-alive connection."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.duration

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        counter = offset
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            path, signed = mix[counter % len(mix)]
            counter += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie} if signed else {})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            mine.append(time.perf_counter() - started)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(args.connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "client": "Python threads",
        "requests": len(latencies),
        "seconds": seconds,
        "p50_ms": cuts[49] * 1000,
        "p90_ms": cuts[89] * 1000,
        "p99_ms": cuts[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8772)
    parser.add_argument("--reuse", action="store_true", help="keep the data already seeded")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is there")
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        print("seeding the demo city...", flush=True)
        seed()
    analyze()
    mix = pages()
    base = f"http://127.0.0.1:{args.port}"
    server = None
    try:
        server = serve_production(args.port, env={"WEB_CONCURRENCY": str(args.workers)})
        cookie = signed_in_cookie(base)
        for path, signed in mix:  # every page answers 200 (a signed-in page, not a redirect to the login form)
            status, body = http_get(base + path, cookie=cookie if signed else "")
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            print(f"  {path:40} {'signed in' if signed else 'public':10} {len(body) / 1024:8,.0f} KiB")
        use_wrk = shutil.which("wrk") and not args.python_client
        if not use_wrk and not args.python_client:
            print("wrk is not installed (apt-get install wrk): using the Python client")
        # Warm every worker and thread up, then measure.
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        (run_wrk(base, mix, cookie, warm) if use_wrk else run_threads(args.port, mix, cookie, warm))
        result = run_wrk(base, mix, cookie, args) if use_wrk else run_threads(args.port, mix, cookie, args)
    finally:
        stop(server)
    rps = result["requests"] / result["seconds"]
    print(
        f"\n{len(mix)} pages in rotation, {args.connections} connections, {args.duration} s, gunicorn "
        f"{args.workers} workers x threads (gunicorn.conf.py), load from {result['client']}:"
    )
    print(
        f"  {result['requests']} requests, {rps:.1f} req/s; latency p50 {result['p50_ms']:.0f} ms, "
        f"p90 {result['p90_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, max {result['max_ms']:.0f} ms; "
        f"errors {result['errors']}"
    )
    if result["errors"]:
        raise SystemExit(f"{result['errors']} requests failed or answered other than 200: the bar is zero")


if __name__ == "__main__":
    main()
