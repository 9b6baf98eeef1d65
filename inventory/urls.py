"""The inventory's signed-in pages, under /inventory/. Each area's views module declares its own ``urlpatterns``
(all in the ``inventory`` namespace)."""

from . import views_datasets, views_discovery, views_harvest, views_list, views_priority, views_tabular

app_name = "inventory"

urlpatterns = [
    *views_list.urlpatterns,
    *views_datasets.urlpatterns,
    *views_tabular.urlpatterns,
    *views_discovery.urlpatterns,
    *views_priority.urlpatterns,
    *views_harvest.urlpatterns,
]
