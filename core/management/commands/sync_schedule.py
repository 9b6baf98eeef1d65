from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from core.schedule import PERIODIC_TASKS


class Command(BaseCommand):
    help = "Write the periodic schedule declared in core/schedule.py to django-celery-beat (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, seconds) in PERIODIC_TASKS.items():
            interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
            PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "interval": interval, "enabled": True}
            )
        self.stdout.write(f"{len(PERIODIC_TASKS)} periodic task(s) scheduled.")
