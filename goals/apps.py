from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = "Goals and measures"

    def ready(self) -> None:
        from . import inventory_extensions

        inventory_extensions.register()
