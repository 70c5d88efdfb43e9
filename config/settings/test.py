"""Test run: `make test`. DATABASE_URL and REDIS_URL are honoured when set (CI)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-insecure-key")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": MEDIA_STORAGE_BACKEND,  # noqa: F405 - base: DJANGO_MEDIA_STORAGE
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Every test process has its own memory cache, even with REDIS_URL set (CI): a shared Redis
# would carry counts (the /verify/ rate limit) from one test, or one test run, to the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A connection per request, as Django's tests expect; the fault drill of dropped
# connections (tests/test_faults.py) starts a server with DJANGO_CONN_MAX_AGE=60.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)  # noqa: F405
# Tests run tasks in-process; the worker integration test switches to the real broker itself.
CELERY_TASK_ALWAYS_EAGER = env.bool("TEST_CELERY_EAGER", default=True)
