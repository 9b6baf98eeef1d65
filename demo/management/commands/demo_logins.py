from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo.team import ADMIN_ROLE_LABEL, ADMIN_USERNAME, DEMO_LOGINS


class Command(BaseCommand):
    help = (
        "Print where the app runs (SITE_URL, which `make run` sets to the address it serves on) and the demo logins "
        "(username, role, password). Only with DEBUG on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="The address to print (default: SITE_URL).")

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            self.stderr.write("Demo logins exist only with DEBUG on; none are listed.")
            return
        rows = [(spec.username, spec.role) for spec in DEMO_LOGINS] + [(ADMIN_USERNAME, ADMIN_ROLE_LABEL)]
        existing = set(
            get_user_model()
            .objects.filter(username__in=[username for username, _ in rows])
            .values_list("username", flat=True)
        )
        self.stdout.write(
            f"\n{settings.PROGRAM_NAME} ({settings.CITY_NAME}) will answer at {url or settings.SITE_URL}\n"
        )
        rows = [row for row in rows if row[0] in existing]
        if not rows:
            self.stdout.write("No demo logins yet: run `manage.py seed_demo` with DEBUG on to create them.\n")
            return
        password = settings.DEMO_PASSWORD
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(("username", "role"))]
        line = f"  {{:<{widths[0]}}}  {{:<{widths[1]}}}  {{}}"
        self.stdout.write(line.format("username", "role", "password"))
        self.stdout.write(line.format("-" * widths[0], "-" * widths[1], "-" * len(password)))
        for username, role in rows:
            self.stdout.write(line.format(username, role, password))
        self.stdout.write("")
