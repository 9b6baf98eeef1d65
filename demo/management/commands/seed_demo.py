from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demo.budget import budget_demo_seed
from demo.goals import goals_demo_seed
from demo.inventory import inventory_demo_seed
from demo.quality.seed import quality_demo_seed
from demo.sessions import sessions_demo_seed
from demo.team import DELIBERATE_GAPS, demo_city_seed


class Command(BaseCommand):
    help = (
        f"Load the demo city ({settings.CITY_NAME}): departments, portfolios, a named person in every role and "
        "a data inventory of about sixty datasets, goals and measures, a year of Stat sessions, and five years of "
        "budget. "
        "Idempotent. With DEBUG on it also creates one demo login per role (see `manage.py demo_logins`). "
        "The periodic schedule is not touched here: `manage.py sync_schedule` (run by `make run-services`) does that."
    )

    def handle(self, *args, **options):
        try:
            report = demo_city_seed(with_logins=settings.DEBUG)
            inventory_demo_seed(report=report)  # the data inventory needs the departments and their contacts
            goals_demo_seed(report=report)  # goals need the departments, their leads and the datasets
            quality_demo_seed(report=report)  # data files and six months of quality runs for the datasets
            sessions_demo_seed(report=report)  # a year of Stat sessions reviewing the goals' KPIs
            budget_demo_seed(report=report)  # five fiscal years, linked to the KPIs; analyses of a budget request
        except ValidationError as exc:
            raise CommandError(f"The demo city clashes with existing data: {'; '.join(exc.messages)}") from exc

        if report.created:
            made = ", ".join(f"{count} {what}" for what, count in sorted(report.created.items()))
            self.stdout.write(self.style.SUCCESS(f"Seeded {settings.CITY_NAME}: created {made}."))
        else:
            self.stdout.write(f"{settings.CITY_NAME} is already seeded; nothing to add.")
        if report.logins_created:
            self.stdout.write(
                f"Created demo logins: {', '.join(report.logins_created)} (`manage.py demo_logins` lists them)."
            )
        for note in report.notes:
            self.stderr.write(self.style.WARNING(note))
        if report.logins_refused:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off, so no demo logins were created: their password is published. "
                    "The people were seeded; give them logins through the app or the admin."
                )
            )
        self.stdout.write("Gaps left on purpose: " + " ".join(DELIBERATE_GAPS))
