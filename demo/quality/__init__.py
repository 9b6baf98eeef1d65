"""The demo city's data and its quality history, for ``manage.py seed_demo`` (after the inventory).

Every demo dataset past "identified" (58 of the 65) gets an invented CSV written from its data dictionary by a
seeded generator (:mod:`demo.quality.generate`): 311 requests with request numbers, types from the allowed values,
opening and closing times and block addresses; CAD incidents with dispatch and arrival a few minutes apart; crashes
with severities and coordinates inside the city; permits, inspections, payments, library counts... A few hundred
to two thousand rows each, spanning the thirteen months before the seeding day; the eleven datasets the goals demo
computes its measures from hold three years instead, shaped to tell each measure's story
(:mod:`demo.quality.stories`). The same day gives the same bytes.

The file is uploaded to the dataset (a ``SourceUpload`` in MEDIA_ROOT) and checked by the engine; six months of
earlier runs judge the files as they stood then (only the rows exported by each date), so the trend charts show
the row count growing and, where a problem was planted, when it appeared. See :mod:`demo.quality.seed` for how.

Planted problems (everything else keeps to its dictionary and passes). Only the showcase feeds a goals demo
measure, which is therefore the one flagged *data suspect*; the other problems sit on datasets no measure reads:

================================  ==============================================================================
dataset                           problem
================================  ==============================================================================
rpd-cad-incidents (showcase)      passed every week; after a CAD upgrade the newest export rewrote the last
                                  three days of calls with ``dispatched_at`` (required) blank. The latest run
                                  fails, so Police's contact Dana Whitaker (login ``police-contact``) and the
                                  Stat analysts were notified, and police response time is data suspect.
dot-parking-citations             new payment states in the ticketing system for ten weeks: a fifth of newer
                                  citations have a ``paid`` value outside the allowed values (enum).
dot-traffic-counts                ``pedestrians`` is -1 ("camera offline") on about 3% of counts: below the
                                  minimum 0, from the start.
rhd-restaurant-inspections        bonus points for four months: some ``score`` values above the maximum 100.
hce-vacant-properties             parcel numbers keyed in by hand without their dashes (123456789) break the
                                  ``parcel_id`` pattern (about 3%).
fin-vendor-payments               about 4% of payments exported twice: duplicate rows (and a non-unique
                                  ``payment_id``).
rfd-inspections                   weekly, but the export stopped ten weeks ago: stale.
311-call-centre-volume            daily, but the feed stopped a month ago: stale.
dpw-building-energy               the ``therms`` column disappeared from the file eleven weeks ago: a
                                  dictionary column is missing.
dpw-sw-illegal-dumping            an unquoted comma in crew notes for three months: ragged rows (an extra
                                  field on about 3% of rows).
it-open-data-usage                ``page_views`` (integer) holds "n/a" and "1,204" on about 3% of rows: type
                                  errors, and no silent nulls.
================================  ==============================================================================
"""

from .generate import DemoTable, demo_table, table_schema
from .plants import PLANTED, SHOWCASE

__all__ = ["PLANTED", "SHOWCASE", "DemoTable", "demo_table", "table_schema"]
