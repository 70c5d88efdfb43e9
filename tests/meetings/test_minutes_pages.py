"""The minutes pages: the secretariat drafts and writes the sections, opens the amendment
window; the units present propose amendments; the secretariat resolves them; chair and
secretary approve; the sealed minutes show their hash and cannot change. Bad input shows a
Vietnamese message next to the field, status 400, nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Minutes, MinutesAmendment, MinutesSection
from meetings.services import meetings as meeting_services
from meetings.services import minutes as minutes_services

from .url_expectations_meetings import build_objects


@pytest.fixture
def held(world):
    """The world's year-end meeting: chair leader_member, secretary secretariat_here, the
    three members present, minutes v1 open for amendments with one pending amendment."""
    return build_objects(world)


def as_user(client, world, role):
    client.force_login(world.users[role])
    return client


def html(response) -> str:
    return response.content.decode()


def page_url(held) -> str:
    return reverse("meetings:minutes", args=[held["meetings_meeting"].pk])


def _close_window(held, world):
    minutes = minutes_services.minutes_amendments_close(
        minutes=held["meetings_minutes"], actor=world.users["secretariat_here"]
    )
    held["meetings_minutes"] = minutes
    return minutes


# --- draft and sections -----------------------------------------------------------------------


def test_secretariat_drafts_minutes_from_the_meeting(client, world):
    secretariat = world.users["secretariat_here"]
    meeting = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind="year_end",
        held_on=dt.date(2020, 12, 20),
        actor=secretariat,
    )
    meeting_services.meeting_agenda_set(
        meeting=meeting,
        items=[{"title": "Báo cáo tổng kết"}, {"title": "Bình xét thi đua"}],
        actor=secretariat,
    )
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes", args=[meeting.pk])
    assert 'id="minutes-draft"' in html(c.get(url))
    response = c.post(reverse("meetings:minutes_draft", args=[meeting.pk]))
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert [s.title for s in minutes.sections.order_by("order")] == [
        "Báo cáo tổng kết",
        "Bình xét thi đua",
    ]
    page = html(c.get(url))
    assert page.count('class="section-form"') == 2
    assert 'id="text-form"' in page
    # A second draft while v1 is not sealed is refused with the reason.
    again = c.post(reverse("meetings:minutes_draft", args=[meeting.pk]))
    assert again.status_code == 400
    assert "chưa niêm phong" in html(again)
    assert Minutes.objects.filter(meeting=meeting).count() == 1


def test_readers_see_the_text_without_text_areas(client, world, held):
    page = html(as_user(client, world, "board_here").get(page_url(held)))
    assert "Diễn biến ban đầu." in page
    assert 'class="section-form"' not in page
    assert 'id="open-form"' not in page and 'id="minutes-actions"' not in page


def test_section_text_is_saved(client, world, held):
    section = held["meetings_section"]
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes_section_save", args=[held["meetings_minutes"].pk, section.pk])
    text = "Đồng chí Trưởng khối trình bày báo cáo.\nCác đơn vị thảo luận."
    assert c.post(url, {f"s{section.pk}-text": text}).status_code == 302
    section.refresh_from_db()
    assert section.text == text


def test_section_too_long_is_refused_next_to_the_field(client, world, held):
    section = held["meetings_section"]
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes_section_save", args=[held["meetings_minutes"].pk, section.pk])
    response = c.post(url, {f"s{section.pk}-text": "x" * 20001})
    assert response.status_code == 400
    assert "Quá dài (tối đa 20000 ký tự)." in html(response)
    assert f'id="error-s{section.pk}-text"' in html(response)
    section.refresh_from_db()
    assert section.text == "Diễn biến ban đầu."


def test_section_of_other_minutes_is_404(client, world, held):
    other = Minutes.objects.create(meeting=held["meetings_meeting"], version=9)
    section = MinutesSection.objects.create(minutes=other, order=1, title="Khác")
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes_section_save", args=[held["meetings_minutes"].pk, section.pk])
    assert c.post(url, {f"s{section.pk}-text": "x"}).status_code == 404


@pytest.mark.parametrize("role", ["board_here", "leader_member", "staff_member"])
def test_section_save_by_others_is_forbidden(client, world, held, role):
    section = held["meetings_section"]
    url = reverse("meetings:minutes_section_save", args=[held["meetings_minutes"].pk, section.pk])
    response = as_user(client, world, role).post(url, {f"s{section.pk}-text": "Sửa trộm"})
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.text == "Diễn biến ban đầu."


def test_opening_and_closing_saved_and_limited(client, world, held):
    minutes = held["meetings_minutes"]
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes_text_save", args=[minutes.pk])
    assert c.post(url, {"t-opening": "Mở đầu mới", "t-closing": "Kết thúc"}).status_code == 302
    minutes.refresh_from_db()
    assert (minutes.opening, minutes.closing) == ("Mở đầu mới", "Kết thúc")
    response = c.post(url, {"t-opening": "x" * 20001, "t-closing": "Khác"})
    assert response.status_code == 400
    assert 'id="error-opening"' in html(response)
    minutes.refresh_from_db()
    assert minutes.closing == "Kết thúc"


# --- the amendment window ---------------------------------------------------------------------


def test_open_window_needs_a_good_deadline(client, world):
    held = build_objects(world)
    secretariat = world.users["secretariat_here"]
    # A fresh draft (v1 in `held` is amending already).
    meeting = meeting_services.meeting_create(
        bloc_year=world.bloc_year, kind="mid_year", held_on=dt.date(2020, 7, 10), actor=secretariat
    )
    minutes = minutes_services.minutes_draft(meeting=meeting, actor=secretariat)
    c = as_user(client, world, "secretariat_here")
    url = reverse("meetings:minutes_amendments_open", args=[minutes.pk])
    for value, message in [
        ("31/02/2020 10:00", "Thời điểm không hợp lệ"),
        ("", "Hãy nhập hạn góp ý."),
        ("01/01/2020 10:00", "Hạn góp ý phải sau thời điểm hiện tại."),
    ]:
        response = c.post(url, {"until": value})
        assert response.status_code == 400, value
        assert message in html(response)
        assert 'id="error-until"' in html(response)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    until = timezone.localtime() + dt.timedelta(days=2)
    response = c.post(url, {"until": until.strftime("%d/%m/%Y %H:%M")})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.AMENDING
    assert held["meetings_minutes"].pk != minutes.pk


def test_a_present_unit_proposes_an_amendment(client, world, held):
    minutes = held["meetings_minutes"]
    c = as_user(client, world, "staff_member")
    page = html(c.get(page_url(held)))
    assert 'id="propose-form"' in page
    response = c.post(
        reverse("meetings:minutes_amendment_propose", args=[minutes.pk]),
        {
            "unit": str(world.member.pk),
            "section": str(held["meetings_section"].pk),
            "text": "Bổ sung ý kiến của Sở Xây dựng.",
        },
    )
    assert response.status_code == 302
    amendment = MinutesAmendment.objects.get(unit=world.member)
    assert amendment.author == world.users["staff_member"]
    assert amendment.section == held["meetings_section"]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"text": ""}, "text", "Hãy ghi nội dung góp ý."),
        ({"text": "x" * 5001}, "text", "Quá dài"),
        ({"unit": "0"}, "unit", "Chỉ đơn vị có mặt"),
        ({"section": "99999999999999999999"}, "section", "Mục này không thuộc biên bản."),
    ],
)
def test_amendment_bad_input_saves_nothing(client, world, held, over, field, message):
    minutes = held["meetings_minutes"]
    data = {"unit": str(world.head.pk), "section": "", "text": "Góp ý"} | over
    response = as_user(client, world, "leader_member").post(
        reverse("meetings:minutes_amendment_propose", args=[minutes.pk]), data
    )
    assert response.status_code == 400
    assert message in html(response)
    assert f'id="error-{field}"' in html(response)
    assert MinutesAmendment.objects.count() == 1  # the one of build_objects


def test_amendment_for_another_unit_is_refused(client, world, held):
    """leader_member leads the head unit; Sở Xây dựng is present but not theirs."""
    response = as_user(client, world, "leader_member").post(
        reverse("meetings:minutes_amendment_propose", args=[held["meetings_minutes"].pk]),
        {"unit": str(world.member.pk), "text": "Góp ý thay đơn vị khác"},
    )
    assert response.status_code == 400
    assert not MinutesAmendment.objects.filter(unit=world.member).exists()


def test_amendment_from_an_absent_unit_is_forbidden(client, world, held):
    meeting = held["meetings_meeting"]
    # Sở Xây dựng becomes absent: its staff may no longer propose.
    meeting_services.attendance_record(
        meeting=meeting, unit=world.member, status="absent", actor=world.users["secretariat_here"]
    )
    c = as_user(client, world, "staff_member")
    assert 'id="propose-form"' not in html(c.get(page_url(held)))
    response = c.post(
        reverse("meetings:minutes_amendment_propose", args=[held["meetings_minutes"].pk]),
        {"unit": str(world.member.pk), "text": "Góp ý"},
    )
    assert response.status_code == 403
    assert MinutesAmendment.objects.count() == 1


def test_amendment_after_the_deadline_is_refused(client, world, held):
    _close_window(held, world)
    c = as_user(client, world, "leader_member")
    page = html(c.get(page_url(held)))
    assert 'id="propose-form"' not in page and "Đã hết hạn góp ý" in page
    response = c.post(
        reverse("meetings:minutes_amendment_propose", args=[held["meetings_minutes"].pk]),
        {"unit": str(world.head.pk), "text": "Muộn"},
    )
    assert response.status_code == 400
    assert "Hạn góp ý đã kết thúc." in html(response)
    assert MinutesAmendment.objects.count() == 1


# --- resolution -------------------------------------------------------------------------------


def _resolve_url(held):
    return reverse(
        "meetings:minutes_amendment_resolve",
        args=[held["meetings_minutes"].pk, held["meetings_amendment"].pk],
    )


def test_secretariat_resolves_an_amendment(client, world, held):
    amendment = held["meetings_amendment"]
    c = as_user(client, world, "secretariat_here")
    assert f'id="id_r{amendment.pk}-note"' in html(c.get(page_url(held)))
    response = c.post(
        _resolve_url(held),
        {f"r{amendment.pk}-decision": "accept", f"r{amendment.pk}-note": "Đã bổ sung."},
    )
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.resolution == MinutesAmendment.Resolution.ACCEPTED
    # Only once.
    again = c.post(_resolve_url(held), {f"r{amendment.pk}-decision": "decline"})
    assert again.status_code in (400, 404)
    amendment.refresh_from_db()
    assert amendment.resolution == MinutesAmendment.Resolution.ACCEPTED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "decline", "note": ""}, "Nhập lý do không tiếp thu."),
        ({"decision": "maybe"}, "Hãy chọn tiếp thu hoặc không tiếp thu."),
        ({"decision": "accept", "note": "x" * 501}, "Quá dài"),
    ],
)
def test_resolve_bad_input_changes_nothing(client, world, held, data, message):
    amendment = held["meetings_amendment"]
    response = as_user(client, world, "secretariat_here").post(
        _resolve_url(held), {f"r{amendment.pk}-{k}": v for k, v in data.items()}
    )
    assert response.status_code == 400
    assert message in html(response)
    amendment.refresh_from_db()
    assert amendment.resolution == MinutesAmendment.Resolution.PENDING


@pytest.mark.parametrize("role", ["leader_member", "board_here"])
def test_resolve_by_others_is_forbidden(client, world, held, role):
    amendment = held["meetings_amendment"]
    response = as_user(client, world, role).post(
        _resolve_url(held), {f"r{amendment.pk}-decision": "accept"}
    )
    assert response.status_code == 403
    amendment.refresh_from_db()
    assert amendment.resolution == MinutesAmendment.Resolution.PENDING


# --- approval, seal, new version --------------------------------------------------------------


def test_approval_waits_for_the_window(client, world, held):
    c = as_user(client, world, "leader_member")
    assert 'id="minutes-approve"' in html(c.get(page_url(held)))
    response = c.post(reverse("meetings:minutes_approve", args=[held["meetings_minutes"].pk]))
    assert response.status_code == 400
    assert "Chưa hết hạn góp ý" in html(response)
    held["meetings_minutes"].refresh_from_db()
    assert held["meetings_minutes"].chair_approved_at is None


@pytest.mark.parametrize("role", ["staff_member", "board_here", "admin"])
def test_approval_by_others_is_forbidden(client, world, held, role):
    c = as_user(client, world, role)
    assert 'id="minutes-approve"' not in html(c.get(page_url(held)))
    response = c.post(reverse("meetings:minutes_approve", args=[held["meetings_minutes"].pk]))
    assert response.status_code == 403


def test_chair_and_secretary_seal_then_nothing_changes_and_a_new_version_starts(
    client, world, held
):
    minutes = _close_window(held, world)
    minutes_services.minutes_amendment_resolve(
        amendment=held["meetings_amendment"],
        accepted=False,
        note="Số liệu đã có trong báo cáo.",
        actor=world.users["secretariat_here"],
    )
    approve = reverse("meetings:minutes_approve", args=[minutes.pk])
    assert as_user(client, world, "leader_member").post(approve).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED
    # Approving twice is refused with the reason.
    twice = client.post(approve)
    assert twice.status_code == 400
    assert "Bạn đã thông qua biên bản này." in html(twice)
    c = as_user(client, world, "secretariat_here")
    assert c.post(approve).status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.SEALED and len(minutes.sha256) == 64
    page = html(c.get(page_url(held)))
    assert "Đã niêm phong lúc" in page and minutes.sha256 in page
    assert 'class="section-form"' not in page
    # A replayed section save on the sealed minutes changes nothing.
    section = held["meetings_section"]
    replay = c.post(
        reverse("meetings:minutes_section_save", args=[minutes.pk, section.pk]),
        {f"s{section.pk}-text": "Sửa sau niêm phong"},
    )
    assert replay.status_code == 400
    section.refresh_from_db()
    assert section.text == "Diễn biến ban đầu."
    # A correction is a new version; the sealed one stays.
    assert c.post(reverse("meetings:minutes_new_version", args=[minutes.pk])).status_code == 302
    versions = list(Minutes.objects.filter(meeting=minutes.meeting).order_by("version"))
    assert [(v.version, v.status) for v in versions] == [(1, "sealed"), (2, "draft")]
    page = html(c.get(page_url(held)))
    assert "Phiên bản 2" in page and "?version=1" in page
    old = html(c.get(page_url(held) + "?version=1"))
    assert "Đây là một phiên bản cũ" in old and minutes.sha256 in old
    assert c.get(page_url(held) + "?version=abc").status_code == 404
    assert c.get(page_url(held) + "?version=7").status_code == 404


def test_secretariat_ends_the_window_early_then_the_chair_approves(client, world, held):
    minutes = held["meetings_minutes"]
    c = as_user(client, world, "secretariat_here")
    assert 'id="close-amendments"' in html(c.get(page_url(held)))
    close = reverse("meetings:minutes_amendments_close", args=[minutes.pk])
    assert c.post(close).status_code == 302
    minutes.refresh_from_db()
    assert minutes.amend_until <= timezone.now()
    # A leader may not end it.
    assert as_user(client, world, "leader_member").post(close).status_code == 403
    minutes_services.minutes_amendment_resolve(
        amendment=held["meetings_amendment"],
        accepted=True,
        note="",
        actor=world.users["secretariat_here"],
    )
    approve = reverse("meetings:minutes_approve", args=[minutes.pk])
    assert client.post(approve).status_code == 302
    minutes.refresh_from_db()
    assert minutes.chair_approved_by == world.users["leader_member"]
