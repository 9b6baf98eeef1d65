from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Data inventory"

    def ready(self) -> None:
        from core.jobs import register_job_runner

        from .services.jobs import HARVEST_JOB, IMPORT_JOB, harvest_job_run, import_job_run

        register_job_runner(HARVEST_JOB, harvest_job_run)
        register_job_runner(IMPORT_JOB, import_job_run)
