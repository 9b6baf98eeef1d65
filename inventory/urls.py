"""Every route of the inventory (namespace ``inventory``), mounted at the site root: the signed-in pages under
/inventory/, the public catalogue under /public/datasets/, /data.json, and the datasets API under /api/."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from . import api
from .views import catalogue, datajson, datasets, discovery, harvest, listing, priority, tabular

app_name = "inventory"

api_router = SimpleRouter()
api_router.register("datasets", api.DatasetViewSet, basename="dataset")

pages = [
    path("", listing.dataset_list, name="list"),
    path("bulk/", listing.datasets_bulk, name="bulk"),
    path("datasets/add/", datasets.dataset_create, name="dataset_create"),
    path("datasets/stewards/", datasets.dataset_stewards, name="dataset_stewards"),
    path("datasets/<int:pk>/delete/", datasets.dataset_delete, name="dataset_delete"),
    path("datasets/<int:pk>/", datasets.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/edit/", datasets.dataset_edit, name="dataset_edit"),
    path("datasets/<int:pk>/history/", datasets.dataset_history, name="dataset_history"),
    path("datasets/<int:pk>/history/<int:history_id>/restore/", datasets.dataset_restore, name="dataset_restore"),
    path("datasets/<int:pk>/dictionary/draft/", harvest.dictionary_draft, name="dictionary_draft"),
    path("datasets/<int:pk>/dictionary/draft/<int:job>/", harvest.dictionary_draft_job, name="dictionary_draft_job"),
    path("import/", tabular.import_upload, name="import"),
    path("import/<int:pk>/", tabular.import_job, name="import_job"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", tabular.export, name="export"),
    path("discovery/", discovery.discovery_list, name="discovery"),
    path("discovery/answers/<int:pk>/candidate/", discovery.discovery_candidate, name="discovery_candidate"),
    path("discovery/<slug:slug>/", discovery.discovery_department, name="discovery_department"),
    path("priority/", priority.priority, name="priority"),
    path("harvest/", harvest.harvest, name="harvest"),
    path("harvest/<int:pk>/", harvest.harvest_job, name="harvest_job"),
]

urlpatterns = [
    path("inventory/", include(pages)),
    path("public/datasets/", catalogue.dataset_list, name="public_datasets"),
    # Harvested DCAT-US identifiers may be URLs, slashes and all.
    path("public/datasets/<path:identifier>/schema.json", datajson.dataset_schema, name="public_dataset_schema"),
    path("public/datasets/<path:identifier>/", catalogue.dataset_detail, name="public_dataset"),
    path("data.json", datajson.datajson, name="datajson"),
    path("api/", include(api_router.urls)),
]
