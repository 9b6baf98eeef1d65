"""A PostgreSQL cluster of the test's own, to restart under running processes (never the shared one on 5432).

``own_postgres`` runs Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/*/bin``) on a free port with trust
authentication, its data in a temporary directory; as root they run as the ``postgres`` OS user (initdb refuses
root). ``own_postgres.restart()`` is ``pg_ctl restart -m fast``: every connection is cut, as a failover or a
restart of the database server would. The test is skipped when the binaries are absent.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

import psycopg2
import pytest

from tests.redis_server import free_port

START_SECONDS = 20


def postgres_bin() -> str | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding initdb and pg_ctl."""
    candidates = [
        path
        for path in glob.glob("/usr/lib/postgresql/*/bin")
        if os.path.exists(f"{path}/initdb") and os.path.exists(f"{path}/pg_ctl")
    ]
    return max(candidates, key=lambda path: int(path.split("/")[-2]), default=None)


class PostgresServer:
    def __init__(self, bin_dir: str, root: str, port: int) -> None:
        self.bin_dir, self.root, self.port = bin_dir, root, port
        self.data = os.path.join(root, "data")
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def _run(self, *command: str) -> None:
        subprocess.run(  # noqa: S603 - the system's PostgreSQL binaries, on a directory of our own
            [*self.as_user, *command], check=True, capture_output=True, timeout=60, cwd=self.root
        )

    def init(self) -> None:
        self._run(f"{self.bin_dir}/initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def _pg_ctl(self, action: str, *options: str) -> None:
        server_options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            f"{self.bin_dir}/pg_ctl",
            action,
            "-D",
            self.data,
            "-l",
            f"{self.root}/log",
            "-w",
            "-o",
            server_options,
            *options,
        )

    def start(self) -> None:
        self._pg_ctl("start")
        self._wait()

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: the server ends every connection (and rolls back their transactions)."""
        self._pg_ctl("restart", "-m", "fast")
        self._wait()

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")

    def _wait(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                psycopg2.connect(self.url, connect_timeout=1).close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def query(self, sql: str, *params) -> list[tuple]:
        connection = psycopg2.connect(self.url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def log(self) -> str:
        try:
            with open(f"{self.root}/log") as log:
                return log.read()[-4000:]
        except OSError:
            return ""


@pytest.fixture
def own_postgres():
    """A started :class:`PostgresServer` of this test's own, stopped and deleted afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None or shutil.which("runuser") is None and os.getuid() == 0:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin)")
    root = tempfile.mkdtemp(prefix="own-postgres-")
    if os.getuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            pytest.skip("needs the postgres OS user to run initdb as (it refuses root)")
        os.chown(root, user.pw_uid, user.pw_gid)
    server = PostgresServer(bin_dir, root, free_port())
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
