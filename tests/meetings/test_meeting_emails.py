"""Invitations and the day-before reminder of a meeting, by e-mail through Celery (tasks
run in-process in tests; the locmem backend keeps the mails in mail.outbox). Vietnamese,
sent after the commit, idempotent."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from meetings import emails, tasks
from meetings.models import Meeting
from meetings.services import meetings as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(meeting_year):
    services.meeting_agenda_set(
        meeting=meeting_year.meeting,
        items=[
            {"title": "Báo cáo tổng kết công tác thi đua năm 2020", "presenter": "Trưởng khối"},
            {"title": "Bình xét, suy tôn khen thưởng"},
        ],
        actor=None,
    )
    return meeting_year


def _invite(my, capture) -> None:
    with capture(execute=True):
        services.meeting_invitations_send(meeting=my.meeting, actor=my.secretariat)


def test_invitation_to_every_leader_in_vietnamese(agenda, django_capture_on_commit_callbacks):
    my = agenda
    _invite(my, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in my.leaders.values())
    first = next(m for m in mail.outbox if m.to == [my.leaders[my.units[0].pk].email])
    assert first.subject == (
        "Giấy mời: Hội nghị tổng kết năm ngày 20/12/2020 – Khối thi đua Kinh tế tổng hợp"
    )
    body = first.body
    assert body.startswith("Kính gửi Nguyễn Văn Giám Đốc 1 (Sở Giao thông Vận tải),")
    assert "trân trọng kính mời lãnh đạo đơn vị dự hội nghị tổng kết năm (năm thi đua 2020)" in body
    assert "Thời gian: 08:00, ngày 20/12/2020" in body
    assert "Địa điểm: Hội trường Sở Giao thông Vận tải" in body
    assert "Đơn vị đăng cai: Sở Giao thông Vận tải" in body
    assert "1. Báo cáo tổng kết công tác thi đua năm 2020 (Trưởng khối)\n" in body
    assert "2. Bình xét, suy tôn khen thưởng\n" in body
    url = emails.meeting_url(my.meeting)
    assert url.startswith(settings.PLEDGE_PUBLIC_BASE_URL.rstrip("/") + "/")
    assert url in body
    assert "&amp;" not in body and "&#" not in body  # plain text, not HTML-escaped
    my.meeting.refresh_from_db()
    assert my.meeting.invitations_sent_at is not None
    assert AuditEvent.objects.filter(action="meeting_invitations_send").count() == 1


def test_no_mail_before_the_commit_nor_after_a_rollback(
    meeting_year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.meeting_invitations_send(meeting=meeting_year.meeting, actor=None)
    assert len(callbacks) == 1 and mail.outbox == []

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.meeting_invitations_send(meeting=meeting_year.meeting, actor=None)
        raise Boom
    assert mail.outbox == []
    meeting_year.meeting.refresh_from_db()
    assert meeting_year.meeting.invitations_sent_at is None


def test_invitation_task_run_twice_sends_once(meeting_year):
    requested = timezone.now().isoformat()
    assert tasks.meeting_invitations_send_task.delay(meeting_year.meeting.pk, requested).get() == 9
    assert tasks.meeting_invitations_send_task.delay(meeting_year.meeting.pk, requested).get() == 0
    assert len(mail.outbox) == 9
    # A new request (the place changed) sends again.
    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert tasks.meeting_invitations_send_task.delay(meeting_year.meeting.pk, later).get() == 9
    assert len(mail.outbox) == 18


def test_leaders_without_address_or_inactive_are_skipped(meeting_year):
    my = meeting_year
    no_mail = my.leaders[my.units[0].pk]
    no_mail.email = ""
    no_mail.save()
    inactive = my.leaders[my.units[1].pk]
    inactive.is_active = False
    inactive.save()
    assert services.meeting_invitations_deliver(meeting_id=my.meeting.pk) == 7
    assert {no_mail.email, inactive.email}.isdisjoint(m.to[0] for m in mail.outbox)
    # Staff and the secretariat are not invited: the leaders are.
    assert my.staff.email not in [m.to[0] for m in mail.outbox]


def test_one_failing_address_does_not_stop_the_others(meeting_year, monkeypatch):
    bad = meeting_year.leaders[meeting_year.units[4].pk].email
    real = services.send_mail

    def flaky(subject, body, sender, to):
        if to == [bad]:
            raise OSError("mail server refused")
        return real(subject, body, sender, to)

    monkeypatch.setattr(services, "send_mail", flaky)
    assert services.meeting_invitations_deliver(meeting_id=meeting_year.meeting.pk) == 8
    assert len(mail.outbox) == 8


# --- the reminder the day before ---------------------------------------------------------------


def test_reminder_the_day_before_once(agenda):
    my = agenda
    other = services.meeting_create(
        bloc_year=my.bloc_year, kind=Meeting.Kind.OTHER, held_on=dt.date(2020, 12, 21), actor=None
    )
    assert services.meeting_reminders_send(today=dt.date(2020, 12, 18)) == 0  # two days before
    assert services.meeting_reminders_send(today=dt.date(2020, 12, 19)) == 9
    assert len(mail.outbox) == 9
    assert mail.outbox[0].subject == (
        "Nhắc lịch: Hội nghị tổng kết năm ngày mai 20/12/2020 – Khối thi đua Kinh tế tổng hợp"
    )
    assert "diễn ra vào ngày mai" in mail.outbox[0].body
    assert "Thời gian: 08:00, ngày 20/12/2020" in mail.outbox[0].body
    assert services.meeting_reminders_send(today=dt.date(2020, 12, 19)) == 0  # idempotent
    assert len(mail.outbox) == 9
    my.meeting.refresh_from_db()
    other.refresh_from_db()
    assert my.meeting.reminder_sent_at is not None and other.reminder_sent_at is None


def test_reminder_task_uses_the_local_date(meeting_year, monkeypatch):
    """17:30 UTC on 19/12 is 00:30 on 20/12 in Asia/Ho_Chi_Minh: tomorrow is then 21/12, so
    the meeting of 20/12 is not reminded; at 16:00 UTC (23:00 local) on 19/12 it is."""
    now = dt.datetime(2020, 12, 19, 17, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert tasks.meeting_reminders_send_task.delay().get() == 0
    now = dt.datetime(2020, 12, 19, 16, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    assert tasks.meeting_reminders_send_task.delay().get() == 9
    assert tasks.meeting_reminders_send_task.delay().get() == 0
    assert len(mail.outbox) == 9


def test_beat_schedule_has_the_reminder():
    entry = settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]
    assert entry["task"] == "meetings.tasks.meeting_reminders_send_task"
    assert entry["task"] == tasks.meeting_reminders_send_task.name


def test_mail_in_vietnamese_whatever_the_active_language(meeting_year):
    from django.utils import translation

    with translation.override("en"):
        services.meeting_invitations_deliver(meeting_id=meeting_year.meeting.pk)
    assert mail.outbox[0].subject.startswith("Giấy mời: Hội nghị tổng kết năm")
