#!/usr/bin/env python3
"""The inventory search's full-text part at city scale, a word in every dataset against a rare one: the stored
search document (migration 0007) against the document computed from title and description (migration 0006's index
on the expression), on the same 100,000 datasets in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/inventory_search.py

PostgreSQL only. The database is emptied and seeded as ``inventory_throughput.py`` seeds it (titles "Benchmark
dataset 04210 of service requests") unless --reuse is given. For the comparison, 0006's expression index is made
again beside 0007's (and dropped at the end); each query is timed in alternation, median of --repeat. It prints the
counts too: both forms must find the same datasets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import analyze, setup_django  # noqa: E402 - after the path is set

OLD_INDEX = "bench_search_expression_idx"
COMPUTED = "to_tsvector('english'::regconfig, title || ' ' || description)"


def timed(cursor, sql: str, params: list) -> tuple[float, int]:
    started = time.perf_counter()
    cursor.execute(sql, params)
    count = cursor.fetchone()[0]
    return time.perf_counter() - started, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the datasets already in the database")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("PostgreSQL only: set DATABASE_URL", file=sys.stderr)
        return 2
    from django.core.management import call_command

    from benchmarks.inventory_throughput import seed
    from inventory.models import Dataset
    from inventory.selectors import datasets_matching

    call_command("migrate", verbosity=0)
    if not args.reuse:
        seed(args.datasets, 0, 50)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON inventory_dataset USING gin (({COMPUTED}))")
    analyze()
    print(f"{Dataset.objects.count()} datasets")
    try:
        for word in ("requests", "04210"):
            # As the list counts its matches: no ordering.
            sql, params = datasets_matching(Dataset.objects.order_by(), word).query.sql_with_params()
            stored = f"SELECT COUNT(*) FROM ({sql}) AS s"  # noqa: S608 - Django's own SQL, its parameters apart
            if "U0.search_document" not in stored:
                raise SystemExit("the search no longer reads the stored document: update this benchmark")
            computed = stored.replace(
                "U0.search_document",
                COMPUTED.replace("title", "U0.title").replace("description", "U0.description"),
            )
            times: dict[str, list[float]] = {"stored": [], "computed": []}
            counts = {}
            with connection.cursor() as cursor:
                for _ in range(args.repeat):
                    for name, query in (("computed", computed), ("stored", stored)):
                        seconds, counts[name] = timed(cursor, query, params)
                        times[name].append(seconds)
            old, new = statistics.median(times["computed"]), statistics.median(times["stored"])
            print(
                f"{word!r}: {counts['stored']} found ({counts['computed']} computed); stored {new * 1000:.1f} ms, "
                f"computed {old * 1000:.1f} ms: {old / new:.1f}x (medians of {args.repeat}, alternating)"
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
