"""Report services: the draft, its narrative with limits, the meeting's agenda, approval
with the facts frozen, the head unit's leader's signature (password re-entry), sealing in
the service and in the database, new versions, the year's cycle fact."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from blocs import cycle
from blocs import services as bloc_services
from blocs.models import RoleAssignment
from core.models import AuditEvent
from meetings.models import AgendaItem, Meeting
from meetings.services import meetings as meeting_services
from reports import services
from reports.compose import content_hash
from reports.models import NARRATIVE_MAX, Report
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

TEXT = {
    "results_text": (
        "Các đơn vị hoàn thành tốt nhiệm vụ chính trị.\nLĩnh vực giao thông đạt kết quả cao."
    ),
    "shortcomings_text": "Một số đơn vị gửi báo cáo chậm.",
    "tasks_text": "Tiếp tục đổi mới hình thức thi đua.",
}


@pytest.fixture
def sec(world):
    return world.users["secretariat_here"]


@pytest.fixture
def meeting(world, sec):
    return meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 20),
        actor=sec,
        place="Hội trường Ban Quản lý Khu kinh tế",
    )


@pytest.fixture
def draft(world, sec):
    report = services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=sec)
    return services.report_narrative_update(report=report, actor=sec, **TEXT)


@pytest.fixture
def approved(draft, meeting, sec):
    services.report_attach(report=draft, meeting=meeting, actor=sec)
    return services.report_approve(report=draft, actor=sec)


def _sign(world, report, **kw):
    return services.report_sign(
        report=report, user=world.users["leader_member"], password=PASSWORD, **kw
    )


def _db_refuses(fn):
    with pytest.raises(DatabaseError), transaction.atomic():
        fn()


# --- draft and narrative ------------------------------------------------------------------


def test_create_presets_the_head_as_presenter_and_returns_the_current_one(world, sec):
    report = services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=sec)
    assert (report.version, report.status, report.presenter) == (1, "draft", world.head.name)
    again = services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=sec)
    assert again.pk == report.pk
    mid = services.report_create(bloc_year=world.bloc_year, kind="mid_year", actor=sec)
    assert mid.presenter == world.deputy.name  # the deputy presents the six-month report
    assert AuditEvent.objects.filter(action="report_create").count() == 2


def test_create_refuses_a_bad_kind_and_other_roles(world, sec):
    with pytest.raises(ValidationError) as exc:
        services.report_create(bloc_year=world.bloc_year, kind="weekly", actor=sec)
    assert exc.value.message_dict == {"kind": ["Loại báo cáo không hợp lệ."]}
    for role in ("board_here", "leader_member", "secretariat_other"):
        with pytest.raises(PermissionDenied):
            services.report_create(
                bloc_year=world.bloc_year, kind="year_end", actor=world.users[role]
            )
    assert not Report.objects.exists()


def test_narrative_limits_and_bad_values_save_nothing(draft, sec):
    with pytest.raises(ValidationError) as exc:
        services.report_narrative_update(
            report=draft,
            actor=sec,
            results_text="x" * (NARRATIVE_MAX + 1),
            shortcomings_text=12,
            tasks_text="Mới",
            presenter="p" * 201,
        )
    errors = exc.value.message_dict
    assert set(errors) == {"results_text", "shortcomings_text", "presenter"}
    assert errors["results_text"] == [
        f"Tối đa {NARRATIVE_MAX} ký tự (hiện có {NARRATIVE_MAX + 1})."
    ]
    draft.refresh_from_db()
    assert draft.tasks_text == TEXT["tasks_text"]
    with pytest.raises(ValidationError):
        services.report_narrative_update(report=draft, actor=sec, facts="{}")


# --- agenda -------------------------------------------------------------------------------


def test_attach_reuses_the_meetings_report_item_or_adds_one(world, draft, meeting, sec):
    meeting_services.meeting_agenda_set(
        meeting=meeting,
        items=[
            {"title": "Khai mạc", "presenter": ""},
            {"title": "Báo cáo tổng kết công tác thi đua năm 2020", "presenter": ""},
        ],
        actor=sec,
    )
    report = services.report_attach(report=draft, meeting=meeting, actor=sec)
    assert report.agenda_item.title == "Báo cáo tổng kết công tác thi đua năm 2020"
    assert report.agenda_item.presenter == world.head.name
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2

    other = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 28),
        actor=sec,
    )
    report = services.report_attach(report=report, meeting=other, actor=sec)
    assert report.agenda_item.meeting == other
    assert report.agenda_item.title == "Báo cáo tổng kết phong trào thi đua năm 2020"
    assert report.agenda_item.order == 1


def test_attach_refuses_a_meeting_of_another_year_or_kind(world, draft, sec):
    mid = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.MID_YEAR,
        held_on=dt.date(2020, 7, 1),
        actor=sec,
    )
    with pytest.raises(ValidationError) as exc:
        services.report_attach(report=draft, meeting=mid, actor=sec)
    assert exc.value.message_dict == {
        "meeting": ["Báo cáo này được trình tại hội nghị tổng kết năm."]
    }
    far = meeting_services.meeting_create(
        bloc_year=world.other_bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 1),
        actor=world.users["secretariat_other"],
    )
    with pytest.raises(ValidationError) as exc:
        services.report_attach(report=draft, meeting=far, actor=sec)
    assert "meeting" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.meeting_id is None


# --- approval -----------------------------------------------------------------------------


def test_approve_needs_the_meeting_and_every_section(world, sec, meeting):
    report = services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=sec)
    with pytest.raises(ValidationError) as exc:
        services.report_approve(report=report, actor=sec)
    assert set(exc.value.message_dict) == {
        "meeting",
        "results_text",
        "shortcomings_text",
        "tasks_text",
    }
    report.refresh_from_db()
    assert report.status == "draft" and report.facts == {}


def test_approve_refuses_a_meeting_not_held_yet(world, draft, meeting, sec):
    services.report_attach(report=draft, meeting=meeting, actor=sec)
    before = dt.datetime(2020, 12, 1, 9, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as exc:
        services.report_approve(report=draft, actor=sec, _historical_at=before)
    assert exc.value.message_dict == {
        "meeting": ["Hội nghị chưa diễn ra: báo cáo được thông qua tại hội nghị."]
    }


def test_approval_freezes_the_facts_with_their_hash(world, approved, sec):
    assert approved.status == "approved"
    assert approved.facts["member_count"] == 3
    assert approved.facts["meeting"]["held_on"] == "20/12/2020"
    narrative = {k: getattr(approved, k) for k in TEXT}
    assert approved.sha256 == content_hash(facts=approved.facts, narrative=narrative)
    frozen = dict(approved.facts)
    # Later data does not change what was approved.
    meeting_services.meeting_create(
        bloc_year=world.bloc_year, kind=Meeting.Kind.OTHER, held_on=dt.date(2020, 12, 22), actor=sec
    )
    approved.refresh_from_db()
    assert approved.facts == frozen
    with pytest.raises(ValidationError, match="tạo phiên bản mới"):
        services.report_narrative_update(report=approved, actor=sec, tasks_text="Khác")


# --- signature ----------------------------------------------------------------------------


def test_the_head_units_leader_signs_and_the_report_is_sealed(world, approved):
    report = _sign(world, approved, expected_hash=approved.sha256, ip_address="192.0.2.7")
    assert report.status == "signed" and report.sealed
    assert report.signed_by == world.users["leader_member"]
    assert report.signer_unit == world.head
    assert report.signer_ip == "192.0.2.7"
    assert report.signer_name == "Lãnh đạo Ban Quản lý Khu kinh tế"  # no name recorded
    assert report.signer_title == "Thủ trưởng Ban Quản lý Khu kinh tế"
    assert AuditEvent.objects.filter(action="report_sign").exists()
    assert cycle.year_facts_load([world.bloc_year])[world.bloc_year.pk].report_signed


def test_signature_rules(world, draft, approved, sec):
    with pytest.raises(ValidationError) as exc:
        services.report_sign(report=approved, user=world.users["leader_member"], password="sai")
    assert exc.value.message_dict == {"password": ["Mật khẩu không đúng."]}
    # Neither the secretariat, nor the board, nor an administrator, nor a member's leader.
    deputy_leader = make_user("lanhdao.pho")
    bloc_services.role_assign(
        user=deputy_leader, role=RoleAssignment.Role.LEADER, unit=world.deputy
    )
    for user in (sec, world.users["board_here"], world.users["admin"], deputy_leader):
        with pytest.raises(ValidationError, match="Chỉ lãnh đạo đơn vị Trưởng khối"):
            services.report_sign(report=approved, user=user, password=PASSWORD)
    with pytest.raises(ValidationError, match="đã thay đổi"):
        _sign(world, approved, expected_hash="0" * 64)
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.signed_at is None
    assert not cycle.year_facts_load([world.bloc_year])[world.bloc_year.pk].report_signed


def test_a_draft_cannot_be_signed(world, sec):
    report = services.report_create(bloc_year=world.bloc_year, kind="mid_year", actor=sec)
    with pytest.raises(ValidationError, match="chưa được thông qua"):
        _sign(world, report)


# --- sealing ------------------------------------------------------------------------------


def test_a_signed_report_is_sealed_in_the_services(world, approved, sec):
    signed = _sign(world, approved)
    for call in (
        lambda: services.report_narrative_update(report=signed, actor=sec, tasks_text="Khác"),
        lambda: services.report_approve(report=signed, actor=sec),
        lambda: services.report_new_version(report=signed, actor=sec),
        lambda: _sign(world, signed),
    ):
        with pytest.raises(ValidationError, match="đã được ký và niêm phong"):
            call()


def test_a_signed_report_is_sealed_in_the_database(world, approved):
    signed = _sign(world, approved)
    rows = Report.objects.filter(pk=signed.pk)
    _db_refuses(lambda: rows.update(tasks_text="Sửa trong cơ sở dữ liệu"))
    _db_refuses(lambda: rows.update(status="approved"))
    _db_refuses(lambda: rows.update(signer_name="Người khác"))
    if connection.vendor == "postgresql":  # SQLite: no DELETE guard (see the migration)
        _db_refuses(lambda: rows.delete())
    signed.refresh_from_db()
    assert signed.status == "signed" and signed.tasks_text == TEXT["tasks_text"]


def test_an_approved_report_keeps_its_facts_in_the_database(approved):
    rows = Report.objects.filter(pk=approved.pk)
    _db_refuses(lambda: rows.update(facts={}))
    _db_refuses(lambda: rows.update(results_text="Khác"))
    _db_refuses(lambda: rows.update(status="draft"))
    if connection.vendor == "postgresql":
        _db_refuses(lambda: rows.delete())
    assert rows.update(status="superseded") == 1  # what a new version does


# --- versions -----------------------------------------------------------------------------


def test_new_version_supersedes_the_approved_one(world, approved, sec):
    new = services.report_new_version(report=approved, actor=sec)
    approved.refresh_from_db()
    assert approved.status == "superseded"
    assert (new.version, new.status, new.meeting_id) == (2, "draft", approved.meeting_id)
    assert new.results_text == approved.results_text
    assert (
        services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=sec).pk == new.pk
    )
    with pytest.raises(ValidationError, match="đã được thay thế"):
        services.report_approve(report=approved, actor=sec)
    with pytest.raises(ValidationError, match="chưa được thông qua"):
        services.report_new_version(report=new, actor=sec)


def test_the_year_closes_once_the_report_is_signed(world, approved):
    from blocs.models import BlocYear

    bloc_services.bloc_year_create(
        bloc=world.bloc,
        year=2021,
        members=[world.head, world.deputy],
        head=world.deputy,
        deputy=world.head,
    )
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=BlocYear.Status.REVIEWED)
    by = BlocYear.objects.select_related("bloc").get(pk=world.bloc_year.pk)
    with pytest.raises(ValidationError, match="báo cáo tổng kết năm chưa được duyệt và ký"):
        cycle.bloc_year_close(bloc_year=by, actor=world.users["board_here"])
    _sign(world, approved)
    by = BlocYear.objects.select_related("bloc").get(pk=world.bloc_year.pk)
    closed = cycle.bloc_year_close(bloc_year=by, actor=world.users["secretariat_here"])
    assert closed.status == BlocYear.Status.CLOSED
