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
