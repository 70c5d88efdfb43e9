"""The report journey in headless Chromium: the secretariat opens "Báo cáo tổng kết năm"
from the bloc-year page, starts the draft, writes the narrative with the live preview,
puts it on the year-end meeting's agenda and approves it; the head unit's leader signs
with their password (on a phone-sized viewport); the secretariat renders the PDF and
downloads it, then the year-end dossier when the bloc-year page offers it.

REPORT_SCREENSHOTS=<dir> saves the report pages at 1280 and 375 px wide."""

import datetime as dt
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from meetings.models import Meeting
from meetings.services import meetings as meeting_services
from reports.models import Report

from ..conftest import PASSWORD, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("REPORT_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, accept_downloads=True, viewport=viewport
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    failed_before = request.session.testsfailed
    yield make
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, context in enumerate(contexts):
            for page in context.pages:
                try:
                    page.screenshot(path=str(ARTIFACTS / f"report-journey-{i}.png"), full_page=True)
                except Exception as exc:
                    print(f"screenshot failed: {exc}")
    for context in contexts:
        context.close()


def _login(page, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Xin chào")


def _shot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
        timeout=30,
    ).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


def _download(page, tmp_path: Path) -> Path:
    page.locator("#job-status[data-status=done], #job-status[data-status=failed]").wait_for(
        timeout=60_000
    )
    assert page.get_attribute("#job-status", "data-status") == "done"
    with page.expect_download() as info:
        page.locator("#download-link").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_report_journey(new_page, world, tmp_path):
    from playwright.sync_api import expect

    sec_user = world.users["secretariat_here"]
    meeting = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 20),
        actor=sec_user,
    )
    sec = new_page()
    _login(sec, sec_user.username)
    sec.goto(f"/bloc-years/{world.bloc_year.pk}/")
    sec.locator("#report-link-year_end").click()
    sec.locator("#report-create").click()
    expect(sec.locator("h1")).to_contain_text("viết nội dung")

    # The live preview follows the typing, before anything is saved.
    sec.fill("#id_results_text", "Các đơn vị hoàn thành xuất sắc nhiệm vụ chính trị năm 2020.")
    expect(sec.locator("#report-preview")).to_contain_text(
        "Các đơn vị hoàn thành xuất sắc nhiệm vụ chính trị năm 2020."
    )
    sec.fill("#id_shortcomings_text", "Một số đơn vị gửi báo cáo chậm.")
    sec.fill("#id_tasks_text", "Đổi mới hình thức thi đua năm 2021.")
    expect(sec.locator("#report-preview")).to_contain_text("Đổi mới hình thức thi đua năm 2021.")
    _shot(sec, "report-edit")
    sec.locator("#report-save").click()
    expect(sec.locator("#report-status")).to_contain_text("Dự thảo")
    report = Report.objects.get()
    assert report.tasks_text == "Đổi mới hình thức thi đua năm 2021."

    sec.select_option("#id_meeting", str(meeting.pk))
    sec.locator("#report-attach").click()
    expect(sec.locator("#report-actions")).to_contain_text("20/12/2020")
    sec.locator("#report-approve").click()
    expect(sec.locator("#report-status")).to_contain_text("Đã thông qua")
    expect(sec.locator("#report-hash")).to_be_visible()

    # The head unit's leader signs on a phone.
    phone = new_page(PHONE)
    _login(phone, world.users["leader_member"].username)
    phone.goto(f"/reports/{report.pk}/")
    phone.locator("#report-sign").click()
    _shot(phone, "report-sign")
    phone.check("#id_confirm")
    phone.fill("#id_password", PASSWORD)
    phone.locator("#confirm-sign").click()
    expect(phone.locator("#report-status")).to_contain_text("Đã ký")
    width = phone.evaluate("document.querySelector('main').scrollWidth")
    assert width <= PHONE["width"], f"{width}px wide"
    report.refresh_from_db()
    assert report.status == "signed"

    # The secretariat renders the PDF and downloads it.
    sec.reload()
    _shot(sec, "report-detail")
    sec.locator("#request-report-pdf").click()
    pdf = _download(sec, tmp_path)
    if shutil.which("pdftotext"):
        text = _pdf_text(pdf)
        assert "Tổng kết phong trào thi đua năm 2020" in text
        assert "Các đơn vị hoàn thành xuất sắc nhiệm vụ chính trị năm 2020." in text
        assert report.sha256 in text

    # And the year-end dossier, when the bloc-year page offers it.
    sec.goto(f"/bloc-years/{world.bloc_year.pk}/")
    button = sec.locator("#dossier-request-button")
    if button.count():
        button.click()
        sec.wait_for_load_state()
        status = sec.locator("#job-status")
        if status.count():
            dossier = _download(sec, tmp_path)
            assert dossier.stat().st_size > 0
