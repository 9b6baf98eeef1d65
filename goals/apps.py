from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goals and measures"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from quality.signals import run_finished

        from .models import Goal, Measure, MeasureTarget, Narrative, Observation, Priority
        from .receivers import data_changed, quality_run_finished

        run_finished.connect(quality_run_finished, dispatch_uid="goals.recompute_after_quality_run")
        # Every save or delete of what a dashboard shows bumps the dashboards' data version (bulk writes, which send
        # no signal, bump it themselves). Observations are deleted only with their measure or by a service that then
        # saves the measure: a receiver of their deletes would cost a query per row.
        for model in (Priority, Goal, Measure, MeasureTarget, Observation, Narrative):
            post_save.connect(data_changed, sender=model, dispatch_uid=f"goals.data_changed.save.{model.__name__}")
            if model is not Observation:
                post_delete.connect(
                    data_changed, sender=model, dispatch_uid=f"goals.data_changed.delete.{model.__name__}"
                )
        departments = Goal.departments.through
        m2m_changed.connect(data_changed, sender=departments, dispatch_uid="goals.data_changed.departments")

        from . import inventory_extensions, quality_extensions

        inventory_extensions.register()
        quality_extensions.register()
