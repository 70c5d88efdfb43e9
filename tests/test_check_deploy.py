"""`manage.py check --deploy` with the production environment the README documents (its
`export` lines, then docker-compose.yml's x-app environment on top, as the container gets
it) prints no warning; and that environment really redirects to HTTPS, sends HSTS and lets
the container healthcheck through on plain HTTP."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
COMPOSE_FILE = ROOT / "docker-compose.yml"


def _readme_exports() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Production with docker-compose\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "no sh block in the README's production section"
    exports = [line for line in block.group(1).splitlines() if line.startswith("export ")]
    assert any("DJANGO_SECRET_KEY" in line for line in exports)
    return exports


def _interpolate(value: str, env: dict) -> str:
    """docker compose's ${VAR}, ${VAR:-default} and ${VAR:?message}."""

    def replace(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        current = env.get(name, "")
        if op == ":?" and not current:
            raise AssertionError(f"compose requires {name}: {arg}")
        return current or (arg if op == ":-" else "")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", replace, str(value))


def documented_environment() -> dict:
    """The README's exports evaluated by bash in an empty environment, then the compose
    environment of web/worker/beat interpolated from them."""
    script = "\n".join(
        [
            *_readme_exports(),
            f"{sys.executable} -c 'import json, os; print(json.dumps(dict(os.environ)))'",
        ]
    )
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(Path.home())),
    }
    result = subprocess.run(
        ["bash", "-c", script], env=base, capture_output=True, text=True, timeout=60, check=True
    )
    shell_env = json.loads(result.stdout)
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    container = {k: _interpolate(v, shell_env) for k, v in compose["x-app"]["environment"].items()}
    # The process sees only what compose passes in, plus a PATH.
    return {**container, "PATH": base["PATH"], "HOME": base["HOME"]}


@pytest.fixture(scope="module")
def production_env() -> dict:
    env = documented_environment()
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    return env


def test_check_deploy_prints_no_issue(production_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert not re.search(r"\bW0\d\d\b", output), output
    assert "WARNINGS" not in output, output


def test_check_deploy_would_warn_without_hsts(production_env):
    """The test above can fail: the same run with HSTS and the redirect off warns."""
    env = {
        **production_env,
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "security.W004" in output and "security.W008" in output, output


REQUESTS = """
import django, json
django.setup()
from django.test import Client
c = Client(HTTP_HOST="khoithidua.example.gov.vn")
plain = c.get("/accounts/login/")
# An outside probe over plain HTTP (the container healthcheck is local, same path).
health = c.get("/healthz/", REMOTE_ADDR="203.0.113.7")
secure = c.get("/healthz/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "health_status": health.status_code,
    "health_body": health.json(),
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "referrer": secure.get("Referrer-Policy"),
}))
"""


def test_production_redirects_to_https_and_sends_hsts(production_env):
    # An in-memory database: the health check's one query needs no server.
    env = {**production_env, "DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", REQUESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://khoithidua.example.gov.vn/accounts/login/"
    # The container healthcheck calls http://127.0.0.1:8000/healthz/ and is not redirected.
    assert seen["health_status"] == 200
    assert seen["health_body"] == {"status": "ok"}
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"]
    assert seen["referrer"] == "same-origin"
