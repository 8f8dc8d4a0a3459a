"""The Celery application.

With REDIS_URL set, tasks go to Redis and real workers run them; without it (the embedded
default) settings make them run eagerly in-process, so `make run` needs no services.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("forkcast")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
