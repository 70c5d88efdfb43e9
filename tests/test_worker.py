"""The document pipeline through a real Redis broker and a real Celery worker process.

Runs only with REDIS_URL set and PostgreSQL as the database (CI): the worker is a separate
process, so it must share the test database, which an in-memory SQLite database cannot.
Each test starts its own worker on a queue of its own, pointed at pytest-django's test
database and at the test's MEDIA_ROOT, and stops it afterwards.
"""

import datetime as dt
import os
import subprocess
import sys
import time
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from config.celery import app as celery_app
from documents import services as document_services
from documents.models import DocumentJob, DocumentJobEvent
from documents.tasks import MAX_RETRIES, document_job_render_task

from .conftest import needs_pdftotext, needs_postgres, needs_redis

pytestmark = [pytest.mark.worker, needs_redis, needs_postgres]

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60
DONE = DocumentJob.Status.DONE
FAILED = DocumentJob.Status.FAILED


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def describe(self) -> str:
        return f"worker exit code {self.process.poll()}; its log:\n{self.log()}"


def _celery_executable() -> str:
    candidate = Path(sys.executable).with_name("celery")
    return str(candidate if candidate.exists() else ROOT / ".venv" / "bin" / "celery")


def _test_database_url() -> str:
    """pytest-django's test database (e.g. test_test), as a URL for the worker's settings."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = s["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: warm shutdown
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _forget_queue(queue: str) -> None:
    """Remove what kombu left in Redis for the throw-away queue."""
    try:
        import redis

        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
    except Exception as exc:  # cleanup only
        print(f"could not clean queue {queue} from Redis: {exc}")


def _reset_celery_pools() -> None:
    """Drop the Celery app's cached connection and producer pools (as Celery does after a
    fork), so that they are rebuilt from the app's current broker_url. A test elsewhere
    that points the app at another broker for a while would otherwise leave these pools
    publishing there, and the worker would never see the tasks."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(transactional_db, settings, tmp_path):
    """A Celery worker process on a queue of its own; this process sends tasks to it."""
    assert celery_app.conf.broker_url.startswith("redis://"), celery_app.conf.broker_url
    _reset_celery_pools()
    queue = f"kt-test-{uuid.uuid4().hex[:12]}"
    settings.DOCUMENTS_QUEUE = queue  # documents.services enqueues there
    # The Celery app reads Django's settings live (app.conf is a view on them), so this
    # sends tasks to the broker and makes /healthz/ check broker and workers, until the
    # settings fixture restores it. Assigning app.conf.task_always_eager instead would
    # stay behind for every later test.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert celery_app.conf.task_always_eager is False

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_CELERY_EAGER": "false",
        "DATABASE_URL": _test_database_url(),
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DOCUMENTS_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "worker.log"
    command = [
        _celery_executable(),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=info",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    w = Worker(queue=queue, process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while " ready." not in w.log():
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited during start-up; {w.describe()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the Celery worker was not ready in {STARTUP_TIMEOUT}s; {w.describe()}"
                )
            time.sleep(0.2)
        yield w
    finally:
        _stop(process)
        _reset_celery_pools()
        _forget_queue(queue)
        # Shown by pytest only when the test fails.
        print(f"--- Celery worker log ({' '.join(command)}) ---\n{w.log()}")


def _wait_for_job(job_id: int, worker: Worker, *, timeout: float) -> DocumentJob:
    """Poll the database (autocommit: every read sees the worker's commits) until the job
    is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        job = DocumentJob.objects.get(pk=job_id)
        if job.status in (DONE, FAILED):
            return job
        if worker.process.poll() is not None:
            pytest.fail(f"the worker died while job {job_id} was {job.status}; {worker.describe()}")
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {job.status} after {timeout}s; {worker.describe()}")
        time.sleep(0.2)


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
        timeout=30,
    ).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


@needs_pdftotext
def test_worker_renders_a_requested_roster(worker, world, client, settings):
    # Data is committed (no wrapping transaction), so the worker process can read it.
    assert not connection.in_atomic_block
    user = world.users["secretariat_here"]

    job = document_services.document_job_request(
        kind="roster", bloc_year=world.bloc_year, user=user
    )
    job = _wait_for_job(job.pk, worker, timeout=60)

    assert job.status == DONE, f"{job.error}\n{worker.describe()}"
    assert job.error == ""
    assert job.attempts == 1
    assert job.started_at is not None and job.finished_at >= job.started_at
    assert list(job.events.values_list("status", flat=True)) == ["pending", "running", "done"]
    # It went through the broker to the worker, not eagerly through this process.
    log = worker.log()
    assert "Task documents.tasks.document_job_render_task[" in log
    assert "succeeded" in log

    path = Path(job.file.path)
    assert path.is_file()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert path.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(path)
    for expected in (
        "DANH SÁCH ĐƠN VỊ THÀNH VIÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        world.head.name,
        world.deputy.name,
        world.member.name,
    ):
        assert expected in text, f"{expected!r} not in the PDF text:\n{text}"
    assert world.non_member.name not in text

    # The health check sees the broker and the running worker (it answers pings).
    response = client.get("/healthz/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["ok"] is True
    assert body["workers"]["ok"] is True
    assert body["workers"]["count"] >= 1


def test_worker_retries_a_failing_render_then_marks_the_job_failed(worker, world):
    assert not connection.in_atomic_block
    job = DocumentJob.objects.create(
        kind="no-such-kind",
        bloc_year=world.bloc_year,
        requested_by=world.users["secretariat_here"],
    )
    DocumentJobEvent.objects.create(job=job, status=job.status, message="test")
    document_job_render_task.apply_async(args=[job.pk], queue=worker.queue)

    # Retries wait 2 s then 4 s.
    job = _wait_for_job(job.pk, worker, timeout=45)

    assert job.status == FAILED, worker.describe()
    assert "Unknown document kind 'no-such-kind'" in job.error
    assert not job.file
    assert job.attempts == MAX_RETRIES + 1
    events = list(job.events.order_by("at", "id"))
    assert [e.status for e in events] == ["pending"] + ["running"] * (MAX_RETRIES + 1) + ["failed"]
    assert events[-1].message == job.error
    starts = [e.at for e in events if e.status == "running"]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # Backoff of 2 ** (retries + 1) seconds between attempts (some slack for clocks).
    assert gaps[0] >= dt.timedelta(seconds=1.5), gaps
    assert gaps[1] >= dt.timedelta(seconds=3.5), gaps
    assert worker.log().count("retry: Retry in") == MAX_RETRIES
