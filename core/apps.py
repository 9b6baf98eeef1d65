from celery.signals import worker_ready
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .receivers import drain_outbox_at_worker_start

        worker_ready.connect(drain_outbox_at_worker_start, dispatch_uid="core.drain_outbox_at_worker_start")
