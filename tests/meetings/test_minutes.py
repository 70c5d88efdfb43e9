"""Minutes (biên bản hội nghị, DESIGN.md §8): drafted from the meeting's data, edited,
amended by the units present during a window, approved by chair and secretary, sealed
(hashed, immutable in the services and in the database), versioned."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import AuditEvent
from meetings.models import Minutes, MinutesAmendment, MinutesSection
from meetings.selectors import minutes as minutes_selectors
from meetings.services import meetings as meeting_services
from meetings.services import minutes as services

from ..conftest import make_user, needs_postgres
from .conftest import ballot_cast, ballot_nomination, meeting_attend_all

pytestmark = pytest.mark.django_db

SEALED = "Biên bản đã niêm phong, không thể sửa. Hãy tạo phiên bản mới."


@pytest.fixture
def prepared(meeting_year):
    """The meeting with chair, secretary, a guest, a three-item agenda, 7 of 9 present."""
    my = meeting_year
    m = my.meeting
    my.chair = my.leaders[my.units[0].pk]
    my.secretary = make_user("thuky.bienban", first_name="Thư Ký", last_name="Lê")
    meeting_services.meeting_people_set(
        meeting=m,
        role="chair",
        people=[
            {
                "name": "Đặng Trọng Thắng",
                "title": "Giám đốc Sở Giao thông Vận tải",
                "user": my.chair,
            }
        ],
        actor=my.secretariat,
    )
    meeting_services.meeting_people_set(
        meeting=m,
        role="secretary",
        people=[
            {"name": "Lê Thư Ký", "title": "Chuyên viên", "unit": my.units[0], "user": my.secretary}
        ],
        actor=my.secretariat,
    )
    meeting_services.meeting_people_set(
        meeting=m,
        role="guest",
        people=[{"name": "Trương Minh Hiến", "title": "Phó Chủ tịch UBND tỉnh"}],
        actor=my.secretariat,
    )
    meeting_services.meeting_agenda_set(
        meeting=m,
        items=[
            {"title": "Khai mạc, giới thiệu đại biểu"},
            {"title": "Báo cáo tổng kết công tác thi đua năm 2020", "presenter": "Trưởng khối"},
            {"title": "Bình xét, suy tôn khen thưởng"},
        ],
        actor=my.secretariat,
    )
    meeting_attend_all(my, present=7)
    return my


def _draft(my) -> Minutes:
    return services.minutes_draft(meeting=my.meeting, actor=my.secretariat)


def _approve_both(my, minutes) -> Minutes:
    services.minutes_approve(minutes=minutes, user=my.chair)
    return services.minutes_approve(minutes=minutes, user=my.secretary)


# --- draft and edits ---------------------------------------------------------------------------


def test_draft_from_the_meeting_data(prepared):
    minutes = _draft(prepared)
    assert (minutes.version, minutes.status) == (1, Minutes.Status.DRAFT)
    opening = minutes.opening
    assert "Vào hồi 08 giờ 00, ngày 20/12/2020, tại Hội trường Sở Giao thông Vận tải" in opening
    assert "Chủ trì hội nghị: Đặng Trọng Thắng, Giám đốc Sở Giao thông Vận tải." in opening
    assert "Thư ký hội nghị: Lê Thư Ký, Chuyên viên (Sở Giao thông Vận tải)." in opening
    assert "Khách mời: Trương Minh Hiến, Phó Chủ tịch UBND tỉnh." in opening
    assert "Đơn vị thành viên dự họp: 7/9 đơn vị." in opening
    assert "Vắng mặt: Ban Quản lý các Khu công nghiệp, Quỹ Đầu tư phát triển tỉnh." in opening
    assert "Có mặt 7/9 đơn vị (yêu cầu ít nhất 6 = 2/3): đủ điều kiện" in opening
    sections = minutes_selectors.minutes_sections(minutes=minutes)
    assert [(s.order, s.title, s.text) for s in sections] == [
        (1, "Khai mạc, giới thiệu đại biểu", ""),
        (2, "Báo cáo tổng kết công tác thi đua năm 2020", ""),
        (3, "Bình xét, suy tôn khen thưởng", ""),
    ]
    assert minutes.closing.startswith("Hội nghị kết thúc vào hồi")
    assert AuditEvent.objects.filter(action="minutes_draft", target_id=str(minutes.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        _draft(prepared)
    assert exc.value.messages == ["Hội nghị đã có biên bản phiên bản 1 chưa niêm phong."]


def test_section_and_texts_edit_and_limits(prepared):
    minutes = _draft(prepared)
    section = minutes.sections.get(order=2)
    services.minutes_section_update(
        section=section, text="  Trưởng khối trình bày báo cáo.\r\n", actor=prepared.secretariat
    )
    section.refresh_from_db()
    assert section.text == "Trưởng khối trình bày báo cáo."
    with pytest.raises(ValidationError) as exc:
        services.minutes_section_update(section=section, text="x" * 20001, actor=None)
    assert "Tối đa 20000 ký tự" in exc.value.message_dict["text"][0]
    section.refresh_from_db()
    assert section.text == "Trưởng khối trình bày báo cáo."
    services.minutes_update(minutes=minutes, opening="Mở đầu.", closing="Kết thúc.", actor=None)
    minutes.refresh_from_db()
    assert (minutes.opening, minutes.closing) == ("Mở đầu.", "Kết thúc.")
    with pytest.raises(ValidationError) as exc:
        services.minutes_update(minutes=minutes, closing="y" * 20001, actor=None)
    assert "closing" in exc.value.message_dict


# --- the amendment window ----------------------------------------------------------------------


def test_window_bounds(prepared):
    minutes = _draft(prepared)
    now = timezone.now()
    for until, text in [
        (now - dt.timedelta(minutes=1), "Hạn góp ý phải sau thời điểm hiện tại."),
        (now + dt.timedelta(days=31), "Hạn góp ý tối đa 30 ngày kể từ hôm nay."),
        (dt.datetime(2030, 1, 1), "Nhập hạn góp ý (ngày và giờ)."),  # noqa: DTZ001 - naive on purpose
        ("mai", "Nhập hạn góp ý (ngày và giờ)."),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.minutes_amendments_open(minutes=minutes, until=until, actor=None)
        assert exc.value.message_dict["until"] == [text]
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT
    services.minutes_amendments_open(minutes=minutes, until=now + dt.timedelta(days=3), actor=None)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.AMENDING


def test_amendments_only_by_units_present_and_in_time(world, prepared):
    my = prepared
    minutes = _draft(my)
    present_unit, absent_unit = my.units[0], my.units[8]
    leader_present = my.leaders[present_unit.pk]
    with pytest.raises(ValidationError) as exc:  # no window yet
        services.minutes_amendment_propose(
            minutes=minutes, unit=present_unit, user=leader_present, text="Sửa câu 2."
        )
    assert exc.value.message_dict["text"] == ["Biên bản không trong thời gian lấy ý kiến."]
    services.minutes_amendments_open(
        minutes=minutes, until=timezone.now() + dt.timedelta(days=2), actor=my.secretariat
    )
    section = minutes.sections.get(order=2)
    a = services.minutes_amendment_propose(
        minutes=minutes,
        unit=present_unit,
        user=leader_present,
        text=" Sửa số liệu. ",
        section=section,
    )
    assert (a.text, a.author, a.section, a.resolution) == (
        "Sửa số liệu.",
        leader_present,
        section,
        MinutesAmendment.Resolution.PENDING,
    )
    # A staff account of a unit present may propose too.
    services.minutes_amendment_propose(
        minutes=minutes, unit=my.units[2], user=my.staff, text="Bổ sung ý kiến."
    )
    refusals = [
        (absent_unit, my.leaders[absent_unit.pk], "unit"),  # absent at the meeting
        (my.units[1], leader_present, "unit"),  # not their unit
        (world.non_member, world.users["leader_nonmember"], "unit"),
        (present_unit, world.users["admin"], "unit"),
    ]
    for unit, user, field in refusals:
        with pytest.raises(ValidationError) as exc:
            services.minutes_amendment_propose(minutes=minutes, unit=unit, user=user, text="X")
        assert field in exc.value.message_dict
    for text in ("", "   ", "x" * 5001):
        with pytest.raises(ValidationError) as exc:
            services.minutes_amendment_propose(
                minutes=minutes, unit=present_unit, user=leader_present, text=text
            )
        assert "text" in exc.value.message_dict
    assert minutes.amendments.count() == 2
    # After the deadline.
    Minutes.objects.filter(pk=minutes.pk).update(
        amend_until=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as exc:
        services.minutes_amendment_propose(
            minutes=minutes, unit=present_unit, user=leader_present, text="Muộn."
        )
    assert exc.value.message_dict["text"] == ["Hạn góp ý đã kết thúc."]


def test_resolve(world, prepared):
    my = prepared
    minutes = _draft(my)
    services.minutes_amendments_open(
        minutes=minutes, until=timezone.now() + dt.timedelta(days=2), actor=None
    )
    unit = my.units[0]
    a1 = services.minutes_amendment_propose(
        minutes=minutes, unit=unit, user=my.leaders[unit.pk], text="Một."
    )
    a2 = services.minutes_amendment_propose(
        minutes=minutes, unit=unit, user=my.leaders[unit.pk], text="Hai."
    )
    with pytest.raises(ValidationError) as exc:
        services.minutes_amendment_resolve(amendment=a1, accepted=False, note="", actor=None)
    assert exc.value.message_dict["note"] == ["Nhập lý do không tiếp thu."]
    with pytest.raises(ValidationError):  # another bloc-year's secretariat
        services.minutes_amendment_resolve(
            amendment=a1, accepted=True, note="", actor=world.users["secretariat_here"]
        )
    services.minutes_amendment_resolve(
        amendment=a1, accepted=True, note="Đã sửa mục 2.", actor=my.secretariat
    )
    services.minutes_amendment_resolve(
        amendment=a2, accepted=False, note="Không đúng diễn biến.", actor=my.secretariat
    )
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.resolution, a2.resolution) == ("accepted", "declined")
    with pytest.raises(ValidationError) as exc:
        services.minutes_amendment_resolve(amendment=a1, accepted=False, note="x", actor=None)
    assert exc.value.message_dict["note"] == ["Góp ý này đã được xử lý."]


# --- approval and seal -------------------------------------------------------------------------


def test_approval_only_by_chair_or_secretary(world, prepared):
    minutes = _draft(prepared)
    for user in (
        prepared.leaders[prepared.units[3].pk],
        prepared.secretariat,
        world.users["admin"],
        world.users["board_here"],
        None,
    ):
        with pytest.raises(ValidationError) as exc:
            services.minutes_approve(minutes=minutes, user=user)
        assert "Chỉ chủ trì hoặc thư ký hội nghị" in exc.value.messages[0]
    minutes.refresh_from_db()
    assert (minutes.status, minutes.chair_approved_at) == (Minutes.Status.DRAFT, None)


def test_approval_waits_for_the_window_and_the_pending_amendments(prepared):
    my = prepared
    minutes = _draft(my)
    services.minutes_amendments_open(
        minutes=minutes, until=timezone.now() + dt.timedelta(days=1), actor=None
    )
    a = services.minutes_amendment_propose(
        minutes=minutes, unit=my.units[0], user=my.chair, text="Sửa tên khách mời."
    )
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(minutes=minutes, user=my.chair)
    assert exc.value.messages[0].startswith("Chưa hết hạn góp ý (đến ")
    services.minutes_amendments_close(minutes=minutes, actor=my.secretariat)
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(minutes=minutes, user=my.chair)
    assert exc.value.messages == ["Còn 1 góp ý chưa xử lý."]
    services.minutes_amendment_resolve(amendment=a, accepted=True, note="", actor=None)
    minutes = services.minutes_approve(minutes=minutes, user=my.chair)
    assert minutes.status == Minutes.Status.APPROVED
    # From the first approval the text is frozen.
    with pytest.raises(ValidationError) as exc:
        services.minutes_section_update(section=minutes.sections.first(), text="x", actor=None)
    assert exc.value.message_dict["text"] == ["Biên bản đã được thông qua, không thể sửa nội dung."]
    with pytest.raises(ValidationError) as exc:
        services.minutes_approve(minutes=minutes, user=my.chair)
    assert exc.value.messages == ["Bạn đã thông qua biên bản này."]


def test_seal_freezes_content_and_hash(prepared):
    my = prepared
    minutes = _draft(my)
    services.minutes_section_update(
        section=minutes.sections.get(order=2), text="Báo cáo được thông qua.", actor=None
    )
    minutes = _approve_both(my, minutes)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.SEALED
    assert minutes.sealed_at is not None
    content = minutes.content
    canonical = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    assert minutes.sha256 == hashlib.sha256(canonical).hexdigest()
    assert services.minutes_verify(minutes=minutes)
    assert content["schema"] == "khoithidua/bien-ban-hoi-nghi/v1"
    assert content["meeting"]["held_on_display"] == "20/12/2020"
    assert content["meeting"]["starts_at"] == "08:00"
    assert content["meeting"]["host_unit"]["name"] == "Sở Giao thông Vận tải"
    assert [p["name"] for p in content["people"]["chair"]] == ["Đặng Trọng Thắng"]
    assert content["people"]["secretary"][0]["unit"] == "Sở Giao thông Vận tải"
    att = content["attendance"]
    assert (att["members"], att["present"], att["absent"], att["unrecorded"]) == (9, 7, 2, 0)
    assert att["quorum"]["met"] is True and att["quorum"]["required"] == 6
    assert att["units"][0]["role"] == "head"
    assert [s["title"] for s in content["sections"]][1] == (
        "Báo cáo tổng kết công tác thi đua năm 2020"
    )
    assert content["sections"][1]["text"] == "Báo cáo được thông qua."
    assert content["sections"][1]["presenter"] == "Trưởng khối"
    assert content["approvals"]["chair"]["username"] == my.chair.username
    assert content["approvals"]["secretary"]["name"] == "Lê Thư Ký"
    assert content["ballots"] == []
    assert services.minutes_content(minutes=minutes) == content
    assert AuditEvent.objects.filter(action="minutes_seal", target_id=str(minutes.pk)).exists()


def test_sealed_minutes_are_refused_by_every_service(prepared):
    my = prepared
    minutes = _approve_both(my, _draft(my))
    section = minutes.sections.first()
    calls = [
        lambda: services.minutes_section_update(section=section, text="x", actor=None),
        lambda: services.minutes_update(minutes=minutes, opening="x", actor=None),
        lambda: services.minutes_amendments_open(
            minutes=minutes, until=timezone.now() + dt.timedelta(days=1), actor=None
        ),
        lambda: services.minutes_amendment_propose(
            minutes=minutes, unit=my.units[0], user=my.chair, text="x"
        ),
        lambda: services.minutes_approve(minutes=minutes, user=my.chair),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.messages == [SEALED]
    section.refresh_from_db()
    assert section.text == ""


def test_database_refuses_changes_to_sealed_minutes(prepared):
    """Raw ORM writes that bypass the services: refused by the triggers of migration 0003
    (PostgreSQL and SQLite)."""
    my = prepared
    minutes = _approve_both(my, _draft(my))
    attempts = [
        lambda: Minutes.objects.filter(pk=minutes.pk).update(opening="Sửa lén."),
        lambda: Minutes.objects.filter(pk=minutes.pk).update(status="draft"),
        lambda: MinutesSection.objects.filter(minutes=minutes).update(text="Sửa lén."),
        lambda: MinutesSection.objects.create(minutes=minutes, order=99, title="Thêm"),
        lambda: MinutesAmendment.objects.create(minutes=minutes, unit=my.units[0], text="x"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="sealed"), transaction.atomic():
            attempt()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.SEALED
    assert services.minutes_verify(minutes=minutes)


@needs_postgres
def test_database_refuses_deleting_sealed_minutes(prepared):
    """DELETE too on PostgreSQL (SQLite's test runner empties tables with DELETE)."""
    my = prepared
    minutes = _approve_both(my, _draft(my))
    services.minutes_new_version(minutes=minutes, actor=None)
    for attempt in (
        lambda: Minutes.objects.filter(pk=minutes.pk).delete(),
        lambda: MinutesSection.objects.filter(minutes=minutes).delete(),
    ):
        with pytest.raises(DatabaseError, match="sealed"), transaction.atomic():
            attempt()
    assert minutes.sections.count() == 3
    # The draft of version 2 may still be deleted in the database.
    assert MinutesSection.objects.filter(minutes__version=2).delete()[0] == 3


@needs_postgres
def test_verify_detects_a_changed_content(prepared):
    """Only with the guard switched off (a superuser at the database) can the content
    change; the hash then says so."""
    my = prepared
    minutes = _approve_both(my, _draft(my))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # triggers off
        content = dict(minutes.content, closing="Một câu khác.")
        Minutes.objects.filter(pk=minutes.pk).update(content=content)
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert not services.minutes_verify(minutes=minutes)


def test_verify_is_false_for_unsealed(prepared):
    assert not services.minutes_verify(minutes=_draft(prepared))


def test_drafts_may_still_change_in_the_database(prepared):
    minutes = _draft(prepared)
    assert Minutes.objects.filter(pk=minutes.pk).update(opening="Sửa.") == 1
    assert MinutesSection.objects.filter(minutes=minutes).update(text="Sửa.") == 3


# --- versions ----------------------------------------------------------------------------------


def test_new_version_keeps_the_sealed_one(prepared):
    my = prepared
    services.minutes_section_update(
        section=_draft(my).sections.get(order=1), text="Khai mạc lúc 8 giờ.", actor=None
    )
    v1 = Minutes.objects.get(meeting=my.meeting, version=1)
    with pytest.raises(ValidationError) as exc:
        services.minutes_new_version(minutes=v1, actor=None)
    assert exc.value.messages == ["Chỉ tạo phiên bản mới từ biên bản đã niêm phong."]
    v1 = _approve_both(my, v1)
    v2 = services.minutes_new_version(minutes=v1, actor=my.secretariat)
    assert (v2.version, v2.status, v2.opening) == (2, Minutes.Status.DRAFT, v1.opening)
    assert list(v2.sections.values_list("order", "title", "text")) == list(
        v1.sections.values_list("order", "title", "text")
    )
    services.minutes_section_update(section=v2.sections.get(order=1), text="Sửa.", actor=None)
    v1.refresh_from_db()
    assert v1.status == Minutes.Status.SEALED
    assert v1.sections.get(order=1).text == "Khai mạc lúc 8 giờ."
    assert services.minutes_verify(minutes=v1)
    with pytest.raises(ValidationError) as exc:
        services.minutes_new_version(minutes=v1, actor=None)
    assert exc.value.messages == ["Đã có phiên bản 2 mới hơn."]
    assert [m.version for m in minutes_selectors.minutes_for_meeting(meeting=my.meeting)] == [2, 1]
    # After sealing v2, minutes_draft starts a fresh version 3 from the meeting's data.
    _approve_both(my, v2)
    assert services.minutes_draft(meeting=my.meeting, actor=None).version == 3


def test_agenda_items_of_minutes_cannot_be_removed(prepared):
    _draft(prepared)
    with pytest.raises(ValidationError) as exc:
        meeting_services.meeting_agenda_set(
            meeting=prepared.meeting, items=[{"title": "Chỉ một"}], actor=None
        )
    assert "items" in exc.value.message_dict
    # Retitling stays possible.
    meeting_services.meeting_agenda_set(
        meeting=prepared.meeting,
        items=[{"title": "Khai mạc"}, {"title": "Báo cáo"}, {"title": "Bình xét"}],
        actor=None,
    )


def test_actions_for_the_page(world, prepared):
    my = prepared
    minutes = _draft(my)
    actions = minutes_selectors.minutes_actions(minutes=minutes, user=my.secretariat)
    assert actions.edit and not actions.approve_as and actions.amend_units == []
    assert minutes_selectors.minutes_actions(minutes=minutes, user=my.chair).approve_as == {"chair"}
    services.minutes_amendments_open(
        minutes=minutes, until=timezone.now() + dt.timedelta(days=1), actor=None
    )
    minutes.refresh_from_db()
    assert minutes_selectors.minutes_actions(minutes=minutes, user=my.staff).amend_units == [
        my.units[2]
    ]
    absent_leader = my.leaders[my.units[8].pk]
    assert minutes_selectors.minutes_actions(minutes=minutes, user=absent_leader).amend_units == []


def test_get_for_user(world, prepared):
    minutes = _draft(prepared)
    from django.core.exceptions import PermissionDenied

    assert (
        minutes_selectors.minutes_get_for_user(
            user=prepared.secretariat, minutes_id=minutes.pk, manage=True
        )
        == minutes
    )
    with pytest.raises(PermissionDenied):
        minutes_selectors.minutes_get_for_user(
            user=world.users["leader_nonmember"], minutes_id=minutes.pk
        )
    with pytest.raises(PermissionDenied):
        minutes_selectors.minutes_get_for_user(
            user=prepared.leaders[prepared.units[1].pk], minutes_id=minutes.pk, manage=True
        )


# --- the ballots' results are inserted ---------------------------------------------------------


def test_ballot_results_inserted_at_seal(ballot_year):
    """A closed nomination ballot of the meeting appears in the content with its counts
    and percentages; sealing freezes them."""
    from meetings.services import ballots as ballot_services

    by = ballot_year
    chair = by.leaders[by.units[0].pk]
    secretary = by.leaders[by.units[1].pk]
    meeting_services.meeting_people_set(
        meeting=by.meeting, role="chair", people=[{"name": "Chủ Trì", "user": chair}], actor=None
    )
    meeting_services.meeting_people_set(
        meeting=by.meeting,
        role="secretary",
        people=[{"name": "Thư Ký", "user": secretary}],
        actor=None,
    )
    ballot = ballot_nomination(by, max_winners=1)
    minutes = services.minutes_draft(meeting=by.meeting, actor=by.secretariat)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    a = by.units[0]
    for i, unit in enumerate(by.units):
        ballot_cast(by, ballot, unit, {a.pk: "yes"} if i < 6 else {a.pk: "no"})
    with pytest.raises(ValidationError) as exc:  # the ballot is still open
        services.minutes_approve(minutes=minutes, user=chair)
    assert exc.value.messages == ["Còn cuộc bỏ phiếu đang diễn ra tại hội nghị."]
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    preview = services.minutes_content(minutes=minutes)
    assert len(preview["ballots"]) == 1
    services.minutes_approve(minutes=minutes, user=chair)
    minutes = services.minutes_approve(minutes=minutes, user=secretary)
    entry = minutes.content["ballots"][0]
    assert entry["title"] == "Bình xét Cờ thi đua của UBND tỉnh năm 2020"
    assert entry["award_type"] == "Cờ thi đua của UBND tỉnh"
    assert (entry["members"], entry["present"], entry["valid"]) == (9, 9, 9)
    row = next(r for r in entry["rows"] if r["unit_id"] == a.pk)
    assert (row["yes"], row["no"], row["percent"], row["percent_label"]) == (6, 3, "66.7", "66,7%")
    assert row["passed"] and row["elected"]
    assert services.minutes_verify(minutes=minutes)
    # Publishing later does not change the sealed content.
    ballot_services.ballot_publish(ballot=ballot, actor=by.secretariat)
    minutes.refresh_from_db()
    assert minutes.content["ballots"][0]["status"] == "closed"
    assert services.minutes_verify(minutes=minutes)


def test_content_in_constant_queries(prepared, django_assert_max_num_queries):
    my = prepared
    minutes = _draft(my)
    with django_assert_max_num_queries(12) as small:
        services.minutes_content(minutes=minutes)
    meeting_services.meeting_people_set(
        meeting=my.meeting,
        role="guest",
        people=[{"name": f"Khách {i}"} for i in range(10)],
        actor=None,
    )
    for section in minutes.sections.all():
        services.minutes_section_update(section=section, text="Nội dung.", actor=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        content = services.minutes_content(minutes=minutes)
    assert len(content["people"]["guest"]) == 10
