"""Meeting services and selectors (DESIGN.md §8): create and update with the date window,
people, agenda, attendance (one unit, or the one-form page all or nothing), the quorum
from the rule set, access through the selectors. Built through the real services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from blocs import setup
from core.models import AuditEvent
from meetings.models import AgendaItem, Attendance, Meeting, MeetingPerson
from meetings.selectors import meetings as selectors
from meetings.services import meetings as services
from rules.models import RuleSet

from .conftest import meeting_attend_all

pytestmark = pytest.mark.django_db

P, A, E = Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- meeting_create / meeting_update ----------------------------------------------------------


def test_create_defaults_the_host_to_the_head_unit_and_is_audited(meeting_year):
    m = meeting_year.meeting
    assert m.host_unit == meeting_year.units[0]
    assert m.starts_at == dt.time(8, 0)
    assert m.created_by == meeting_year.secretariat
    assert AuditEvent.objects.filter(action="meeting_create", target_id=str(m.pk)).exists()


@pytest.mark.parametrize(
    ("kind", "held_on", "ok"),
    [
        ("year_end", dt.date(2020, 1, 1), True),
        ("year_end", dt.date(2021, 1, 13), True),  # Quảng Bình's 13/01/2020 for 2019
        ("year_end", dt.date(2021, 2, 28), True),
        ("year_end", dt.date(2021, 3, 1), False),
        ("year_end", dt.date(2019, 12, 31), False),
        ("mid_year", dt.date(2020, 7, 20), True),
        ("mid_year", dt.date(2021, 1, 5), False),
        ("other", dt.date(2030, 1, 1), False),
    ],
)
def test_create_date_window(world, kind, held_on, ok):
    kwargs = {"bloc_year": world.bloc_year, "kind": kind, "held_on": held_on, "actor": None}
    if ok:
        assert services.meeting_create(**kwargs).held_on == held_on
    else:
        with pytest.raises(ValidationError) as exc:
            services.meeting_create(**kwargs)
        assert "Ngày họp của năm thi đua 2020 phải từ 01/01/2020" in _errors(exc)["held_on"][0]
        assert not Meeting.objects.exists()


def test_create_refuses_bad_input_per_field_and_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(
            bloc_year=world.bloc_year,
            kind="dai_hoi",
            held_on="13/01/2021",
            starts_at="8h",
            place="x" * 256,
            host_unit=world.non_member,
            actor=None,
        )
    errors = _errors(exc)
    assert set(errors) == {"kind", "held_on", "starts_at", "place", "host_unit"}
    assert errors["host_unit"] == ["Đơn vị không phải thành viên của khối trong năm này."]
    assert "Tối đa 255 ký tự" in errors["place"][0]
    assert not Meeting.objects.exists()


def test_one_meeting_per_kind_per_day(world):
    day = dt.date(2020, 12, 15)
    services.meeting_create(bloc_year=world.bloc_year, kind="year_end", held_on=day, actor=None)
    with pytest.raises(ValidationError) as exc:
        services.meeting_create(bloc_year=world.bloc_year, kind="year_end", held_on=day, actor=None)
    assert _errors(exc)["held_on"] == ["Khối đã có hội nghị tổng kết năm vào ngày này."]
    # Another kind the same day is fine.
    services.meeting_create(bloc_year=world.bloc_year, kind="other", held_on=day, actor=None)
    assert Meeting.objects.count() == 2


def test_update_changes_fields_and_checks_them(meeting_year):
    m = meeting_year.meeting
    services.meeting_update(
        meeting=m,
        actor=meeting_year.secretariat,
        place="  Hội trường   UBND tỉnh ",
        host_unit=meeting_year.units[3],
        summary="Dòng 1\r\nDòng 2",
    )
    m.refresh_from_db()
    assert (m.place, m.host_unit, m.summary) == (
        "Hội trường UBND tỉnh",
        meeting_year.units[3],
        "Dòng 1\nDòng 2",
    )
    event = AuditEvent.objects.get(action="meeting_update", target_id=str(m.pk))
    assert set(event.data) == {"place", "host_unit", "summary"}
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(meeting=m, actor=None, held_on=dt.date(2022, 1, 1), place="y")
    assert set(_errors(exc)) == {"held_on"}
    m.refresh_from_db()
    assert m.place == "Hội trường UBND tỉnh"  # nothing saved in part


def test_update_after_freeze_changes_only_the_summary(meeting_year):
    m = services.meeting_attendance_freeze(meeting=meeting_year.meeting, actor=None)
    services.meeting_update(meeting=m, actor=None, summary="Kết luận của hội nghị.")
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(meeting=m, actor=None, place="Nơi khác", summary="Khác")
    assert "chỉ còn sửa được phần tóm tắt" in _errors(exc)["place"][0]
    m.refresh_from_db()
    assert (m.summary, m.place) == ("Kết luận của hội nghị.", "Hội trường Sở Giao thông Vận tải")


# --- people and agenda ------------------------------------------------------------------------


def test_people_set_in_order_and_replaced(meeting_year):
    m, chair_user = meeting_year.meeting, meeting_year.leaders[meeting_year.units[0].pk]
    services.meeting_people_set(
        meeting=m,
        role="chair",
        people=[
            {
                "name": "Đặng Trọng Thắng",
                "title": "Giám đốc",
                "unit": meeting_year.units[0],
                "user": chair_user,
            },
            {"name": "Đinh Văn An", "title": "Giám đốc Sở Công Thương"},
        ],
        actor=None,
    )
    services.meeting_people_set(
        meeting=m,
        role="guest",
        people=[{"name": "Trương Minh Hiến", "note": "kết luận"}],
        actor=None,
    )
    people = selectors.meeting_people(meeting=m)
    assert [p.name for p in people["chair"]] == ["Đặng Trọng Thắng", "Đinh Văn An"]
    assert people["chair"][0].user == chair_user
    services.meeting_people_set(meeting=m, role="chair", people=[{"name": "Một người"}], actor=None)
    assert list(m.people.filter(role="chair").values_list("name", flat=True)) == ["Một người"]
    assert m.people.filter(role="guest").count() == 1


def test_people_set_refuses_bad_rows_and_keeps_the_old(meeting_year):
    m = meeting_year.meeting
    services.meeting_people_set(meeting=m, role="guest", people=[{"name": "Cũ"}], actor=None)
    inactive = meeting_year.staff
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ValidationError) as exc:
        services.meeting_people_set(
            meeting=m,
            role="guest",
            people=[
                {"name": ""},
                {"name": "x" * 101, "title": "y" * 201},
                {"name": "B", "user": inactive},
            ],
            actor=None,
        )
    errors = _errors(exc)
    assert errors["name_0"] == ["Nhập họ và tên."]
    assert set(errors) == {"name_0", "name_1", "title_1", "user_2"}
    assert list(m.people.values_list("name", flat=True)) == ["Cũ"]
    with pytest.raises(ValidationError) as exc:
        services.meeting_people_set(meeting=m, role="boss", people=[], actor=None)
    assert "role" in _errors(exc)


def test_chair_and_secretary_are_two_people(meeting_year):
    m, user = meeting_year.meeting, meeting_year.leaders[meeting_year.units[0].pk]
    services.meeting_people_set(
        meeting=m, role="chair", people=[{"name": "A", "user": user}], actor=None
    )
    with pytest.raises(ValidationError) as exc:
        services.meeting_people_set(
            meeting=m, role="secretary", people=[{"name": "A", "user": user}], actor=None
        )
    assert _errors(exc)["user_0"] == ["Chủ trì và thư ký hội nghị phải là hai người khác nhau."]


def test_agenda_set_ordered_and_checked(meeting_year):
    m = meeting_year.meeting
    services.meeting_agenda_set(
        meeting=m,
        items=[{"title": "Khai mạc"}, {"title": "Báo cáo tổng kết", "presenter": "Trưởng khối"}],
        actor=None,
    )
    assert [(i.order, i.title) for i in m.agenda_items.all()] == [
        (1, "Khai mạc"),
        (2, "Báo cáo tổng kết"),
    ]
    with pytest.raises(ValidationError) as exc:
        services.meeting_agenda_set(
            meeting=m, items=[{"title": "  "}, {"title": "x" * 301}], actor=None
        )
    assert _errors(exc) == {
        "title_0": ["Nhập nội dung chương trình."],
        "title_1": ["Nội dung tối đa 300 ký tự."],
    }
    with pytest.raises(ValidationError) as exc:
        services.meeting_agenda_set(meeting=m, items=[{"title": "a"}] * 31, actor=None)
    assert "items" in _errors(exc)
    assert m.agenda_items.count() == 2
    services.meeting_agenda_set(meeting=m, items=[{"title": "Chỉ một"}], actor=None)
    assert list(AgendaItem.objects.filter(meeting=m).values_list("title", flat=True)) == ["Chỉ một"]


# --- attendance -------------------------------------------------------------------------------


def test_attendance_record_and_rerecord(meeting_year):
    m, unit = meeting_year.meeting, meeting_year.units[2]
    a = services.attendance_record(
        meeting=m,
        unit=unit,
        status=P,
        actor=meeting_year.secretariat,
        representative_name="Lê Văn Bình",
        representative_title="Phó Giám đốc",
        representative_user=meeting_year.staff,
    )
    assert (a.status, a.representative_user, a.recorded_by) == (
        P,
        meeting_year.staff,
        meeting_year.secretariat,
    )
    # Absent: no representative is kept.
    a = services.attendance_record(
        meeting=m, unit=unit, status=E, actor=None, representative_name="Lê Văn Bình"
    )
    assert (a.status, a.representative_name, a.representative_user) == (E, "", None)
    assert Attendance.objects.filter(meeting=m).count() == 1
    assert AuditEvent.objects.filter(action="attendance_record").count() == 2


def test_attendance_refusals(world, meeting_year):
    m = meeting_year.meeting
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            meeting=m, unit=world.non_member, status=P, actor=None, representative_name="A"
        )
    assert _errors(exc)["unit"] == ["Đơn vị không phải thành viên của khối trong năm này."]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, unit=meeting_year.units[0], status="late", actor=None)
    assert "status" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, unit=meeting_year.units[0], status=P, actor=None)
    assert _errors(exc)["representative_name"] == ["Nhập họ và tên người dự họp."]
    # The representative account must be a leader or staff of that very unit.
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            meeting=m,
            unit=meeting_year.units[0],
            status=P,
            actor=None,
            representative_name="A",
            representative_user=meeting_year.staff,  # staff of units[2]
        )
    assert "representative_user" in _errors(exc)
    assert not Attendance.objects.filter(meeting=m).exists()


def test_attendance_frozen_refuses_every_write(meeting_year):
    meeting_attend_all(meeting_year, present=9)
    m = services.meeting_attendance_freeze(meeting=meeting_year.meeting, actor=None)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, unit=meeting_year.units[0], status=A, actor=None)
    assert exc.value.messages == ["Danh sách dự họp đã chốt khi mở bỏ phiếu."]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record_many(
            meeting=m, rows=[{"unit": meeting_year.units[0], "status": A}], actor=None
        )
    assert exc.value.messages == ["Danh sách dự họp đã chốt khi mở bỏ phiếu."]
    assert Attendance.objects.filter(meeting=m, status=P).count() == 9


def test_attendance_many_all_or_nothing(meeting_year):
    m, units = meeting_year.meeting, meeting_year.units
    rows = [
        {"unit": units[0], "status": P, "representative_name": "Người A"},
        {"unit": units[1], "status": E},
        {"unit": units[2], "status": P, "representative_name": ""},  # wrong
        {"unit": units[3], "status": "bogus"},  # wrong
    ]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record_many(meeting=m, rows=rows, actor=None)
    assert set(_errors(exc)) == {f"representative_name_{units[2].pk}", f"status_{units[3].pk}"}
    assert not Attendance.objects.filter(meeting=m).exists()
    rows[2]["representative_name"] = "Người C"
    rows[3]["status"] = ""  # not recorded
    saved = services.attendance_record_many(meeting=m, rows=rows, actor=meeting_year.secretariat)
    assert len(saved) == 3
    assert dict(Attendance.objects.filter(meeting=m).values_list("unit_id", "status")) == {
        units[0].pk: P,
        units[1].pk: E,
        units[2].pk: P,
    }
    # "" clears an earlier record.
    services.attendance_record_many(meeting=m, rows=[{"unit": units[1], "status": ""}], actor=None)
    assert not Attendance.objects.filter(meeting=m, unit=units[1]).exists()


# --- quorum -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("present", "met"), [(6, True), (5, False), (9, True), (0, False)])
def test_quorum_two_thirds_of_nine(meeting_year, present, met):
    meeting_attend_all(meeting_year, present=present)
    q = selectors.meeting_quorum(meeting=meeting_year.meeting)
    assert (q.members, q.present, q.required, q.met) == (9, present, 6, met)
    verdict = "đủ điều kiện" if met else "chưa đủ điều kiện"
    assert q.label == (
        f"Có mặt {present}/9 đơn vị (yêu cầu ít nhất 6 = 2/3): {verdict} tiến hành hội nghị"
    )


def test_quorum_follows_the_rule_set(world, meeting_year):
    RuleSet.objects.create(
        province=world.province,
        year=2020,
        name="Quy chế 2020",
        quorum_numerator=1,
        quorum_denominator=2,
    )
    meeting_attend_all(meeting_year, present=4)
    q = selectors.meeting_quorum(meeting=meeting_year.meeting)
    assert (q.required, q.met) == (5, False)  # 9 × 1/2 = 4,5 → 5
    services.attendance_record(
        meeting=meeting_year.meeting,
        unit=meeting_year.units[8],
        status=P,
        actor=None,
        representative_name="X",
    )
    q = selectors.meeting_quorum(meeting=meeting_year.meeting)
    assert (q.present, q.required, q.met) == (5, 5, True)
    assert "(yêu cầu ít nhất 5 = 1/2)" in q.label


def test_quorum_and_rows_in_constant_queries(meeting_year, django_assert_max_num_queries):
    meeting_attend_all(meeting_year, present=7)
    with django_assert_max_num_queries(4):
        selectors.meeting_quorum(meeting=meeting_year.meeting)
    with django_assert_max_num_queries(2):
        rows = selectors.meeting_attendance_rows(meeting=meeting_year.meeting)
    assert [r.unit for r in rows][:2] == meeting_year.units[:2]  # head, deputy first
    assert sum(1 for r in rows if r.status == P) == 7


def test_attendance_rows_show_units_not_recorded(meeting_year):
    services.attendance_record(
        meeting=meeting_year.meeting, unit=meeting_year.units[4], status=A, actor=None
    )
    rows = selectors.meeting_attendance_rows(meeting=meeting_year.meeting)
    assert len(rows) == 9
    assert [r.status for r in rows if r.attendance] == [A]


# --- selectors and access ---------------------------------------------------------------------


def test_get_for_user_by_role(world, meeting_year):
    m = meeting_year.meeting
    assert (
        selectors.meeting_get_for_user(user=meeting_year.secretariat, meeting_id=m.pk, manage=True)
        == m
    )
    assert (
        selectors.meeting_get_for_user(user=world.users["admin"], meeting_id=m.pk, manage=True) == m
    )
    leader = meeting_year.leaders[meeting_year.units[5].pk]
    assert selectors.meeting_get_for_user(user=leader, meeting_id=m.pk) == m
    assert selectors.meeting_get_for_user(user=world.users["board_here"], meeting_id=m.pk) == m
    for user, manage in [
        (leader, True),
        (world.users["board_here"], True),
        (world.users["secretariat_here"], True),  # another bloc-year's secretariat
        (world.users["leader_nonmember"], False),
        (world.users["board_other"], False),
        (world.users["norole"], False),
    ]:
        with pytest.raises(PermissionDenied):
            selectors.meeting_get_for_user(user=user, meeting_id=m.pk, manage=manage)
    for bad in (m.pk + 1000, "abc", None):
        with pytest.raises(Http404):
            selectors.meeting_get_for_user(user=world.users["admin"], meeting_id=bad)


def test_meetings_for_bloc_year_in_date_order(meeting_year, django_assert_max_num_queries):
    services.meeting_create(
        bloc_year=meeting_year.bloc_year, kind="mid_year", held_on=dt.date(2020, 7, 10), actor=None
    )
    with django_assert_max_num_queries(3):
        meetings = selectors.meetings_for_bloc_year(bloc_year=meeting_year.bloc_year)
        [list(m.people.all()) + list(m.agenda_items.all()) for m in meetings]
    assert [m.kind for m in meetings] == ["mid_year", "year_end"]


def test_a_unit_that_leaves_is_not_counted(meeting_year):
    """The quorum's base is the bloc-year's members: an attendance of a unit that is no
    longer a member does not count."""
    meeting_attend_all(meeting_year, present=9)
    setup.bloc_year_member_remove(
        bloc_year=meeting_year.bloc_year, unit=meeting_year.units[8], actor=None
    )
    q = selectors.meeting_quorum(meeting=meeting_year.meeting)
    assert (q.members, q.present) == (8, 8)


def test_freeze_is_idempotent_and_audited_once(meeting_year):
    m = services.meeting_attendance_freeze(meeting=meeting_year.meeting, actor=None)
    first = m.attendance_frozen_at
    assert first is not None and first <= timezone.now()
    m = services.meeting_attendance_freeze(meeting=m, actor=None)
    assert m.attendance_frozen_at == first
    assert AuditEvent.objects.filter(action="meeting_attendance_freeze").count() == 1
    assert MeetingPerson.objects.count() == 0


def test_get_for_user_in_constant_queries(meeting_year, django_assert_max_num_queries):
    m = meeting_year.meeting
    services.meeting_people_set(
        meeting=m, role="guest", people=[{"name": f"Khách {i}"} for i in range(12)], actor=None
    )
    services.meeting_agenda_set(
        meeting=m, items=[{"title": f"Nội dung {i}"} for i in range(20)], actor=None
    )
    user = meeting_year.secretariat
    with django_assert_max_num_queries(5):
        got = selectors.meeting_get_for_user(user=user, meeting_id=m.pk, manage=True)
        people = selectors.meeting_people(meeting=got)
        titles = [i.title for i in got.agenda_items.all()]
    assert len(people["guest"]) == 12 and len(titles) == 20
