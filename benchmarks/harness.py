"""What the page benchmarks share: Django set up as the server runs it, the app served by gunicorn on 127.0.0.1, a
signed-in session, and pages measured against ``/healthz`` on the same server in the same run. gunicorn runs with
gunicorn.conf.py, the production configuration (threaded workers).

Other work on a shared machine comes and goes, so :func:`measure_pages` measures each page in several rounds, each
right after a fresh ``/healthz`` measurement, and judges it by the median of its per-round ratios rather than
against one early baseline. It also reports the CPU the server's workers spent per request, which other work
hardly moves (Linux only). Requests go to 127.0.0.1 only, bounded in number.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "AXES_FAILURE_LIMIT": "1000",
}
#: The password of the benchmark's signed-in user (``bench-analyst``, whom each benchmark's seed creates).
PASSWORD = "benchmark-passphrase-1234"
USERNAME = "bench-analyst"


def setup_django() -> None:
    """Django in this process with the server's settings (a SQLite file under var/ when DATABASE_URL is unset)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(SERVER_ENV)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statprogram.settings")
    import django

    django.setup()


def analyze() -> None:
    """Refresh the planner's statistics, as autovacuum does on a live server: measured straight after a bulk load,
    PostgreSQL would plan for the empty tables it last saw."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def serve(port: int, workers: int) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:``port`` with gunicorn.conf.py (threaded workers) but ``workers`` of them, once it
    answers (static files collected first)."""
    return _start_gunicorn(port, ["--workers", str(workers)])


def serve_production(port: int, *, env: dict[str, str] | None = None) -> subprocess.Popen:
    """gunicorn exactly as production runs it (gunicorn.conf.py and its environment variables, ``env`` on top, e.g.
    ``{"WEB_CONCURRENCY": "2"}``) on 127.0.0.1:``port``, once it answers."""
    return _start_gunicorn(port, [], env={"BIND": f"127.0.0.1:{port}", **(env or {})})


def _start_gunicorn(port: int, arguments: list[str], *, env: dict[str, str] | None = None) -> subprocess.Popen:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use: stop what is serving there or pass --port")
    environment = {**os.environ, **SERVER_ENV, **(env or {})}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=environment, check=True
    )
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "/dev/null",
            *arguments,
            "statprogram.wsgi:application",
        ],
        cwd=ROOT,
        env=environment,
    )
    for _ in range(100):
        try:
            if http_get(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def stop(server: subprocess.Popen | None) -> None:
    if server is not None:
        server.terminate()
        server.wait(timeout=30)


def http_get(url: str, *, cookie: str = "", timeout: float = 60) -> tuple[int, bytes]:
    """GET ``url`` (on 127.0.0.1 only) with the standard library; the status and the body."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in_cookie(base: str) -> str:
    """Sign the benchmark's analyst in through the login form; the Cookie header for its session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    opener.open(f"{base}/accounts/login/", timeout=10).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}
    )
    try:
        opener.open(request, timeout=10)
        raise SystemExit("could not sign in (no redirect after the login form)")
    except urllib.error.HTTPError as error:
        if error.code != 302:
            raise SystemExit(f"could not sign in (status {error.code})") from error
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def worker_cpu_seconds(server: subprocess.Popen) -> float | None:
    """CPU seconds (user + system) used so far by the server's gunicorn workers, read from /proc (Linux); None
    elsewhere. Unlike throughput, a page's CPU per request hardly moves with other work on the machine, so it
    compares two versions of the code measured at different moments."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


def throughput(url: str, *, cookie: str, requests_total: int, concurrency: int) -> tuple[float, float]:
    """Requests per second and median latency (ms) for ``requests_total`` GETs from ``concurrency`` threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = requests_total // concurrency

    def run() -> None:
        for _ in range(per_thread):
            started = time.perf_counter()
            status, _ = http_get(url, cookie=cookie)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise SystemExit(f"{url} answered {status}")
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return len(latencies) / wall, statistics.median(latencies) * 1000


@dataclass(frozen=True)
class Sample:
    """One round of one page: its requests per second, median latency (ms), ratio to the /healthz measured just
    before it, and the workers' CPU per request (ms; None where /proc cannot tell)."""

    rps: float
    median_ms: float
    ratio: float
    cpu_ms: float | None


def add_server_arguments(parser: argparse.ArgumentParser, *, port: int) -> None:
    """The options every page benchmark takes: how much to measure, the server's workers and port, --reuse."""
    parser.add_argument("--requests", type=int, default=200, help="GETs per page (over all rounds)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of measurement, each page after /healthz")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--reuse", action="store_true", help="keep the data already seeded")


def measure_pages(
    server: subprocess.Popen,
    base: str,
    pages: list[tuple[str, str]],
    *,
    cookie: str,
    args: argparse.Namespace,
    goal: float,
    warm_up: int = 2,
) -> dict[str, list[Sample]]:
    """Measure ``pages`` ((label, path); the first is the /healthz baseline) as ``args`` says (see
    :func:`add_server_arguments`) and print their table with the verdict against ``goal`` (a share of /healthz's
    throughput). Returns each page's samples, one per round."""
    requests, rounds, concurrency = args.requests, args.rounds, args.concurrency
    baseline_path = pages[0][1]
    for _label, path in pages:  # warm every worker up
        throughput(base + path, cookie=cookie, requests_total=concurrency * warm_up, concurrency=concurrency)
    per_round = max(requests // rounds, concurrency)
    samples: dict[str, list[Sample]] = {label: [] for label, _path in pages}
    for round_number in range(1, rounds + 1):
        print(f"round {round_number} of {rounds}...", flush=True)
        for label, path in pages:
            healthz, _ = throughput(
                base + baseline_path, cookie=cookie, requests_total=per_round, concurrency=concurrency
            )
            cpu_before = worker_cpu_seconds(server)
            rps, median = throughput(base + path, cookie=cookie, requests_total=per_round, concurrency=concurrency)
            cpu_after = worker_cpu_seconds(server)
            cpu_ms = None
            if cpu_before is not None and cpu_after is not None:
                cpu_ms = (cpu_after - cpu_before) / per_round * 1000
            samples[label].append(Sample(rps, median, rps / healthz, cpu_ms))
    print(f"\n{'page':40} {'req/s':>8} {'median ms':>10} {'worker CPU ms':>14} {'vs /healthz':>12}  goal >= {goal:.0%}")
    for label, runs in samples.items():
        rps = statistics.median(run.rps for run in runs)
        median = statistics.median(run.median_ms for run in runs)
        ratio = statistics.median(run.ratio for run in runs)
        cpu = [run.cpu_ms for run in runs if run.cpu_ms is not None]
        cpu_text = f"{statistics.median(cpu):14.1f}" if cpu else f"{'-':>14}"
        verdict = "" if label.startswith("/healthz") else ("ok" if ratio >= goal else "BELOW GOAL")
        spread = f"  (rounds: {', '.join(f'{run.ratio:.0%}' for run in runs)})" if verdict else ""
        print(f"{label:40} {rps:8.1f} {median:10.1f} {cpu_text} {ratio:11.0%}  {verdict}{spread}")
    return samples
