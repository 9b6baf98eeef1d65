from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """The budget office at the Stat table: fiscal years, funds, programs, budget lines and actuals, programs linked
    to measures (cost per result), cost-benefit analyses. Above goals and sessions: it tells them its figures through
    their registries."""

    name = "budget"
    verbose_name = "Budget"

    def ready(self) -> None:
        from . import extensions

        extensions.register()
