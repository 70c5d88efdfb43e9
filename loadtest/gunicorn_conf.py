"""gunicorn settings of the load test (loadtest/run.py): workers from the CPU count, and the
CPU time of every request (the serving thread's time.thread_time(), so that it is right for
sync and gthread workers alike) written to LOADTEST_OUT/cpu-<pid>.jsonl. The database
server's own CPU is not in it (run.py reports the machine's CPU apart)."""

import json
import os
import time

_cores = os.cpu_count() or 1
bind = os.environ.get("LOADTEST_BIND", "127.0.0.1:8013")
worker_class = os.environ.get("LOADTEST_WORKER_CLASS", "sync")
workers = int(os.environ.get("LOADTEST_WORKERS") or 2 * _cores + 1)
threads = int(os.environ.get("LOADTEST_THREADS") or (4 if worker_class == "gthread" else 1))
backlog = 2048
timeout = 60
accesslog = None
errorlog = "-"
loglevel = "warning"

_OUT = os.environ.get("LOADTEST_OUT", "")
_files: dict[int, object] = {}


def pre_request(worker, req) -> None:
    req.loadtest_cpu = time.thread_time()


def post_request(worker, req, environ, resp) -> None:
    if not _OUT:
        return
    out = _files.get(os.getpid())
    if out is None:
        out = _files[os.getpid()] = open(  # noqa: SIM115 - kept open for the worker's life
            os.path.join(_OUT, f"cpu-{os.getpid()}.jsonl"), "a", buffering=1
        )
    cpu = (time.thread_time() - getattr(req, "loadtest_cpu", time.thread_time())) * 1000
    out.write(
        json.dumps(
            {
                "t": time.time(),
                "method": req.method,
                "path": req.path,
                "status": getattr(resp, "status_code", 0),
                "cpu": round(cpu, 3),
            }
        )
        + "\n"
    )
