from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Data inventory"

    def ready(self) -> None:
        from core.jobs import register_job_runner

        from .services import jobs

        register_job_runner(jobs.HARVEST_JOB, jobs.harvest_job_run)
        register_job_runner(jobs.IMPORT_JOB, jobs.import_job_run)
        register_job_runner(jobs.DICTIONARY_JOB, jobs.dictionary_draft_job_run)
