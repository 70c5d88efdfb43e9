"""Browser journeys in headless Chromium (Debian's /usr/bin/chromium) through Playwright.

The demo data is loaded through the real code path (`blocs.demo.demo_load`). Celery runs
eagerly in tests, so a requested document is usually done before its page first loads;
the page's htmx polling covers the case where it is not.
"""

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from blocs.demo import DEMO_PASSWORD, QB_BLOC, demo_load
from blocs.models import BlocYear
from config.celery import app as celery_app
from documents.models import DocumentJob

from .conftest import needs_chromium, needs_pdftotext

pytestmark = [pytest.mark.browser, needs_chromium]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; Django would then refuse
    # ORM calls made here (fixtures, assertions) as "async unsafe". They are not: the loop
    # never runs Django code. The live server handles requests in its own thread.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context (no cookies) per test; a screenshot of the last page goes to
    test-artifacts/ when the test fails."""
    # Chromium's own locale (Accept-Language: en-US) on purpose: the product must still open
    # in Vietnamese, as it does on the English browsers of many offices.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    # The call phase is reported before teardown, so a failed test has been counted.
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the test failure is what matters
            print(f"screenshot failed: {exc}")
    context.close()


@pytest.fixture
def demo(transactional_db):
    # Documents render in-process here; no worker listens to the broker.
    assert celery_app.conf.task_always_eager, "Celery is not eager: a test leaked its config"
    demo_load()
    bloc_year = BlocYear.objects.select_related("bloc").get(
        bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=2020
    )
    return bloc_year


def _login(page, username: str) -> None:
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Xin chào")


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
def test_secretariat_requests_roster_pdf_and_downloads_it(page, demo, tmp_path):
    from playwright.sync_api import expect

    bloc_year = demo
    bloc = bloc_year.bloc

    _login(page, "thuky")
    secretariat = page.locator("#secretariat-section")
    expect(secretariat).to_contain_text(QB_BLOC)
    expect(secretariat).to_contain_text("Quảng Bình")

    # Dashboard -> the bloc-year card -> the bloc (breadcrumb) -> the 2020 year.
    secretariat.get_by_role("link", name=re.compile(r"năm 2020$")).click()
    expect(page).to_have_url(re.compile(rf"/bloc-years/{bloc_year.pk}/$"))
    page.locator("nav[aria-label=breadcrumb]").get_by_role("link", name=QB_BLOC).click()
    expect(page).to_have_url(re.compile(rf"/blocs/{bloc.pk}/$"))
    expect(page.locator("h1")).to_have_text(QB_BLOC)
    expect(page.locator("#year-2019")).to_be_visible()
    expect(page.locator("#year-2020 ol > li")).to_have_count(9)

    page.locator("#year-2020").get_by_role("link", name="Năm 2020").click()
    expect(page).to_have_url(re.compile(rf"/bloc-years/{bloc_year.pk}/$"))
    expect(page.locator("table.table-roster tbody tr")).to_have_count(9)
    expect(page.locator("table.table-roster")).to_contain_text("Cảng vụ Hàng hải Quảng Bình")

    page.locator("#request-roster").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+/$"))
    job_id = int(re.search(r"/documents/(\d+)/$", page.url).group(1))
    expect(page.locator("h1")).to_have_text("Danh sách đơn vị thành viên")

    status = page.locator("#job-status[data-status=done], #job-status[data-status=failed]")
    status.wait_for(timeout=30_000)
    assert page.get_attribute("#job-status", "data-status") == "done", page.inner_text(
        "#job-status"
    )
    expect(page.locator("#job-status")).to_contain_text("Văn bản đã sẵn sàng.")

    with page.expect_download() as download_info:
        page.locator("#download-link").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"danh-sach-thanh-vien-khoi-{bloc.pk}-2020-{job_id}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    text = _pdf_text(pdf)
    for expected in (
        "DANH SÁCH ĐƠN VỊ THÀNH VIÊN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Ban Quản lý Khu kinh tế",
        "Cảng vụ Hàng hải Quảng Bình",
    ):
        assert expected in text, f"{expected!r} not in the PDF text:\n{text}"

    job = DocumentJob.objects.get(pk=job_id)
    assert job.status == DocumentJob.Status.DONE
    assert job.bloc_year_id == bloc_year.pk
    assert job.requested_by.username == "thuky"
    assert job.attempts == 1


def test_unit_leader_sees_the_bloc_year_but_cannot_request_documents(page, demo):
    from playwright.sync_api import expect

    bloc_year = demo
    _login(page, "lanhdao")
    units = page.locator("#unit-section")
    expect(units).to_contain_text("Ban Quản lý Khu kinh tế")
    expect(page.locator("#secretariat-section")).to_have_count(0)

    units.get_by_role("link", name=f"{QB_BLOC} – 2020").click()
    expect(page).to_have_url(re.compile(rf"/bloc-years/{bloc_year.pk}/$"))
    expect(page.locator("table.table-roster tbody tr")).to_have_count(9)
    expect(page.locator("#request-roster")).to_have_count(0)
    expect(page.get_by_text("Tạo PDF danh sách đơn vị thành viên")).to_have_count(0)

    # Posting the request anyway (with a valid CSRF token and session) is refused.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"/bloc-years/{bloc_year.pk}/documents/roster/",
        headers={"X-CSRFToken": token},
        max_redirects=0,
    )
    assert response.status == 403
    body = response.text()
    # The app's own refusal page with its reason, not Django's CSRF failure page.
    assert "Không có quyền truy cập" in body
    assert "Bạn không có quyền với năm thi đua này của khối." in body
    assert not DocumentJob.objects.exists()
    assert get_user_model().objects.get(username="lanhdao").document_jobs.count() == 0


def test_language_switch_to_english_and_back(page, live_server):
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    # Each language is offered under its own name.
    page.locator("footer #language-form").get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    back = page.locator("footer #language-form button[value=vi]")
    expect(back).to_be_visible()
    # Django's LANG_INFO spells "Tiếng Việt" with combining accents (not NFC).
    assert unicodedata.normalize("NFC", back.inner_text().strip()) == "Tiếng Việt"

    # The choice sticks across pages (language cookie) until switched back.
    page.goto("/accounts/login/")
    expect(html).to_have_attribute("lang", "en")
    back.click()
    expect(html).to_have_attribute("lang", "vi")
