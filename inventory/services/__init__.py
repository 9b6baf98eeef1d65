"""Actions that change the inventory, one module per area:

* :mod:`.datasets`: create, update, save and delete datasets (:mod:`.writes`: what every dataset write shares);
* :mod:`.parts`: a dataset's distributions and data dictionary;
* :mod:`.restore`: restore an earlier version of a dataset, its distributions and dictionary included;
* :mod:`.bulk`: bulk status and steward changes;
* :mod:`.dictionary`: draft a dictionary from a sample CSV or a Table Schema, and publish one;
* :mod:`.datajson`: DCAT-US ``data.json`` export and harvest;
* :mod:`.tabular`: CSV / XLSX import (with dry run) and export;
* :mod:`.discovery`: the discovery questionnaire and candidate datasets;
* :mod:`.priority`: the priority score and its weights.
"""
