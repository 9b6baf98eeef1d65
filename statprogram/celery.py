"""The Celery application. Tasks live in each app's ``tasks.py``; the periodic schedule is declared in
``core/schedule.py`` and written to django-celery-beat's tables by ``manage.py sync_schedule``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statprogram.settings")

app = Celery("statprogram")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
