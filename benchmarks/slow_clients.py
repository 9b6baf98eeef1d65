#!/usr/bin/env python3
"""Slow clients against the production configuration: N connections that send a request's headers a line at a
time (slowloris), and meanwhile normal requests, timed. Does the site keep answering, and how much slower?

    .venv/bin/python benchmarks/slow_clients.py                     # 4 and 64 slow connections
    .venv/bin/python benchmarks/slow_clients.py --connections 4,200 --sync

Each target is measured with no attack (the baseline: --baseline requests), then under attack for --duration
seconds (a normal request every 0.25 s, each given --timeout seconds; after three time-outs in a row the target is
reported frozen). Targets:

* gunicorn alone, with gunicorn.conf.py (threaded workers);
* nginx in front of it, with deploy/nginx/statprogram-proxy.conf (skipped, saying so, when nginx is not installed:
  ``apt-get install nginx-light``), started by this script on 127.0.0.1 from a configuration of its own under a
  temporary directory;
* with --sync, gunicorn as it was before gunicorn.conf.py: three sync workers, for comparison.

The slow clients connect from 127.0.0.2 and the normal requests from 127.0.0.1, as an attacker and a resident
would come from different addresses (nginx limits connections per address). Everything stays on loopback. The
database is a SQLite file under var/ unless DATABASE_URL names one; the page is the public home page.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import serve_production, setup_django, stop  # noqa: E402 - after the path is set

NGINX_DIR = ROOT / "deploy" / "nginx"
ATTACKER = "127.0.0.2"
PAGE = "/"


@dataclass
class Outcome:
    target: str
    slow: int
    asked: int
    answered: int
    median_ms: float | None
    baseline_ms: float
    frozen: bool
    still_open: int


class SlowClients:
    """``count`` connections from ``ATTACKER`` that send a request line, then one header line a second, forever."""

    def __init__(self, port: int, count: int):
        self.port, self.count = port, count
        self.sockets: list[socket.socket] = []
        self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            try:
                client = socket.create_connection(("127.0.0.1", self.port), timeout=2, source_address=(ATTACKER, 0))
                client.sendall(b"GET " + PAGE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.sockets.append(client)
            except OSError:
                self.refused += 1
        self._thread.start()
        return self

    def _trickle(self) -> None:
        line = 0
        while not self._stop.wait(1.0):
            line += 1
            for client in list(self.sockets):
                try:
                    client.sendall(f"X-Slow-{line}: 1\r\n".encode())
                except OSError:
                    self.sockets.remove(client)  # the server closed it (nginx's client_header_timeout)

    def open_count(self) -> int:
        return len(self.sockets)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for client in self.sockets:
            client.close()


def get(port: int, timeout: float) -> float | None:
    """Seconds a GET of the page took from 127.0.0.1 (a 200 read to the end), or None if it failed or timed out."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=("127.0.0.1", 0)) as sock:
            sock.settimeout(timeout)
            sock.sendall(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            response = b""
            while chunk := sock.recv(65536):
                response += chunk
                if time.perf_counter() - started > timeout:
                    return None
    except OSError:
        return None
    return time.perf_counter() - started if response.startswith(b"HTTP/1.1 200") else None


def measure(target: str, port: int, slow: int, args: argparse.Namespace) -> Outcome:
    baseline = [seconds for seconds in (get(port, args.timeout) for _ in range(args.baseline)) if seconds]
    if not baseline:
        raise SystemExit(f"{target} does not answer {PAGE} even without an attack")
    latencies: list[float] = []
    asked = failures_in_a_row = 0
    frozen = False
    with SlowClients(port, slow) as attack:
        time.sleep(1.0)  # every slow connection is in the server's hands
        deadline = time.monotonic() + args.duration
        while time.monotonic() < deadline:
            asked += 1
            seconds = get(port, args.timeout)
            if seconds is None:
                failures_in_a_row += 1
                if failures_in_a_row >= 3:
                    frozen = True
                    break
            else:
                failures_in_a_row = 0
                latencies.append(seconds)
                time.sleep(0.25)
        still_open = attack.open_count()
    return Outcome(
        target=target,
        slow=slow,
        asked=asked,
        answered=len(latencies),
        median_ms=statistics.median(latencies) * 1000 if latencies else None,
        baseline_ms=statistics.median(baseline) * 1000,
        frozen=frozen,
        still_open=still_open,
    )


def nginx_config(directory: Path, listen: int, upstream: int) -> Path:
    """An nginx.conf for 127.0.0.1:``listen`` built from deploy/nginx: statprogram.conf's http-level part (the
    per-address limit, the upstream, pointed at gunicorn on ``upstream``) and statprogram-proxy.conf as it is."""
    site = (NGINX_DIR / "statprogram.conf").read_text()
    http_part = site[: site.index("\nserver {")].replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""  # as root, nginx's workers would otherwise become nobody
    config = directory / "nginx.conf"
    config.write_text(
        f"""{user}worker_processes 1;
error_log {directory / "error.log"} warn;
pid {directory / "nginx.pid"};
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
{http_part}
    server {{
        listen 127.0.0.1:{listen};
        include {NGINX_DIR / "statprogram-proxy.conf"};
    }}
}}
"""
    )
    return config


def start_nginx(config: Path, port: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-c", str(config), "-p", str(config.parent)], capture_output=True, text=True)  # noqa: S603
    if check.returncode:
        raise SystemExit(f"nginx refused the configuration:\n{check.stderr}")
    process = subprocess.Popen(  # noqa: S603 - Debian's nginx, our configuration
        [nginx, "-c", str(config), "-p", str(config.parent), "-g", "daemon off;"]
    )
    for _ in range(50):
        if get(port, 2) is not None:
            return process
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"nginx did not start (see {config.parent / 'error.log'})")


def print_table(outcomes: list[Outcome]) -> None:
    print(f"\n{'target':44} {'slow':>5} {'answered':>9} {'median ms':>10} {'no attack':>10} {'ratio':>6}  still open")
    for o in outcomes:
        median = f"{o.median_ms:10.1f}" if o.median_ms is not None else f"{'-':>10}"
        ratio = f"{o.median_ms / o.baseline_ms:6.1f}" if o.median_ms is not None else f"{'-':>6}"
        verdict = "FROZEN" if o.frozen else ("ok" if o.answered == o.asked else "SOME FAILED")
        print(
            f"{o.target:44} {o.slow:5} {o.answered:4}/{o.asked:<4} {median} {o.baseline_ms:10.1f} {ratio}"
            f"  {o.still_open:>4}  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", default="4,64", help="slow connections per run, comma-separated")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of attack per run (nginx cuts at 10)")
    parser.add_argument("--baseline", type=int, default=20, help="requests without an attack")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds a normal request may take")
    parser.add_argument("--sync", action="store_true", help="also the old three sync workers, for comparison")
    parser.add_argument("--port", type=int, default=8771, help="gunicorn's; nginx listens on the next one")
    args = parser.parse_args()
    counts = [int(n) for n in args.connections.split(",")]

    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-slow.sqlite3'}")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"the public home page {PAGE}; database {os.environ['DATABASE_URL'].split('@')[-1]}")

    outcomes: list[Outcome] = []
    targets = [("gunicorn alone (gthread, gunicorn.conf.py)", {}, False)]
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        targets.append(("nginx -> gunicorn (gthread)", {}, True))
    else:
        print("nginx is not installed: skipping nginx in front (apt-get install nginx-light)")
    if args.sync:
        targets.append(("gunicorn alone (3 sync workers, as before)", {"WEB_CONCURRENCY": "3"}, False))
    for label, env, behind_nginx in targets:
        server = nginx = None
        extra = dict(env)
        if "sync" in label:
            # gunicorn turns "sync" into gthread when threads > 1, so one thread too.
            extra["GUNICORN_CMD_ARGS"] = "--worker-class sync --threads 1"
        try:
            server = serve_production(args.port, env=extra)
            port = args.port
            if behind_nginx:
                directory = Path(tempfile.mkdtemp(prefix="statprogram-nginx-"))
                port = args.port + 1
                nginx = start_nginx(nginx_config(directory, port, args.port), port)
            for count in counts:
                print(f"{label}: {count} slow connections...", flush=True)
                outcomes.append(measure(label, port, count, args))
                time.sleep(1.0)  # let the server drop the closed connections
        finally:
            if nginx is not None:
                nginx.terminate()
                nginx.wait(timeout=10)
            stop(server)
    print_table(outcomes)
    print(
        "\nanswered: normal requests that got a 200 within --timeout under attack; ratio: their median latency over"
        " the median with no attack; still open: slow connections the server had not closed when the attack ended."
    )
    if any(o.frozen for o in outcomes if "sync" not in o.target and "nginx" in o.target):
        raise SystemExit("nginx in front did not hold")


if __name__ == "__main__":
    main()
