"""The award proposal journey in headless Chromium (issue 10, must-include 9): the data up to
the draft proposal through the services (published nomination ballots, the draft, the
reports); then in the browser the secretariat submits the proposal, the board returns one
unit with a reason through the decision form on the proposal page, the secretariat makes
the new version and submits it again, the board accepts and records the council's outcome
(decision number and date); what each user sees is asserted at each step, and a member
unit's leader finds their own unit's item and nothing of the other unit's."""

from pathlib import Path

import pytest

from awards import services
from blocs import services as bloc_services
from blocs.models import RoleAssignment

from ..conftest import PASSWORD, make_user, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
RETURN_REASON = "Bổ sung số liệu thu ngân sách năm 2020 vào báo cáo thành tích."
FORM = {
    "characteristics": "Cơ quan chuyên môn thuộc UBND tỉnh.",
    "achievements": "Hoàn thành vượt mức các chỉ tiêu giao ước thi đua năm 2020.",
    "by_year": [{"year": "2020", "text": "Hoàn thành xuất sắc nhiệm vụ."}],
    "awards_received": [],
}


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

    def make():
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
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
                    page.screenshot(path=str(ARTIFACTS / f"awards-journey-{i}.png"), full_page=True)
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


def _decide(page, item_id: int, outcome: str, reason: str = "") -> None:
    """The board's decision form of templates/awards/_item_review.html for one unit."""
    card = page.locator(f"#review-item-{item_id}")
    card.locator("details.review-form-box summary").click()
    card.locator(f"#decide-{item_id}-{outcome}").check()
    if reason:
        card.locator(f"#decide-{item_id}-reason").fill(reason)
    card.locator("form.review-decide-form button[type=submit]").click()


def _council(page, item_id: int, number: str, date: str, signer: str) -> None:
    card = page.locator(f"#review-item-{item_id}")
    card.locator("details.review-form-box summary").click()
    card.locator(f"#council-{item_id}-approved").check()
    card.locator(f"#council-{item_id}-number").fill(number)
    card.locator(f"#council-{item_id}-date").fill(date)
    card.locator(f"#council-{item_id}-signer").fill(signer)
    card.locator("form.review-council-form button[type=submit]").click()


def test_award_proposal_journey(new_page, voted):
    from playwright.sync_api import expect

    world = voted
    sec, board = world.users["secretariat_here"], world.users["board_here"]
    drafts = {
        p.award_type.name: p
        for p in services.award_proposals_draft(bloc_year=world.bloc_year, actor=sec)
    }
    proposal = drafts[services.CHAIR_CERTIFICATE]  # the deputy and the member
    v1 = proposal.versions.get(number=1)
    items = {i.unit_id: i for i in v1.items.all()}
    for item in items.values():
        services.proposal_item_report_form_save(
            item=item, form={**FORM, "unit_name": item.unit.name}, actor=sec
        )
    deputy, member = items[world.deputy.pk], items[world.member.pk]
    leader = make_user("lanhdao.thanhvien")
    bloc_services.role_assign(user=leader, role=RoleAssignment.Role.LEADER, unit=world.member)
    url = f"/proposals/{proposal.pk}/"

    # 1. The secretariat submits the draft.
    s = new_page()
    _login(s, sec.username)
    s.goto(url)
    expect(s.locator("#version-status")).to_have_text("Dự thảo")
    expect(s.locator("#missing-reports")).to_have_count(0)
    s.locator("#submit-link").click()
    expect(s.locator("#submit-button")).to_be_enabled()
    s.locator("#submit-button").click()
    expect(s.locator("#snapshot")).to_be_visible()
    expect(s.locator("#version-hash")).not_to_be_empty()
    expect(s.locator("#draft-actions")).to_have_count(0)
    expect(s.locator(f"#item-{member.pk} .item-status")).to_have_text(
        "Chờ Ban Thi đua - Khen thưởng xét"
    )
    expect(s.locator("form.review-decide-form")).to_have_count(0)  # not the board's forms

    # 2. The board accepts the deputy and returns the member with a reason.
    b = new_page()
    _login(b, board.username)
    b.goto(url)
    expect(b.locator("form.review-decide-form")).to_have_count(2)
    _decide(b, deputy.pk, "accepted")
    expect(b.locator(f"#item-{deputy.pk} .item-status")).to_have_text(
        "Trình Hội đồng Thi đua - Khen thưởng tỉnh"
    )
    _decide(b, member.pk, "returned", RETURN_REASON)
    expect(b.locator(f"#item-{member.pk} .item-status")).to_have_text("Trả lại để hoàn thiện")
    expect(b.locator(f"#item-{member.pk} .review-decisions")).to_contain_text(RETURN_REASON)
    # A decision is final: no form on a decided unit; the accepted one awaits the council.
    expect(b.locator("form.review-decide-form")).to_have_count(0)
    expect(b.locator(f"#review-item-{deputy.pk} form.review-council-form")).to_have_count(1)
    expect(b.locator(f"#review-item-{member.pk} form.review-council-form")).to_have_count(0)

    # 3. The secretariat sees the return with its reason and makes the new version.
    s.goto(url)
    expect(s.locator("#version-new-heading")).to_contain_text("trả lại 1 đơn vị")
    expect(s.locator(f"#item-{member.pk}")).to_contain_text(RETURN_REASON)
    expect(s.locator("#history")).to_contain_text(RETURN_REASON)
    s.locator("#version-new textarea").fill("Đã bổ sung số liệu theo ý kiến của Ban.")
    s.locator("#version-new-button").click()
    expect(s.locator("#version-status")).to_have_text("Dự thảo")
    expect(s.locator("#version-state")).to_contain_text("Phiên bản 2")
    v2 = proposal.versions.get(number=2)
    items2 = {i.unit_id: i for i in v2.items.all()}
    deputy2, member2 = items2[world.deputy.pk], items2[world.member.pk]
    expect(s.locator("#missing-reports")).to_have_count(0)  # the reports carried over
    # The old version stays readable.
    s.goto(f"/proposals/{proposal.pk}/versions/1/")
    expect(s.locator("#old-version")).to_be_visible()
    expect(s.locator(f"#item-{member.pk}")).to_contain_text(RETURN_REASON)
    # Submit again.
    s.goto(url)
    s.locator("#submit-link").click()
    s.locator("#submit-button").click()
    expect(s.locator("#snapshot")).to_be_visible()
    expect(s.locator(f"#item-{member2.pk} .item-status")).to_have_text(
        "Chờ Ban Thi đua - Khen thưởng xét"
    )
    # The deputy keeps the board's acceptance from version 1.
    expect(s.locator(f"#item-{deputy2.pk} .review-decisions")).to_contain_text(
        "Giữ từ phiên bản trước"
    )

    # 4. The board accepts the corrected unit and records the council's outcome of both.
    b.goto(url)
    expect(b.locator("#version-state")).to_contain_text("Phiên bản 2")
    expect(b.locator("form.review-decide-form")).to_have_count(1)
    _decide(b, member2.pk, "accepted")
    expect(b.locator(f"#item-{member2.pk} .item-status")).to_have_text(
        "Trình Hội đồng Thi đua - Khen thưởng tỉnh"
    )
    for item in (deputy2, member2):
        _council(b, item.pk, "123/QĐ-UBND", "15/01/2021", "Nguyễn Văn Bình")
        expect(b.locator(f"#item-{item.pk} .item-status")).to_have_text("Được khen thưởng")
        expect(b.locator(f"#item-{item.pk} .review-decisions")).to_contain_text(
            "Quyết định số 123/QĐ-UBND ngày 15/01/2021, người ký: Nguyễn Văn Bình"
        )
    expect(b.locator("form.review-council-form")).to_have_count(0)

    # 5. The secretariat sees the outcome; no forms are left for anyone.
    s.goto(url)
    for item in (deputy2, member2):
        expect(s.locator(f"#item-{item.pk} .item-status")).to_have_text("Được khen thưởng")
    expect(s.locator(f"#item-{member2.pk}")).to_contain_text("123/QĐ-UBND")
    expect(s.locator("#version-new")).to_have_count(0)

    # 6. The member's leader reads his unit's item, nothing of the deputy's.
    m = new_page()
    _login(m, leader.username)
    m.goto(url)
    expect(m.locator("#own-units-only")).to_be_visible()
    expect(m.locator(f"#item-{member2.pk} .item-status")).to_have_text("Được khen thưởng")
    expect(m.locator(f"#item-{member2.pk}")).to_contain_text("123/QĐ-UBND")
    expect(m.locator(f"#item-{deputy2.pk}")).to_have_count(0)
    expect(m.locator("main")).not_to_contain_text(world.deputy.name)
    expect(m.locator("form.review-decide-form, form.review-council-form")).to_have_count(0)
