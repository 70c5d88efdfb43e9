"""The year's state machine (DESIGN.md §3, blocs/cycle.py): every step allowed and refused,
one test per precondition, the audit row of each, steps back with a reason, the features
of other apps refusing work that belongs to another step."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blocs import cycle, services, setup
from blocs.admin import BlocYearAdmin
from blocs.models import BlocYear
from core.models import AuditEvent
from pledges import services as pledge_services
from pledges.models import PledgeVersion
from scoring import services as scoring_services
from scoring.models import ScoreSheet, Stage

from ..pledges.conftest import draft_with_targets
from ..scoring.conftest import FULL, TABLE_SPEC, save
from .conftest import last_event, make_table, open_pledge, sign_all, verify_all, year_end_meeting

S = BlocYear.Status


def _status(by) -> str:
    by.refresh_from_db()
    return by.status


def _message(exc) -> str:
    return " ".join(exc.value.messages)


# --- the database and the admin keep the status to what the services write ---


def test_database_refuses_an_unknown_status(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocYear.objects.filter(pk=world.bloc_year.pk).update(status="bogus")


def test_status_is_read_only_in_the_admin():
    assert "status" in BlocYearAdmin.readonly_fields


def test_a_new_bloc_year_starts_in_setup(world):
    assert world.bloc_year.status == S.SETUP
    assert "status" not in services.bloc_year_create.__code__.co_varnames


# --- setup → pledging -----------------------------------------------------------------------------


def test_opening_the_pledge_opens_pledging_and_is_audited(world, leaders):
    version = open_pledge(world)
    assert _status(world.bloc_year) == S.PLEDGING
    event = last_event("bloc_year_open_pledging")
    assert event.actor == world.users["secretariat_here"]
    assert event.target_id == str(world.bloc_year.pk)
    assert event.data == {"from": "setup", "to": "pledging"}
    assert version.status == PledgeVersion.Status.OPEN


def test_pledging_refused_without_a_head(world):
    services.bloc_year_set_leadership(
        bloc_year=world.bloc_year, head=None, deputy=world.deputy, actor=None
    )
    version = draft_with_targets(world)
    with pytest.raises(ValidationError) as exc:
        open_pledge(world, version)
    assert _message(exc) == ("Chưa thể chuyển sang ký kết giao ước: chưa có đơn vị Trưởng khối.")
    version.refresh_from_db()
    assert version.status == PledgeVersion.Status.DRAFT  # nothing saved in part
    assert _status(world.bloc_year) == S.SETUP
    assert not AuditEvent.objects.filter(action="pledge_open").exists()


def test_pledging_refused_without_a_deputy(world):
    services.bloc_year_set_leadership(
        bloc_year=world.bloc_year, head=world.head, deputy=None, actor=None
    )
    with pytest.raises(ValidationError) as exc:
        open_pledge(world)
    assert _message(exc) == "Chưa thể chuyển sang ký kết giao ước: chưa có đơn vị Phó khối."


def test_pledging_refused_without_members(world):
    by = world.other_bloc_year
    setup.bloc_year_member_remove(bloc_year=by, unit=world.non_member, actor=None)
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_pledging(bloc_year=by, actor=None)
    assert "khối chưa có đơn vị thành viên" in _message(exc)


def test_pledging_refused_before_the_pledge_is_opened(world):
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_pledging(bloc_year=world.bloc_year, actor=None)
    assert _message(exc) == "Chưa thể chuyển sang ký kết giao ước: giao ước chưa được soạn."
    draft_with_targets(world)
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_pledging(bloc_year=world.bloc_year, actor=None)
    assert _message(exc) == "Chưa thể chuyển sang ký kết giao ước: giao ước chưa được mở ký."


# --- pledging → in progress ---


def test_the_last_signature_starts_the_year(world, leaders, pledging):
    sign_all(world, pledging, leaders, units=[world.head, world.deputy])
    assert _status(world.bloc_year) == S.PLEDGING
    sign_all(world, pledging, leaders, units=[world.member])
    assert _status(world.bloc_year) == S.IN_PROGRESS
    event = last_event("bloc_year_start")
    assert event.actor == leaders[world.member.pk]
    assert event.data == {"from": "pledging", "to": "in_progress"}


def test_start_refused_while_units_have_not_signed(world, leaders, pledging):
    sign_all(world, pledging, leaders, units=[world.head])
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_start(bloc_year=world.bloc_year, actor=world.users["secretariat_here"])
    assert _message(exc) == (
        "Chưa thể chuyển sang thực hiện: còn 2 đơn vị chưa ký giao ước "
        "(Sở Giao thông vận tải; Sở Xây dựng)."
    )


def test_secretariat_closes_signing_with_the_missing_units_recorded(world, leaders, pledging):
    sign_all(world, pledging, leaders, units=[world.head])
    cycle.bloc_year_start(
        bloc_year=world.bloc_year, actor=world.users["secretariat_here"], close_signing=True
    )
    assert _status(world.bloc_year) == S.IN_PROGRESS
    event = last_event("bloc_year_start")
    assert event.data["closed_signing"] is True
    assert event.data["unsigned_units"] == ["Sở Giao thông vận tải", "Sở Xây dựng"]
    # Signing is over: a late signature is refused with the reason.
    with pytest.raises(ValidationError) as exc:
        sign_all(world, pledging, leaders, units=[world.deputy])
    assert "Không thể ký giao ước: năm thi đua đã qua bước này" in _message(exc)


def test_closing_signing_refused_while_an_amendment_is_a_draft(world, leaders, pledging):
    pledge_services.pledge_amend(
        version=pledging, reason="Bổ sung chỉ tiêu chuyển đổi số", actor=None
    )
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_start(bloc_year=world.bloc_year, actor=None, close_signing=True)
    assert "phiên bản hiện hành chưa được mở ký" in _message(exc)


# --- in progress → scoring ---


def test_scoring_refused_without_a_table(world, in_progress):
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_scoring(bloc_year=world.bloc_year, actor=None)
    assert _message(exc) == "Chưa thể chuyển sang chấm điểm: chưa có bảng chấm điểm của năm."


def test_opening_scoring_fixes_the_table_and_opens_the_sheets(world, in_progress):
    make_table(world)
    cycle.bloc_year_open_scoring(bloc_year=world.bloc_year, actor=world.users["secretariat_here"])
    assert _status(world.bloc_year) == S.SCORING
    assert ScoreSheet.objects.filter(bloc_year=world.bloc_year).count() == 3
    assert last_event("bloc_year_open_scoring").data == {"from": "in_progress", "to": "scoring"}
    with pytest.raises(ValidationError) as exc:
        scoring_services.criteria_table_create(
            province=world.province,
            year=2020,
            bloc_year=world.bloc_year,
            name="Bảng khác",
            groups=TABLE_SPEC,
            replace=True,
        )
    assert "Không thể thay đổi bảng chấm điểm: năm thi đua đã qua bước này" in _message(exc)


def test_a_shared_table_in_use_is_fixed(world, in_progress):
    scoring_services.criteria_table_create(
        province=world.province, year=2020, name="Bảng chung", groups=TABLE_SPEC
    )
    cycle.bloc_year_open_scoring(bloc_year=world.bloc_year, actor=None)
    with pytest.raises(ValidationError) as exc:
        scoring_services.criteria_table_create(
            province=world.province,
            year=2020,
            name="Bảng chung mới",
            groups=TABLE_SPEC,
            replace=True,
        )
    assert "đã được chốt" in _message(exc)


# --- scoring → voting -----------------------------------------------------------------------------


def test_voting_refused_before_the_board_verifies(world, scoring):
    year_end_meeting(world)
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_voting(bloc_year=world.bloc_year, actor=world.users["board_here"])
    assert _message(exc) == "Chưa thể chuyển sang bỏ phiếu: Ban TĐKT chưa thẩm định điểm."


def test_voting_refused_without_the_year_end_meeting(world, scoring):
    verify_all(world, scoring)
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_voting(bloc_year=world.bloc_year, actor=None)
    assert _message(exc) == ("Chưa thể chuyển sang bỏ phiếu: chưa ghi nhận hội nghị tổng kết năm.")


def test_voting_opens_after_verification_at_the_year_end_meeting(world, scoring):
    verify_all(world, scoring)
    year_end_meeting(world)
    cycle.bloc_year_open_voting(bloc_year=world.bloc_year, actor=world.users["board_here"])
    assert _status(world.bloc_year) == S.VOTING
    event = last_event("bloc_year_open_voting")
    assert (event.actor, event.data) == (
        world.users["board_here"],
        {"from": "scoring", "to": "voting"},
    )


def test_reopening_scores_in_voting_steps_back_with_the_reason(world, scoring):
    verify_all(world, scoring)
    year_end_meeting(world)
    cycle.bloc_year_open_voting(bloc_year=world.bloc_year, actor=None)
    scoring_services.scoring_reopen(
        bloc_year=world.bloc_year, reason="Sai sót khi cộng điểm", actor=world.users["board_here"]
    )
    assert _status(world.bloc_year) == S.SCORING
    event = last_event("bloc_year_step_back")
    assert event.data == {"from": "voting", "to": "scoring", "reason": "Sai sót khi cộng điểm"}


# --- the steps that need the ballots, proposals and report (later issues) ---


def _facts(**values) -> cycle.YearFacts:
    return cycle.YearFacts(bloc_year_id=1, year=2020, status="voting", **values)


@pytest.mark.parametrize(
    ("source", "facts", "reasons"),
    [
        (
            S.VOTING,
            {"proposals_submitted": True},
            ["chưa có cuộc bỏ phiếu nào được đóng và công bố kết quả"],
        ),
        (
            S.VOTING,
            {"ballots_published": True},
            ["chưa có tờ trình đề nghị khen thưởng nào được gửi Ban TĐKT"],
        ),
        (S.PROPOSED, {}, ["Ban TĐKT chưa quyết định hết các đề nghị khen thưởng"]),
        (
            S.REVIEWED,
            {"next_year_exists": True, "next_year_leadership": True},
            ["báo cáo tổng kết năm chưa được duyệt và ký"],
        ),
        (
            S.REVIEWED,
            {"report_signed": True, "next_year_leadership": True},
            ["chưa tạo năm thi đua 2021 của khối"],
        ),
        (
            S.REVIEWED,
            {"report_signed": True, "next_year_exists": True},
            ["năm 2021 chưa có Trưởng khối và Phó khối"],
        ),
    ],
)
def test_later_steps_check_their_preconditions(source, facts, reasons):
    transition = cycle.TRANSITIONS[source]
    blockers = cycle.transition_blockers(transition, _facts(**facts))
    assert [c.reason(_facts(**facts)) for c in blockers] == reasons


@pytest.mark.parametrize(
    ("source", "service"),
    [
        (S.VOTING, cycle.bloc_year_submit_proposals),
        (S.PROPOSED, cycle.bloc_year_mark_reviewed),
        (S.REVIEWED, cycle.bloc_year_close),
    ],
)
def test_later_steps_refuse_until_their_features_exist(world, source, service):
    # No service reaches these statuses yet (meetings and awards issues): set it here only.
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=source)
    with pytest.raises(ValidationError) as exc:
        service(bloc_year=world.bloc_year, actor=None)
    assert _message(exc).startswith("Chưa thể chuyển sang")
    assert _status(world.bloc_year) == source


def test_closing_sees_next_years_bloc_year_and_its_leadership(world):
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=S.REVIEWED)
    facts = cycle.year_facts_load(
        [BlocYear.objects.select_related("bloc").get(pk=world.bloc_year.pk)]
    )
    assert not facts[world.bloc_year.pk].next_year_exists
    services.bloc_year_create(
        bloc=world.bloc,
        year=2021,
        members=[world.head, world.deputy],
        head=world.head,
        deputy=world.deputy,
    )
    facts = cycle.year_facts_load(
        [BlocYear.objects.select_related("bloc").get(pk=world.bloc_year.pk)]
    )
    assert facts[world.bloc_year.pk].next_year_exists
    assert facts[world.bloc_year.pk].next_year_leadership


def test_a_step_from_the_wrong_status_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_open_scoring(bloc_year=world.bloc_year, actor=None)
    assert _message(exc) == ("Chưa thể chuyển sang chấm điểm: năm thi đua đang ở bước “Thiết lập”.")
    with pytest.raises(ValidationError):
        cycle.bloc_year_advance(bloc_year=world.bloc_year, to="closed", actor=None)
    with pytest.raises(ValidationError):
        cycle.bloc_year_advance(bloc_year=world.bloc_year, to="khong-co", actor=None)


# --- steps back -----------------------------------------------------------------------------------


def test_step_back_needs_a_reason(world, pledging):
    for reason in ("", "ngắn", "x" * 2001):
        with pytest.raises(ValidationError) as exc:
            cycle.bloc_year_step_back(bloc_year=world.bloc_year, reason=reason, actor=None)
        assert "reason" in exc.value.message_dict
    assert _status(world.bloc_year) == S.PLEDGING


def test_pledging_goes_back_to_setup_while_nobody_has_signed(world, pledging):
    cycle.bloc_year_step_back(
        bloc_year=world.bloc_year, reason="Cần bổ sung đơn vị thành viên", actor=None
    )
    assert _status(world.bloc_year) == S.SETUP
    assert last_event("bloc_year_step_back").data == {
        "from": "pledging",
        "to": "setup",
        "reason": "Cần bổ sung đơn vị thành viên",
    }


def test_pledging_does_not_go_back_once_a_unit_has_signed(world, leaders, pledging):
    sign_all(world, pledging, leaders, units=[world.head])
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_step_back(
            bloc_year=world.bloc_year, reason="Cần bổ sung đơn vị thành viên", actor=None
        )
    assert "đã có đơn vị ký giao ước" in _message(exc)


def test_an_amendment_takes_a_started_year_back_to_pledging(world, in_progress):
    new = pledge_services.pledge_amend(
        version=in_progress, reason="Điều chỉnh chỉ tiêu giải ngân", actor=None
    )
    assert _status(world.bloc_year) == S.PLEDGING
    assert new.status == PledgeVersion.Status.DRAFT
    assert last_event("bloc_year_step_back").data["reason"] == "Điều chỉnh chỉ tiêu giải ngân"


def test_scoring_goes_back_only_before_any_score(world, scoring):
    save(world.bloc_year, Stage.SELF, world.users["staff_member"], world.member, scoring, FULL)
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_step_back(
            bloc_year=world.bloc_year, reason="Bảng chấm điểm còn thiếu", actor=None
        )
    assert "đã có điểm được nhập" in _message(exc)


def test_scoring_goes_back_to_in_progress_before_any_score(world, scoring):
    cycle.bloc_year_step_back(
        bloc_year=world.bloc_year, reason="Bảng chấm điểm còn thiếu", actor=None
    )
    assert _status(world.bloc_year) == S.IN_PROGRESS


def test_setup_has_no_step_back(world):
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_step_back(
            bloc_year=world.bloc_year, reason="Không có bước trước", actor=None
        )
    assert "Không thể quay lại bước trước" in _message(exc)


# --- the features refuse work that belongs to another step ---


def test_no_score_before_the_scoring_step(world, in_progress):
    crit = make_table(world)
    with pytest.raises(ValidationError) as exc:
        save(world.bloc_year, Stage.SELF, world.users["staff_member"], world.member, crit, FULL)
    assert _message(exc) == (
        "Chưa thể nhập điểm: năm thi đua đang ở bước “Đang thực hiện”, chưa đến bước “Chấm điểm”."
    )


def test_no_submission_evidence_or_verification_before_scoring(world, in_progress):
    from django.core.files.uploadedfile import SimpleUploadedFile

    crit = make_table(world)
    scoring_services.score_sheets_ensure(bloc_year=world.bloc_year)
    sheet = ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.head)
    with pytest.raises(ValidationError) as exc:
        scoring_services.score_stage_submit(
            sheet=sheet, stage=Stage.SELF, actor=world.users["leader_member"]
        )
    assert "Chưa thể nộp phiếu chấm" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        scoring_services.evidence_add(
            sheet=sheet,
            criterion=crit["1.2"],
            upload=SimpleUploadedFile("mc.pdf", b"%PDF-1.4"),
            actor=world.users["leader_member"],
        )
    assert "Chưa thể tải minh chứng" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        scoring_services.scoring_verify(bloc_year=world.bloc_year, actor=world.users["board_here"])
    assert "Chưa thể thẩm định và khóa điểm" in _message(exc)


def test_no_pledge_work_once_scoring_has_begun(world, leaders, scoring):
    version = PledgeVersion.objects.get(pledge__bloc_year=world.bloc_year)
    with pytest.raises(ValidationError) as exc:
        pledge_services.pledge_amend(version=version, reason="Điều chỉnh chỉ tiêu", actor=None)
    assert "Không thể sửa đổi giao ước: năm thi đua đã qua bước này" in _message(exc)


def test_no_targets_after_pledging(world, in_progress):
    with pytest.raises(ValidationError) as exc:
        pledge_services.unit_targets_save(
            version=in_progress, unit=world.head, targets=[], actor=None
        )
    # A frozen version is refused first; the year's guard covers drafts of later steps.
    assert _message(exc)


def test_no_reminders_once_signing_is_closed(world, leaders, pledging):
    cycle.bloc_year_start(bloc_year=world.bloc_year, actor=None, close_signing=True)
    assert pledge_services.pledge_reminders_send(version=pledging) == 0
