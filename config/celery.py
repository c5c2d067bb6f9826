"""Celery app. Embedded default: tasks run eagerly in-process (no broker).
With REDIS_URL set, tasks go through Redis to a worker (`celery -A config worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("sen")
# The default for every thread, not only this one: Celery's "current app" is thread-local, so a
# shared_task called from another thread (gunicorn's --threads, the test live server) would otherwise
# fall back to an unconfigured app that is not eager and tries a broker on localhost.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
