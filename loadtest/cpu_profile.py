"""Where a request's CPU goes: each endpoint of the load test, served in-process through the
whole Django stack (middleware, session, views, templates) with the production settings,
against the load-test database, under pyinstrument. Run after `make loadtest` (or its
setup) with the same environment as the server, e.g.

    DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=x \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_load REDIS_URL=redis://127.0.0.1:6379/13 \
    DJANGO_SESSION_ENGINE=django.contrib.sessions.backends.cached_db \
    DJANGO_SECURE_SSL_REDIRECT=false .venv/bin/python loadtest/cpu_profile.py /tmp/plan.json [name]

It prints, per endpoint, the mean CPU per request (time.process_time(), PostgreSQL's own
work not included) and where it goes: cProfile timed by CPU time (not wall time, which a
shared machine makes meaningless), the functions with the most cumulative CPU. With
PROFILE_TREE=1, pyinstrument's call tree (wall time) as well."""

import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "40"))


def client_for(username: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=username))
    return client


def profile_save(client: Client, url: str) -> None:
    """Saves of one changed cell of the scorer's first row, as the grid sends them."""
    grid = json.loads(
        client.get(url[: -len("save/")])
        .content.decode()
        .split('type="application/json">')[1]
        .split("</script>")[0]
    )
    row = next(r for r in grid["rows"] if r["editable"])
    criterion, version = grid["criteria"][0]["id"], row["cells"][0][1]

    def save(n: int) -> None:
        nonlocal version
        body = {"unit": row["unit"], "criterion": criterion, "version": version}
        body["value"] = str(n % 10)
        response = client.post(url, {"cells": [body]}, content_type="application/json")
        if response.status_code != 200:
            raise SystemExit(f"save: {response.status_code} {response.content[:200]}")
        version = response.json()["saved"][f"{row['unit']}:{criterion}"]["version"]

    save(1)
    start = time.process_time()
    for n in range(ROUNDS):
        save(n)
    cpu = (time.process_time() - start) / ROUNDS * 1000
    print(f"\n===== save {url}: {cpu:.1f} ms CPU per request (not profiled) =====")
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for n in range(ROUNDS):
        save(n + 1)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(
        int(os.environ.get("PROFILE_LINES", "45"))
    )
    print(text.getvalue().split("ncalls", 1)[-1])


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text())
    only = sys.argv[2:]
    by = plan["bloc_year"]
    scorer, viewer = client_for(plan["scorers"][0]), client_for(plan["viewers"][0])
    leader_name, sheet = plan["leaders"][0]
    leader = client_for(leader_name)
    grid = f"/bloc-years/{by}/scoring/grid/{plan['stage']}/"
    pages = {
        "trivial": (viewer, "/accounts/password/done/"),
        "grid": (scorer, grid),
        "scoreboard": (viewer, f"/bloc-years/{by}/scoring/"),
        "bloc": (viewer, f"/blocs/{plan['bloc']}/"),
        "bloc-year": (viewer, f"/bloc-years/{by}/"),
        "sheet": (leader, f"/scoring/sheets/{sheet}/"),
        "pledge": (leader, f"/bloc-years/{by}/pledge/"),
        "save": (scorer, f"{grid}save/"),
    }
    for name, (client, url) in pages.items():
        if only and name not in only:
            continue
        if name == "save":
            profile_save(client, url)
            continue
        for _ in range(3):
            status = client.get(url).status_code
            if status != 200:
                raise SystemExit(f"{url}: {status}")
        start = time.process_time()
        for _ in range(ROUNDS):
            client.get(url)
        cpu = (time.process_time() - start) / ROUNDS * 1000
        print(f"\n===== {name} {url}: {cpu:.1f} ms CPU per request (not profiled) =====")
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(ROUNDS):
            client.get(url)
        profile.disable()
        text = io.StringIO()
        stats = pstats.Stats(profile, stream=text)
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "45")))
        print(text.getvalue().split("ncalls", 1)[-1])
        if os.environ.get("PROFILE_TREE"):
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(ROUNDS):
                client.get(url)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False)[:8000])


if __name__ == "__main__":
    main()
