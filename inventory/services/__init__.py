"""Actions that change the inventory, one module per area:

* :mod:`.datasets`: create, update, delete datasets and save their distributions and dictionary;
* :mod:`.restore`: restore an earlier version of a dataset, its distributions and dictionary included;
* :mod:`.bulk`: bulk status and steward changes;
* :mod:`.dictionary`: draft a dictionary from a sample CSV or a Table Schema, and publish one;
* :mod:`.datajson`: DCAT-US ``data.json`` export and harvest;
* :mod:`.tabular`: CSV / XLSX import (with dry run) and export;
* :mod:`.discovery`: the discovery questionnaire and candidate datasets;
* :mod:`.priority`: the priority score and its weights.
"""
