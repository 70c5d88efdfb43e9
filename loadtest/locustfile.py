"""The load scenario (DESIGN.md §7), run headless by loadtest/run.py (`make loadtest`).

Users log in once, at the spawn rate (at most 2 per second: a login costs about half a
CPU-second of password hashing), then, with a think time of 1-3 s:
- scorers open the cross-stage grid, change one to three cells of the rows they score,
  save, and reload the grid after a 409 (someone else saved those cells first);
- viewers open the scoreboard, the bloc page and the bloc-year page;
- leaders open their unit's sheet page and the bloc-year's pledge page (no ballot page:
  the meetings work is not on this branch);
- everyone opens a trivial logged-in page now and then (the ratio's baseline).

Every request is written to LOADTEST_OUT/requests.jsonl (time, name, ms, status, ok) and
every accepted cell save to LOADTEST_OUT/saves.jsonl, for loadtest/run.py's summary and
lost-update check. Environment: LOADTEST_PLAN (from manage.py loadtest_setup), LOADTEST_OUT."""

# ruff: noqa: S311 - random cells and values of a load test, not secrets
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

from locust import FastHttpUser, between, events, task

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
OUT = Path(os.environ["LOADTEST_OUT"])
OUT.mkdir(parents=True, exist_ok=True)
_requests = (OUT / "requests.jsonl").open("a", buffering=1)
_saves = (OUT / "saves.jsonl").open("a", buffering=1)
_logins = (OUT / "logins.jsonl").open("a", buffering=1)

BY = PLAN["bloc_year"]
GRID = f"/bloc-years/{BY}/scoring/grid/{PLAN['stage']}/"
SAVE = f"{GRID}save/"
TRIVIAL = "/accounts/password/done/"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DATA_CSRF = re.compile(r'data-csrf="([^"]+)"')
GRID_DATA = re.compile(r'<script id="grid-data" type="application/json">(.*?)</script>', re.S)
VALUES = [f"{n // 2}" if n % 2 == 0 else f"{n // 2},5" for n in range(21)]  # 0 .. 10

_accounts = {kind: itertools.cycle(PLAN[kind]) for kind in ("scorers", "viewers", "leaders")}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kw):
    response = kw.get("response")
    status = getattr(response, "status_code", 0) if response is not None else 0
    _requests.write(
        json.dumps(
            {
                "t": time.time(),
                "name": name,
                "ms": response_time,
                "status": status,
                "ok": exception is None,
            }
        )
        + "\n"
    )


class _User(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self) -> None:
        account = next(_accounts[self.kind])
        self.username = account[0] if isinstance(account, list) else account
        self.extra = account[1] if isinstance(account, list) else None
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF_INPUT.search(page.text).group(1)
        started = time.time()
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token,
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {self.username}: {response.status_code}")
        _logins.write(json.dumps({"t": time.time(), "started": started}) + "\n")

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response

    @task(1)
    def trivial(self) -> None:
        self.get(TRIVIAL, "trivial")


class Scorer(_User):
    weight = 14
    kind = "scorers"

    def on_start(self) -> None:
        super().on_start()
        self.load_grid()

    def load_grid(self) -> None:
        response = self.get(GRID, "grid")
        self.csrf = DATA_CSRF.search(response.text).group(1)
        data = json.loads(GRID_DATA.search(response.text).group(1))
        self.criteria = [c["id"] for c in data["criteria"]]
        self.rows = {
            r["unit"]: {c: cell[1] for c, cell in zip(self.criteria, r["cells"], strict=True)}
            for r in data["rows"]
            if r["editable"]
        }

    @task(6)
    def grid(self) -> None:
        self.load_grid()

    @task(5)
    def save(self) -> None:
        if not self.rows:
            return
        unit = random.choice(list(self.rows))
        versions = self.rows[unit]
        cells = [
            {"unit": unit, "criterion": c, "version": versions[c], "value": random.choice(VALUES)}
            for c in random.sample(self.criteria[:-3], random.randint(1, 3))
        ]
        sent = time.time()
        with self.client.post(
            SAVE,
            data=json.dumps({"cells": cells}),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            name="save",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                answered = time.time()
                for key, cell in response.json()["saved"].items():
                    u, c = (int(x) for x in key.split(":"))
                    self.rows[u][c] = cell["version"]
                    _saves.write(
                        json.dumps(
                            {
                                "unit": u,
                                "criterion": c,
                                "value": cell["value"],
                                "version": cell["version"],
                                "sent": sent,
                                "answered": answered,
                                "user": self.username,
                            }
                        )
                        + "\n"
                    )
            elif response.status_code == 409:
                response.success()  # someone saved first: the user reloads, as the page does
                events.request.fire(
                    request_type="INFO",
                    name="save 409 (reloaded)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
                self.load_grid()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")


class Viewer(_User):
    weight = 4
    kind = "viewers"

    @task(3)
    def scoreboard(self) -> None:
        self.get(f"/bloc-years/{BY}/scoring/", "scoreboard")

    @task(1)
    def bloc(self) -> None:
        self.get(f"/blocs/{PLAN['bloc']}/", "bloc")

    @task(2)
    def bloc_year(self) -> None:
        self.get(f"/bloc-years/{BY}/", "bloc-year")


class Leader(_User):
    weight = 2
    kind = "leaders"

    @task(2)
    def sheet(self) -> None:
        self.get(f"/scoring/sheets/{self.extra}/", "sheet")

    @task(2)
    def pledge(self) -> None:
        self.get(f"/bloc-years/{BY}/pledge/", "pledge")
