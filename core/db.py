"""Database connections that outlive a restart of the database server.

A Celery task that downloads or computes for minutes holds the connection it opened when it started. If PostgreSQL
restarts meanwhile (a failover, an upgrade, ``pg_ctl restart``), that connection is dead, and Django would use it
for the task's next query: the task fails with "connection already closed" and its work is lost until a sweeper
takes it up again. :func:`drop_broken_connections`, called after such a long stretch and before writing, closes a
dead connection so the next query opens a fresh one. Between tasks, Celery closes the connections Django's
``CONN_MAX_AGE`` says to, and ``CONN_HEALTH_CHECKS`` (on in settings) checks a kept one before its first use.
"""

from __future__ import annotations

from django.db import connections


def drop_broken_connections() -> None:
    """Close this thread's database connections that no longer answer (one ``SELECT 1`` each), so the next query
    reconnects. Leaves alone a connection inside a transaction: that transaction is lost anyway, and the caller's
    ``atomic`` block must see the error."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        if not connection.is_usable():
            connection.close()
