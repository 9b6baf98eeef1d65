"""Harvesting a federal-size catalogue: a synthetic data.json of 80,000 datasets (about 49 MB, under the 50 MB a
harvest takes), previewed (the dry run) and imported, then imported again (every record unchanged), each step timed
with its peak memory.

The catalogue is seeded and shaped as federal ones are: 60 publishers, three keywords and one or two distributions per
dataset, descriptions of about 70 characters, ``spatial`` mostly a place name or a bounding box and, for a few
datasets, a county's GeoJSON polygon of about 100 KB; one record in 500 is invalid (no description). Each step runs
as the worker runs it (:func:`inventory.services.datajson.datajson_import` on the file's bytes, publishers created)
in a subprocess of its own, whose peak memory is its ``ru_maxrss``; the baseline is the same subprocess with Django
set up and the file read, and nothing harvested.

    psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE bench_harvest"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_harvest .venv/bin/python benchmarks/harvest_large.py
    # --datasets N (80000), --keep (keep what was imported), --seed N. The database is emptied (flush) before and
    # after: give the benchmark a database of its own.

Goal: the preview and the import of 80,000 datasets each well inside the worker's hard time limit (15 minutes; the
request itself returns at once), peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, setup_django  # noqa: E402 - the benchmarks' own helper, beside this script

CONFORMS = "https://project-open-data.cio.gov/v1.1/schema"
WORDS = [
    "permit",
    "inspection",
    "crime",
    "traffic",
    "water",
    "budget",
    "housing",
    "transit",
    "school",
    "park",
    "health",
    "fire",
    "police",
    "road",
    "zoning",
    "election",
    "tax",
    "license",
    "complaint",
    "service",
    "request",
    "energy",
    "waste",
    "recycling",
    "tree",
    "parcel",
    "property",
    "census",
    "grant",
]


def county_polygon(rng: random.Random, points: int = 4_000) -> dict:
    x, y = rng.uniform(-120, -75), rng.uniform(28, 47)
    ring = [
        [
            round(x + 0.4 * math.cos(2 * math.pi * i / points) * rng.uniform(0.9, 1.1), 6),
            round(y + 0.3 * math.sin(2 * math.pi * i / points) * rng.uniform(0.9, 1.1), 6),
        ]
        for i in range(points)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def record(i: int, rng: random.Random) -> dict:
    words = rng.sample(WORDS, 6)
    publisher = f"Agency {i % 60:02d}"
    entry = {
        "@type": "dcat:Dataset",
        "identifier": f"https://data.example.gov/id/{i:06d}",
        "title": f"{words[0].title()} {words[1]} records {i}",
        "description": " ".join(rng.choice(WORDS) for _ in range(10)),
        "keyword": words[:3],
        "modified": f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "publisher": {"@type": "org:Organization", "name": publisher},
        "contactPoint": {"@type": "vcard:Contact", "fn": publisher, "hasEmail": "mailto:open@example.gov"},
        "accessLevel": "public",
        "accrualPeriodicity": "R/P1M",
        "distribution": [{"downloadURL": f"https://data.example.gov/files/{i:06d}.csv", "mediaType": "text/csv"}],
    }
    if i % 2:
        entry["distribution"].append({"accessURL": f"https://data.example.gov/api/{i}"})
    kind = i % 100
    if kind < 60:
        entry["spatial"] = rng.choice(["United States", "Riverton County", "State of Example", "Lower Basin"])
    elif kind < 90:
        entry["spatial"] = f"{rng.uniform(-120, -80):.4f},{rng.uniform(28, 40):.4f},-79.0,45.0"
    if i % 4000 == 7:  # about twenty county polygons in 80,000
        entry["spatial"] = county_polygon(rng)
    if i % 500 == 3:
        del entry["description"]
    return entry


def generate(path: Path, datasets: int, seed: int) -> int:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"conformsTo": "{CONFORMS}", "@type": "dcat:Catalog", "dataset": [\n')
        for i in range(datasets):
            if i:
                out.write(",\n")
            json.dump(record(i, rng), out, separators=(",", ":"))
        out.write("\n]}\n")
    return path.stat().st_size


def child(step: str, path: str) -> dict:
    """One step, in this process: Django set up, the file read, then the step; its time, peak memory and counts."""
    setup_django()
    from django.db import connection

    from inventory.services.datajson import datajson_import

    raw = Path(path).read_bytes()
    connection.ensure_connection()
    started = time.perf_counter()
    counts = {}
    if step != "baseline":
        report = datajson_import(catalog=raw, create_departments=True, dry_run=step == "preview")
        counts = report.summary()["counts"]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step": step, "seconds": round(seconds, 1), "peak_mb": round(peak), "counts": counts}


def run_child(step: str, path: Path) -> dict:
    command = [sys.executable, __file__, "--child", step, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603 - ourselves
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--keep", action="store_true", help="Keep the harvested datasets and departments.")
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return

    setup_django()
    from django.core.management import call_command

    from inventory.models import Dataset

    call_command("migrate", verbosity=0)
    path = ROOT / "var" / f"bench-harvest-{args.datasets}.json"
    path.parent.mkdir(exist_ok=True)
    size = generate(path, args.datasets, args.seed)
    print(f"data.json: {args.datasets} datasets, {size / 1024 / 1024:.1f} MB ({path})")
    call_command("flush", interactive=False, verbosity=0)  # the benchmark's own database, emptied
    try:
        for step in ("baseline", "preview", "import", "reimport"):
            result = run_child(step, path)
            print(f"{step:9} {result['seconds']:7.1f} s  peak {result['peak_mb']:5d} MB  {result['counts']}")
        print(f"datasets in the database: {Dataset.objects.count()}")
    finally:
        if not args.keep:
            call_command("flush", interactive=False, verbosity=0)
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
