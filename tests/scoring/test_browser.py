"""The scoring journey in headless Chromium on the demo data (2020, Quảng Bình): staff fill
the self-assessment and attach evidence, the leader submits it, the secretariat pastes a
block from Excel into the cross grid and fixes one bad cell, the board verifies and locks,
the scoreboard shows the ranks with a tie."""

import re

import pytest
from django.contrib.auth import get_user_model

from blocs import cycle
from blocs.demo import QB_BLOC
from blocs.demo import demo_load as blocs_demo_load
from blocs.models import BlocYear
from pledges.demo import demo_load as pledges_demo_load
from scoring.demo import demo_load as scoring_demo_load
from scoring.models import Criterion, ScoreSheet, ScoreValue, ScoringYear, Stage
from tests.conftest import needs_chromium
from tests.test_browser import _login, browser, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, needs_chromium]

CODES = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "C1", "C2", "T1", "T2"]
# Cross scores typed by the secretariat (rows by unit), 100 points at most plus bonus.
CROSS = {
    "Ban Quản lý Khu kinh tế": "25 15 10 10 10 9,5 5 10 5 2 1 0 0",
    "Sở Giao thông vận tải": "25 15 10 9,5 10 9 5 10 5 1 0 0 0",
    "Sở Xây dựng": "24 14,5 10 9,5 10 9 5 10 5 1 0 0 0",
    "Sở Tài nguyên và Môi trường": "24 14,5 10 9,5 10 9 5 10 5 1 0 0 0",
    "Sở Công Thương": "24 14 9,5 9,5 10 9 5 10 5 0 0 0 0",
    "Sở Nông nghiệp và Phát triển nông thôn": "23 14 9,5 9,5 10 9 5 10 5 0 0 0 0",
    "Sở Thông tin và Truyền thông": "23 14 9,5 9 10 9 5 10 5 0 0 0,5 0",
    "Cảng vụ Hàng hải Quảng Bình": "22 14 9 9 10 9 5 10 5 0 0 0 0",
    "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp": (
        "21 13 9 9 10 9 5 10 5 0 0 0 0"
    ),
}
BAD_UNIT = "Sở Công Thương"  # its 1.1 is pasted as "12O" (a letter O): refused inline


@pytest.fixture
def demo2020(transactional_db):
    """The demo's 2020 is signing its pledge: `thuky` closes signing and opens scoring, as
    the README's journey does on the bloc-year page."""
    blocs_demo_load()
    pledges_demo_load()
    scoring_demo_load()
    bloc_year = BlocYear.objects.get(
        bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=2020
    )
    thuky = get_user_model().objects.get(username="thuky")
    cycle.bloc_year_start(bloc_year=bloc_year, actor=thuky, close_signing=True)
    cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=thuky)
    return bloc_year


def _logout(pg):
    pg.locator("form[action$='/accounts/logout/'] button").click()
    pg.wait_for_url(re.compile(r"/accounts/login/"))


def _paste(pg, selector: str, text: str) -> None:
    """What Ctrl+V does with text copied from Excel: a paste event with text/plain."""
    pg.locator(selector).click()
    pg.evaluate(
        """([selector, text]) => {
            const el = document.querySelector(selector);
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent(
                'paste', {clipboardData: data, bubbles: true, cancelable: true}
            ));
        }""",
        [selector, text],
    )


def test_scoring_journey(page, demo2020, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    bloc_year = demo2020
    bqlkkt = ScoreSheet.objects.get(bloc_year=bloc_year, unit__name="Ban Quản lý Khu kinh tế")
    crit = {c.code: c for c in Criterion.objects.filter(table__bloc_year=bloc_year)}

    # 1. Staff fill the self-assessment: paste a column, fix nothing, attach evidence.
    _login(page, "canbo")
    page.goto(f"/bloc-years/{bloc_year.pk}/")
    page.locator(f"#my-sheet-{bqlkkt.unit_id}").click()
    expect(page.locator("h1")).to_contain_text("Ban Quản lý Khu kinh tế")
    _paste(
        page, f"#cell-self-{crit['1.1'].pk}", "\n".join(CROSS["Ban Quản lý Khu kinh tế"].split())
    )
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")
    expect(page.locator("#save-state")).to_have_text("Đã lưu")
    assert ScoreValue.objects.filter(sheet=bqlkkt, stage=Stage.SELF).count() == 13
    evidence = tmp_path / "par-index-2020.pdf"
    evidence.write_bytes(b"%PDF-1.4 minh chung cai cach hanh chinh")
    page.locator(f"#evidence-{crit['1.2'].pk}").set_input_files(str(evidence))
    page.locator(f"#criterion-{crit['1.2'].pk} form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã tải lên minh chứng cho tiêu chí 1.2")
    expect(page.locator(f"#criterion-{crit['1.2'].pk}")).to_contain_text("par-index-2020.pdf")
    expect(page.locator("#submit-self")).to_have_count(0)  # staff prepare, the leader submits
    _logout(page)

    # 2. The leader submits; the sheet becomes read-only.
    _login(page, "lanhdao")
    page.goto(f"/scoring/sheets/{bqlkkt.pk}/")
    page.locator("#submit-self").click()
    expect(page.locator("#self-status")).to_have_text("Đã nộp")
    expect(page.locator(f"#cell-self-{crit['1.1'].pk}")).to_have_count(0)
    _logout(page)

    # 3. The secretariat pastes the whole block copied from Excel into the cross grid.
    _login(page, "thuky")
    page.goto(f"/bloc-years/{bloc_year.pk}/scoring/grid/cross/")
    expect(page.locator("#score-grid-root")).to_have_attribute("data-ready", "1")
    names = page.locator("#score-grid tbody th.unit-col a").all_inner_texts()
    assert sorted(names) == sorted(CROSS)
    lines = []
    for name in names:
        values = CROSS[name].split()
        if name == BAD_UNIT:
            values[0] = "12O"
        lines.append("\t".join(values))
    _paste(page, "input.score-cell[data-r='0'][data-c='0']", "\r\n".join(lines) + "\r\n")
    bad_row = names.index(BAD_UNIT)
    bad = page.locator(f"input.score-cell[data-r='{bad_row}'][data-c='0']")
    expect(bad).to_have_class(re.compile("is-invalid"))
    expect(page.locator(".cell-error")).to_have_text(
        "“12O” không phải là số. Nhập ví dụ 8 hoặc 8,5."
    )
    expect(page.locator("#save-state")).to_have_attribute("data-state", "error")
    expect(page.locator("#save-state")).to_have_text("1 ô có lỗi")
    # Every other cell was saved; the bad one kept what was typed.
    assert (
        ScoreValue.objects.filter(sheet__bloc_year=bloc_year, stage=Stage.CROSS).count()
        == 9 * 13 - 1
    )
    expect(bad).to_have_value("12O")
    bad.click()
    page.keyboard.type("24")  # typing replaces the selected content
    page.keyboard.press("Enter")
    expect(page.locator("#save-state")).to_have_attribute("data-state", "saved")
    expect(bad).not_to_have_class(re.compile("is-invalid"))
    # Enter moved down one row.
    expect(page.locator(f"input.score-cell[data-r='{bad_row + 1}'][data-c='0']")).to_be_focused()
    total = page.locator(f"#score-grid tbody tr:nth-child({bad_row + 1}) td.total-col")
    expect(total).to_have_text("96")
    assert (
        ScoreValue.objects.get(
            sheet__unit__name=BAD_UNIT,
            sheet__bloc_year=bloc_year,
            stage=Stage.CROSS,
            criterion=crit["1.1"],
        ).value
        == 24
    )
    # Reloading shows what the server holds; the focused cell links to its history.
    page.reload()
    fixed = page.locator(f"input.score-cell[data-r='{bad_row}'][data-c='0']")
    expect(fixed).to_have_value("24")
    fixed.click()
    page.locator("#cell-message a.cell-history-link").click()
    expect(page.locator("#cell-history")).to_contain_text("1.1")
    expect(page.locator("#cell-history tbody tr")).to_have_count(1)
    expect(page.locator("#cell-history tbody")).to_contain_text("Chấm chéo")
    expect(page.locator("#cell-history tbody")).to_contain_text("24")
    _logout(page)

    # 4. The board copies the cross scores into the verified stage and verifies.
    _login(page, "ban.tdkt")
    page.goto(f"/bloc-years/{bloc_year.pk}/scoring/grid/verified/")
    page.locator("#copy-cross").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã chép 117 ô")
    page.goto(f"/bloc-years/{bloc_year.pk}/scoring/")
    # Only one self-assessment and no cross stage were submitted: the page names the other
    # units and the board confirms them before the lock.
    expect(page.locator("#verify-gaps")).to_contain_text("8 đơn vị chưa nộp tự chấm")
    page.locator("#verify-confirm").check()
    page.locator("#verify-button").click()
    expect(page.locator("#locked-banner")).to_be_visible()
    assert ScoringYear.objects.get(bloc_year=bloc_year).locked

    # 5. The scoreboard shows the ranks, with the tie for third.
    rows = page.locator("#scoreboard tbody tr")
    expect(rows).to_have_count(9)
    ranks = {}
    for i in range(9):
        row = rows.nth(i)
        ranks[row.locator("td.unit a, td.unit").first.inner_text().split("\n")[0].strip()] = (
            row.get_attribute("data-rank")
        )
    assert ranks["Ban Quản lý Khu kinh tế"] == "1"
    assert ranks["Sở Giao thông vận tải"] == "2"
    assert ranks["Sở Xây dựng"] == ranks["Sở Tài nguyên và Môi trường"] == "3"
    assert ranks["Sở Công Thương"] == "4"
    expect(page.locator("#scoreboard")).to_contain_text("cùng xếp thứ Ba")
    expect(page.locator("#scoreboard")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
