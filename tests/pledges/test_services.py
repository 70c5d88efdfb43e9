"""Pledge services: canonical hash, signing rules, immutability (service and database),
amendment flow, reminders, verification detecting tampering."""

import datetime as dt
import logging
import unicodedata
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation

from blocs.models import RoleAssignment
from pledges import selectors, services, tasks
from pledges.models import Commitment, PledgeVersion, Reminder, Signature, UnitTarget
from rules.models import RuleSet

from ..conftest import PASSWORD, make_user
from .conftest import COMMITMENTS, sign, triggers_disabled

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- Canonical serialisation and hash ------------------------------------------------------


def test_canonical_bytes_are_sorted_compact_nfc_utf8():
    decomposed = unicodedata.normalize("NFD", "Sở Xây dựng")
    data = services.canonical_bytes({"b": decomposed, "a": [1, None]})
    assert data == '{"a":[1,null],"b":"Sở Xây dựng"}'.encode()
    assert data == services.canonical_bytes({"a": [1, None], "b": "Sở Xây dựng"})


def test_content_hash_is_stable_and_covers_commitments_and_the_units_own_targets(opened):
    w, v = opened.world, opened.version
    h = services.content_hash_compute(version=v, unit=w.head)
    assert len(h) == 64 and h == services.content_hash_compute(version=v, unit=w.head)
    # Each unit signs the common part and its own targets: different units, different hashes.
    assert h != services.content_hash_compute(version=v, unit=w.deputy)
    payload = services.canonical_payload(version=v, unit=w.head)
    assert [c["target_value"] for c in payload["commitments"]] == [None, "98.5"]
    assert {t["target_value"] for t in payload["targets"]} == {"95", "4"}
    assert payload["version"]["verification_code"] == v.verification_code


def test_stored_text_is_normalised(world):
    v = services.pledge_create(
        bloc_year=world.bloc_year,
        title=unicodedata.normalize("NFD", "  Giao ước thi đua  "),
        preamble="Dòng 1\r\nDòng 2",
        commitments=[services.CommitmentData(text=""), services.CommitmentData(text="Nội dung")],
        actor=world.users["secretariat_here"],
    )
    assert v.title == "Giao ước thi đua"
    assert v.preamble == "Dòng 1\nDòng 2"
    assert [(c.position, c.text) for c in v.commitments.all()] == [(1, "Nội dung")]


# --- Opening ------------------------------------------------------------------------------


def test_open_needs_every_members_targets(world):
    v = services.pledge_create(
        bloc_year=world.bloc_year,
        title="Giao ước",
        commitments=COMMITMENTS,
        actor=world.users["secretariat_here"],
    )
    with pytest.raises(ValidationError) as exc:
        services.pledge_open(
            version=v, deadline=timezone.localdate(), actor=world.users["secretariat_here"]
        )
    assert "chưa đăng ký chỉ tiêu" in _messages(exc.value)
    assert "Sở Xây dựng" in _messages(exc.value)
    v.refresh_from_db()
    assert v.status == PledgeVersion.Status.DRAFT


def test_open_refuses_a_past_deadline(draft, world):
    with pytest.raises(ValidationError) as exc:
        services.pledge_open(
            version=draft,
            deadline=timezone.localdate() - dt.timedelta(days=1),
            actor=world.users["secretariat_here"],
        )
    assert exc.value.message_dict["deadline"] == ["Hạn ký không được trước ngày hôm nay."]


def test_opening_invites_the_leaders(world, leaders, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_open(
            version=draft,
            deadline=timezone.localdate() + dt.timedelta(days=3),
            actor=world.users["secretariat_here"],
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in leaders.values())
    assert mail.outbox[0].subject.startswith("Mời ký giao ước thi đua năm 2020")


def _send_mail_failing_for(monkeypatch, bad_email: str) -> None:
    """The mail server refuses one recipient; the others go to the test outbox."""
    real = services.send_mail

    def send_mail(subject, body, from_email, recipients, **kwargs):
        if bad_email in recipients:
            raise ConnectionRefusedError("SMTP server refused the connection")
        return real(subject, body, from_email, recipients, **kwargs)

    monkeypatch.setattr(services, "send_mail", send_mail)


def test_a_failed_invitation_does_not_stop_opening_or_the_other_invitations(
    world, leaders, draft, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    bad = leaders[world.deputy.pk].email
    _send_mail_failing_for(monkeypatch, bad)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        version = services.pledge_open(
            version=draft,
            deadline=timezone.localdate() + dt.timedelta(days=3),
            actor=world.users["secretariat_here"],
        )
    version.refresh_from_db()
    assert version.status == PledgeVersion.Status.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in leaders.values() if u.email != bad
    )
    assert any(bad in r.getMessage() and r.exc_info for r in caplog.records)


def test_invitations_are_in_vietnamese_whatever_the_openers_language(
    world, leaders, draft, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.pledge_open(
            version=draft,
            deadline=timezone.localdate() + dt.timedelta(days=3),
            actor=world.users["secretariat_here"],
        )
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert message.subject.startswith("Mời ký giao ước thi đua năm 2020")
        assert "đã được mở để ký kết" in message.body


# --- Signing rules -------------------------------------------------------------------------


def test_sign_records_signer_unit_time_ip_user_agent_and_hash(opened):
    w = opened.world
    before = timezone.now()
    s = sign(opened, w.head)
    assert s.signer == opened.leaders[w.head.pk]
    assert s.signer_name == "Nguyễn Văn An"
    assert s.unit == w.head and s.unit_name == "Ban Quản lý Khu kinh tế"
    assert before <= s.signed_at <= timezone.now()
    assert s.ip_address == "203.0.113.7" and s.user_agent == "pytest"
    assert s.content_hash == services.content_hash_compute(version=opened.version, unit=w.head)
    assert s.record_hash == services.signature_record_hash(s)
    opened.version.refresh_from_db()
    assert opened.version.status == PledgeVersion.Status.OPEN  # 1 of 3


def test_signer_without_a_full_name_is_shown_by_a_neutral_title_not_the_login(opened):
    w = opened.world
    leader = opened.leaders[w.deputy.pk]
    leader.first_name = leader.last_name = ""
    leader.save()
    with translation.override("en"):  # the signer's UI language does not matter
        s = sign(opened, w.deputy)
    assert s.signer_name == f"Lãnh đạo {w.deputy.name}"
    assert leader.username not in s.signer_name
    s.refresh_from_db()
    assert s.record_hash == services.signature_record_hash(s)  # sealed over what is stored
    result = selectors.pledge_verify(code=opened.version.verification_code)
    assert result.intact and result.checks[0].signature.signer_name == s.signer_name


def test_last_signature_makes_the_version_fully_signed(fully_signed):
    assert fully_signed.version.signatures.count() == 3


def test_wrong_password_is_refused(opened):
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            version=opened.version,
            unit=opened.world.head,
            user=opened.leaders[opened.world.head.pk],
            password="sai-mat-khau",
        )
    assert exc.value.message_dict == {"password": ["Mật khẩu không đúng."]}
    assert not Signature.objects.exists()


def test_leader_cannot_sign_for_another_unit(opened):
    w = opened.world
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            version=opened.version,
            unit=w.deputy,
            user=opened.leaders[w.head.pk],
            password=PASSWORD,
        )
    assert "Chỉ lãnh đạo của đơn vị" in _messages(exc.value)
    assert not Signature.objects.exists()


def test_staff_cannot_sign_even_for_their_own_unit(opened):
    with pytest.raises(ValidationError):
        services.pledge_sign(
            version=opened.version,
            unit=opened.world.member,
            user=opened.world.users["staff_member"],
            password=PASSWORD,
        )
    assert not Signature.objects.exists()


def test_leader_of_a_non_member_unit_cannot_sign(opened):
    w = opened.world
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            version=opened.version,
            unit=w.non_member,
            user=w.users["leader_nonmember"],
            password=PASSWORD,
        )
    assert "không phải thành viên" in _messages(exc.value)


def test_a_unit_signs_only_once_per_version(opened):
    sign(opened, opened.world.head)
    with pytest.raises(ValidationError) as exc:
        sign(opened, opened.world.head)
    assert "Đơn vị đã ký phiên bản giao ước này." in _messages(exc.value)
    assert Signature.objects.count() == 1


def test_database_refuses_a_second_signature_too(opened):
    s = sign(opened, opened.world.head)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            version=s.version,
            unit=s.unit,
            signer=s.signer,
            signer_name="x",
            unit_name="x",
            signed_at=timezone.now(),
            content_hash="0" * 64,
            record_hash="0" * 64,
        )


def test_draft_cannot_be_signed(world, leaders, draft):
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            version=draft, unit=world.head, user=leaders[world.head.pk], password=PASSWORD
        )
    assert "chưa được mở để ký" in _messages(exc.value)


def test_superseded_version_cannot_be_signed(opened):
    services.pledge_amend(
        version=opened.version, reason="Bổ sung chỉ tiêu", actor=opened.world.users["admin"]
    )
    opened.version.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        sign(opened, opened.world.head)
    assert "đã được thay thế" in _messages(exc.value)


def test_changed_text_between_reading_and_signing_is_refused(opened):
    with pytest.raises(ValidationError) as exc:
        sign(opened, opened.world.head, expected_hash="f" * 64)
    assert "đã thay đổi" in _messages(exc.value)


def _after_deadline(monkeypatch, version):
    late = dt.datetime.combine(
        version.deadline + dt.timedelta(days=1), dt.time(9), tzinfo=timezone.get_current_timezone()
    )
    monkeypatch.setattr(timezone, "now", lambda: late)


def test_signing_after_the_deadline_refused_when_the_rule_set_says_so(opened, monkeypatch):
    RuleSet.objects.create(
        province=opened.world.province,
        year=2020,
        name="Quy chế QB",
        pledge_signing_after_deadline=False,
    )
    _after_deadline(monkeypatch, opened.version)
    with pytest.raises(ValidationError) as exc:
        sign(opened, opened.world.head)
    assert "Đã quá hạn ký" in _messages(exc.value)
    assert "không cho phép ký sau hạn" in _messages(exc.value)


def test_signing_after_the_deadline_allowed_when_the_rule_set_allows_it(opened, monkeypatch):
    RuleSet.objects.create(
        province=opened.world.province,
        year=2020,
        name="Quy chế QB",
        pledge_signing_after_deadline=True,
    )
    _after_deadline(monkeypatch, opened.version)
    s = sign(opened, opened.world.head)
    assert timezone.localdate(s.signed_at) > opened.version.deadline


def test_signing_on_the_deadline_day_is_on_time(opened, monkeypatch):
    last_minute = dt.datetime.combine(
        opened.version.deadline, dt.time(23, 59), tzinfo=timezone.get_current_timezone()
    )
    monkeypatch.setattr(timezone, "now", lambda: last_minute)
    assert sign(opened, opened.world.head).signed_at == last_minute


# --- Immutability: service layer ---------------------------------------------------------


def test_service_refuses_to_edit_an_open_version(opened):
    w = opened.world
    with pytest.raises(ValidationError) as exc:
        services.pledge_draft_save(
            version=opened.version,
            title="Khác",
            preamble="",
            commitments=COMMITMENTS,
            actor=w.users["secretariat_here"],
        )
    assert "không thể sửa" in _messages(exc.value)
    with pytest.raises(ValidationError):
        services.unit_targets_save(
            version=opened.version,
            unit=w.member,
            targets=[services.TargetData("Mới", Decimal(1), "lần")],
            actor=w.users["staff_member"],
        )
    opened.version.refresh_from_db()
    assert opened.version.title == "Giao ước thi đua năm 2020"


# --- Immutability: database ----------------------------------------------------------------


def _refused(fn) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_database_refuses_changes_to_a_signed_version(fully_signed):
    v = fully_signed.version
    _refused(lambda: PledgeVersion.objects.filter(pk=v.pk).update(title="Đã sửa"))
    _refused(lambda: PledgeVersion.objects.filter(pk=v.pk).update(deadline=dt.date(2030, 1, 1)))
    _refused(lambda: PledgeVersion.objects.filter(pk=v.pk).update(status="draft"))
    # Not PledgeVersion.delete(): on_delete=PROTECT would refuse before the trigger is reached
    # (ProtectedError is an IntegrityError too); see the tests below.
    _refused(lambda: _raw_delete_version(v.pk))
    _refused(lambda: Commitment.objects.filter(version=v).update(text="Đã sửa"))
    _refused(lambda: Commitment.objects.filter(version=v).delete())
    _refused(lambda: Commitment.objects.create(version=v, position=99, text="Thêm"))
    _refused(lambda: UnitTarget.objects.filter(version=v).update(target_value=Decimal("1")))
    _refused(lambda: UnitTarget.objects.filter(version=v).delete())
    _refused(lambda: Signature.objects.filter(version=v).update(signer_name="Người khác"))
    _refused(lambda: Signature.objects.filter(version=v).delete())
    v.refresh_from_db()
    assert v.title == "Giao ước thi đua năm 2020"
    assert selectors.pledge_verify(code=v.verification_code).intact


def _raw_delete_version(pk: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pledges_pledgeversion WHERE id = %s", [pk])


def test_trigger_refuses_to_delete_a_frozen_version_by_raw_sql(fully_signed):
    v = fully_signed.version
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        _raw_delete_version(v.pk)
    assert not isinstance(exc.value, ProtectedError)
    assert "cannot be deleted" in str(exc.value)  # the trigger's own message
    assert PledgeVersion.objects.filter(pk=v.pk).exists()


def test_trigger_refuses_to_delete_a_frozen_version_through_the_orm(world):
    """A frozen version with no child rows: nothing PROTECTs it, only the trigger."""
    v = services.pledge_create(
        bloc_year=world.bloc_year, title="Giao ước", commitments=[], actor=None
    )
    PledgeVersion.objects.filter(pk=v.pk).update(
        status="open", deadline=timezone.localdate(), opened_at=timezone.now()
    )
    v.refresh_from_db()
    assert not v.commitments.exists() and not v.targets.exists()
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        v.delete()
    assert not isinstance(exc.value, ProtectedError)
    assert "cannot be deleted" in str(exc.value)
    assert PledgeVersion.objects.filter(pk=v.pk).exists()
    # The same delete of a draft goes through: the trigger refuses frozen versions only.
    draft = services.pledge_create(
        bloc_year=world.other_bloc_year, title="Giao ước", commitments=[], actor=None
    )
    draft.delete()
    assert not PledgeVersion.objects.filter(pledge__bloc_year=world.other_bloc_year).exists()


def test_database_refuses_raw_sql_too(fully_signed):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pledges_commitment SET text = %s WHERE version_id = %s",
            ["Đã sửa", fully_signed.version.pk],
        )


def test_database_refuses_a_signature_on_a_version_not_open(world, leaders, draft):
    _refused(
        lambda: Signature.objects.create(
            version=draft,
            unit=world.head,
            signer=leaders[world.head.pk],
            signer_name="x",
            unit_name="x",
            signed_at=timezone.now(),
            content_hash="0" * 64,
            record_hash="0" * 64,
        )
    )


def test_database_allows_the_status_to_move_on_and_drafts_to_change(opened, draft):
    PledgeVersion.objects.filter(pk=opened.version.pk).update(status="superseded")
    _refused(lambda: PledgeVersion.objects.filter(pk=opened.version.pk).update(status="open"))


def test_database_lets_a_draft_change(draft):
    PledgeVersion.objects.filter(pk=draft.pk).update(title="Sửa dự thảo")
    Commitment.objects.filter(version=draft).update(text="Sửa")
    UnitTarget.objects.filter(version=draft).delete()
    assert not UnitTarget.objects.filter(version=draft).exists()


# --- Amendment -----------------------------------------------------------------------------


def test_amendment_supersedes_voids_signatures_and_asks_everyone_to_sign_again(fully_signed):
    w = fully_signed.world
    old = fully_signed.version
    secretariat = w.users["secretariat_here"]
    new = services.pledge_amend(
        version=old, reason="Điều chỉnh chỉ tiêu giải ngân", actor=secretariat
    )
    old.refresh_from_db()
    assert old.status == PledgeVersion.Status.SUPERSEDED
    assert new.number == 2 and new.previous == old and new.status == PledgeVersion.Status.DRAFT
    assert new.verification_code != old.verification_code
    assert selectors.current_version(bloc_year=w.bloc_year) == new
    # Content copied; old signatures kept, readable and still verifiable.
    assert new.commitments.count() == old.commitments.count()
    assert new.targets.count() == old.targets.count() == 6
    assert old.signatures.count() == 3 and not new.signatures.exists()
    assert selectors.pledge_verify(code=old.verification_code).intact

    # The draft is edited, the diff shows it.
    services.unit_targets_save(
        version=new,
        unit=w.member,
        targets=[
            services.TargetData("Giải ngân vốn đầu tư công", Decimal("97,5".replace(",", ".")), "%")
        ],
        actor=w.users["staff_member"],
    )
    diff = selectors.version_diff(old=old, new=new)
    added = [line for tag, line in diff if tag == "+"]
    removed = [line for tag, line in diff if tag == "-"]
    assert any("Giải ngân vốn đầu tư công: 97,5 %" in line for line in added), added
    assert any(
        "Tổ chức hội nghị tập huấn nghiệp vụ" in line and "Sở Xây dựng" in line for line in removed
    )
    assert not any("Ban Quản lý Khu kinh tế" in line for line in added + removed)

    # Open and sign again: the old signatures do not count for the new version.
    services.pledge_open(version=new, deadline=timezone.localdate(), actor=secretariat)
    fully_signed.version = new
    sign(fully_signed, w.head)
    new.refresh_from_db()
    assert new.status == PledgeVersion.Status.OPEN
    assert selectors.version_content(version=new).signed_count == 1


def test_amend_needs_a_reason_and_an_opened_version(opened, draft):
    with pytest.raises(ValidationError) as exc:
        services.pledge_amend(version=opened.version, reason="   ", actor=None)
    assert exc.value.message_dict == {"reason": ["Hãy ghi lý do sửa đổi."]}


def test_amending_a_draft_is_refused(world, draft):
    with pytest.raises(ValidationError):
        services.pledge_amend(version=draft, reason="Lý do", actor=None)


# --- Reminders -----------------------------------------------------------------------------


def test_reminders_go_only_to_leaders_who_have_not_signed(opened):
    w = opened.world
    sign(opened, w.head)
    assert services.pledge_reminders_send() == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(opened.leaders[u.pk].email for u in (w.deputy, w.member))
    assert opened.leaders[w.head.pk].email not in recipients
    message = mail.outbox[0]
    assert (
        message.subject
        == "Nhắc ký giao ước thi đua năm 2020 – Khối thi đua các ngành Kinh tế - Kỹ thuật"
    )
    assert "chưa ký giao ước thi đua năm 2020" in message.body
    assert f"/bloc-years/{w.bloc_year.pk}/pledge/" in message.body
    assert Reminder.objects.count() == 2


def test_one_failed_reminder_does_not_stop_the_others_and_is_not_recorded(
    opened, monkeypatch, caplog
):
    w = opened.world
    bad = opened.leaders[w.deputy.pk]
    _send_mail_failing_for(monkeypatch, bad.email)
    with caplog.at_level(logging.ERROR):
        assert services.pledge_reminders_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        opened.leaders[u.pk].email for u in (w.head, w.member)
    )
    assert sorted(Reminder.objects.values_list("email", flat=True)) == sorted(
        opened.leaders[u.pk].email for u in (w.head, w.member)
    )
    assert any(bad.email in r.getMessage() and r.exc_info for r in caplog.records)
    # The mail server is back: the next run the same day sends only the one that failed.
    monkeypatch.undo()
    assert services.pledge_reminders_send() == 1
    assert mail.outbox[-1].to == [bad.email]
    assert Reminder.objects.count() == 3


def test_reminders_are_in_vietnamese_whatever_the_senders_language(opened):
    with translation.override("en"):
        assert services.pledge_reminders_send(version=opened.version) == 3
    for message in mail.outbox:
        assert message.subject.startswith("Nhắc ký giao ước thi đua năm 2020")
        assert "chưa ký giao ước thi đua năm 2020" in message.body


def test_reminders_are_not_sent_twice_the_same_day(opened):
    assert services.pledge_reminders_send() == 3
    assert services.pledge_reminders_send() == 0
    assert tasks.pledge_reminders_send_task.delay().get() == 0
    assert len(mail.outbox) == 3
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.pledge_reminders_send(today=tomorrow) == 3
    assert len(mail.outbox) == 6


def test_reminders_only_near_the_deadline(opened, settings):
    settings.PLEDGE_REMINDER_DAYS_BEFORE = 2  # the deadline is 5 days away
    assert services.pledge_reminders_send() == 0
    after = opened.version.deadline + dt.timedelta(days=1)
    assert services.pledge_reminders_send(today=after) == 0
    assert services.pledge_reminders_send(today=opened.version.deadline) == 3


def test_no_reminders_for_a_fully_signed_pledge_or_a_draft(fully_signed, world):
    assert services.pledge_reminders_send() == 0
    assert mail.outbox == []


def test_reminder_task_runs_the_service(opened):
    assert tasks.pledge_reminders_send_task.delay().get() == 3


def test_beat_schedule_has_the_reminder(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pledge-reminders"]
    assert entry["task"] == "pledges.tasks.pledge_reminders_send_task"
    assert entry["task"] == tasks.pledge_reminders_send_task.name


def test_leaders_without_email_or_inactive_get_nothing(opened):
    user = opened.leaders[opened.world.deputy.pk]
    user.is_active = False
    user.save()
    extra = make_user("lanhdao.khac")
    RoleAssignment.objects.create(user=extra, role="leader", unit=opened.world.member)
    assert services.pledge_reminders_send() == 2


# --- Verification --------------------------------------------------------------------------


def test_verification_of_an_intact_pledge(fully_signed):
    code = fully_signed.version.code_display.lower()  # as typed by hand
    result = selectors.pledge_verify(code=code)
    assert result.found and result.intact
    assert {c.signature.signer_name for c in result.checks} >= {"Nguyễn Văn An"}
    assert result.unsigned_units == []


def test_pdf_made_while_signing_was_open_stays_consistent_after_later_signatures(opened):
    w = opened.world
    early = [sign(opened, w.head).content_hash, sign(opened, w.deputy).content_hash]
    result = selectors.pledge_verify(code=opened.version.verification_code, pdf_hashes=early)
    assert result.intact and result.pdf_hashes_match and result.pdf_note == ""
    sign(opened, w.member)  # after the PDF was made
    result = selectors.pledge_verify(code=opened.version.verification_code, pdf_hashes=early)
    assert result.intact and result.pdf_hashes_match
    assert (result.pdf_signature_count, result.pdf_later_signatures) == (2, 1)
    assert result.pdf_note == "Tệp PDF được tạo khi mới có 2/3 chữ ký; sau đó có thêm 1 chữ ký."


def test_pdf_hashes_that_match_no_intact_signature_still_fail(opened):
    w = opened.world
    v = opened.version
    head = sign(opened, w.head)
    sign(opened, w.deputy)
    # A hash in the PDF that matches no stored signature.
    result = selectors.pledge_verify(
        code=v.verification_code, pdf_hashes=[head.content_hash, "f" * 64]
    )
    assert not result.intact and result.pdf_hashes_match is False and result.pdf_note == ""
    # The same hash carried twice.
    twice = [head.content_hash, head.content_hash]
    assert (
        selectors.pledge_verify(code=v.verification_code, pdf_hashes=twice).pdf_hashes_match
        is False
    )
    # A stored signature whose recomputed hash no longer matches, whether the PDF has it...
    with triggers_disabled("pledges_unittarget"):
        UnitTarget.objects.filter(version=v, unit=w.deputy).update(description="Chỉ tiêu khác")
    deputy_hash = Signature.objects.get(version=v, unit=w.deputy).content_hash
    result = selectors.pledge_verify(
        code=v.verification_code, pdf_hashes=[head.content_hash, deputy_hash]
    )
    assert not result.intact and result.pdf_hashes_match is False
    # ...or it was signed after the PDF was made.
    result = selectors.pledge_verify(code=v.verification_code, pdf_hashes=[head.content_hash])
    assert result.pdf_hashes_match and not result.intact


def test_verification_of_an_unknown_code():
    result = selectors.pledge_verify(code="KHONG-CO-MA")
    assert not result.found and not result.intact


def test_verification_detects_a_changed_commitment(fully_signed):
    with triggers_disabled("pledges_commitment"):
        Commitment.objects.filter(version=fully_signed.version, position=2).update(
            target_value=Decimal("50")
        )
    result = selectors.pledge_verify(code=fully_signed.version.verification_code)
    assert result.found and not result.intact
    assert not any(c.content_ok for c in result.checks)  # every unit signed it


def test_verification_detects_a_changed_target_of_one_unit(fully_signed):
    w = fully_signed.world
    with triggers_disabled("pledges_unittarget"):
        UnitTarget.objects.filter(version=fully_signed.version, unit=w.deputy).update(
            description="Chỉ tiêu khác"
        )
    result = selectors.pledge_verify(code=fully_signed.version.verification_code)
    assert not result.intact
    bad = [c.signature.unit for c in result.checks if not c.ok]
    assert bad == [w.deputy]


def test_verification_detects_a_forged_hash_or_signer(fully_signed):
    v = fully_signed.version
    s = v.signatures.first()
    forged = services.content_hash_compute(version=v, unit=s.unit)
    with triggers_disabled("pledges_signature"):
        Signature.objects.filter(pk=s.pk).update(signer_name="Người khác", content_hash=forged)
    result = selectors.pledge_verify(code=v.verification_code)
    assert not result.intact
    check = next(c for c in result.checks if c.signature.pk == s.pk)
    assert check.content_ok and not check.record_ok


def test_verification_detects_a_rewritten_title(fully_signed):
    v = fully_signed.version
    with triggers_disabled("pledges_pledgeversion"):
        PledgeVersion.objects.filter(pk=v.pk).update(title="Giao ước khác")
    assert not selectors.pledge_verify(code=v.verification_code).intact


def test_sqlite_trigger_covers_every_column_of_the_version():
    """The SQLite trigger lists the frozen columns by name (PostgreSQL compares whole rows):
    a new column on PledgeVersion must be added to the latest list (0002's, extended by 0003)."""
    import importlib

    migration = importlib.import_module("pledges.migrations.0003_actor_usernames")
    columns = {f.column for f in PledgeVersion._meta.concrete_fields} - {"status"}
    assert columns == set(migration.VERSION_COLUMNS)
