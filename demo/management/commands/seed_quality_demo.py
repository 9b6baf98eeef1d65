import time

from django.core.management.base import BaseCommand, CommandError

from demo.quality import PLANTED, SHOWCASE
from demo.quality.seed import quality_demo_seed, specs_with_data
from inventory.models import Dataset


class Command(BaseCommand):
    help = (
        "Give the demo datasets their data files and six months of quality runs (`seed_demo` does this too, after "
        "the team and the inventory). Idempotent: a dataset that has any run or uploaded file is left alone. "
        "Prints how long it took and which datasets have planted problems."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiers", nargs="*", help="Only these demo datasets (default: all with data).")

    def handle(self, *args, identifiers, **options):
        started = time.perf_counter()
        stats = quality_demo_seed(identifiers=identifiers or None, force=True)
        seconds = time.perf_counter() - started
        if not stats.datasets:
            if not Dataset.objects.filter(identifier__in=[spec.identifier for spec in specs_with_data()]).exists():
                raise CommandError(
                    "The demo inventory is not there yet: run `manage.py seed_demo` (which does this too)."
                )
            self.stdout.write("Every demo dataset already has its data file and runs; nothing to add.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {stats.datasets} data files and {stats.runs} quality runs in {seconds:.1f} s "
                f"({stats.engine_runs} engine runs, {stats.engine_seconds:.1f} s in the engine)."
            )
        )
        self.stdout.write(
            f"Planted problems in: {', '.join(sorted(PLANTED))}. Showcase (fails since today): {SHOWCASE}."
        )
