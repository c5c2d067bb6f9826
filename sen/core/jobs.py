"""Background jobs: the one way services hand work to Celery.

`enqueue(task, *args, **kwargs)` runs `task.delay(*args, **kwargs)` only once the current transaction
commits (at once when there is none). So a job never runs for a change that was rolled back, and a
worker never looks for a row it cannot see yet.

- Embedded default (no REDIS_URL): CELERY_TASK_ALWAYS_EAGER — the job runs in-process right after the
  commit; an error inside it is recorded by the task, never raised into the request.
- With REDIS_URL: the job goes through Redis to a worker (`celery -A config worker`).

Arguments must be JSON-serialisable (ids, strings, numbers): that is what crosses the broker. This is
checked when the job is enqueued, in both modes, so a mistake shows in the first test rather than in
production.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """Schedule `task.delay(*args, **kwargs)` for after the current transaction commits."""
    try:
        dumps([args, kwargs])
    except TypeError as exc:
        raise TypeError(f"Arguments of job {task.name} must be JSON-serialisable: {exc}") from exc

    def send() -> None:
        try:
            result = task.delay(*args, **kwargs)
            # Run eagerly (no broker), a failing job does not raise: say so in the log, with its traceback.
            if getattr(result, "failed", None) and result.failed():
                logger.error("Job %s failed: %s", task.name, result.traceback)
        except Exception:
            # The change is committed; the broker is unreachable. Log it and leave the request alone:
            # periodic jobs pick up work whose job never ran (e.g. notifications_resend_stranded).
            logger.exception("Could not enqueue job %s", task.name)

    transaction.on_commit(send)
