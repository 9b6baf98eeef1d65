"""What the quality app tells the apps above it, which connect to these in their ``AppConfig.ready`` (quality imports
none of them).

``run_finished``: a finished run has just become its dataset's latest judgement (``quality.services.run_record``;
not for history recorded after the fact, ``notify=False``). Sent with ``sender=QualityRun`` and ``run``, inside the
transaction that recorded the run, so a receiver's writes commit or roll back with it; a receiver that starts work
outside the database (a Celery task) sends it with ``core.outbox.enqueue``, which waits for the commit.
"""

from django.dispatch import Signal

run_finished = Signal()
