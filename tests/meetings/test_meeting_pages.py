"""The meeting pages as their users use them: the secretariat prepares the meeting
(create, edit, people, agenda), sends the invitations, records attendance on one form;
everyone who reads the bloc-year reads the meeting page; bad input shows a Vietnamese
message next to the field, status 400, nothing saved."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import RoleAssignment
from meetings.models import AgendaItem, Attendance, Meeting, MeetingPerson
from meetings.services import meetings as meeting_services

from ..conftest import make_user
from .conftest import MeetingYear


def client_for(client, user):
    client.force_login(user)
    return client


def body(response) -> str:
    return response.content.decode()


# --- create -----------------------------------------------------------------------------------


def _create_data(**over):
    data = {
        "kind": "year_end",
        "held_on": "11/12/2020",
        "starts_at": "08:00",
        "place": "Hội trường Ban Quản lý Khu kinh tế",
        "host_unit": "",
        "summary": "",
    }
    data.update(over)
    return data


def test_secretariat_creates_a_meeting(client, world):
    c = client_for(client, world.users["secretariat_here"])
    url = reverse("meetings:meeting_new", args=[world.bloc_year.pk])
    page = c.get(url)
    assert page.status_code == 200
    # The head unit hosts unless the secretariat says otherwise.
    assert f'<option value="{world.head.pk}" selected>' in body(page)
    response = c.post(url, _create_data(host_unit=str(world.deputy.pk)))
    meeting = Meeting.objects.get(bloc_year=world.bloc_year)
    assert response.status_code == 302
    assert response.url == reverse("meetings:meeting_detail", args=[meeting.pk])
    assert meeting.held_on == dt.date(2020, 12, 11)
    assert meeting.starts_at == dt.time(8, 0)
    assert meeting.host_unit == world.deputy
    assert meeting.created_by == world.users["secretariat_here"]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"held_on": "31/02/2020"}, "held_on", "Ngày không hợp lệ"),
        ({"held_on": "2020-13-45"}, "held_on", "Ngày không hợp lệ"),
        ({"held_on": ""}, "held_on", "Hãy nhập ngày họp."),
        # Outside the year-end window of 2020 (December 2020 to February 2021).
        ({"held_on": "11/12/2018"}, "held_on", "phải từ"),
        ({"starts_at": "25:61"}, "starts_at", "Giờ không hợp lệ"),
        ({"place": "x" * 256}, "place", "Quá dài (tối đa 255 ký tự)."),
        ({"summary": "x" * 20001}, "summary", "Quá dài"),
        ({"kind": "party"}, "kind", "Loại hội nghị không hợp lệ."),
        ({"host_unit": "99999999999999999999"}, "host_unit", "không phải thành viên"),
    ],
)
def test_create_refuses_bad_input_next_to_the_field(client, world, over, field, message):
    c = client_for(client, world.users["secretariat_here"])
    response = c.post(
        reverse("meetings:meeting_new", args=[world.bloc_year.pk]), _create_data(**over)
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message in body(response)
    assert not Meeting.objects.exists()


def test_create_refuses_a_unit_that_is_not_a_member(client, world):
    """A unit of the province outside the bloc, and a forged id of another province's unit."""
    from blocs.models import Unit

    far_unit = Unit.objects.get(province=world.other_province)
    c = client_for(client, world.users["secretariat_here"])
    url = reverse("meetings:meeting_new", args=[world.bloc_year.pk])
    for unit in (world.non_member, far_unit):
        response = c.post(url, _create_data(host_unit=str(unit.pk)))
        assert response.status_code == 400
        assert "không phải thành viên của khối" in response.context["form"].errors["host_unit"][0]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "role", ["board_here", "leader_member", "staff_member", "secretariat_other", "norole"]
)
def test_only_the_secretariat_creates(client, world, role):
    c = client_for(client, world.users[role])
    response = c.post(reverse("meetings:meeting_new", args=[world.bloc_year.pk]), _create_data())
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_a_second_meeting_of_the_same_kind_that_day_is_refused(client, world):
    c = client_for(client, world.users["secretariat_here"])
    url = reverse("meetings:meeting_new", args=[world.bloc_year.pk])
    assert c.post(url, _create_data()).status_code == 302
    response = c.post(url, _create_data())
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"]
    assert Meeting.objects.count() == 1


# --- the meeting page -------------------------------------------------------------------------


def _prepared(my: MeetingYear, present: int = 7) -> Meeting:
    m = my.meeting
    meeting_services.meeting_people_set(
        meeting=m,
        role="chair",
        people=[{"name": "Đặng Trọng Thắng", "title": "Giám đốc Sở Giao thông Vận tải"}],
        actor=my.secretariat,
    )
    meeting_services.meeting_people_set(
        meeting=m,
        role="guest",
        people=[
            {
                "name": "Trương Minh Hiến",
                "title": "Phó Chủ tịch UBND tỉnh",
                "note": "phát biểu chỉ đạo, kết luận hội nghị",
            }
        ],
        actor=my.secretariat,
    )
    meeting_services.meeting_agenda_set(
        meeting=m,
        items=[
            {"title": "Báo cáo tổng kết năm 2020", "presenter": "Trưởng khối"},
            {"title": "Bình xét thi đua"},
        ],
        actor=my.secretariat,
    )
    meeting_services.attendance_record_many(
        meeting=m,
        rows=[
            {
                "unit": u,
                "status": "present" if i < present else "absent",
                "representative_name": f"Người dự {i + 1}" if i < present else "",
                "representative_title": "Phó Giám đốc" if i < present else "",
            }
            for i, u in enumerate(my.units)
        ],
        actor=my.secretariat,
    )
    return m


def test_meeting_page_shows_facts_people_agenda_attendance_and_quorum(client, meeting_year):
    m = _prepared(meeting_year, present=7)
    leader = meeting_year.leaders[meeting_year.units[5].pk]
    response = client_for(client, leader).get(reverse("meetings:meeting_detail", args=[m.pk]))
    assert response.status_code == 200
    html = body(response)
    assert "20/12/2020, 08:00" in html
    assert "Hội trường Sở Giao thông Vận tải" in html
    assert "Đặng Trọng Thắng" in html and "Trương Minh Hiến" in html
    assert "phát biểu chỉ đạo, kết luận hội nghị" in html
    assert html.index("Báo cáo tổng kết năm 2020") < html.index("Bình xét thi đua")
    # 7 of 9 present, 2/3 of 9 = 6 required.
    assert "Đủ số lượng" in html
    assert "Có mặt 7/9 đơn vị (yêu cầu ít nhất 6 = 2/3)" in html
    assert html.count("attendance-status") == 9
    assert "Người dự 1" in html
    assert 'id="meeting-ballots"' in html
    # A leader reads; the actions are the secretariat's.
    assert 'id="meeting-actions"' not in html


def test_quorum_not_met_is_said(client, meeting_year):
    m = _prepared(meeting_year, present=5)
    response = client_for(client, meeting_year.secretariat).get(
        reverse("meetings:meeting_detail", args=[m.pk])
    )
    html = body(response)
    assert "Chưa đủ số lượng" in html
    assert "Có mặt 5/9 đơn vị" in html
    assert 'id="meeting-actions"' in html


def test_board_reads_the_meeting_but_does_not_run_it(client, world, meeting_year):
    c = client_for(client, world.users["board_here"])
    m = meeting_year.meeting
    page = c.get(reverse("meetings:meeting_detail", args=[m.pk]))
    assert page.status_code == 200
    assert 'id="meeting-actions"' not in body(page)
    assert c.get(reverse("meetings:meeting_attendance", args=[m.pk])).status_code == 403


def test_bloc_year_page_lists_meetings_with_links_and_the_button(client, world, meeting_year):
    by = meeting_year.bloc_year
    m = meeting_year.meeting
    html = body(
        client_for(client, meeting_year.secretariat).get(
            reverse("blocs:bloc_year_detail", args=[by.pk])
        )
    )
    assert reverse("meetings:meeting_detail", args=[m.pk]) in html
    assert 'id="meeting-new"' in html and "Tổ chức hội nghị" in html
    reader = meeting_year.leaders[meeting_year.units[3].pk]
    client.logout()
    html = body(client_for(client, reader).get(reverse("blocs:bloc_year_detail", args=[by.pk])))
    assert reverse("meetings:meeting_detail", args=[m.pk]) in html
    assert 'id="meeting-new"' not in html
    html = body(client.get(reverse("blocs:bloc_detail", args=[by.bloc.pk])))
    assert reverse("meetings:meeting_detail", args=[m.pk]) in html


# --- edit -------------------------------------------------------------------------------------


def test_edit_changes_the_place_and_refuses_a_bad_date(client, meeting_year):
    m = meeting_year.meeting
    c = client_for(client, meeting_year.secretariat)
    url = reverse("meetings:meeting_edit", args=[m.pk])
    data = _create_data(held_on="20/12/2020", place="Khách sạn Sài Gòn - Quảng Bình")
    assert c.post(url, data).status_code == 302
    m.refresh_from_db()
    assert m.place == "Khách sạn Sài Gòn - Quảng Bình"
    response = c.post(url, {**data, "held_on": "31/02/2020", "place": "Nơi khác"})
    assert response.status_code == 400
    assert "Ngày không hợp lệ" in response.context["form"].errors["held_on"][0]
    m.refresh_from_db()
    assert m.place == "Khách sạn Sài Gòn - Quảng Bình"


def test_edit_after_freezing_keeps_the_facts(client, meeting_year):
    m = meeting_year.meeting
    meeting_services.meeting_attendance_freeze(meeting=m, actor=meeting_year.secretariat)
    c = client_for(client, meeting_year.secretariat)
    response = c.post(
        reverse("meetings:meeting_edit", args=[m.pk]),
        _create_data(held_on="20/12/2020", place="Nơi khác"),
    )
    assert response.status_code == 400
    assert "chỉ còn sửa được phần tóm tắt" in body(response)
    m.refresh_from_db()
    assert m.place == "Hội trường Sở Giao thông Vận tải"


# --- people -----------------------------------------------------------------------------------


def _people_data(rows_by_role: dict) -> dict:
    data = {}
    for role in ("chair", "secretary", "guest", "counting"):
        rows = rows_by_role.get(role, [])
        data[f"{role}-TOTAL_FORMS"] = str(len(rows) + 1)
        data[f"{role}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{role}-{i}-{key}"] = value
    return data


def test_people_page_saves_the_four_lists(client, meeting_year):
    m = meeting_year.meeting
    head = meeting_year.units[0]
    chair_user = meeting_year.leaders[head.pk]
    c = client_for(client, meeting_year.secretariat)
    url = reverse("meetings:meeting_people", args=[m.pk])
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        _people_data(
            {
                "chair": [
                    {
                        "name": "Đặng Trọng Thắng",
                        "title": "Giám đốc",
                        "unit": str(head.pk),
                        "user": str(chair_user.pk),
                    }
                ],
                "secretary": [
                    {
                        "name": "Thư Ký",
                        "title": "Chuyên viên",
                        "user": str(meeting_year.secretariat.pk),
                    }
                ],
                "guest": [
                    {"name": "Trương Minh Hiến", "title": "Phó Chủ tịch UBND tỉnh"},
                    {"name": "Lê Thị Thu Hằng", "title": "Trưởng Ban Thi đua, Khen thưởng"},
                ],
                "counting": [{"name": "Nguyễn Văn An"}, {"name": "Trần Thị Bình"}],
            }
        ),
    )
    assert response.status_code == 302
    people = {r: list(m.people.filter(role=r)) for r in ("chair", "secretary", "guest", "counting")}
    assert people["chair"][0].user == chair_user and people["chair"][0].unit == head
    assert [p.name for p in people["guest"]] == ["Trương Minh Hiến", "Lê Thị Thu Hằng"]
    assert len(people["counting"]) == 2


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"name": "x" * 101}, "name", "Quá dài (tối đa 100 ký tự)."),
        ({"name": "Ai Đó", "title": "x" * 201}, "title", "Quá dài"),
        ({"title": "Giám đốc"}, "name", "Hãy ghi họ và tên."),
        ({"name": "Ai Đó", "user": "999999"}, "user", "không thuộc danh sách"),
        ({"name": "Ai Đó", "unit": "abc"}, "unit", "Hãy chọn một đơn vị"),
    ],
)
def test_people_bad_input_saves_nothing(client, meeting_year, row, field, message):
    m = meeting_year.meeting
    c = client_for(client, meeting_year.secretariat)
    response = c.post(
        reverse("meetings:meeting_people", args=[m.pk]),
        _people_data({"chair": [{"name": "Người Hợp Lệ"}], "guest": [row]}),
    )
    assert response.status_code == 400
    guest_forms = {r: fs for _l, r, fs in response.context["formsets"]}["guest"]
    assert message in guest_forms.forms[0].errors[field][0]
    assert f'id="error-guest-0-{field}"' in body(response)
    # The valid chair was not saved either.
    assert not MeetingPerson.objects.filter(meeting=m).exists()


def test_people_of_another_province_are_refused(client, world, meeting_year):
    from blocs.models import Unit

    far_unit = Unit.objects.get(province=world.other_province)
    c = client_for(client, meeting_year.secretariat)
    response = c.post(
        reverse("meetings:meeting_people", args=[meeting_year.meeting.pk]),
        _people_data({"guest": [{"name": "Khách", "unit": str(far_unit.pk)}]}),
    )
    assert response.status_code == 400
    assert not MeetingPerson.objects.exists()


def test_people_service_error_shows_next_to_the_row(client, meeting_year):
    """The chair and the secretary must be two people: the service says so on the row."""
    m = meeting_year.meeting
    user = meeting_year.secretariat
    c = client_for(client, user)
    response = c.post(
        reverse("meetings:meeting_people", args=[m.pk]),
        _people_data(
            {
                "chair": [{"name": "Một Người", "user": str(user.pk)}],
                "secretary": [{"name": "Một Người", "user": str(user.pk)}],
            }
        ),
    )
    assert response.status_code == 400
    assert "hai người khác nhau" in body(response)
    assert not MeetingPerson.objects.filter(meeting=m).exists()


def test_people_post_by_the_board_is_forbidden(client, world, meeting_year):
    c = client_for(client, world.users["board_here"])
    response = c.post(
        reverse("meetings:meeting_people", args=[meeting_year.meeting.pk]),
        _people_data({"chair": [{"name": "Ai Đó"}]}),
    )
    assert response.status_code == 403
    assert not MeetingPerson.objects.exists()


# --- agenda -----------------------------------------------------------------------------------


def _agenda_data(rows, initial=0) -> dict:
    data = {"a-TOTAL_FORMS": str(len(rows)), "a-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"a-{i}-{key}"] = value
    return data


def test_agenda_is_saved_in_the_order_given_and_rows_removed(client, meeting_year):
    m = meeting_year.meeting
    c = client_for(client, meeting_year.secretariat)
    url = reverse("meetings:meeting_agenda", args=[m.pk])
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        _agenda_data(
            [
                {"title": "Khai mạc", "ORDER": "1"},
                {"title": "Bình xét thi đua", "presenter": "Thư ký", "ORDER": "3"},
                {"title": "Báo cáo tổng kết", "presenter": "Trưởng khối", "ORDER": "2"},
                {"title": "Nội dung bỏ", "ORDER": "4", "DELETE": "on"},
                {"title": "", "ORDER": ""},
            ]
        ),
    )
    assert response.status_code == 302
    assert [i.title for i in AgendaItem.objects.filter(meeting=m).order_by("order")] == [
        "Khai mạc",
        "Báo cáo tổng kết",
        "Bình xét thi đua",
    ]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"title": "x" * 301, "ORDER": "1"}, "title", "Quá dài (tối đa 300 ký tự)."),
        ({"title": "Báo cáo", "presenter": "x" * 201, "ORDER": "1"}, "presenter", "Quá dài"),
        ({"presenter": "Trưởng khối", "ORDER": "1"}, "title", "Hãy ghi nội dung"),
        ({"title": "Báo cáo", "ORDER": "một"}, "ORDER", ""),
    ],
)
def test_agenda_bad_input_saves_nothing(client, meeting_year, row, field, message):
    m = meeting_year.meeting
    c = client_for(client, meeting_year.secretariat)
    response = c.post(
        reverse("meetings:meeting_agenda", args=[m.pk]),
        _agenda_data([{"title": "Khai mạc", "ORDER": "1"}, row]),
    )
    assert response.status_code == 400
    errors = response.context["formset"].forms[1].errors[field]
    assert message in errors[0]
    assert not AgendaItem.objects.filter(meeting=m).exists()


# --- attendance -------------------------------------------------------------------------------


def _attendance_data(my: MeetingYear, overrides=None) -> dict:
    data = {}
    for i, unit in enumerate(my.units):
        data[f"u{unit.pk}-status"] = "present" if i < 7 else "absent"
        data[f"u{unit.pk}-representative_name"] = f"Người dự {i + 1}" if i < 7 else ""
        data[f"u{unit.pk}-representative_title"] = "Phó Giám đốc" if i < 7 else ""
        data[f"u{unit.pk}-representative_user"] = ""
    data.update(overrides or {})
    return data


def test_attendance_one_form_for_every_member(client, meeting_year):
    my = meeting_year
    c = client_for(client, my.secretariat)
    url = reverse("meetings:meeting_attendance", args=[my.meeting.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert body(page).count('class="attendance-row"') == 9
    # The voting-account select offers the unit's own leaders and staff only.
    third = my.units[2]
    form = next(r["form"] for r in page.context["rows"] if r["unit"] == third)
    offered = {pk for pk, _label in form.fields["representative_user"].choices if pk}
    assert offered == {str(my.leaders[third.pk].pk), str(my.staff.pk)}
    response = c.post(
        url, _attendance_data(my, {f"u{third.pk}-representative_user": str(my.staff.pk)})
    )
    assert response.status_code == 302
    rows = {a.unit_id: a for a in Attendance.objects.filter(meeting=my.meeting)}
    assert len(rows) == 9
    assert rows[third.pk].representative_user == my.staff
    assert sum(1 for a in rows.values() if a.status == "present") == 7
    html = body(c.get(reverse("meetings:meeting_detail", args=[my.meeting.pk])))
    assert "Có mặt 7/9 đơn vị" in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("representative_name", "", "Nhập họ và tên người dự họp."),
        ("representative_name", "x" * 101, "Quá dài (tối đa 100 ký tự)."),
        ("representative_title", "x" * 201, "Quá dài"),
        ("status", "maybe", "Tình trạng không hợp lệ."),
        ("representative_user", "999999", "Chỉ chọn tài khoản"),
    ],
)
def test_attendance_bad_row_saves_nothing(client, meeting_year, field, value, message):
    my = meeting_year
    second = my.units[1]
    c = client_for(client, my.secretariat)
    response = c.post(
        reverse("meetings:meeting_attendance", args=[my.meeting.pk]),
        _attendance_data(my, {f"u{second.pk}-{field}": value}),
    )
    assert response.status_code == 400
    form = next(r["form"] for r in response.context["rows"] if r["unit"] == second)
    assert message in form.errors[field][0]
    assert f'id="error-u{second.pk}-{field}"' in body(response)
    assert not Attendance.objects.filter(meeting=my.meeting).exists()


def test_attendance_voting_account_of_another_unit_is_refused(client, meeting_year):
    my = meeting_year
    first, second = my.units[0], my.units[1]
    c = client_for(client, my.secretariat)
    response = c.post(
        reverse("meetings:meeting_attendance", args=[my.meeting.pk]),
        _attendance_data(my, {f"u{first.pk}-representative_user": str(my.leaders[second.pk].pk)}),
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_attendance_ignores_a_forged_unit_of_another_province(client, world, meeting_year):
    from blocs.models import Unit

    my = meeting_year
    far_unit = Unit.objects.get(province=world.other_province)
    c = client_for(client, my.secretariat)
    response = c.post(
        reverse("meetings:meeting_attendance", args=[my.meeting.pk]),
        _attendance_data(
            my,
            {f"u{far_unit.pk}-status": "present", f"u{far_unit.pk}-representative_name": "X"},
        ),
    )
    assert response.status_code == 302
    assert not Attendance.objects.filter(unit=far_unit).exists()
    assert Attendance.objects.filter(meeting=my.meeting).count() == 9


def test_attendance_is_read_only_after_freezing_and_a_replayed_post_changes_nothing(
    client, meeting_year
):
    my = meeting_year
    c = client_for(client, my.secretariat)
    url = reverse("meetings:meeting_attendance", args=[my.meeting.pk])
    data = _attendance_data(my)
    assert c.post(url, data).status_code == 302
    meeting_services.meeting_attendance_freeze(meeting=my.meeting, actor=my.secretariat)
    page = c.get(url)
    assert page.status_code == 200
    html = body(page)
    assert 'id="frozen-notice"' in html and "không còn sửa được" in html
    assert 'id="attendance-form"' not in html
    before = list(Attendance.objects.order_by("pk").values_list("unit_id", "status", "recorded_at"))
    replay = c.post(url, {**data, f"u{my.units[0].pk}-status": "absent"})
    assert replay.status_code == 400
    assert "đã chốt" in body(replay)
    after = list(Attendance.objects.order_by("pk").values_list("unit_id", "status", "recorded_at"))
    assert after == before


@pytest.mark.parametrize("role", ["board_here", "leader_member", "staff_member", "norole"])
def test_attendance_post_by_others_is_forbidden(client, world, meeting_year, role):
    my = meeting_year
    c = client_for(client, world.users[role])
    response = c.post(
        reverse("meetings:meeting_attendance", args=[my.meeting.pk]), _attendance_data(my)
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


# --- invitations ------------------------------------------------------------------------------


def test_invitations_are_sent_and_the_page_says_when(
    client, meeting_year, mailoutbox, django_capture_on_commit_callbacks
):
    my = meeting_year
    c = client_for(client, my.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("meetings:meeting_invite", args=[my.meeting.pk]))
    assert response.status_code == 302
    my.meeting.refresh_from_db()
    assert my.meeting.invitations_sent_at is not None
    assert len(mailoutbox) >= 1
    html = body(c.get(reverse("meetings:meeting_detail", args=[my.meeting.pk])))
    assert "Đã gửi lúc" in html and "Gửi lại giấy mời" in html


def test_invitations_by_a_leader_are_forbidden(client, meeting_year):
    my = meeting_year
    c = client_for(client, my.leaders[my.units[0].pk])
    assert c.post(reverse("meetings:meeting_invite", args=[my.meeting.pk])).status_code == 403
    my.meeting.refresh_from_db()
    assert my.meeting.invitations_sent_at is None


# --- queries ----------------------------------------------------------------------------------


def _sized_meeting(world, n: int):
    bloc = bloc_services.bloc_create(province=world.province, name=f"Khối thử {n} đơn vị")
    units = [
        bloc_services.unit_create(province=world.province, name=f"Đơn vị {n}-{i}") for i in range(n)
    ]
    by = bloc_services.bloc_year_create(
        bloc=bloc, year=2020, members=units, head=units[0], deputy=units[1]
    )
    secretariat = make_user(f"thuky.{n}")
    bloc_services.role_assign(user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=by)
    for i, unit in enumerate(units):
        for role in (RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF):
            bloc_services.role_assign(user=make_user(f"u{n}.{i}.{role}"), role=role, unit=unit)
    meeting = meeting_services.meeting_create(
        bloc_year=by, kind="year_end", held_on=dt.date(2020, 12, 20), actor=secretariat
    )
    for person_role in ("chair", "guest"):
        meeting_services.meeting_people_set(
            meeting=meeting,
            role=person_role,
            people=[{"name": f"Người {k}", "unit": units[k]} for k in range(2)],
            actor=secretariat,
        )
    meeting_services.attendance_record_many(
        meeting=meeting,
        rows=[
            {"unit": u, "status": "present", "representative_name": f"Đại diện {u.name}"}
            for u in units
        ],
        actor=secretariat,
    )
    return meeting, secretariat


def _count(client, user, url) -> int:
    client.force_login(user)
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["meetings:meeting_detail", "meetings:meeting_attendance"])
def test_pages_cost_the_same_queries_at_3_and_12_members(
    client, world, page, django_assert_max_num_queries
):
    small, small_user = _sized_meeting(world, 3)
    large, large_user = _sized_meeting(world, 12)
    n_small = _count(client, small_user, reverse(page, args=[small.pk]))
    n_large = _count(client, large_user, reverse(page, args=[large.pk]))
    assert n_small == n_large, (n_small, n_large)
    client.force_login(large_user)
    with django_assert_max_num_queries(25):
        client.get(reverse(page, args=[large.pk]))


# --- dashboard and the elected head/deputy -----------------------------------------------------


def test_dashboard_lists_the_open_ballots_a_leader_may_vote_in(client, world, ballot_year):
    from meetings.services import ballots as ballot_services

    from .conftest import ballot_cast, ballot_nomination

    by = ballot_year
    ballot = ballot_nomination(by)
    leader = by.leaders[by.units[0].pk]
    assert "Cuộc bỏ phiếu đang mở" not in body(client_for(client, leader).get("/"))
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    html = body(client.get("/"))
    assert "Cuộc bỏ phiếu đang mở" in html
    assert reverse("meetings:ballot_vote", args=[ballot.pk]) in html
    assert by.units[0].name in html
    # The board sees everything but votes nowhere.
    client.force_login(world.users["board_here"])
    assert "Cuộc bỏ phiếu đang mở" not in body(client.get("/"))
    # Once the unit has voted, the ballot leaves its leader's list.
    ballot_cast(by, ballot, by.units[0], {})
    client.force_login(leader)
    assert "Cuộc bỏ phiếu đang mở" not in body(client.get("/"))


def test_ballots_open_for_a_named_representative(world, ballot_year):
    """The representative named in the attendance votes for the unit, not only its leader."""
    from meetings.selectors.dashboard import ballots_open_for_user
    from meetings.services import ballots as ballot_services

    from .conftest import ballot_attend, ballot_nomination

    by = ballot_year
    deputy_staff = make_user("canbo.dai.dien")
    bloc_services.role_assign(user=deputy_staff, role=RoleAssignment.Role.STAFF, unit=by.units[1])
    ballot_attend(by.meeting, by.units[1], by.secretariat, representative_user=deputy_staff)
    ballot = ballot_nomination(by)
    assert ballots_open_for_user(user=deputy_staff) == []
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    [item] = ballots_open_for_user(user=deputy_staff)
    assert item.ballot == ballot and item.units == [by.units[1]]


def test_upcoming_meetings_of_the_users_blocs(world, meeting_year):
    from meetings.selectors.dashboard import meetings_upcoming_for_user

    my = meeting_year
    leader = my.leaders[my.units[4].pk]
    assert meetings_upcoming_for_user(user=leader, today=dt.date(2020, 12, 1)) == [my.meeting]
    assert meetings_upcoming_for_user(user=leader, today=dt.date(2020, 12, 21)) == []
    assert meetings_upcoming_for_user(user=world.users["leader_nonmember"]) == []


def test_the_elected_head_and_deputy_show_on_next_years_page(client, world, ballot_year):
    from blocs.models import BlocYear
    from meetings.services import ballots as ballot_services

    from .conftest import ballot_cast, ballot_election

    by = ballot_year
    ballot = ballot_election(by)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    winner_head, winner_deputy = by.units[2], by.units[4]
    for unit in by.units:
        ballot_cast(
            by,
            ballot,
            unit,
            {(winner_head.pk, "head"): "yes", (winner_deputy.pk, "deputy"): "yes"},
        )
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    ballot_services.ballot_publish(ballot=ballot, actor=by.secretariat)
    next_year = BlocYear.objects.get(bloc=by.bloc, year=2021)
    client.force_login(by.leaders[by.units[0].pk])
    html = body(client.get(reverse("blocs:bloc_year_detail", args=[next_year.pk])))
    assert "Trưởng khối, Phó khối được bầu tại Hội nghị tổng kết ngày 20/12/2020" in html
    assert reverse("meetings:ballot_detail", args=[ballot.pk]) in html
    # This year's page has no such line.
    html = body(client.get(reverse("blocs:bloc_year_detail", args=[by.bloc_year.pk])))
    assert 'id="elected-at"' not in html
