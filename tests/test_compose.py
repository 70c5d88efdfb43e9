"""The production set-up: docker-compose.yml is valid and wires postgres, redis, web, worker
and beat as the README says; the commands it runs exist; the Dockerfile installs what the
documents need. No Docker engine is needed."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
VENV_BIN = Path(sys.executable).parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    # Join continuation lines so that each RUN instruction is one line.
    return DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")


def _env(**values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(values)
    return env


def _command(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


# --- docker-compose config --------------------------------------------------------------------


def _docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        pytest.skip("docker-compose is not installed: `config -q` not run (YAML checks still run)")
    return path


def test_docker_compose_config_is_valid():
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=_env(DJANGO_SECRET_KEY="x", PLEDGE_PUBLIC_BASE_URL="https://khoithidua.example"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_requires_the_public_address():
    env = _env(DJANGO_SECRET_KEY="x")
    env.pop("PLEDGE_PUBLIC_BASE_URL", None)
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PLEDGE_PUBLIC_BASE_URL" in result.stderr


def test_docker_compose_requires_the_secret_key():
    env = _env(PLEDGE_PUBLIC_BASE_URL="https://khoithidua.example")
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- docker-compose.yml structure -------------------------------------------------------------


def test_compose_has_the_five_services(compose):
    assert set(compose["services"]) >= {"postgres", "redis", "web", "worker", "beat"}


def test_postgres_keeps_its_data_in_a_named_volume(compose):
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    mounts = dict(v.split(":", 1) for v in postgres["volumes"])
    named = {source for source, target in mounts.items() if target == "/var/lib/postgresql/data"}
    assert named, "no volume on /var/lib/postgresql/data"
    (source,) = named
    assert not source.startswith((".", "/")), "the database is on a bind mount"
    assert source in compose["volumes"]
    assert "healthcheck" in postgres


def test_redis_service(compose):
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    assert "healthcheck" in redis


def test_app_services_share_one_definition(compose):
    anchor = compose["x-app"]
    services = compose["services"]
    for name in APP_SERVICES:
        service = services[name]
        for key in ("build", "image", "environment", "volumes", "depends_on"):
            assert service[key] == anchor[key], f"{name}.{key} differs from x-app"
    assert anchor["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert anchor["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert anchor["environment"]["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:" in anchor["environment"]["DATABASE_URL"]
    # web serves the PDFs the worker writes: the same media volume.
    media = anchor["environment"]["DJANGO_MEDIA_ROOT"]
    assert any(v.endswith(f":{media}") for v in anchor["volumes"])
    for dependency in ("postgres", "redis"):
        assert anchor["depends_on"][dependency]["condition"] == "service_healthy"


def test_app_image_is_built_from_this_directory(compose):
    build = compose["x-app"]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert (ROOT / context / "Dockerfile").resolve() == DOCKERFILE.resolve()


def test_web_migrates_then_runs_gunicorn(compose):
    command = " ".join(_command(compose["services"]["web"]))
    migrate = command.find("manage.py migrate")
    gunicorn = command.find("gunicorn config.wsgi:application")
    assert migrate >= 0, command
    assert gunicorn > migrate, command
    # `&&`: gunicorn starts only if the migrations succeeded.
    assert "&&" in command[migrate:gunicorn]
    assert "--bind 0.0.0.0:8000" in command


def test_web_healthcheck_uses_healthz(compose):
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "/healthz/" in check


def test_worker_runs_celery_worker(compose):
    assert _command(compose["services"]["worker"])[:4] == ["celery", "-A", "config", "worker"]


def test_beat_runs_celery_beat(compose):
    assert _command(compose["services"]["beat"])[:4] == ["celery", "-A", "config", "beat"]


# --- The commands exist -----------------------------------------------------------------------


@pytest.mark.parametrize("executable", ["gunicorn", "celery"])
def test_executable_is_installed(executable):
    path = VENV_BIN / executable
    assert path.exists(), f"{path} is missing"
    assert os.access(path, os.X_OK)


WSGI_IMPORT = (
    "from config.wsgi import application; "
    "from django.conf import settings; "
    "print(type(application).__name__, settings.SETTINGS_MODULE, settings.DEBUG)"
)


def _import_wsgi(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WSGI_IMPORT],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_wsgi_application_imports_as_compose_runs_it():
    """What gunicorn does in the web container (the image sets DJANGO_SETTINGS_MODULE)."""
    result = _import_wsgi(
        DJANGO_SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings.production"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WSGIHandler", "config.settings.production", "False"]


def test_wsgi_defaults_to_production_settings():
    """config/wsgi.py says: without DJANGO_SETTINGS_MODULE, use production settings. A bare
    `gunicorn config.wsgi:application` outside the image must not run with DEBUG on."""
    result = _import_wsgi(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["WSGIHandler", "config.settings.production", "False"], (
        "config.wsgi fell back to other settings than production: importing the `config` "
        "package runs config/celery.py, whose os.environ.setdefault(DJANGO_SETTINGS_MODULE, "
        "'config.settings.local') wins over the setdefault in config/wsgi.py"
    )


@pytest.mark.parametrize(
    "args",
    [["report"], ["inspect", "--help"], ["worker", "--help"], ["beat", "--help"]],
    ids=lambda a: " ".join(a),
)
def test_celery_app_loads(args):
    result = subprocess.run(
        [str(VENV_BIN / "celery"), "-A", "config", *args],
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE="config.settings.test"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    if args == ["report"]:
        assert "software -> celery:" in result.stdout
        assert "SECRET_KEY: '********'" in result.stdout


# --- Dockerfile -------------------------------------------------------------------------------


def _apt_packages(dockerfile: str) -> set[str]:
    packages: set[str] = set()
    for match in re.finditer(r"apt-get install ([^&]*)", dockerfile):
        packages.update(w for w in match.group(1).split() if not w.startswith("-"))
    return packages


def test_dockerfile_installs_fonts_and_pango(dockerfile):
    packages = _apt_packages(dockerfile)
    assert "fonts-liberation2" in packages
    assert {"libpango-1.0-0", "libpangoft2-1.0-0"} <= packages
    assert "gettext" in packages  # compilemessages needs msgfmt


def test_dockerfile_compiles_messages_and_collects_static(dockerfile):
    run_lines = [line for line in dockerfile.splitlines() if line.startswith("RUN ")]
    assert any("manage.py compilemessages" in line for line in run_lines)
    assert any("manage.py collectstatic --noinput" in line for line in run_lines)


def test_dockerfile_runs_as_unprivileged_user(dockerfile):
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users, "the image runs as root"
    assert users[-1] not in ("root", "0")
