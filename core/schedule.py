"""The one place the periodic schedule is declared. ``manage.py sync_schedule`` writes it to django-celery-beat."""

#: name -> (task, every N seconds)
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "worker heartbeat": ("core.heartbeat", 60),
}
