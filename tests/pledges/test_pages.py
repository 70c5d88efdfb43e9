"""Pledge pages through the browser's eyes (Django test client): each form's bad input gets
a clear Vietnamese error next to the field and nothing is saved in part."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pledges import services
from pledges.models import Commitment, Pledge, PledgeVersion, Signature, UnitTarget

from ..conftest import PASSWORD
from .conftest import sign

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _html(response) -> str:
    return response.content.decode()


def _cell(html: str, name: str) -> str:
    """The table cell of one formset input: the input and its error messages."""
    match = re.search(rf'<td id="cell-{re.escape(name)}">(.*?)</td>', html, re.S)
    assert match, f"no cell for {name}"
    return match.group(1)


def _field_block(html: str, name: str) -> str:
    start = html.index(f'id="div_id_{name}"')
    nxt = [i for i in (html.find('id="div_id_', start + 1), html.find("</form>", start)) if i > 0]
    return html[start : min(nxt)]


def _draft_post(**rows) -> dict:
    data = {
        "title": "Giao ước thi đua năm 2020",
        "preamble": "",
        "c-TOTAL_FORMS": "3",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "1000",
    }
    data.update(rows)
    return data


def _targets_post(**rows) -> dict:
    data = {
        "t-TOTAL_FORMS": "3",
        "t-INITIAL_FORMS": "0",
        "t-MIN_NUM_FORMS": "0",
        "t-MAX_NUM_FORMS": "1000",
    }
    data.update(rows)
    return data


# --- Drafting ------------------------------------------------------------------------------


def test_secretariat_creates_the_draft_with_a_decimal_comma(world):
    c = _client(world.users["secretariat_here"])
    url = reverse("pledges:edit", args=[world.bloc_year.pk])
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        _draft_post(
            **{
                "c-0-text": "Tỷ lệ hồ sơ giải quyết đúng hạn",
                "c-0-target_value": "98,5",
                "c-0-target_unit": "%",
                "c-1-text": "Xây dựng cơ quan văn hóa",
            }
        ),
    )
    assert response.status_code == 302
    version = PledgeVersion.objects.get()
    assert [(c.text, c.target_value) for c in version.commitments.all()] == [
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", 98.5),
        ("Xây dựng cơ quan văn hóa", None),
    ]
    page = _html(c.get(reverse("pledges:detail", args=[world.bloc_year.pk])))
    assert "98,5 %" in page


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("abc", "Hãy nhập một số, ví dụ 95 hoặc 8,5."),
        ("-5", "Chỉ tiêu không được là số âm."),
        ("1,234", "Chỉ ghi tối đa 2 chữ số sau dấu phẩy."),
        ("9" * 20, "Số quá lớn."),
    ],
)
def test_bad_commitment_figure_is_shown_next_to_the_field_and_nothing_saved(world, value, error):
    c = _client(world.users["secretariat_here"])
    url = reverse("pledges:edit", args=[world.bloc_year.pk])
    response = c.post(
        url,
        _draft_post(
            **{
                "c-0-text": "Nội dung hợp lệ",
                "c-1-text": "Nội dung có chỉ tiêu",
                "c-1-target_value": value,
            }
        ),
    )
    assert response.status_code == 200
    cell = _cell(_html(response), "c-1-target_value")
    assert error in cell and "is-invalid" in cell
    assert not Pledge.objects.exists() and not Commitment.objects.exists()


def test_draft_needs_a_title_and_a_commitment(world):
    c = _client(world.users["secretariat_here"])
    response = c.post(reverse("pledges:edit", args=[world.bloc_year.pk]), _draft_post(title=""))
    html = _html(response)
    assert "Hãy nhập tiêu đề giao ước." in _field_block(html, "title")
    assert "Hãy nhập ít nhất một nội dung cam kết chung." in html
    assert not Pledge.objects.exists()


def test_hostile_text_is_escaped_and_oversized_text_refused(world):
    c = _client(world.users["secretariat_here"])
    url = reverse("pledges:edit", args=[world.bloc_year.pk])
    response = c.post(url, _draft_post(**{"c-0-text": "x" * 2001}))
    assert "2000" in _cell(_html(response), "c-0-text")
    assert not Pledge.objects.exists()
    c.post(url, _draft_post(**{"c-0-text": "<script>alert(1)</script>"}))
    page = _html(c.get(reverse("pledges:detail", args=[world.bloc_year.pk])))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_board_reads_but_cannot_draft(world, draft):
    board = _client(world.users["board_here"])
    assert board.get(reverse("pledges:detail", args=[world.bloc_year.pk])).status_code == 200
    response = board.post(reverse("pledges:edit", args=[world.bloc_year.pk]), _draft_post())
    assert response.status_code == 403
    assert PledgeVersion.objects.get().title == "Giao ước thi đua năm 2020"


def test_secretariat_of_another_bloc_cannot_manage(world, draft):
    other = _client(world.users["secretariat_other"])
    url = reverse("pledges:open", args=[world.bloc_year.pk])
    assert other.post(url, {"deadline": "2099-01-01"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == PledgeVersion.Status.DRAFT


# --- Targets -------------------------------------------------------------------------------


def test_staff_register_their_units_targets(world, draft):
    c = _client(world.users["staff_member"])
    url = reverse("pledges:targets", args=[world.bloc_year.pk, world.member.pk])
    assert "Giải ngân vốn đầu tư công" in _html(c.get(url))
    response = c.post(
        url,
        _targets_post(
            **{
                "t-0-description": "Số hồ sơ trực tuyến",
                "t-0-target_value": "1.250",
                "t-0-unit_of_measure": "hồ sơ",
                "t-1-description": "Tỷ lệ giải ngân",
                "t-1-target_value": "8,5",
                "t-1-unit_of_measure": "%",
            }
        ),
    )
    assert response.status_code == 302
    assert [
        (t.description, t.target_value, t.unit_of_measure)
        for t in UnitTarget.objects.filter(version=draft, unit=world.member)
    ] == [("Số hồ sơ trực tuyến", 1250, "hồ sơ"), ("Tỷ lệ giải ngân", 8.5, "%")]


def test_staff_cannot_edit_another_units_targets(world, draft):
    c = _client(world.users["staff_member"])
    url = reverse("pledges:targets", args=[world.bloc_year.pk, world.head.pk])
    before = list(UnitTarget.objects.values_list("id", "description"))
    assert c.post(url, _targets_post(**{"t-0-description": "X"})).status_code == 403
    assert list(UnitTarget.objects.values_list("id", "description")) == before


@pytest.mark.parametrize(
    ("row", "field", "error"),
    [
        (
            {"t-0-description": "Chỉ tiêu", "t-0-unit_of_measure": "%"},
            "t-0-target_value",
            "Hãy nhập chỉ tiêu",
        ),
        (
            {"t-0-description": "Chỉ tiêu", "t-0-target_value": "8,5"},
            "t-0-unit_of_measure",
            "Hãy ghi đơn vị tính",
        ),
        (
            {"t-0-target_value": "5", "t-0-unit_of_measure": "%"},
            "t-0-description",
            "Hãy ghi nội dung chỉ tiêu.",
        ),
        (
            {
                "t-0-description": "Chỉ tiêu",
                "t-0-target_value": "năm mươi",
                "t-0-unit_of_measure": "%",
            },
            "t-0-target_value",
            "Hãy nhập một số",
        ),
    ],
)
def test_bad_targets_are_shown_next_to_the_field_and_nothing_saved(world, draft, row, field, error):
    c = _client(world.users["staff_member"])
    url = reverse("pledges:targets", args=[world.bloc_year.pk, world.member.pk])
    before = list(
        UnitTarget.objects.filter(unit=world.member).values_list("description", "target_value")
    )
    good = {"t-1-description": "Hợp lệ", "t-1-target_value": "3", "t-1-unit_of_measure": "lần"}
    response = c.post(url, _targets_post(**row, **good))
    assert response.status_code == 200
    assert error in _cell(_html(response), field)
    after = list(
        UnitTarget.objects.filter(unit=world.member).values_list("description", "target_value")
    )
    assert after == before


def test_targets_cannot_be_emptied(world, draft):
    c = _client(world.users["staff_member"])
    url = reverse("pledges:targets", args=[world.bloc_year.pk, world.member.pk])
    response = c.post(url, _targets_post())
    assert "Hãy đăng ký ít nhất một chỉ tiêu." in _html(response)
    assert UnitTarget.objects.filter(unit=world.member).count() == 2


def test_targets_page_of_an_open_pledge_is_read_only(opened):
    w = opened.world
    c = _client(w.users["staff_member"])
    url = reverse("pledges:targets", args=[w.bloc_year.pk, w.member.pk])
    assert 'id="frozen-notice"' in _html(c.get(url))
    c.post(
        url,
        _targets_post(
            **{"t-0-description": "X", "t-0-target_value": "1", "t-0-unit_of_measure": "x"}
        ),
    )
    assert UnitTarget.objects.filter(version=opened.version, unit=w.member).count() == 2


# --- Opening -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", "Hãy chọn hạn ký."),
        ("31/02/2026", "Ngày không hợp lệ"),
        ("hôm qua", "Ngày không hợp lệ"),
        ("2000-01-01", "Hạn ký không được trước ngày hôm nay."),
    ],
)
def test_bad_deadline(world, draft, value, error):
    c = _client(world.users["secretariat_here"])
    response = c.post(reverse("pledges:open", args=[world.bloc_year.pk]), {"deadline": value})
    assert error in _field_block(_html(response), "deadline")
    draft.refresh_from_db()
    assert draft.status == PledgeVersion.Status.DRAFT


def test_open_with_missing_targets_explains_which_units(world):
    services.pledge_create(
        bloc_year=world.bloc_year,
        title="Giao ước",
        commitments=[services.CommitmentData(text="Một")],
        actor=None,
    )
    c = _client(world.users["secretariat_here"])
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = c.post(reverse("pledges:open", args=[world.bloc_year.pk]), {"deadline": deadline})
    assert "Các đơn vị sau chưa đăng ký chỉ tiêu" in _html(response)
    assert PledgeVersion.objects.get().status == PledgeVersion.Status.DRAFT


def test_secretariat_opens_the_pledge(world, leaders, draft):
    c = _client(world.users["secretariat_here"])
    deadline = timezone.localdate() + dt.timedelta(days=3)
    response = c.post(
        reverse("pledges:open", args=[world.bloc_year.pk]),
        {"deadline": deadline.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PledgeVersion.Status.OPEN and draft.deadline == deadline


# --- Signing -------------------------------------------------------------------------------


def _sign_url(w, unit) -> str:
    return reverse("pledges:sign", args=[w.bloc_year.pk, unit.pk])


def test_sign_page_shows_exactly_what_is_signed(opened):
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    html = _html(c.get(_sign_url(w, w.head)))
    content_hash = services.content_hash_compute(version=opened.version, unit=w.head)
    assert f'<code id="content-hash">{content_hash}</code>' in html
    assert "Giải ngân vốn đầu tư công (Ban Quản lý Khu kinh tế)" in html
    assert "Giải ngân vốn đầu tư công (Sở Xây dựng)" not in html  # only the unit's own
    assert "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn" in html
    assert 'name="password"' in html


def test_leader_signs_with_password_and_the_request_is_recorded(opened):
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    content_hash = services.content_hash_compute(version=opened.version, unit=w.head)
    response = c.post(
        _sign_url(w, w.head),
        {"content_hash": content_hash, "confirm": "on", "password": PASSWORD},
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux) Chromium",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    s = Signature.objects.get()
    assert (s.unit, s.ip_address, s.user_agent) == (
        w.head,
        "198.51.100.20",
        "Mozilla/5.0 (X11; Linux) Chromium",
    )
    assert s.content_hash == content_hash
    progress = _html(
        _client(w.users["secretariat_here"]).get(reverse("pledges:progress", args=[w.bloc_year.pk]))
    )
    assert (
        "1/3" in progress
        and s.signed_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M %d/%m/%Y")
        in progress
    )


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"confirm": "on", "password": "sai"}, "password", "Mật khẩu không đúng."),
        ({"confirm": "on", "password": ""}, "password", "Hãy nhập mật khẩu để xác nhận chữ ký."),
        ({"password": PASSWORD}, "confirm", "Hãy xác nhận đã đọc và đồng ý"),
    ],
)
def test_bad_signing_input(opened, data, field, error):
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    content_hash = services.content_hash_compute(version=opened.version, unit=w.head)
    response = c.post(_sign_url(w, w.head), {"content_hash": content_hash, **data})
    assert response.status_code == 200
    assert error in _field_block(_html(response), field)
    assert not Signature.objects.exists()


def test_signing_text_changed_underneath(opened):
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    response = c.post(
        _sign_url(w, w.head), {"content_hash": "a" * 64, "confirm": "on", "password": PASSWORD}
    )
    assert "đã thay đổi so với nội dung bạn đã xem" in _html(response)
    assert not Signature.objects.exists()


def test_signature_on_someone_elses_unit_is_refused(opened):
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    response = c.post(
        _sign_url(w, w.deputy), {"content_hash": "a" * 64, "confirm": "on", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_second_signature_through_the_page_is_refused(opened):
    w = opened.world
    sign(opened, w.head)
    c = _client(opened.leaders[w.head.pk])
    html = _html(c.get(_sign_url(w, w.head)))
    assert 'id="already-signed"' in html and 'id="sign-form"' not in html
    response = c.post(
        _sign_url(w, w.head), {"content_hash": "a" * 64, "confirm": "on", "password": PASSWORD}
    )
    assert "đơn vị đã ký" in _html(response)
    assert Signature.objects.count() == 1


# --- Amendment, versions, reminders -----------------------------------------------------------


def test_amend_needs_a_reason(fully_signed):
    w = fully_signed.world
    c = _client(w.users["secretariat_here"])
    response = c.post(reverse("pledges:amend", args=[w.bloc_year.pk]), {"reason": "  "})
    assert "Hãy ghi lý do sửa đổi." in _field_block(_html(response), "reason")
    assert PledgeVersion.objects.count() == 1


def test_amendment_through_the_pages_shows_the_diff_and_keeps_the_old_version(fully_signed):
    w = fully_signed.world
    c = _client(w.users["secretariat_here"])
    response = c.post(
        reverse("pledges:amend", args=[w.bloc_year.pk]), {"reason": "Điều chỉnh nội dung"}
    )
    assert response.status_code == 302
    new = PledgeVersion.objects.get(number=2)
    c.post(
        reverse("pledges:edit", args=[w.bloc_year.pk]),
        _draft_post(**{"c-0-text": "Nội dung cam kết mới"}),
    )
    html = _html(c.get(reverse("pledges:version_detail", args=[new.pk])))
    assert "+ Cam kết chung 1: Nội dung cam kết mới" in html
    assert "Cam kết chung 2: Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn (98,5 %)" in html
    old_html = _html(c.get(reverse("pledges:version_detail", args=[fully_signed.version.pk])))
    assert 'id="superseded-notice"' in old_html
    assert old_html.count("Đã ký (không còn hiệu lực)") == 3


def test_remind_button(opened):
    from django.core import mail

    w = opened.world
    c = _client(w.users["secretariat_here"])
    response = c.post(reverse("pledges:remind", args=[w.bloc_year.pk]), follow=True)
    assert "Đã gửi 3 thư nhắc" in _html(response)
    response = c.post(reverse("pledges:remind", args=[w.bloc_year.pk]), follow=True)
    assert "Đã gửi 0 thư nhắc" in _html(response)
    assert len(mail.outbox) == 3


# --- Panels --------------------------------------------------------------------------------


def test_bloc_year_panel_and_dashboards(opened):
    w = opened.world
    panel = _html(
        _client(w.users["board_here"]).get(reverse("blocs:bloc_year_detail", args=[w.bloc_year.pk]))
    )
    assert 'id="pledge-panel"' in panel and "Đang ký kết" in panel and "0/3" in panel
    leader = _html(_client(opened.leaders[w.head.pk]).get(reverse("core:dashboard")))
    assert 'id="pledges-section"' in leader and "Chờ ký: Ban Quản lý Khu kinh tế" in leader
    secretariat = _html(_client(w.users["secretariat_here"]).get(reverse("core:dashboard")))
    assert "đã ký 0/3" in secretariat


def test_staff_dashboard_asks_for_targets(world, draft):
    html = _html(_client(world.users["staff_member"]).get(reverse("core:dashboard")))
    assert "Đăng ký chỉ tiêu: Sở Xây dựng" in html


# --- Verification page -----------------------------------------------------------------------


def test_public_verification_by_code(fully_signed):
    v = fully_signed.version
    response = Client().get(reverse("pledges:verify"), {"code": v.code_display})
    html = _html(response)
    # A code alone vouches for the stored data only, and says so.
    assert html.count("data-verdict=") == 1
    assert 'data-verdict="genuine" data-subject="code"' in html
    assert "Dữ liệu giao ước đã lưu còn nguyên vẹn." in html
    assert "không chứng minh một bản in hay tệp PDF nào là thật" in html
    assert "Nguyễn Văn An" in html and "203.0.113.7" not in html  # no IP in public


def test_verification_form_bad_input():
    c = Client()
    html = _html(c.post(reverse("pledges:verify"), {"code": ""}))
    assert "Hãy nhập mã xác thực hoặc tải lên tệp PDF." in html
    assert "data-verdict=" not in html  # bad input: no verdict at all
    html = _html(c.post(reverse("pledges:verify"), {"code": "ZZZZ-ZZZZ-ZZZZ"}))
    assert "Không tìm thấy giao ước nào có mã xác thực ZZZZZZZZZZZZ." in html
    assert 'data-verdict="not-verified"' in html and html.count("data-verdict=") == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("giao-uoc.pdf", b"not a pdf", content_type="application/pdf")
    html = _html(c.post(reverse("pledges:verify"), {"pdf": fake}))
    assert "Tệp tải lên không phải là tệp PDF." in _field_block(html, "pdf")
    assert "data-verdict=" not in html


def test_behind_a_trusted_proxy_the_signature_records_the_client_not_the_proxy(opened, settings):
    settings.PLEDGE_TRUSTED_PROXY_COUNT = 1
    w = opened.world
    c = _client(opened.leaders[w.head.pk])
    content_hash = services.content_hash_compute(version=opened.version, unit=w.head)
    response = c.post(
        _sign_url(w, w.head),
        {"content_hash": content_hash, "confirm": "on", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",  # the reverse proxy
        # The client's own claim first, then what the proxy appended.
        HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.20",
    )
    assert response.status_code == 302
    assert Signature.objects.get().ip_address == "198.51.100.20"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.20", "10.0.0.2"),  # no trusted proxy: the header is ignored
        (1, None, "10.0.0.2"),  # missing header
        (1, "", "10.0.0.2"),
        (1, "không-phải-IP", "10.0.0.2"),  # malformed
        (1, "198.51.100.20:443", "10.0.0.2"),
        (1, "192.0.2.66, 198.51.100.20", "198.51.100.20"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
        (2, "192.0.2.66, 198.51.100.20, 10.0.0.1", "198.51.100.20"),
        (2, "198.51.100.20", "10.0.0.2"),  # fewer entries than proxies
        (2, "rác, 198.51.100.20, 10.0.0.1", "198.51.100.20"),  # untrusted part not read
        (2, "rác, 10.0.0.1", "10.0.0.2"),
        (2, "198.51.100.20, rác", "10.0.0.2"),
    ],
)
def test_client_ip_from_x_forwarded_for(settings, count, forwarded, expected):
    from django.test import RequestFactory

    from pledges.views import _client_ip

    settings.PLEDGE_TRUSTED_PROXY_COUNT = count
    extra = {"REMOTE_ADDR": "10.0.0.2"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert _client_ip(RequestFactory().post("/", **extra)) == expected


def test_trusted_proxy_count_setting_defaults_to_zero():
    from django.conf import settings

    assert settings.PLEDGE_TRUSTED_PROXY_COUNT == 0


def test_sign_page_after_the_deadline_says_why_and_offers_no_form(opened, monkeypatch):
    from rules.models import RuleSet

    w = opened.world
    RuleSet.objects.create(province=w.province, year=2020, name="Quy chế QB")
    late = dt.datetime.combine(
        opened.version.deadline + dt.timedelta(days=2),
        dt.time(8),
        tzinfo=timezone.get_current_timezone(),
    )
    monkeypatch.setattr(timezone, "now", lambda: late)
    c = _client(opened.leaders[w.head.pk])
    html = _html(c.get(_sign_url(w, w.head)))
    assert 'id="late-notice"' in html and 'id="sign-form"' not in html
    assert "quy chế thi đua của tỉnh không cho phép ký sau hạn" in html
    c.post(_sign_url(w, w.head), {"content_hash": "a" * 64, "confirm": "on", "password": PASSWORD})
    assert not Signature.objects.exists()
