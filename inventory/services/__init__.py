"""Actions that change the inventory, one module per area:

* :mod:`.datasets`: create, update, restore, bulk actions on datasets and their distributions and dictionary;
* :mod:`.dictionary`: draft a dictionary from a sample CSV, read and write Frictionless Table Schema;
* :mod:`.datajson`: DCAT-US ``data.json`` export and harvest;
* :mod:`.tabular`: CSV / XLSX import (with dry run) and export;
* :mod:`.discovery`: the discovery questionnaire and candidate datasets;
* :mod:`.priority`: the priority score and its weights.
"""
