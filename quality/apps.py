from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        from . import inventory_extensions

        inventory_extensions.register()
