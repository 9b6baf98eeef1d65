from django.apps import AppConfig
from django.db import transaction


class BudgetConfig(AppConfig):
    """The budget office at the Stat table: fiscal years, funds, programs, budget lines and actuals, programs linked
    to measures (cost per result), cost-benefit analyses. Above goals and sessions: it tells them its figures through
    their registries."""

    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from core.jobs import register_job_runner

        from .services import jobs

        register_job_runner(jobs.IMPORT_JOB, jobs.import_job_run)
        # The analyses of a budget request, on its action item page (sessions.extensions).
        from sessions.extensions import ActionItemPanel, register_action_item_panel

        from .panels_analyses import action_item_analyses_context

        register_action_item_panel(
            ActionItemPanel(
                key="budget.analyses",
                template="budget/analyses/_action_item_panel.html",
                context=action_item_analyses_context,
            )
        )
        from django.db.models.signals import post_delete, post_save

        from . import extensions, models

        extensions.register()
        # Cache invalidation only (the pages' cached figures): no business rule hangs on these.
        for model in (
            models.FiscalYear,
            models.Fund,
            models.Program,
            models.ProgramMeasure,
            models.BudgetLine,
            models.MonthlyActual,
        ):
            for signal in (post_save, post_delete):
                signal.connect(_changed, sender=model, dispatch_uid=f"budget.changed.{model.__name__}.{id(signal)}")


def _changed(**kwargs) -> None:
    from .selectors import budget_changed  # the models are not loaded when this module is imported

    # Now, so the writing request reads its own change; and once the write commits, so a page another request
    # cached in between, from the rows as they were before the commit, is not served for CACHE_SECONDS.
    budget_changed()
    transaction.on_commit(budget_changed)
