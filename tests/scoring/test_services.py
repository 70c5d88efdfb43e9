"""Saving scores (all or nothing, versions, history), stage transitions and locking, table
copy, evidence limits, cross assignments."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from scoring import services
from scoring.models import (
    CriteriaTable,
    ScoreChange,
    ScoreSheet,
    ScoreValue,
    ScoringYearEvent,
    Stage,
)

from .conftest import FULL, save

pytestmark = pytest.mark.django_db


def sheet(world, unit):
    return ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=unit)


def test_table_creation_makes_a_sheet_per_member(world, table):
    assert ScoreSheet.objects.filter(bloc_year=world.bloc_year).count() == 3
    assert services.criteria_table_for_bloc_year(bloc_year=world.bloc_year) == table


def test_points_parse_accepts_comma_and_dot():
    assert services.points_parse("8,5") == D("8.5")
    assert services.points_parse(" 8.5 ") == D("8.5")
    assert services.points_parse("10") == D("10")
    assert services.points_parse("") is None
    assert services.points_parse("0,25", max_points=D("1")) == D("0.25")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11", "Vượt điểm tối đa: tối đa 10 điểm."),
        ("-1", "Điểm không được âm."),
        ("abc", "không phải là số"),
        ("8,555", "tối đa 2 chữ số thập phân"),
        ("<script>alert(1)</script>", "không phải là số"),
        ("1e3", "không phải là số"),
        ("NaN", "không phải là số"),
        ("8,5,1", "không phải là số"),
        ("x" * 10000, "không phải là số"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(world, table, crit, raw, message):
    secretariat = world.users["secretariat_here"]
    with pytest.raises(services.ScoreSaveRefused) as exc:
        save(
            world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "8", "2.2": raw}
        )
    errors = exc.value.errors
    key = f"{world.member.pk}:{crit['2.2'].pk}"
    assert message in errors[key]
    assert list(errors) == [key]  # the good cell has no error...
    assert not ScoreValue.objects.exists()  # ...but nothing was saved in part


def test_a_cell_of_another_bloc_is_refused(world, table, crit):
    secretariat = world.users["secretariat_here"]
    with pytest.raises(services.ScoreSaveRefused) as exc:
        save(world.bloc_year, Stage.CROSS, secretariat, world.non_member, crit, {"1.1": "8"})
    assert "không thuộc bảng chấm điểm của khối" in next(iter(exc.value.errors.values()))
    other = services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.other_bloc_year,
        name="Bảng khác",
        groups=[
            {"code": "A", "name": "A", "criteria": [{"code": "a", "name": "a", "max_points": "5"}]}
        ],
    )
    foreign = other.criteria.get()
    with pytest.raises(services.ScoreSaveRefused):
        services.scores_save(
            bloc_year=world.bloc_year,
            stage=Stage.CROSS,
            cells=[
                services.CellInput(
                    unit_id=world.member.pk, criterion_id=foreign.pk, version=0, value="1"
                )
            ],
            actor=secretariat,
        )
    assert not ScoreValue.objects.exists()


def test_save_records_versions_history_and_audit(world, table, crit):
    secretariat = world.users["secretariat_here"]
    result = save(
        world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "8,5", "2.1": "20"}
    )
    assert result.changed == 2
    key = f"{world.member.pk}:{crit['1.1'].pk}"
    assert result.saved[key] == {"value": "8,5", "version": 1}
    assert result.totals[world.member.pk]["total"] == "28,5"
    save(world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "9"}, {"1.1": 1})
    value = ScoreValue.objects.get(criterion=crit["1.1"], stage=Stage.CROSS)
    assert value.value == D("9") and value.version == 2
    history = list(ScoreChange.objects.filter(score_value=value).order_by("version"))
    assert [(h.old_value, h.new_value, h.changed_by) for h in history] == [
        (None, D("8.5"), secretariat),
        (D("8.5"), D("9"), secretariat),
    ]
    assert AuditEvent.objects.filter(action="scores_save").count() == 2
    # Saving the same value again changes nothing and records nothing.
    again = save(
        world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "9,00"}, {"1.1": 2}
    )
    assert again.changed == 0 and ScoreChange.objects.count() == 3


def test_stale_version_is_refused_with_the_newer_value_and_who_saved_it(world, table, crit):
    secretariat, other = world.users["secretariat_here"], world.users["admin"]
    other.first_name = "Trần Thị Quản Trị"
    other.save()
    save(world.bloc_year, Stage.CROSS, other, world.member, crit, {"1.1": "7"})
    with pytest.raises(services.ScoreSaveRefused) as exc:
        # The secretariat still has the page it opened before: version 0.
        save(
            world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "9", "2.1": "15"}
        )
    conflict = exc.value.conflicts[f"{world.member.pk}:{crit['1.1'].pk}"]
    assert conflict["value"] == "7" and conflict["version"] == 1
    assert "Trần Thị Quản Trị" in conflict["message"] and "“7”" in conflict["message"]
    assert ScoreValue.objects.get(criterion=crit["1.1"]).value == D("7")
    assert not ScoreValue.objects.filter(criterion=crit["2.1"]).exists()


def test_comment_is_saved_and_limited(world, table, crit, settings):
    staff = world.users["staff_member"]
    services.scores_save(
        bloc_year=world.bloc_year,
        stage=Stage.SELF,
        cells=[services.CellInput(world.member.pk, crit["1.1"].pk, 0, "8", "<b>Đã hoàn thành</b>")],
        actor=staff,
    )
    assert ScoreValue.objects.get().comment == "<b>Đã hoàn thành</b>"
    with pytest.raises(services.ScoreSaveRefused) as exc:
        services.scores_save(
            bloc_year=world.bloc_year,
            stage=Stage.SELF,
            cells=[services.CellInput(world.member.pk, crit["1.1"].pk, 1, "8", "x" * 2001)],
            actor=staff,
        )
    assert "Ghi chú quá dài" in next(iter(exc.value.errors.values()))


def test_self_stage_only_for_the_units_own_people(world, table, crit):
    save(world.bloc_year, Stage.SELF, world.users["staff_member"], world.member, crit, {"1.1": "8"})
    for role in ("secretariat_here", "board_here", "leader_member", "staff_nonmember"):
        with pytest.raises(PermissionDenied):
            save(world.bloc_year, Stage.SELF, world.users[role], world.member, crit, {"2.1": "8"})


def test_nobody_cross_scores_their_own_unit(world, table, crit):
    services.cross_assignment_set(
        bloc_year=world.bloc_year, pairs=[(world.head.pk, world.member.pk)], actor=None
    )
    leader = world.users["leader_member"]  # leader of the head unit
    save(world.bloc_year, Stage.CROSS, leader, world.member, crit, {"1.1": "8"})
    with pytest.raises(PermissionDenied):
        save(world.bloc_year, Stage.CROSS, leader, world.head, crit, {"1.1": "8"})
    with pytest.raises(PermissionDenied):  # not assigned to the deputy
        save(world.bloc_year, Stage.CROSS, leader, world.deputy, crit, {"1.1": "8"})
    with pytest.raises(ValidationError):
        services.cross_assignment_set(
            bloc_year=world.bloc_year, pairs=[(world.head.pk, world.head.pk)], actor=None
        )


def test_verified_stage_only_for_the_board_of_the_province(world, table, crit):
    save(
        world.bloc_year, Stage.VERIFIED, world.users["board_here"], world.member, crit, {"1.1": "8"}
    )
    for role in ("secretariat_here", "board_other", "leader_member"):
        with pytest.raises(PermissionDenied):
            save(
                world.bloc_year, Stage.VERIFIED, world.users[role], world.member, crit, {"2.1": "8"}
            )


def test_leader_submits_self_assessment_then_it_is_read_only(world, table, crit):
    staff = world.users["staff_member"]
    member_sheet = sheet(world, world.member)
    save(world.bloc_year, Stage.SELF, staff, world.member, crit, {"1.1": "8"})
    with pytest.raises(PermissionDenied):  # staff prepare, only the leader submits
        services.score_stage_submit(sheet=member_sheet, stage=Stage.SELF, actor=staff)
    from blocs import services as bloc_services
    from blocs.models import RoleAssignment
    from tests.conftest import make_user

    member_leader = make_user("lanhdao.sxd")
    bloc_services.role_assign(
        user=member_leader, role=RoleAssignment.Role.LEADER, unit=world.member
    )
    with pytest.raises(ValidationError) as exc:
        services.score_stage_submit(sheet=member_sheet, stage=Stage.SELF, actor=member_leader)
    assert "Còn 3 tiêu chí chưa chấm: 1.2, 2.1, 2.2." in exc.value.messages
    save(
        world.bloc_year,
        Stage.SELF,
        staff,
        world.member,
        crit,
        {"1.2": "9", "2.1": "18", "2.2": "10"},
    )
    with pytest.raises(ValidationError) as exc:
        services.score_stage_submit(sheet=member_sheet, stage=Stage.SELF, actor=member_leader)
    assert "minh chứng" in exc.value.messages[0] and "1.2" in exc.value.messages[0]
    services.evidence_add(
        sheet=member_sheet,
        criterion=crit["1.2"],
        upload=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        actor=staff,
    )
    services.score_stage_submit(sheet=member_sheet, stage=Stage.SELF, actor=member_leader)
    member_sheet.refresh_from_db()
    assert member_sheet.self_submitted_by == member_leader
    with pytest.raises(services.ScoreSaveRefused) as exc:
        save(world.bloc_year, Stage.SELF, staff, world.member, crit, {"1.1": "9"}, {"1.1": 1})
    assert "chỉ còn xem" in exc.value.message
    # The secretariat returns it with a reason; it is editable again.
    services.score_stage_return(
        sheet=member_sheet,
        stage=Stage.SELF,
        reason="Thiếu minh chứng 2.1",
        actor=world.users["secretariat_here"],
    )
    save(world.bloc_year, Stage.SELF, staff, world.member, crit, {"1.1": "9"}, {"1.1": 1})


def test_evidence_type_and_size_limits(world, table, crit, settings):
    settings.SCORING_EVIDENCE_MAX_BYTES = 100
    staff = world.users["staff_member"]
    member_sheet = sheet(world, world.member)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            sheet=member_sheet,
            criterion=crit["1.1"],
            upload=SimpleUploadedFile("x.exe", b"MZ"),
            actor=staff,
        )
    assert "Loại tệp không được nhận" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            sheet=member_sheet,
            criterion=crit["1.1"],
            upload=SimpleUploadedFile("x.pdf", b"x" * 101),
            actor=staff,
        )
    assert "Tệp quá lớn" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.evidence_add(
            sheet=member_sheet,
            criterion=crit["1.1"],
            upload=SimpleUploadedFile("x.pdf", b"x"),
            actor=world.users["secretariat_here"],
        )


def _fill_verified(world, crit, units):
    board = world.users["board_here"]
    for unit in units:
        save(world.bloc_year, Stage.VERIFIED, board, unit, crit, FULL)


def test_board_verifies_locks_and_reopens_with_a_reason(world, table, crit):
    board = world.users["board_here"]
    save(world.bloc_year, Stage.VERIFIED, board, world.head, crit, FULL)
    with pytest.raises(ValidationError) as exc:
        services.scoring_verify(bloc_year=world.bloc_year, actor=board)
    assert (
        "Sở Giao thông vận tải" in exc.value.messages[0] and "Sở Xây dựng" in exc.value.messages[0]
    )
    with pytest.raises(PermissionDenied):
        services.scoring_verify(bloc_year=world.bloc_year, actor=world.users["secretariat_here"])
    _fill_verified(world, crit, [world.deputy, world.member])
    state = services.scoring_verify(
        bloc_year=world.bloc_year,
        actor=board,
        confirmed_unit_ids=[world.head.pk, world.deputy.pk, world.member.pk],
    )
    assert state.locked
    for stage, role in ((Stage.CROSS, "secretariat_here"), (Stage.VERIFIED, "board_here")):
        with pytest.raises(services.ScoreSaveRefused) as exc:
            save(
                world.bloc_year,
                stage,
                world.users[role],
                world.member,
                crit,
                {"1.1": "1"},
                {"1.1": 1},
            )
        assert "đã khóa" in exc.value.message
    with pytest.raises(ValidationError):
        services.scoring_reopen(bloc_year=world.bloc_year, reason="ngắn", actor=board)
    with pytest.raises(PermissionDenied):
        services.scoring_reopen(
            bloc_year=world.bloc_year,
            reason="Sai sót khi cộng điểm",
            actor=world.users["board_other"],
        )
    services.scoring_reopen(
        bloc_year=world.bloc_year, reason="Sai sót khi cộng điểm tiêu chí 2.1", actor=board
    )
    event = ScoringYearEvent.objects.get(action="reopen")
    assert event.reason == "Sai sót khi cộng điểm tiêu chí 2.1" and event.actor == board
    assert AuditEvent.objects.filter(action="scoring_reopen").exists()
    save(world.bloc_year, Stage.VERIFIED, board, world.member, crit, {"1.1": "9"}, {"1.1": 1})
    # The old value stays in the history.
    assert ScoreChange.objects.filter(
        score_value__criterion=crit["1.1"], score_value__sheet__unit=world.member, old_value=D("10")
    ).exists()


def test_copy_cross_into_empty_verified_cells(world, table, crit):
    secretariat, board = world.users["secretariat_here"], world.users["board_here"]
    save(world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "8", "2.1": "15"})
    save(world.bloc_year, Stage.VERIFIED, board, world.member, crit, {"1.1": "7"})
    result = services.scores_copy_stage(
        bloc_year=world.bloc_year, source=Stage.CROSS, target=Stage.VERIFIED, actor=board
    )
    assert result.changed == 1
    verified = dict(
        ScoreValue.objects.filter(stage=Stage.VERIFIED).values_list("criterion__code", "value")
    )
    assert verified == {"1.1": D("7"), "2.1": D("15")}
    assert ScoreChange.objects.filter(note__startswith="Sao chép").count() == 1


def test_copy_last_years_table(world, table):
    from blocs import services as bloc_services

    next_year = bloc_services.bloc_year_create(
        bloc=world.bloc, year=2021, members=[world.head, world.member], head=world.head
    )
    copy = services.criteria_table_copy_previous(
        bloc_year=next_year, actor=world.users["secretariat_here"]
    )
    assert copy.name == "Bảng chấm điểm năm 2021"
    assert copy.copied_from == table and copy.criteria.count() == 8
    assert (copy.bonus_cap, copy.penalty_cap) == (D("5"), D("4"))
    assert list(copy.criteria.values_list("code", flat=True)) == list(
        table.criteria.values_list("code", flat=True)
    )
    with pytest.raises(ValidationError):
        services.criteria_table_copy_previous(bloc_year=next_year, actor=None)
    with pytest.raises(ValidationError):  # no earlier table
        services.criteria_table_copy_previous(bloc_year=world.other_bloc_year, actor=None)


def test_table_with_scores_is_never_replaced(world, table, crit):
    save(
        world.bloc_year,
        Stage.CROSS,
        world.users["secretariat_here"],
        world.member,
        crit,
        {"1.1": "8"},
    )
    with pytest.raises(ValidationError):
        services.criteria_table_create(
            province=world.province,
            year=2020,
            bloc_year=world.bloc_year,
            name="Mới",
            groups=[
                {
                    "code": "A",
                    "name": "A",
                    "criteria": [{"code": "a", "name": "a", "max_points": "5"}],
                }
            ],
            replace=True,
        )
    assert CriteriaTable.objects.get(bloc_year=world.bloc_year) == table


def test_shared_province_table_serves_blocs_without_their_own(world):
    shared = services.criteria_table_create(
        province=world.province,
        year=2020,
        name="Bảng chung của tỉnh",
        groups=[
            {"code": "A", "name": "A", "criteria": [{"code": "a", "name": "a", "max_points": "5"}]}
        ],
    )
    assert services.criteria_table_for_bloc_year(bloc_year=world.other_bloc_year) == shared
    assert ScoreSheet.objects.filter(bloc_year=world.other_bloc_year).count() == 1
