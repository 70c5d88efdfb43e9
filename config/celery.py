import os

from celery import Celery

# Like wsgi.py: production unless told otherwise (the Makefile and compose say so).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("khoithidua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
