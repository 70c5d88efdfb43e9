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


def test_docker_compose_config_is_valid_with_the_http_site():
    result = subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=_env(
            DJANGO_SECRET_KEY="x",
            PLEDGE_PUBLIC_BASE_URL="https://khoithidua.example",
            NGINX_SITE="http",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    nginx = yaml.safe_load(result.stdout)["services"]["nginx"]
    mounts = [v if isinstance(v, str) else f"{v['source']}:{v['target']}" for v in nginx["volumes"]]
    assert any("deploy/nginx/http.conf:/etc/nginx/conf.d/default.conf" in m for m in mounts)


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


def test_compose_has_the_six_services(compose):
    assert set(compose["services"]) >= {"postgres", "redis", "web", "worker", "beat", "nginx"}


def test_images_are_pinned_to_a_release(compose):
    images = {name: s["image"] for name, s in compose["services"].items() if "image" in s}
    pinned = re.compile(r"[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?")
    for name, image in images.items():
        if name in APP_SERVICES:
            continue  # built from this directory (the Dockerfile pins its base images)
        assert pinned.fullmatch(image), f"{name}: {image} is not pinned to a release"
    assert images["nginx"].startswith("nginx:1.")
    assert images["postgres"].startswith("postgres:15.")
    assert images["redis"].startswith("redis:7.")


def test_dockerfile_base_images_are_pinned(dockerfile):
    for image in re.findall(r"^FROM (\S+)", dockerfile, re.M):
        assert re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+\.\d+-[a-z0-9.-]+", image), image


def test_dockerfile_installs_exactly_the_lock(dockerfile):
    run_lines = [line for line in dockerfile.splitlines() if line.startswith("RUN ")]
    assert any("uv sync --locked" in line for line in run_lines)
    assert any("--require-hashes" in line and "uv_requirement.py" in line for line in run_lines)
    assert not any(re.search(r"pip install (?!.*--require-hashes)", line) for line in run_lines)


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


def test_web_healthcheck_uses_readyz(compose):
    # Ready (database and broker), not /healthz/: a dead worker must not mark web unhealthy.
    check = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz/" in check


def test_worker_healthcheck_pings_this_worker(compose):
    check = " ".join(compose["services"]["worker"]["healthcheck"]["test"])
    assert "celery -A config inspect ping" in check
    assert "-d celery@$$HOSTNAME" in check  # this container's worker, also with --scale


def test_healthcheck_paths_are_exempt_from_the_https_redirect():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.production'; "
        "from django.conf import settings; print(' '.join(settings.SECURE_REDIRECT_EXEMPT))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(DJANGO_SECRET_KEY="x" * 50),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    exempt = result.stdout.split()
    for path in ("livez/", "readyz/", "healthz/"):
        assert any(re.fullmatch(pattern, path) for pattern in exempt), path


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


# --- The reverse proxy (nginx) ----------------------------------------------------------------

NGINX_DIR = ROOT / "deploy" / "nginx"
SITES = ("https", "http")


def test_gunicorn_is_not_published(compose):
    web = compose["services"]["web"]
    assert "ports" not in web, "gunicorn is reachable without the proxy"
    assert [str(p) for p in web["expose"]] == ["8000"]
    for name in APP_SERVICES:
        assert "ports" not in compose["services"][name]


def test_nginx_is_the_only_published_service(compose):
    published = [name for name, s in compose["services"].items() if s.get("ports")]
    assert published == ["nginx"]
    nginx = compose["services"]["nginx"]
    targets = {str(p).rsplit(":", 1)[-1] for p in nginx["ports"]}
    assert targets == {"80", "443"}
    assert nginx["depends_on"]["web"]["condition"] == "service_healthy"
    check = " ".join(nginx["healthcheck"]["test"])
    assert "http://127.0.0.1/livez/" in check


def test_nginx_mounts_files_of_this_repository(compose):
    volumes = compose["services"]["nginx"]["volumes"]
    sources = [v.rsplit(":", 2)[0] if v.endswith(":ro") else v.rsplit(":", 1)[0] for v in volumes]
    assert "./deploy/nginx/${NGINX_SITE:-https}.conf" in sources
    for site in SITES:
        assert (NGINX_DIR / f"{site}.conf").is_file()
    assert "./deploy/nginx" in sources
    # Every file the sites include is in the mounted directory.
    for conf in NGINX_DIR.iterdir():
        for included in re.findall(r"include /etc/nginx/khoithidua/(\S+);", conf.read_text()):
            assert (NGINX_DIR / included).is_file(), f"{conf.name} includes a missing {included}"


def _strip_comments(text: str) -> str:
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_nginx_replaces_the_clients_forwarded_for():
    proxy = _strip_comments((NGINX_DIR / "proxy.inc").read_text())
    headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+([^;]+);", proxy))
    # The address that connected, not $proxy_add_x_forwarded_for (which appends to what the
    # client sent): with PLEDGE_TRUSTED_PROXY_COUNT=1 the app takes the last address.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    assert headers["Forwarded"] == '""'
    all_text = "".join(_strip_comments(f.read_text()) for f in NGINX_DIR.iterdir())
    assert "proxy_add_x_forwarded_for" not in all_text


def test_every_proxied_location_sets_the_headers():
    for conf in NGINX_DIR.iterdir():
        text = _strip_comments(conf.read_text())
        assert "proxy_pass" not in text or conf.name == "proxy.inc", conf.name
        for body in re.findall(r"location [^{]+\{([^}]*)\}", text):
            assert "include /etc/nginx/khoithidua/proxy.inc;" in body or "return " in body


def test_compose_trusts_exactly_the_proxy(compose):
    value = compose["x-app"]["environment"]["PLEDGE_TRUSTED_PROXY_COUNT"]
    assert value == "${PLEDGE_TRUSTED_PROXY_COUNT:-1}"


# Body sizes: each upload route's nginx limit lets through what the app accepts (its file
# limit plus the form overhead), so that the app answers with its own message; and not
# more than 1 MB beyond it.
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _size(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * SIZE_UNITS[unit.lower()]


def _nginx_locations() -> tuple[int, list[tuple[str, str, int | None]]]:
    """(the server's default size, [(modifier, pattern, size or None)]) of app.inc."""
    text = _strip_comments((NGINX_DIR / "app.inc").read_text())
    locations = []
    for modifier, pattern, body in re.findall(r"location\s+(=|~|)\s*(\S+)\s*\{([^}]*)\}", text):
        size = re.search(r"client_max_body_size\s+(\S+);", body)
        locations.append((modifier, pattern, _size(size.group(1)) if size else None))
    outside = re.sub(r"location[^{]+\{[^}]*\}", "", text)
    (default,) = re.findall(r"client_max_body_size\s+(\S+);", outside)
    return _size(default), locations


def _nginx_limit_for(path: str) -> int:
    """nginx's choice of location: an exact match, else the first matching regex, else the
    longest prefix."""
    default, locations = _nginx_locations()
    chosen = next((loc for loc in locations if loc[0] == "=" and loc[1] == path), None)
    if chosen is None:
        chosen = next((loc for loc in locations if loc[0] == "~" and re.search(loc[1], path)), None)
    if chosen is None:
        prefixes = [loc for loc in locations if loc[0] == "" and path.startswith(loc[1])]
        chosen = max(prefixes, key=lambda loc: len(loc[1]))
    return chosen[2] if chosen[2] is not None else default


UPLOAD_URLS = {
    "pledges:verify": {},
    "scoring:evidence_upload": {"sheet_id": 12, "criterion_id": 345},
    "scoring:table_import": {"bloc_year_id": 6789},
    "awards:proposal_item_report": {"proposal_id": 12, "item_id": 345},
}


def test_every_upload_route_has_a_body_limit():
    from django.conf import settings

    assert set(UPLOAD_URLS) == set(settings.UPLOAD_LIMITS), "a new upload route needs a row"


@pytest.mark.parametrize("name", sorted(UPLOAD_URLS))
def test_nginx_body_limit_matches_the_apps(name):
    from django.conf import settings
    from django.urls import reverse

    path = reverse(name, kwargs=UPLOAD_URLS[name])
    app_limit = (
        getattr(settings, settings.UPLOAD_LIMITS[name]) + settings.UPLOAD_FORM_OVERHEAD_BYTES
    )
    nginx_limit = _nginx_limit_for(path)
    assert app_limit <= nginx_limit <= app_limit + 1024**2, (path, app_limit, nginx_limit)


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/bloc-years/1/", "/verify/x/"])
def test_nginx_default_body_limit_is_small(path):
    from django.conf import settings

    app_limit = settings.UPLOAD_DEFAULT_MAX_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES
    nginx_limit = _nginx_limit_for(path)
    assert app_limit <= nginx_limit <= app_limit + 1024**2, (path, app_limit, nginx_limit)


def test_tls_site_redirects_plain_http_and_has_the_certificates():
    text = _strip_comments((NGINX_DIR / "https.conf").read_text())
    assert re.search(r"listen 443 ssl", text)
    assert "ssl_certificate /etc/nginx/certs/fullchain.pem;" in text
    assert "return 301 https://$host$request_uri;" in text
    http = _strip_comments((NGINX_DIR / "http.conf").read_text())
    assert "ssl" not in http


def _nginx_test(site: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`nginx -t` of a site, its /etc/nginx paths moved into tmp_path."""
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed: `nginx -t` not run (the parsing checks still run)")
    include_dir = tmp_path / "khoithidua"
    include_dir.mkdir()
    for source in NGINX_DIR.iterdir():
        text = source.read_text().replace("/etc/nginx/khoithidua/", f"{include_dir}/")
        text = text.replace("/etc/nginx/certs/", f"{tmp_path}/")
        (include_dir / source.name).write_text(text)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=khoithidua.test", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log stderr; events {{}}\n"
        f"http {{ access_log off; include {include_dir}/{site}.conf; }}\n"
    )
    return subprocess.run(
        [nginx, "-t", "-c", str(main), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("site", SITES)
def test_nginx_accepts_the_configuration(site, tmp_path):
    result = _nginx_test(site, tmp_path)
    assert result.returncode == 0, result.stderr


# --- Locked dependencies (uv.lock) ------------------------------------------------------------

PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "uv.lock"


def _locked_versions() -> dict[str, str]:
    import tomllib

    return {p["name"]: p["version"] for p in tomllib.loads(LOCK.read_text())["package"]}


def _requirements() -> list[str]:
    import tomllib

    project = tomllib.loads(PYPROJECT.read_text())["project"]
    extras = project.get("optional-dependencies", {})
    return [*project["dependencies"], *(r for group in extras.values() for r in group)]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_requirement_is_locked_with_hashes():
    import tomllib

    packages = tomllib.loads(LOCK.read_text())["package"]
    locked = {p["name"] for p in packages}
    for requirement in _requirements():
        name = _canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group())
        assert name in locked, f"{requirement} is not in uv.lock: run `make lock`"
    for package in packages:
        if package["name"] == "khoithidua":
            continue
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files and all(f["hash"].startswith("sha256:") for f in files), package["name"]


def test_libraries_before_1_0_have_an_upper_bound():
    versions = _locked_versions()
    for requirement in _requirements():
        name = _canonical(re.match(r"[A-Za-z0-9_.-]+", requirement).group())
        if versions[name].startswith("0."):
            assert "<" in requirement or "==" in requirement, (
                f"{requirement}: {versions[name]} is before 1.0, give it an upper bound"
            )


def test_uv_itself_is_pinned_and_hashed_by_the_lock():
    (pin,) = [r for r in _requirements() if r.startswith("uv==")]
    assert pin == f"uv=={_locked_versions()['uv']}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "uv_requirement.py"), str(LOCK)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    requirement = result.stdout.split()
    assert requirement[0] == pin
    assert len(requirement) > 2 and all(h.startswith("--hash=sha256:") for h in requirement[1:])


def test_make_install_syncs_exactly_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    targets = dict(re.findall(r"^(\S+):([^\n=]*)$", makefile, re.M))
    assert "uv.lock" in targets["$(VENV)/.installed"].split()
    assert "pyproject.toml" in targets["$(VENV)/.installed"].split()
    assert re.search(r"^SYNC_FLAGS := --locked --extra dev --extra s3$", makefile, re.M)
    assert "$(UV) sync --quiet $(SYNC_FLAGS)" in makefile
    assert "--require-hashes" in makefile
    assert "pip install --quiet -e" not in makefile
    assert re.search(r"^lock: ", makefile, re.M)
    assert "export UV_PYTHON_DOWNLOADS := never" in makefile


def test_keys_and_certificates_stay_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"secrets", "deploy/certs", ".env", ".venv"} <= set(ignored)
