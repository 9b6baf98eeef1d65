"""What core does when Celery says something happened (connected in ``CoreConfig.ready``)."""

from __future__ import annotations

import logging

from django.db import connections

from . import outbox

logger = logging.getLogger(__name__)


def drain_outbox_at_worker_start(**kwargs: object) -> None:
    """``celery.signals.worker_ready``: a worker that starts (often the broker just came back) sends at once the
    tasks left waiting in the outbox, without waiting for beat's next drain."""
    try:
        sent = outbox.drain()
    except Exception:  # a worker must start even if the database does not answer yet; beat drains later
        logger.exception("Could not drain the outbox as the worker started")
        return
    finally:
        connections.close_all()  # the worker's main process keeps no connection its pool processes could share
    if sent:
        logger.info("Sent %s task(s) left waiting in the outbox.", sent)
