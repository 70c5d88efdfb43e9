"""The ballot journey in headless Chromium: the secretariat records the attendance on the
meeting's page and opens a nomination ballot; two leaders vote on a phone-sized viewport
(375×740) and each gets a receipt; the secretariat closes and publishes; a leader finds
their receipt in the published list; the tally record PDF when the documents part offers
it on the ballot page.

BALLOT_SCREENSHOTS=<dir> saves the pages at 1280 and 375 px wide (open and published
ballot page, voting page, receipt) for a look by eye."""

import os
import re
import shutil
import subprocess
import unicodedata
import warnings
from pathlib import Path

import pytest

from meetings.models import Ballot, StagedVote, Vote

from ..conftest import PASSWORD, needs_chromium
from .conftest import ballot_year_build

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
SHOTS = os.environ.get("BALLOT_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # As in tests/test_browser.py: Playwright's loop never runs Django code.
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
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    failed_before = request.session.testsfailed
    yield make
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        for i, context in enumerate(contexts):
            for page in context.pages:
                try:
                    page.screenshot(path=str(ARTIFACTS / f"ballot-journey-{i}.png"), full_page=True)
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
    """Both widths of the same page, when BALLOT_SCREENSHOTS names a directory."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for label, viewport in (("1280", DESKTOP), ("375", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def _no_horizontal_scroll(page) -> None:
    """The page's own content fits the phone's width (the shared navbar is base.html's)."""
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url}: {width}px wide"


def _pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
        timeout=30,
    ).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


def _vote(page, ballot_id: int, yes_unit: str) -> str:
    """Vote on the phone page: Đồng ý for `yes_unit`, Không đồng ý for the others; the
    receipt shown once."""
    from playwright.sync_api import expect

    page.goto(f"/ballots/{ballot_id}/")
    page.locator("#vote-link").click()
    expect(page.locator("#vote-form")).to_be_visible()
    _no_horizontal_scroll(page)
    for candidate in page.locator("fieldset.ballot-vote-candidate").all():
        name = candidate.locator("legend").inner_text().strip()
        label = "Đồng ý" if name == yes_unit else "Không đồng ý"
        candidate.get_by_text(label, exact=True).click()
    return page


def test_ballot_journey(new_page, world, tmp_path):
    from playwright.sync_api import expect

    by = ballot_year_build(world, n_units=5, present=0)  # attendance: all absent so far
    a, b, c = by.units[:3]

    # The secretariat records the attendance on the meeting's page: all five present.
    secretariat = new_page()
    _login(secretariat, by.secretariat.username)
    secretariat.goto(f"/meetings/{by.meeting.pk}/attendance/")
    for i, unit in enumerate(by.units):
        row = secretariat.locator(f"tr[data-unit='{unit.pk}']")
        row.locator("input[type=radio][value=present]").check()
        row.locator("input[name$=representative_name]").fill(f"Nguyễn Văn {i + 1}")
    secretariat.locator("#save-attendance").click()
    expect(secretariat.locator("#quorum")).to_contain_text("Đủ số lượng")

    # ... creates a nomination ballot from the meeting's page, and opens it.
    secretariat.goto(f"/meetings/{by.meeting.pk}/")
    secretariat.locator("#ballot-create").click()
    expect(secretariat.locator("#id_kind_0")).to_be_checked()
    expect(secretariat.locator("#id_title")).to_have_value(
        "Bình xét Cờ thi đua của UBND tỉnh năm 2020"
    )
    expect(secretariat.locator("#rules-summary")).to_contain_text(
        "Đạt khi số phiếu đồng ý trên 50% tổng số đơn vị thành viên."
    )
    # The election's lists are hidden until the kind is chosen.
    expect(secretariat.locator(".ballot-only-election")).to_be_hidden()
    secretariat.locator("#save-ballot").click()
    expect(secretariat.locator("#div_id_candidates")).to_contain_text(
        "Hãy chọn ít nhất một đơn vị được bình xét."
    )
    _shot(secretariat, "ballot-form")
    for unit in (a, b, c):
        secretariat.locator("#div_id_candidates").get_by_label(unit.name).check()
    secretariat.locator("#save-ballot").click()
    expect(secretariat.locator("h1")).to_have_text("Bình xét Cờ thi đua của UBND tỉnh năm 2020")
    ballot = Ballot.objects.get(meeting=by.meeting)
    secretariat.locator("#confirm-open summary").click()
    secretariat.locator("#open-ballot").click()
    expect(secretariat.locator(".ballot-status")).to_have_text("Đang bỏ phiếu")
    expect(secretariat.locator("#progress-count")).to_contain_text("Đã bỏ phiếu: 0/5")

    # Two leaders vote on a phone.
    receipts = {}
    for unit, yes in ((a, a.name), (b, a.name)):
        phone = new_page(PHONE)
        _login(phone, by.leaders[unit.pk].username)
        _vote(phone, ballot.pk, yes)
        if unit == a:
            _shot(phone, "ballot-vote")
        phone.locator("#cast-vote").click()
        expect(phone.locator("#receipt-warning")).to_have_text("Hãy ghi lại: mã chỉ hiện một lần.")
        _no_horizontal_scroll(phone)
        code = phone.locator("#receipt-code").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
        receipts[unit.pk] = (phone, code)
        if unit == a:
            _shot(phone, "ballot-receipt")
        # A refresh sends the form again: refused, nothing stored.
        phone.reload()
        expect(phone.locator("#already-voted")).to_contain_text("Đơn vị đã bỏ phiếu")
    assert StagedVote.objects.filter(ballot=ballot).count() == 2

    # The secretariat's page counts them (htmx polling) and closes, then publishes.
    expect(secretariat.locator("#progress-count")).to_contain_text("Đã bỏ phiếu: 2/5")
    _shot(secretariat, "ballot-open")
    secretariat.locator("#confirm-close summary").click()
    secretariat.locator("#close-ballot").click()
    expect(secretariat.locator(".ballot-status")).to_have_text("Đã kết thúc bỏ phiếu")
    secretariat.locator("#confirm-publish summary").click()
    secretariat.locator("#publish-ballot").click()
    expect(secretariat.locator(".ballot-status")).to_have_text("Đã công bố")
    _shot(secretariat, "ballot-published-secretariat")
    assert Vote.objects.filter(ballot=ballot).count() == 2
    expect(secretariat.locator("#recount-result")).to_have_text(
        "Kết quả đếm lại bằng kết quả đã công bố."
    )

    # A leader finds their receipt in the published list.
    phone, code = receipts[a.pk]
    phone.goto(f"/ballots/{ballot.pk}/")
    _no_horizontal_scroll(phone)
    rows = phone.locator("#receipt-list tr[data-receipt]")
    expect(rows).to_have_count(2)
    phone.locator("#receipt-search").fill(code.lower().replace("-", ""))
    expect(phone.locator(f"#receipt-list tr[data-receipt='{code}']")).to_be_visible()
    expect(phone.locator("#receipt-list tr[data-receipt]:visible")).to_have_count(1)
    expect(phone.locator("#receipt-search-status")).to_have_text("Đã tìm thấy mã phiếu.")
    row = phone.locator(f"#receipt-list tr[data-receipt='{code}']")
    expect(row.locator("td").nth(1)).to_have_text("Đồng ý")
    phone.locator("#receipt-search").fill("ZZZZZ")
    expect(phone.locator("#receipt-search-status")).to_have_text(
        "Không có mã phiếu này trong danh sách."
    )
    phone.locator("#receipt-search").fill("")
    _shot(phone, "ballot-published")

    # The tally record, once the documents part offers it on the ballot page.
    secretariat.reload()
    request = secretariat.locator("#request-ballot-tally")
    if request.count() == 0:
        warnings.warn(
            "the ballot page offers no tally record (Biên bản kiểm phiếu) yet", stacklevel=1
        )
        return
    request.click()
    secretariat.locator("#job-status[data-status=done], #job-status[data-status=failed]").wait_for(
        timeout=30_000
    )
    assert secretariat.get_attribute("#job-status", "data-status") == "done"
    with secretariat.expect_download() as info:
        secretariat.locator("#download-link").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    if not shutil.which("pdftotext"):
        return
    text = _pdf_text(pdf)
    assert "BIÊN BẢN KIỂM PHIẾU" in text, text
    for unit in (a, b, c):
        assert unit.name in text, unit.name
