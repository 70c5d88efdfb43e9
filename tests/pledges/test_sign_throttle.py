"""The pledge signing password is throttled with the logins (django-axes, core/auth.py):
wrong passwords count for the account and the address, a lock refuses the right password
too with a Vietnamese message next to the password field, and nothing is signed."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from pledges import services
from pledges.models import Signature

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "doan-mat-khau"
COOL_OFF = dt.timedelta(minutes=15)
LOCKED_RE = re.compile(
    r"Ký giao ước tạm bị khóa do nhập sai mật khẩu nhiều lần\. "
    r"Vui lòng thử lại sau (\d+) phút \(lúc (\d\d:\d\d)\)\."
)


@pytest.fixture(autouse=True)
def _throttle(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = COOL_OFF
    settings.PLEDGE_TRUSTED_PROXY_COUNT = 0


def _password_block(html: str) -> str:
    """The password field's markup: its input and the errors crispy puts under it."""
    start = html.index('id="div_id_password"')
    ends = [i for i in (html.find('id="div_id_', start + 1), html.find("</form>", start)) if i > 0]
    return html[start : min(ends)]


def _unlock_time() -> str:
    until = AccessAttempt.objects.order_by("attempt_time").first().attempt_time + COOL_OFF
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return timezone.localtime(until).strftime("%H:%M")


@pytest.fixture
def signing(opened):
    w = opened.world
    leader = opened.leaders[w.head.pk]
    client = Client()
    client.force_login(leader)
    url = reverse("pledges:sign", args=[w.bloc_year.pk, w.head.pk])
    content_hash = services.content_hash_compute(version=opened.version, unit=w.head)

    def post(password, **extra):
        data = {"content_hash": content_hash, "confirm": "on", "password": password}
        return client.post(url, data, **extra)

    return leader, post


def test_twenty_five_wrong_signing_passwords_lock_signing(signing):
    leader, post = signing
    statuses = []
    for attempt in range(1, 26):
        response = post(WRONG)
        statuses.append(response.status_code)
        block = _password_block(response.content.decode())
        if attempt < 5:
            assert "Mật khẩu không đúng." in block
        else:
            match = LOCKED_RE.search(block)
            assert match, block
            assert match.groups() == ("15", _unlock_time())
    assert statuses == [200] * 4 + [429] * 21

    # The right password is refused as well while the lock lasts, next to the field.
    response = post(PASSWORD)
    assert response.status_code == 429
    assert LOCKED_RE.search(_password_block(response.content.decode()))
    assert 'id="sign-form"' in response.content.decode()
    assert not Signature.objects.exists()
    assert AccessAttempt.objects.get(username=leader.username).failures_since_start == 5


def test_signing_failures_lock_the_login_of_that_account_too(signing):
    """One secret, one counter: guesses at the signing password and at the login add up."""
    leader, post = signing
    for _attempt in range(3):
        post(WRONG)
    login = reverse("login")
    for _attempt in range(2):
        response = Client().post(
            login, {"username": leader.username, "password": WRONG}, REMOTE_ADDR="192.0.2.30"
        )
    assert response.status_code == 429
    assert post(PASSWORD).status_code == 429
    response = Client().post(
        login, {"username": leader.username, "password": PASSWORD}, REMOTE_ADDR="192.0.2.31"
    )
    assert response.status_code == 429
    assert "Đăng nhập tạm bị khóa" in response.content.decode()


def test_after_the_cool_off_the_leader_signs(signing):
    leader, post = signing
    for _attempt in range(5):
        post(WRONG)
    assert post(PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - COOL_OFF - dt.timedelta(seconds=1))
    response = post(PASSWORD)
    assert response.status_code == 302
    assert Signature.objects.get().signer == leader


def test_signing_failures_and_the_lock_are_in_the_audit_trail(signing):
    leader, post = signing
    for _attempt in range(6):
        post(WRONG, REMOTE_ADDR="198.51.100.44")
    failed = AuditEvent.objects.filter(action="password_confirm_failed").order_by("id")
    assert failed.count() == 6
    first = failed.first()
    assert first.actor == leader and first.target_id == str(leader.pk)
    assert first.data["purpose"] == "pledge_sign"
    assert first.data["username"] == leader.username
    assert first.data["ip_address"] == "198.51.100.44"
    assert [e.data["refused_while_locked"] for e in failed] == [False] * 5 + [True]
    assert AuditEvent.objects.filter(
        action="password_confirm_locked_out", actor=leader, data__purpose="pledge_sign"
    ).exists()
    assert not AuditEvent.objects.filter(action="pledge_sign").exists()
    assert WRONG not in str(list(AuditEvent.objects.values_list("data", flat=True)))
