"""Settings read from the environment: each case runs in a fresh interpreter, because the
settings module is evaluated once per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Keys a developer's .env would supply when the environment lacks them (read_env does not
# overwrite), which would defeat a test that removes them from the environment.
DOTENV_KEYS: set[str] = set()
_dotenv = ROOT / ".env"
if _dotenv.exists():
    for _line in _dotenv.read_text(encoding="utf-8").splitlines():
        _line = _line.strip()
        if _line and not _line.startswith("#") and "=" in _line:
            DOTENV_KEYS.add(_line.split("=", 1)[0].removeprefix("export ").strip())


def _env(remove=(), **values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in remove}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(values)
    return env


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _needs_unset(*keys: str):
    present = DOTENV_KEYS.intersection(keys)
    return pytest.mark.skipif(
        bool(present), reason=f"{ROOT / '.env'} sets {', '.join(sorted(present))}"
    )


SETUP_PRODUCTION = (
    "import django, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.production'; "
    "django.setup(); "
    "from django.conf import settings; "
    "print(settings.DEBUG, bool(settings.SECRET_KEY))"
)


# --- Production secret key --------------------------------------------------------------------


@_needs_unset("DJANGO_SECRET_KEY")
def test_production_refuses_to_start_without_secret_key():
    result = _run(SETUP_PRODUCTION, _env(remove={"DJANGO_SECRET_KEY"}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_an_empty_secret_key():
    result = _run(SETUP_PRODUCTION, _env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_starts_with_secret_key():
    result = _run(SETUP_PRODUCTION, _env(DJANGO_SECRET_KEY="x" * 50))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_production_ignores_django_debug():
    result = _run(SETUP_PRODUCTION, _env(DJANGO_SECRET_KEY="x" * 50, DJANGO_DEBUG="true"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


# --- Celery: eager without REDIS_URL ----------------------------------------------------------

READ_MODULE = (
    "import importlib, json, sys; "
    "s = importlib.import_module(sys.argv[1]); "
    "print(json.dumps({'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, "
    "'engine': s.DATABASES['default']['ENGINE']}))"
)


def _read_module(module: str, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", READ_MODULE, module],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# What the running app sees: Django settings and the Celery app configured from them.
READ_APP = (
    "import django, json, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'; "
    "django.setup(); "
    "from django.conf import settings; "
    "from config.celery import app; "
    "print(json.dumps({'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'app_eager': app.conf.task_always_eager, 'broker': app.conf.broker_url}))"
)


@_needs_unset("REDIS_URL")
@pytest.mark.parametrize("module", ["config.settings.base", "config.settings.local"])
def test_without_redis_url_celery_is_eager(module):
    values = _read_module(module, _env(remove={"REDIS_URL"}))
    assert values["eager"] is True
    assert values["broker"] == "memory://"


@pytest.mark.parametrize("module", ["config.settings.base", "config.settings.local"])
def test_with_redis_url_celery_uses_the_broker(module):
    url = "redis://127.0.0.1:6390/3"
    values = _read_module(module, _env(REDIS_URL=url))
    assert values["eager"] is False
    assert values["broker"] == url


@_needs_unset("REDIS_URL")
def test_celery_app_follows_settings_without_redis_url():
    result = _run(READ_APP, _env(remove={"REDIS_URL"}))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {"eager": True, "app_eager": True, "broker": "memory://"}


def test_celery_app_follows_settings_with_redis_url():
    url = "redis://127.0.0.1:6390/3"
    result = _run(READ_APP, _env(REDIS_URL=url))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {"eager": False, "app_eager": False, "broker": url}


# --- Database: SQLite without DATABASE_URL ----------------------------------------------------


@_needs_unset("DATABASE_URL")
@pytest.mark.parametrize(
    "module", ["config.settings.base", "config.settings.local", "config.settings.test"]
)
def test_without_database_url_the_database_is_sqlite(module):
    values = _read_module(module, _env(remove={"DATABASE_URL"}))
    assert values["engine"] == "django.db.backends.sqlite3"


def test_with_database_url_the_database_is_postgresql():
    url = "postgres://someone@127.0.0.1:5432/somewhere"
    values = _read_module("config.settings.local", _env(DATABASE_URL=url))
    assert values["engine"] == "django.db.backends.postgresql"


# --- Cache, database connections, media storage -----------------------------------------------

READ_SERVICES = (
    "import importlib, json, sys; "
    "s = importlib.import_module(sys.argv[1]); "
    "c = s.CACHES['default']; d = s.DATABASES['default']; "
    "print(json.dumps({'cache': c['BACKEND'], 'location': c.get('LOCATION'), "
    "'prefix': c.get('KEY_PREFIX'), 'broker': s.CELERY_BROKER_URL, "
    "'conn_max_age': d['CONN_MAX_AGE'], 'health_checks': d['CONN_HEALTH_CHECKS'], "
    "'media': s.STORAGES['default'], 'static': s.STORAGES['staticfiles']['BACKEND']}))"
)
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
S3_KEYS = {
    "DJANGO_MEDIA_STORAGE",
    "DJANGO_MEDIA_S3_BUCKET",
    "DJANGO_MEDIA_S3_ENDPOINT_URL",
    "DJANGO_MEDIA_S3_ACCESS_KEY_ID",
    "DJANGO_MEDIA_S3_SECRET_ACCESS_KEY",
}
SERVICE_KEYS = {"REDIS_URL", "REDIS_CACHE_URL", "REDIS_CACHE_DB", "DJANGO_CONN_MAX_AGE", *S3_KEYS}


def _services(module: str, **values: str) -> dict:
    env = _env(remove=SERVICE_KEYS, DJANGO_SECRET_KEY="x" * 50, **values)
    result = _run(READ_SERVICES.replace("sys.argv[1]", repr(module)), env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@_needs_unset(*SERVICE_KEYS)
@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_without_redis_each_process_has_a_memory_cache(module):
    assert _services(module)["cache"] == LOCMEM_CACHE


@_needs_unset(*SERVICE_KEYS)
@pytest.mark.parametrize("module", ["config.settings.local", "config.settings.production"])
def test_with_redis_the_cache_is_shared_apart_from_the_broker(module):
    values = _services(module, REDIS_URL="redis://redis:6379/0")
    assert values["cache"] == REDIS_CACHE
    # Same server, another database (and a key prefix): never among Celery's queues.
    assert values["location"] == "redis://redis:6379/1"
    assert values["broker"] == "redis://redis:6379/0"
    assert values["prefix"] == "khoithidua"


@_needs_unset(*SERVICE_KEYS)
def test_the_cache_database_and_url_can_be_chosen():
    values = _services(
        "config.settings.production", REDIS_URL="redis://r:6379/0", REDIS_CACHE_DB="4"
    )
    assert values["location"] == "redis://r:6379/4"
    values = _services(
        "config.settings.production",
        REDIS_URL="redis://r:6379/0",
        REDIS_CACHE_URL="redis://cache.internal:6380/0",
    )
    assert values["location"] == "redis://cache.internal:6380/0"


@_needs_unset(*SERVICE_KEYS)
def test_tests_keep_a_memory_cache_even_with_redis():
    assert _services("config.settings.test", REDIS_URL="redis://r:6379/0")["cache"] == LOCMEM_CACHE


@_needs_unset(*SERVICE_KEYS)
@pytest.mark.parametrize(
    ("module", "age"),
    [("config.settings.production", 60), ("config.settings.local", 0), ("config.settings.test", 0)],
)
def test_persistent_connections_with_health_checks(module, age):
    values = _services(module)
    assert values["conn_max_age"] == age
    assert values["health_checks"] is True
    assert _services(module, DJANGO_CONN_MAX_AGE="30")["conn_max_age"] == 30


@_needs_unset(*SERVICE_KEYS)
@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.test"])
def test_media_on_the_file_system_by_default(module):
    values = _services(module)
    assert values["media"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


S3_ENV = {
    "DJANGO_MEDIA_STORAGE": "s3",
    "DJANGO_MEDIA_S3_BUCKET": "khoithidua-media",
    "DJANGO_MEDIA_S3_ENDPOINT_URL": "http://minio.internal:9000",
    "DJANGO_MEDIA_S3_ACCESS_KEY_ID": "access",
    "DJANGO_MEDIA_S3_SECRET_ACCESS_KEY": "secret",
}


@_needs_unset(*SERVICE_KEYS)
@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.local"])
def test_media_storage_s3_switches_the_default_storage(module):
    values = _services(module, **S3_ENV)
    media = values["media"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == "khoithidua-media"
    assert media["OPTIONS"]["endpoint_url"] == "http://minio.internal:9000"
    assert media["OPTIONS"]["access_key"] == "access"
    # Private files: no public ACL; the app streams every download after its permission check.
    assert media["OPTIONS"]["default_acl"] is None
    # The static files keep their own storage.
    if module.endswith("production"):
        assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


STORAGE_CLASS = (
    "import django, os; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.production'; "
    "django.setup(); "
    "from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__module__, type(s).__name__, s.bucket_name, s.endpoint_url, s.location)"
)


@_needs_unset(*SERVICE_KEYS)
def test_media_storage_s3_builds_the_django_storages_backend():
    """The backend the setting names loads (django-storages and boto3: the s3 extra) and reads
    its options; nothing is sent to the bucket."""
    env = _env(remove=SERVICE_KEYS, DJANGO_SECRET_KEY="x" * 50, **S3_ENV)
    result = _run(STORAGE_CLASS, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "S3Storage",
        "khoithidua-media",
        "http://minio.internal:9000",
        "media",
    ]


@_needs_unset(*SERVICE_KEYS)
def test_media_storage_refuses_an_unknown_value_and_a_missing_bucket():
    env = _env(remove=SERVICE_KEYS, DJANGO_SECRET_KEY="x" * 50, DJANGO_MEDIA_STORAGE="ftp")
    result = _run(SETUP_PRODUCTION, env)
    assert result.returncode != 0
    assert "DJANGO_MEDIA_STORAGE" in result.stderr
    env = _env(remove=SERVICE_KEYS, DJANGO_SECRET_KEY="x" * 50, DJANGO_MEDIA_STORAGE="s3")
    result = _run(SETUP_PRODUCTION, env)
    assert result.returncode != 0
    assert "DJANGO_MEDIA_S3_BUCKET" in result.stderr


# --- The /verify/ rate limit on the shared cache ----------------------------------------------

RATE_COUNT = (
    "import django, json, os, sys, time; "
    "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.production'; "
    "django.setup(); "
    "from django.core.cache import caches; cache = caches['default']; "
    "from django.test import RequestFactory; from pledges.views import _verify_rate_wait; "
    "request = RequestFactory().get('/verify/', REMOTE_ADDR=sys.argv[1]); "
    "start = time.monotonic(); "
    "waits = [_verify_rate_wait(request) for _ in range(int(sys.argv[2]))]; "
    "print(json.dumps({'backend': type(cache).__name__, 'waits': waits, "
    "'seconds': time.monotonic() - start}))"
)


def _count_checks(address: str, checks: int, **values: str) -> dict:
    env = _env(
        remove=SERVICE_KEYS,
        DJANGO_SECRET_KEY="x" * 50,
        PLEDGE_VERIFY_RATE_LIMIT="3",
        # Long, so that both processes fall in the same window.
        PLEDGE_VERIFY_RATE_WINDOW_SECONDS="3600",
        PLEDGE_TRUSTED_PROXY_COUNT="0",
        **values,
    )
    result = subprocess.run(
        [sys.executable, "-c", RATE_COUNT, address, str(checks)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL")
@_needs_unset(*SERVICE_KEYS)
def test_the_verify_rate_limit_is_counted_across_processes_in_redis():
    """Two processes (two gunicorn workers) count the same client in the shared cache: the
    second is refused after the first used up the limit. A random documentation address
    keeps other runs' counts apart; its keys are removed afterwards."""
    import random
    from urllib.parse import urlsplit, urlunsplit

    cache_url = urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path="/13"))
    address = f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"  # noqa: S311
    try:
        first = _count_checks(address, 3, REDIS_CACHE_URL=cache_url)
        second = _count_checks(address, 2, REDIS_CACHE_URL=cache_url)
    finally:
        import redis

        client = redis.Redis.from_url(cache_url)
        for key in client.scan_iter(f"khoithidua:*:pledges:verify-rate:{address}:*"):
            client.delete(key)
        client.close()
    assert first["backend"] == "RedisCache"
    assert first["waits"] == [0, 0, 0]
    assert all(wait > 0 for wait in second["waits"]), second


@_needs_unset(*SERVICE_KEYS)
def test_the_verify_rate_limit_with_redis_unreachable_lets_checks_through_quickly():
    values = _count_checks("198.51.100.9", 3, REDIS_CACHE_URL="redis://127.0.0.1:1/0")
    assert values["backend"] == "RedisCache"
    assert values["waits"] == [0, 0, 0]
    assert values["seconds"] < 10
