"""`make loadtest`: the product under concurrent users on this machine (DESIGN.md §7).

1. A fresh PostgreSQL database (LOADTEST_DATABASE_URL, default h_load on loopback; dropped
   and created again), migrated, static files collected, and `manage.py loadtest_setup`
   (the demo plus a 15-unit x 60-criterion bloc-year in its scoring step).
2. gunicorn with the production settings (loadtest/gunicorn_conf.py: 2 x cores + 1 sync
   workers unless LOADTEST_WORKER_CLASS / LOADTEST_WORKERS / LOADTEST_THREADS say
   otherwise), Redis on loopback for the shared cache and the cached sessions.
3. For each user count (LOADTEST_USERS, default 50,100,200): headless locust
   (loadtest/locustfile.py), logins at LOADTEST_SPAWN_RATE (default 2/s), then
   LOADTEST_STEADY seconds (default 60) after the last login.
4. Per user count, for the steady state after the last login: p50/p95/p99, requests per
   second and errors per endpoint, the grid p95 / trivial p95 ratio, the application's
   CPU time per request per endpoint (gunicorn's serving thread), the machine's busy CPU;
   logins apart. Then the lost-update check (`manage.py loadtest_check`).

The machine is shared (other work, the load generator and PostgreSQL run on the same
cores): the figures are noisy; run it twice before drawing conclusions."""

import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS_MS, TARGET_RATIO = 300, 2.0

ENDPOINTS = [  # (name, method, path pattern): the CPU log knows paths, locust knows names
    ("save", "POST", r"^/bloc-years/\d+/scoring/grid/\w+/save/$"),
    ("grid", "GET", r"^/bloc-years/\d+/scoring/grid/\w+/$"),
    ("scoreboard", "GET", r"^/bloc-years/\d+/scoring/$"),
    ("pledge", "GET", r"^/bloc-years/\d+/pledge/$"),
    ("bloc-year", "GET", r"^/bloc-years/\d+/$"),
    ("bloc", "GET", r"^/blocs/\d+/$"),
    ("sheet", "GET", r"^/scoring/sheets/\d+/$"),
    ("trivial", "GET", r"^/accounts/password/done/$"),
    ("login", "POST", r"^/accounts/login/$"),
    ("login page", "GET", r"^/accounts/login/$"),
]


def endpoint(method: str, path: str) -> str:
    for name, m, pattern in ENDPOINTS:
        if m == method and re.match(pattern, path):
            return name
    return f"{method} other"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def env_for(out: Path) -> dict:
    database = os.environ.get("LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_load")
    redis = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    cache = urlunsplit(urlsplit(redis)._replace(path=f"/{int(urlsplit(redis).path[1:]) + 1}"))
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "REDIS_CACHE_URL": cache,
        "DJANGO_SESSION_ENGINE": os.environ.get(
            "LOADTEST_SESSION_ENGINE", "django.contrib.sessions.backends.cached_db"
        ),
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback, no proxy
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "LOADTEST_OUT": str(out),
        "LOADTEST_THROWAWAY_DB": "1",  # manage.py loadtest_setup refuses to run without it
    }


def database_reset(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"Unusable database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True
    )


class CpuMeter(threading.Thread):
    """The machine's busy CPU (all processes), sampled from /proc/stat once a second."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float, float]] = []  # time, busy, total (jiffies)

    def run(self) -> None:
        while True:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
            idle = fields[3] + fields[4]
            self.samples.append((time.time(), sum(fields) - idle, sum(fields)))
            time.sleep(1)

    def busy(self, start: float, end: float) -> float:
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return float("nan")
        (_, b0, t0), (_, b1, t1) = inside[0], inside[-1]
        return (b1 - b0) / max(1, t1 - t0) * (os.cpu_count() or 1)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def summarise(users: int, out: Path, cpu_dir: Path, meter: CpuMeter) -> dict:
    requests = read_jsonl(out / "requests.jsonl")
    logins = read_jsonl(out / "logins.jsonl")
    last_login = max((x["t"] for x in logins), default=0)
    end = max((r["t"] for r in requests), default=last_login)
    start = last_login + 1
    steady = [r for r in requests if r["t"] >= start and r["name"] not in ("login", "login page")]
    duration = max(1.0, end - start)
    rows = {}
    for name in sorted({r["name"] for r in steady}):
        mine = [r for r in steady if r["name"] == name]
        ms = [r["ms"] for r in mine]
        rows[name] = {
            "n": len(mine),
            "p50": pct(ms, 50),
            "p95": pct(ms, 95),
            "p99": pct(ms, 99),
            "rps": len(mine) / duration,
            "errors": sum(1 for r in mine if not r["ok"]),
        }
    first_login = min((x["started"] for x in logins), default=start)
    cpu = defaultdict(list)
    for f in cpu_dir.glob("cpu-*.jsonl"):
        for x in read_jsonl(f):
            name = endpoint(x["method"], x["path"])
            if start <= x["t"] <= end or (name == "login" and first_login <= x["t"] <= end):
                cpu[name].append(x["cpu"])
    login_rows = [r for r in requests if r["name"] == "login"]
    login_ms = [r["ms"] for r in login_rows]
    return {
        "users": users,
        "steady_s": duration,
        "rows": rows,
        "cpu": {k: statistics.mean(v) for k, v in cpu.items()},
        "machine_busy_cores": meter.busy(start, end),
        "logins": {
            "n": len(login_rows),
            "errors": sum(1 for r in login_rows if not r["ok"]),
            "p50": pct(login_ms, 50),
            "p95": pct(login_ms, 95),
            "ramp_s": last_login - min((x["started"] for x in logins), default=last_login),
        },
    }


def report(s: dict) -> list[str]:
    lines = [
        f"== {s['users']} users: steady state {s['steady_s']:.0f} s after the last login; "
        f"machine busy {s['machine_busy_cores']:.2f} of {os.cpu_count()} cores",
        f"{'endpoint':<22}{'n':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'req/s':>7}{'err':>5}"
        f"{'cpu ms':>8}",
    ]
    total_n = total_err = 0
    for name, r in s["rows"].items():
        total_n += r["n"]
        total_err += r["errors"]
        cpu = s["cpu"].get(name)
        lines.append(
            f"{name:<22}{r['n']:>6}{r['p50']:>7.0f}{r['p95']:>7.0f}{r['p99']:>7.0f}"
            f"{r['rps']:>7.1f}{r['errors']:>5}{'' if cpu is None else f'{cpu:8.1f}'}"
        )
    lines.append(f"{'all':<22}{total_n:>6}{'':>21}{total_n / s['steady_s']:>7.1f}{total_err:>5}")
    lo = s["logins"]
    lines.append(
        f"logins (apart): {lo['n']} in {lo['ramp_s']:.0f} s, p50 {lo['p50']:.0f} ms, "
        f"p95 {lo['p95']:.0f} ms, errors {lo['errors']}; login CPU "
        f"{s['cpu'].get('login', float('nan')):.0f} ms"
    )
    grid, trivial = s["rows"].get("grid"), s["rows"].get("trivial")
    if grid and trivial:
        ratio = grid["p95"] / max(1, trivial["p95"])
        s["ratio"] = ratio
        lines.append(f"grid p95 / trivial p95 = {ratio:.2f} (target <= {TARGET_RATIO})")
    worst = max((r["p95"] for n, r in s["rows"].items() if not n.startswith("save 409")), default=0)
    s["ok"] = (
        worst < TARGETS_MS
        and total_err == 0
        and lo["errors"] == 0
        and s.get("ratio", 0) <= TARGET_RATIO
    )
    lines.append(
        f"targets (p95 < {TARGETS_MS} ms everywhere, 0 errors, ratio <= {TARGET_RATIO}): "
        + ("met" if s["ok"] else "MISSED")
    )
    return lines


def main() -> int:
    users_list = [int(u) for u in os.environ.get("LOADTEST_USERS", "50,100,200").split(",")]
    steady = int(os.environ.get("LOADTEST_STEADY", "60"))
    spawn = float(os.environ.get("LOADTEST_SPAWN_RATE", "2"))
    out = Path(
        os.environ.get("LOADTEST_DIR")
        or Path(tempfile.gettempdir()) / f"loadtest-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    out.mkdir(parents=True, exist_ok=True)
    env = env_for(out)
    if os.environ.get("LOADTEST_REUSE_DB") != "1":
        database_reset(env["DATABASE_URL"])
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "loadtest_setup", "--plan", str(out / "plan.json"))
    else:
        (out / "plan.json").write_text(Path(os.environ["LOADTEST_PLAN"]).read_text())
    redis_cli = shutil.which("redis-cli")
    if redis_cli:  # start from an empty shared cache (its own Redis database)
        subprocess.run(  # noqa: S603 - the system's redis-cli
            [redis_cli, "-u", env["REDIS_CACHE_URL"], "flushdb"], check=False, capture_output=True
        )
    plan = json.loads((out / "plan.json").read_text())
    bind = env.get("LOADTEST_BIND", "127.0.0.1:8013")
    gunicorn = subprocess.Popen(  # noqa: S603 - our own gunicorn
        [str(BIN / "gunicorn"), "-c", "loadtest/gunicorn_conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=(out / "gunicorn.log").open("a"),
        stderr=subprocess.STDOUT,
    )
    children = [gunicorn]

    def stop(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    meter = CpuMeter()
    meter.start()
    summaries, lines = [], []
    try:
        time.sleep(3)
        for users in users_list:
            run_dir = out / f"u{users}"
            ramp = users / spawn
            locust = subprocess.Popen(  # noqa: S603 - our own locust
                [
                    str(BIN / "locust"),
                    "-f",
                    "loadtest/locustfile.py",
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn),
                    "--run-time",
                    f"{int(3 * ramp + steady + 120)}s",  # a bound; stopped earlier below
                    "--host",
                    f"http://{bind}",
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--stop-timeout",
                    "5",
                ],
                cwd=ROOT,
                env={**env, "LOADTEST_OUT": str(run_dir), "LOADTEST_PLAN": str(out / "plan.json")},
                stdout=(out / f"locust-u{users}.log").open("w"),
                stderr=subprocess.STDOUT,
            )
            children.append(locust)
            # The steady state starts when every user has logged in (a slow machine makes
            # the ramp longer than users / spawn rate), and lasts `steady` seconds.
            deadline = time.time() + 3 * ramp + 60
            while time.time() < deadline and locust.poll() is None:
                if len(read_jsonl(run_dir / "logins.jsonl")) >= users:
                    break
                time.sleep(1)
            time.sleep(steady + 1)
            locust.send_signal(signal.SIGTERM)
            locust.wait(timeout=60)
            summary = summarise(users, run_dir, out, meter)
            summaries.append(summary)
            text = report(summary)
            lines.extend(text)
            print("\n".join(text), flush=True)
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                child.wait(timeout=60)
    saves = [str(p) for p in sorted(out.glob("u*/saves.jsonl"))]
    check = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            str(BIN / "python"),
            "manage.py",
            "loadtest_check",
            "--bloc-year",
            str(plan["bloc_year"]),
            *saves,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(check.stdout.strip() or check.stderr.strip()[-2000:])
    lines.append(check.stdout.strip())
    (out / "summary.txt").write_text("\n".join(lines) + "\n")
    (out / "summary.json").write_text(json.dumps(summaries, indent=1))
    print(f"(figures in {out})")
    return 0 if check.returncode == 0 and all(s["ok"] for s in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
