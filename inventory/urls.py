"""The inventory's pages. Each area has its own views module; the URL names live here."""


app_name = "inventory"

urlpatterns: list = [
    # Filled in by the views modules as they land: the list, dataset pages, import/export, discovery, priority.
]
