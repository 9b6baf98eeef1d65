"""The demo city's data and its quality history, for ``manage.py seed_demo`` (after the inventory).

Every demo dataset past "identified" (57 of the 64) gets an invented CSV written from its data dictionary by a
seeded generator (:mod:`quality.demo.generate`): 311 requests with request numbers, types from the allowed values,
opening and closing times and block addresses; CAD incidents with dispatch and arrival a few minutes apart; crashes
with severities and coordinates inside the city; permits, inspections, payments, library counts... A few hundred
to two thousand rows each, spanning the thirteen months before the seeding day. The same day gives the same bytes.

The file is uploaded to the dataset (a ``SourceUpload`` in MEDIA_ROOT) and checked by the engine; six months of
earlier runs judge the files as they stood then (only the rows exported by each date), so the trend charts show
the row count growing and, where a problem was planted, when it appeared. See :mod:`quality.demo.seed` for how.

Planted problems (everything else keeps to its dictionary and passes):

================================  ==============================================================================
dataset                           problem
================================  ==============================================================================
rpd-cad-incidents (showcase)      passed every week; after a CAD upgrade the newest export rewrote the last
                                  three days of calls with ``dispatched_at`` (required) blank. The latest run
                                  fails, so Police's contact Dana Whitaker (login ``police-contact``) and the
                                  Stat analysts were notified.
311-service-requests              new request types in the app for ten weeks: a fifth of newer rows have a
                                  ``request_type`` outside the allowed values (enum).
dot-crashes-by-intersection       ``pedestrians_involved`` is -1 ("unknown") on about 2% of crashes: below
                                  the minimum 0, from the start.
rhd-restaurant-inspections        bonus points for four months: some ``score`` values above the maximum 100.
hce-code-violations               hand-keyed cases in the old form CE-26-12345 break the ``case_number``
                                  pattern (about 3%).
fin-vendor-payments               about 4% of payments exported twice: duplicate rows (and a non-unique
                                  ``payment_id``).
rfd-inspections                   weekly, but the export stopped ten weeks ago: stale.
311-call-centre-volume            daily, but the feed stopped a month ago: stale.
rpl-circulation                   the ``renewals`` column disappeared from the file eleven weeks ago: a
                                  dictionary column is missing.
dpw-sm-potholes                   an unquoted comma in crew notes for three months: ragged rows (an extra
                                  field on about 1.5% of rows).
it-open-data-usage                ``page_views`` (integer) holds "n/a" and "1,204" on about 3% of rows: type
                                  errors, and no silent nulls.
================================  ==============================================================================
"""

from .generate import DemoTable, demo_table, table_schema
from .plants import PLANTED, SHOWCASE

__all__ = ["PLANTED", "SHOWCASE", "DemoTable", "demo_table", "table_schema"]
