from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Data quality"

    def ready(self) -> None:
        from . import inventory_extensions, receivers

        inventory_extensions.register()
        receivers.connect()
