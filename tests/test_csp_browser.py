"""The Content-Security-Policy in headless Chromium: the pages people use every day (login,
dashboard, the score grid, a score sheet, the scoreboard, the pledge, a document page whose
status htmx polls and swaps, the public verification page, the admin) run with no
violation reported, neither in the console nor as a securitypolicyviolation event, and no
script error. htmx injects no <style>; the grid's JSON data island is read and the grid is
built. A control at the end shows that the detector catches an inline script."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string

from blocs.demo import QB_BLOC, demo_load
from blocs.models import BlocYear
from config.celery import app as celery_app
from documents import services as document_services
from documents.models import DocumentJob
from scoring.models import ScoreSheet

from .conftest import needs_chromium
from .test_browser import _login, browser, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, needs_chromium]

REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolation([e.violatedDirective, e.blockedURI || 'inline',
                       e.sourceFile + ':' + e.lineNumber].join(' '));
});
"""


@pytest.fixture
def full_demo(transactional_db):
    assert celery_app.conf.task_always_eager, "Celery is not eager: a test leaked its config"
    demo_load()
    for config in apps.get_app_configs():
        if loader := getattr(config, "demo_loader", None):
            import_string(loader)()
    return BlocYear.objects.select_related("bloc").get(
        bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=2020
    )


@pytest.fixture
def watched(page):  # noqa: F811
    """The page, and the list every CSP violation and script error on it lands in."""
    problems: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.expose_function("cspViolation", lambda text: problems.append(f"violation: {text}"))
    page.add_init_script(REPORT_VIOLATIONS)
    return page, problems


def _visit(pg, url: str, problems: list[str]) -> None:
    response = pg.goto(url)
    assert response is not None and response.status < 400, (url, response and response.status)
    assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    pg.wait_for_load_state("load")
    # htmx is loaded and configured by the meta tag: no injected <style>, no eval.
    if pg.evaluate("typeof htmx !== 'undefined'"):
        assert pg.evaluate("htmx.config.includeIndicatorStyles") is False, url
        assert pg.evaluate("htmx.config.allowEval") is False, url
    assert pg.evaluate("document.querySelectorAll('style').length") == 0, url
    assert problems == [], f"{url}: {problems}"


def test_pages_run_under_the_policy_without_violation(watched, full_demo, live_server):
    from playwright.sync_api import expect

    pg, problems = watched
    bloc_year = full_demo

    _visit(pg, "/verify/", problems)
    _visit(pg, "/accounts/login/", problems)
    _login(pg, "thuky")
    _visit(pg, "/", problems)
    _visit(pg, f"/bloc-years/{bloc_year.pk}/", problems)

    # The grid: its JSON data island is read and the table built by scoring/grid.js.
    _visit(pg, f"/bloc-years/{bloc_year.pk}/scoring/grid/cross/", problems)
    expect(pg.locator("#score-grid input.score-cell").first).to_be_visible()
    sheet = ScoreSheet.objects.filter(bloc_year=bloc_year).order_by("pk").first()
    _visit(pg, f"/scoring/sheets/{sheet.pk}/", problems)
    _visit(pg, f"/bloc-years/{bloc_year.pk}/scoring/", problems)
    _visit(pg, f"/bloc-years/{bloc_year.pk}/pledge/", problems)

    # A document still pending: htmx polls its status every second and swaps it in.
    job = DocumentJob.objects.create(
        kind="roster",
        bloc_year=bloc_year,
        requested_by=get_user_model().objects.get(username="thuky"),
    )
    _visit(pg, f"/documents/{job.pk}/", problems)
    expect(pg.locator("#job-status")).to_have_attribute("data-status", "pending")
    document_services.document_job_render(job_id=job.pk)
    expect(pg.locator("#download-link")).to_be_visible()
    assert problems == [], problems

    # The admin (Django's own pages) under the same policy.
    pg.locator("form[action$='/accounts/logout/'] button").click()
    _login(pg, "admin")
    _visit(pg, "/admin/", problems)
    _visit(pg, "/admin/blocs/unit/", problems)

    # Control: the detector sees an inline script, and the policy blocks it.
    pg.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); }"""
    )
    pg.wait_for_timeout(200)
    assert pg.evaluate("window.inlineRan") is None
    assert any("script-src" in p for p in problems), problems
