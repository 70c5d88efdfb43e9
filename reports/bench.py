"""Benchmarks of the reports' documents (DESIGN.md §7), run by `make bench-docs`
(reports/management/commands/bench_docs.py) on a throwaway database:

1. the demo bloc's year-end report PDF (the unnamed province's signed 2019 report of the
   demo; the scoreboard if the demo has no approved report): median of `runs` renders
   through the pipeline's render service;
2. its dossier: cold (every part rendered) and warm (every part reused by fingerprint);
3. a synthetic province of `blocs` blocs (8 members each, an approved year-end report each)
   rendered as a province batch of reports on real Celery worker processes against Redis:
   once with one worker process, once with two, and the ratio.

Nothing here is a test: timings vary by machine, and this machine is shared."""

import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


class DatabaseTimer:
    """Wall time spent in SQL (sending, the server's work, the answer) within the block."""

    def __enter__(self):
        self.seconds, self.queries = 0.0, 0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        return False


def render_job(kind: str, bloc_year, params: dict) -> tuple[float, object]:
    """One fresh job through the pipeline (request + render in the same process)."""
    from django.db import transaction

    from documents import services

    start = time.perf_counter()
    with transaction.atomic():
        job = services.document_job_request(
            kind=kind, bloc_year=bloc_year, user=None, params=params
        )
        job = services.document_job_render(job_id=job.pk)
    return time.perf_counter() - start, job


def demo_report(out) -> tuple[object, str, dict]:
    """(bloc_year, kind, params) of the demo's year-end report PDF."""
    from .models import Report

    report = (
        Report.objects.filter(
            kind=Report.Kind.YEAR_END, status__in=[Report.Status.SIGNED, Report.Status.APPROVED]
        )
        .select_related("bloc_year__bloc__province")
        .order_by("-status", "bloc_year__year")
        .first()
    )
    if report is None:
        from blocs.models import BlocYear

        out("(no approved year-end report in the demo: measuring the scoreboard instead)")
        return BlocYear.objects.order_by("-year").first(), "scoreboard", {}
    return report.bloc_year, "report", {"report_id": report.pk}


def measure_report(out, runs: int) -> object:
    bloc_year, kind, params = demo_report(out)
    timings, cpu, db = [], [], []
    for _ in range(runs + 1):
        start_cpu = time.process_time()
        with DatabaseTimer() as timer:
            seconds, job = render_job(kind, bloc_year, params)
        cpu.append(time.process_time() - start_cpu)
        db.append((timer.seconds, timer.queries))
        if job.status != "done":
            raise RuntimeError(job.error)
        timings.append(seconds)
    warm = timings[1:]
    out(
        f"{kind} PDF of {bloc_year.bloc.name} {bloc_year.year}: first {timings[0]:.2f} s; "
        f"median of {runs} {statistics.median(warm):.2f} s (min {min(warm):.2f}, "
        f"max {max(warm):.2f}; CPU time median {statistics.median(cpu[1:]):.2f} s; "
        f"waiting on PostgreSQL median {statistics.median(d[0] for d in db[1:]):.2f} s for "
        f"{db[-1][1]} queries) — target < 2 s"
    )
    return bloc_year


def measure_dossier(out, bloc_year) -> None:
    from .dossier import DOSSIER
    from .models_jobs import DossierPart

    DossierPart.objects.filter(dossier__bloc_year=bloc_year).delete()  # nothing to reuse
    start_cpu = time.process_time()
    with DatabaseTimer() as cold_db:
        cold, job = render_job(DOSSIER, bloc_year, {})
    cold_cpu = time.process_time() - start_cpu
    if job.status != "done":
        raise RuntimeError(job.error)
    parts = DossierPart.objects.filter(dossier=job, status="done").count()
    pages = sum(
        DossierPart.objects.filter(dossier=job).values_list("pages", flat=True).exclude(pages=None)
    )
    start_cpu = time.process_time()
    warm, job2 = render_job(DOSSIER, bloc_year, {})
    warm_cpu = time.process_time() - start_cpu
    reused = DossierPart.objects.filter(dossier=job2, reused=True).count()
    out(
        f"dossier of {bloc_year.bloc.name} {bloc_year.year}: {parts} parts, {pages + 1} pages; "
        f"cold (every part rendered) {cold:.2f} s (CPU {cold_cpu:.2f} s, "
        f"SQL {cold_db.seconds:.2f} s for {cold_db.queries} queries); warm ({reused} parts "
        f"reused) {warm:.2f} s (CPU {warm_cpu:.2f} s) — target < 5 s"
    )


# --- the synthetic province -------------------------------------------------------------------


def synthetic_province(blocs: int, members: int = 8):
    """A province of `blocs` blocs, each with a 2020 bloc-year of `members` units, a
    year-end meeting and an approved year-end report (through the services)."""
    from django.contrib.auth import get_user_model

    from blocs import services as bloc_services
    from blocs.models import RoleAssignment
    from meetings.models import Meeting
    from meetings.services import meetings as meeting_services

    from . import services as report_services
    from .models import Report

    admin = get_user_model().objects.create_user(username=f"bench.{uuid.uuid4().hex[:6]}")
    bloc_services.role_assign(user=admin, role=RoleAssignment.Role.ADMIN)
    tag = uuid.uuid4().hex[:4]
    province = bloc_services.province_create(
        name=f"Tỉnh thử nghiệm {tag}",
        code=f"bench-{tag}",
        board_name="Ban Thi đua - Khen thưởng tỉnh thử nghiệm",
        authority_name="UBND tỉnh thử nghiệm",
    )
    for b in range(1, blocs + 1):
        bloc = bloc_services.bloc_create(province=province, name=f"Khối thi đua số {b}", number=b)
        units = [
            bloc_services.unit_create(province=province, name=f"Sở thử nghiệm {b}.{u}")
            for u in range(1, members + 1)
        ]
        bloc_year = bloc_services.bloc_year_create(
            bloc=bloc, year=2020, members=units, head=units[0], deputy=units[1]
        )
        meeting = meeting_services.meeting_create(
            bloc_year=bloc_year,
            kind=Meeting.Kind.YEAR_END,
            held_on=dt.date(2020, 12, 20),
            actor=admin,
            place="Hội trường",
        )
        report = report_services.report_create(
            bloc_year=bloc_year, kind=Report.Kind.YEAR_END, actor=admin
        )
        report_services.report_narrative_update(
            report=report,
            actor=admin,
            results_text="Các đơn vị hoàn thành tốt nhiệm vụ chính trị được giao.\n\n" * 6,
            shortcomings_text="Một số chỉ tiêu còn chậm so với kế hoạch.",
            tasks_text="Tiếp tục đẩy mạnh phong trào thi đua yêu nước.",
        )
        report_services.report_attach(report=report, meeting=meeting, actor=admin)
        report_services.report_approve(report=Report.objects.get(pk=report.pk), actor=admin)
    return province, admin


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker_start(
    *, queue: str, name: str, concurrency: int, redis_url: str, media_root: str, log: Path,
    own_session: bool = False,
):  # fmt: skip
    """A real Celery worker: one parent and `concurrency` prefork child processes.
    `own_session`: in a session of its own; with the kernel's autogroup scheduling (on here:
    /proc/sys/kernel/sched_autogroup_enabled) every session gets one fair share of the CPU
    on a busy machine, however many processes it runs, as separate worker containers
    would."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TEST_CELERY_EAGER": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_MEDIA_ROOT": media_root,
        "DOCUMENTS_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "config", "worker", "--pool=prefork",
        f"--concurrency={concurrency}", "--loglevel=warning", "-Q", queue,
        "-n", f"{name}@%h", "--without-heartbeat", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    handle = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own celery, fixed arguments)
        command,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=own_session,
    )
    return process, handle


def worker_stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(names: list[str], processes, timeout: float = 120) -> None:
    from config.celery import app

    host = os.uname().nodename
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a worker exited during start-up")
        replies = app.control.ping(destination=[f"{n}@{host}" for n in names], timeout=1.0)
        if len(replies) >= len(names):
            return
        time.sleep(0.5)
    raise RuntimeError("the workers were not ready in time")


def measure_batch(
    out, *, province, admin, processes: int, redis_url: str, media_root: str, log_dir: Path,
    own_session: bool = False,
) -> float:  # fmt: skip
    """The batch of `province` on `processes` worker processes: one worker with that many
    prefork children, or (`own_session`) that many workers of one child, each in its own
    session."""
    from django.conf import settings

    from config.celery import app

    from . import batch as batches
    from .models_jobs import DossierPart, ProvinceBatch

    DossierPart.objects.filter(dossier__bloc_year__bloc__province=province).delete()
    queue = f"bench-docs-{uuid.uuid4().hex[:8]}"
    settings.DOCUMENTS_QUEUE = queue
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    layout = (
        [(f"{queue}-{i}", 1) for i in range(processes)] if own_session else [(queue, processes)]
    )
    workers = [
        worker_start(
            queue=queue, name=name, concurrency=concurrency, redis_url=redis_url,
            media_root=media_root, log=log_dir / f"{name}.log", own_session=own_session,
        )
        for name, concurrency in layout
    ]  # fmt: skip
    try:
        _wait_ready([name for name, _ in layout], [p for p, _ in workers])
        start = time.perf_counter()
        batch = batches.batch_start(province=province, year=2020, kind="report", actor=admin)
        while True:
            batch.refresh_from_db()
            if not batch.is_active:
                break
            if any(p.poll() is not None for p, _ in workers):
                raise RuntimeError("a worker died")
            time.sleep(0.2)
        seconds = time.perf_counter() - start
    finally:
        for process, handle in workers:
            worker_stop(process)
            handle.close()
    # CPU of the workers' processes, reaped at their stop (start-up included: an upper bound).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    try:
        app.connection_for_write().default_channel.client.delete(queue)
    except Exception as exc:  # cleanup only
        out(f"(could not remove the queue {queue}: {exc})")
    if batch.status != ProvinceBatch.Status.DONE:
        raise RuntimeError(f"batch {batch.pk} {batch.status}: {batch.error}")
    how = (
        f"{processes} worker{'s' if processes > 1 else ''} in own sessions"
        if own_session
        else f"1 worker, {processes} process{'es' if processes > 1 else ''}"
    )
    out(
        f"province batch of {batch.total} blocs (year-end reports + ZIP), {how}: "
        f"{seconds:.1f} s ({seconds / batch.total:.2f} s per bloc; the workers' CPU time "
        f"{cpu:.1f} s; at most {_overlap(batch)} blocs rendering at once)"
    )
    return seconds


def _overlap(batch) -> int:
    """The most items whose [started, finished] intervals overlap: the parallelism reached."""
    events = []
    for started, finished in batch.items.values_list("started_at", "finished_at"):
        if started and finished:
            events += [(started, 1), (finished, -1)]
    running = most = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):
        running += step
        most = max(most, running)
    return most
