"""Fault drills with the real components (DESIGN.md §7 "Faults"): a Celery worker killed
in the middle of a render, Redis stopped and started again, PostgreSQL's connections
dropped. Each drill runs against processes of its own: a redis-server on a free port
(never the machine's shared Redis, which other test runs use), Celery workers and a
gunicorn pointed at pytest-django's test database; each is bounded in time and stops or
restores what it started in `finally`.

PostgreSQL only (the worker and gunicorn are other processes and must share the test
database), and only where redis-server is installed (.ci/run installs it)."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from documents.models import DocumentJob

from .conftest import needs_postgres
from .test_worker import _reset_celery_pools, _stop, _test_database_url

pytestmark = [
    pytest.mark.worker,
    needs_postgres,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="needs redis-server (apt-get install redis-server): each drill starts its own",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60
DRILL_TIMEOUT = 120
# The worker's visibility timeout in the drills: a task taken by a worker that died is
# handed to another this many seconds after it was taken (production: 600).
VISIBILITY_TIMEOUT = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test on a free loopback port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def ping(self) -> bool:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while not self.ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server on port {self.port} did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# The worker process, with a hook for the drills: FAULT_RENDER_DELAY_SECONDS makes each
# render wait that long first, so that the drill can kill the worker in the middle of one.
WORKER_MAIN = """
import os, sys, time
import django
django.setup()
from documents import services
delay = float(os.environ.get("FAULT_RENDER_DELAY_SECONDS") or 0)
if delay:
    original = services.render_pdf
    def slow_render_pdf(**kwargs):
        print("fault drill: render started, waiting", delay, "s", flush=True)
        time.sleep(delay)
        return original(**kwargs)
    services.render_pdf = slow_render_pdf
from config.celery import app
app.worker_main(sys.argv[1:])
"""


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def describe(self) -> str:
        return f"worker {self.name} exit code {self.process.poll()}; its log:\n{self.log()}"


@dataclass
class Drill:
    """The web side (this process, Django's test client) and the worker side, sharing a
    broker (own Redis) and a queue of their own."""

    redis: OwnRedis
    queue: str
    media_root: str
    tmp_path: Path
    workers: list[Worker]

    def start_worker(self, name: str, *, render_delay: float = 0) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_CELERY_EAGER": "false",
            "REDIS_URL": self.redis.url,
            "DATABASE_URL": _test_database_url(),
            "DJANGO_MEDIA_ROOT": self.media_root,
            "DOCUMENTS_QUEUE": self.queue,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "FAULT_RENDER_DELAY_SECONDS": str(render_delay),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-c", WORKER_MAIN, "worker", "--pool=solo"]
        command += ["--loglevel=info", "-Q", self.queue, "-n", f"{name}-{self.queue}@%h"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle"]
        log_path = self.tmp_path / f"worker-{name}.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        worker = Worker(name=name, process=process, log_path=log_path)
        self.workers.append(worker)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while " ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start; {worker.describe()}")
            time.sleep(0.2)
        return worker


@pytest.fixture
def drill(transactional_db, settings, tmp_path, own_redis, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue = f"kt-fault-{uuid.uuid4().hex[:12]}"
    settings.DOCUMENTS_QUEUE = queue
    monkeypatch.setitem(celery_app.conf, "broker_url", own_redis.url)
    _reset_celery_pools()
    d = Drill(
        redis=own_redis,
        queue=queue,
        media_root=str(settings.MEDIA_ROOT),
        tmp_path=tmp_path,
        workers=[],
    )
    try:
        yield d
    finally:
        for worker in d.workers:
            _stop(worker.process)
            # Shown by pytest only when the test fails.
            print(f"--- {worker.describe()}")
        monkeypatch.undo()
        _reset_celery_pools()


def _secretariat_client(world) -> Client:
    client = Client()
    client.force_login(world.users["secretariat_here"])
    return client


def _request_roster(client: Client, world) -> DocumentJob:
    response = client.post(reverse("documents:request", args=[world.bloc_year.pk, "roster"]))
    assert response.status_code == 302, response.content[:500]
    job_id = int(re.search(r"/documents/(\d+)/", response.url).group(1))
    return DocumentJob.objects.get(pk=job_id)


def _status_seen(client: Client, job: DocumentJob) -> tuple[str, str]:
    """What the document page's live part shows the user: (status, its text)."""
    response = client.get(reverse("documents:status", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    status = re.search(r'data-status="(\w+)"', html).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return status, text


def _watch(client, job, seen, *, until, timeout: float, worker: Worker | None = None):
    """Poll the status endpoint as the page does, recording each change of what it shows,
    until until(status) or the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        status, text = _status_seen(client, job)
        if not seen or seen[-1] != (status, text):
            seen.append((status, text))
        if until(status):
            return status
        if time.monotonic() > deadline:
            extra = worker.describe() if worker else ""
            pytest.fail(f"job {job.pk} still {status} after {timeout}s; seen {seen}\n{extra}")
        time.sleep(0.3)


# --- (a) A worker killed with SIGKILL in the middle of a render --------------------------------


def test_a_worker_killed_mid_render_the_job_is_redelivered_and_completes(drill, world):
    client = _secretariat_client(world)
    first = drill.start_worker("first", render_delay=30)
    job = _request_roster(client, world)
    seen: list[tuple[str, str]] = []

    # The first worker takes the job and starts rendering.
    _watch(client, job, seen, until=lambda s: s == "running", timeout=30, worker=first)
    deadline = time.monotonic() + 30
    while "fault drill: render started" not in first.log():
        assert time.monotonic() < deadline, first.describe()
        time.sleep(0.2)
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    killed_at = time.monotonic()

    # The page still answers and shows the job as being made (nothing else knows yet).
    assert _status_seen(client, job)[0] == "running"
    # Another worker: the unacknowledged task (acks_late) comes back to the queue after the
    # visibility timeout and is rendered again.
    second = drill.start_worker("second")
    status = _watch(
        client, job, seen, until=lambda s: s in ("done", "failed"), timeout=DRILL_TIMEOUT
    )
    recovered_after = time.monotonic() - killed_at

    job.refresh_from_db()
    assert status == "done", f"{job.error}\n{second.describe()}"
    assert job.attempts == 2
    assert list(job.events.values_list("status", flat=True)) == [
        "pending",
        "running",
        "running",
        "done",
    ]
    assert Path(job.file.path).read_bytes().startswith(b"%PDF-")
    # What the user saw, in order: being made, being made (second try), ready.
    texts = [text for _status, text in seen]
    assert any("Đang tạo văn bản…" in t and "lần thử" not in t for t in texts), texts
    assert any("Đang tạo văn bản… (lần thử 2)" in t for t in texts), texts
    assert "Văn bản đã sẵn sàng." in texts[-1]
    assert "Tải xuống PDF" in texts[-1]
    print(f"drill (a): job redelivered and done {recovered_after:.1f}s after the SIGKILL")
    print("drill (a) seen:", *seen, sep="\n  ")


# --- (b) Redis stopped, then started again --------------------------------------------------


def _wait_for_reconnection(worker: Worker, connections_before: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while worker.log().count("Connected to redis://") <= connections_before:
        if worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the worker did not reconnect to Redis; {worker.describe()}")
        time.sleep(0.3)


def test_redis_stopped_pages_serve_and_the_request_is_retryable(drill, world):
    client = _secretariat_client(world)
    worker = drill.start_worker("only")
    connections_before = worker.log().count("Connected to redis://")
    drill.redis.stop()
    try:
        # Pages that need no queue still serve.
        for url in (
            reverse("core:dashboard"),
            reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]),
            reverse("core:livez"),
        ):
            assert client.get(url).status_code == 200, url
        # Web is not ready to take document requests: the broker is down.
        readyz = client.get(reverse("core:readyz"))
        assert readyz.status_code == 503
        assert readyz.json()["broker"]["ok"] is False

        started = time.monotonic()
        job = _request_roster(client, world)
        request_seconds = time.monotonic() - started
        assert request_seconds < 20, request_seconds
        page = client.get(reverse("documents:detail", args=[job.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert "Hàng đợi xử lý văn bản tạm thời không hoạt động" in html
        assert "có thể tạo lại khi hàng đợi hoạt động trở lại" in html
        assert 'id="retry-button"' in html
        job.refresh_from_db()
        assert job.status == DocumentJob.Status.FAILED
        shown_while_down = _status_seen(client, job)[1]
    finally:
        if drill.redis.process is None:
            drill.redis.start()  # the same port: the worker and web reconnect by themselves

    _wait_for_reconnection(worker, connections_before, timeout=60)
    retry = client.post(reverse("documents:retry", args=[job.pk]))
    assert retry.status_code == 302
    seen: list[tuple[str, str]] = []
    status = _watch(client, job, seen, until=lambda s: s in ("done", "failed"), timeout=60)
    job.refresh_from_db()
    assert status == "done", f"{job.error}\n{worker.describe()}"
    assert job.attempts == 1
    assert "Văn bản đã sẵn sàng." in seen[-1][1]
    print(f"drill (b): the request took {request_seconds:.2f}s with Redis down")
    print("drill (b) shown while Redis was down:", shown_while_down)
    print("drill (b) after the retry:", *seen, sep="\n  ")


# --- (c) PostgreSQL connections dropped --------------------------------------------------------


GUNICORN_APPLICATION = "kt-fault-drill-gunicorn"


@contextlib.contextmanager
def _gunicorn(tmp_path: Path, **env_values: str):
    """One sync gunicorn worker (so every request meets the same database connection) on a
    free port, test settings, the test database."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # Named, so that the drill can tell gunicorn's connection from any other.
        "DATABASE_URL": f"{_test_database_url()}?application_name={GUNICORN_APPLICATION}",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",
        **env_values,
    }
    env.pop("REDIS_URL", None)  # documents render in-process; no broker in this drill
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--timeout", "30", "--error-logfile", "-"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base}/livez/", timeout=10) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:  # not listening yet, or the worker still booting
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base, log_path
    finally:
        _stop(process)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(base: str, path: str, session: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": f"sessionid={session}"})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _other_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _gunicorn_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [GUNICORN_APPLICATION],
        )
        return [row[0] for row in cursor.fetchall()]


def _terminate(pids: list[int]) -> None:
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_postgres_connections_dropped_the_next_request_succeeds(transactional_db, world, tmp_path):
    client = _secretariat_client(world)  # a session row in the test database
    session = client.cookies["sessionid"].value
    dashboard = reverse("core:dashboard")
    with _gunicorn(tmp_path, DJANGO_CONN_MAX_AGE="60") as (base, log_path):
        status, body = _get(base, dashboard, session)
        assert status == 200, body[:2000]
        before = _gunicorn_backends()
        assert len(before) == 1, before  # gunicorn's one persistent connection
        # Kept across requests (CONN_MAX_AGE=60): the same backend serves the next one.
        assert _get(base, dashboard, session)[0] == 200
        assert _gunicorn_backends() == before

        # Every other backend of the test database, as a restart of PostgreSQL would.
        _terminate(_other_backends())
        deadline = time.monotonic() + 10
        while set(_other_backends()) & set(before):
            assert time.monotonic() < deadline, "the backend was not terminated"
            time.sleep(0.1)

        # The next request: the health check finds the connection dead, opens a new one.
        status, body = _get(base, dashboard, session)
        log = log_path.read_text(errors="replace")
        assert status == 200, f"{body[:2000]}\n{log}"
        assert world.bloc.name in body or "Khối" in body
        after = _gunicorn_backends()
        assert len(after) == 1 and after != before
        assert "Traceback" not in log, log
    print(f"drill (c): backend {before} terminated; next request 200 on backend {after}")
