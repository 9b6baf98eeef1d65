from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goals and measures"

    def ready(self) -> None:
        from quality.signals import run_finished

        from .receivers import quality_run_finished

        run_finished.connect(quality_run_finished, dispatch_uid="goals.recompute_after_quality_run")

        from . import inventory_extensions, quality_extensions

        inventory_extensions.register()
        quality_extensions.register()
