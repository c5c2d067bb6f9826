"""Celery app. Embedded default: tasks run eagerly in-process (no broker).
With REDIS_URL set, tasks go through Redis to a worker (`celery -A config worker`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("sen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
