"""Login throttling (django-axes, core/auth.py): after AXES_FAILURE_LIMIT failures for one
account or from one address, attempts (the right password included) are refused for
AXES_COOLOFF_TIME with a Vietnamese message that says when to try again, on the form itself
and with 429; failures and lockouts are in the audit trail; idle sessions end."""

import datetime as dt
import json
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.auth import IDLE_STAMP
from core.models import AuditEvent

from .conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
ADMIN_LOGIN_URL = reverse("admin:login")
WRONG = "sai-mat-khau-lan-nua"
INVALID_LOGIN = "Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác."
LOCKED = "Đăng nhập tạm bị khóa do nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau"
LOCKED_RE = re.compile(
    r"Đăng nhập tạm bị khóa do nhập sai mật khẩu nhiều lần\. "
    r"Vui lòng thử lại sau (\d+) phút \(lúc (\d\d:\d\d)\)\."
)
COOL_OFF = dt.timedelta(minutes=15)


@pytest.fixture(autouse=True)
def _throttle(settings):
    """The documented defaults, whatever the environment of the test run says."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = COOL_OFF
    settings.PLEDGE_TRUSTED_PROXY_COUNT = 0


def _login(client, username, password, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, **extra)


def _html(response) -> str:
    return response.content.decode()


def _unlock_time(username: str | None = None, ip: str | None = None) -> str:
    """When the lock announced for this account (or address) ends, from axes' own rows:
    the last counted failure plus the cool-off, to the minute, rounded up."""
    rows = AccessAttempt.objects.all()
    if username:
        rows = rows.filter(username=username)
    if ip:
        rows = rows.filter(ip_address=ip)
    until = rows.order_by("attempt_time").first().attempt_time + COOL_OFF
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return timezone.localtime(until).strftime("%H:%M")


def _assert_locked_form(response, *, username=None, ip=None) -> None:
    html = _html(response)
    assert response.status_code == 429
    match = LOCKED_RE.search(html)
    assert match, html[:3000]
    minutes, at = match.groups()
    assert minutes == "15"
    assert at == _unlock_time(username, ip)
    # On the login form itself, not a bare page.
    assert 'id="login-form"' in html and 'name="password"' in html


def _age_attempts(by: dt.timedelta) -> None:
    """Let time pass for axes: its attempts become older (no sleeping)."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= by
        attempt.save(update_fields=["attempt_time"])


def test_forty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(client):
    make_user("lanh.dao")
    statuses = []
    for attempt in range(1, 41):
        response = _login(client, "lanh.dao", WRONG)
        statuses.append(response.status_code)
        if attempt < 5:
            assert INVALID_LOGIN in _html(response)
            assert LOCKED not in _html(response)
        else:
            _assert_locked_form(response, username="lanh.dao")
    assert statuses == [200] * 4 + [429] * 36
    assert 0 < int(response["Retry-After"]) <= COOL_OFF.total_seconds()
    response = _login(client, "lanh.dao", PASSWORD)
    _assert_locked_form(response, username="lanh.dao")
    assert SESSION_KEY not in client.session
    assert WRONG not in _html(response) and PASSWORD not in _html(response)
    # Refused attempts are not counted: the lock ends when the message first said it would.
    assert AccessAttempt.objects.get(username="lanh.dao").failures_since_start == 5


def test_lock_ends_after_the_cool_off(client):
    make_user("lanh.dao")
    for _attempt in range(5):
        _login(client, "lanh.dao", WRONG)
    assert _login(client, "lanh.dao", PASSWORD).status_code == 429
    _age_attempts(COOL_OFF - dt.timedelta(seconds=30))
    assert _login(client, "lanh.dao", PASSWORD).status_code == 429, "still inside the cool-off"
    _age_attempts(dt.timedelta(seconds=31))
    response = _login(client, "lanh.dao", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY]


def test_one_address_trying_many_accounts_is_locked_but_not_others(client):
    make_user("nguoi.that")
    for i in range(5):
        response = _login(client, f"doan.ten.{i}", WRONG, REMOTE_ADDR="203.0.113.5")
    _assert_locked_form(response, ip="203.0.113.5")
    # The right password of an account nobody attacked, from that address: refused.
    _assert_locked_form(
        _login(client, "nguoi.that", PASSWORD, REMOTE_ADDR="203.0.113.5"), ip="203.0.113.5"
    )
    # From another address the same account logs in: the address was locked, not the account.
    other = Client()
    assert _login(other, "nguoi.that", PASSWORD, REMOTE_ADDR="203.0.113.6").status_code == 302


def test_one_account_tried_from_many_addresses_is_locked_everywhere(client):
    make_user("lanh.dao")
    for i in range(5):
        response = _login(Client(), "lanh.dao", WRONG, REMOTE_ADDR=f"198.51.100.{i + 1}")
    assert response.status_code == 429
    response = _login(client, "lanh.dao", PASSWORD, REMOTE_ADDR="192.0.2.77")
    _assert_locked_form(response, username="lanh.dao")


def test_forged_forwarded_for_does_not_dodge_the_address_lock(client, settings):
    """Behind one trusted proxy only the address it appended counts; the part the client
    writes itself changes nothing."""
    settings.PLEDGE_TRUSTED_PROXY_COUNT = 1
    make_user("nguoi.that")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(5):
        response = _login(
            client,
            f"doan.ten.{i}",
            WRONG,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}, 198.51.100.9",
            **proxy,
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.9"}
    response = _login(
        client, "nguoi.that", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.9", **proxy
    )
    _assert_locked_form(response, ip="198.51.100.9")
    # Another real client behind the same proxy is not locked.
    other = _login(Client(), "nguoi.that", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.10", **proxy)
    assert other.status_code == 302


def test_ipv6_client_is_counted_per_64_block(client):
    """A machine with an IPv6 /64 could use a new address for every try."""
    make_user("nguoi.that")
    for i in range(5):
        _login(client, f"doan.ten.{i}", WRONG, REMOTE_ADDR=f"2001:db8:1:2::{i + 1:x}")
    response = _login(client, "nguoi.that", PASSWORD, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert response.status_code == 429
    other_block = _login(Client(), "nguoi.that", PASSWORD, REMOTE_ADDR="2001:db8:1:3::1")
    assert other_block.status_code == 302


def test_without_a_trusted_proxy_forwarded_for_is_ignored(client):
    make_user("nguoi.that")
    for i in range(5):
        _login(client, f"doan.ten.{i}", WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{i + 1}")
    response = _login(client, "nguoi.that", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def _admin_login(client, username, password):
    return client.post(
        ADMIN_LOGIN_URL, {"username": username, "password": password, "next": "/admin/"}
    )


def test_admin_login_is_throttled_the_same_way(client):
    make_user("quan.tri", is_staff=True, is_superuser=True)
    for _attempt in range(4):
        assert _admin_login(client, "quan.tri", WRONG).status_code == 200
    for _attempt in range(3):
        response = _admin_login(client, "quan.tri", WRONG)
        assert response.status_code == 429
        assert LOCKED_RE.search(_html(response))
    response = _admin_login(client, "quan.tri", PASSWORD)
    assert response.status_code == 429
    html = _html(response)
    assert 'id="login-form"' in html and LOCKED_RE.search(html).group(2) == _unlock_time("quan.tri")
    assert SESSION_KEY not in client.session
    # One counter: the login page is locked for that account too.
    assert _login(Client(), "quan.tri", PASSWORD, REMOTE_ADDR="192.0.2.8").status_code == 429


def test_login_page_and_admin_share_one_counter(client):
    make_user("quan.tri", is_staff=True)
    for _attempt in range(3):
        _login(client, "quan.tri", WRONG)
    assert _admin_login(client, "quan.tri", WRONG).status_code == 200
    assert _admin_login(client, "quan.tri", WRONG).status_code == 429


def test_failures_and_lockouts_are_in_the_audit_trail_without_passwords(client):
    user = make_user("lanh.dao")
    for _attempt in range(6):
        _login(client, "lanh.dao", WRONG, REMOTE_ADDR="198.51.100.4")
    _login(client, "khong.ton.tai", WRONG, REMOTE_ADDR="198.51.100.5")

    failed = AuditEvent.objects.filter(action="login_failed", target_id=str(user.pk))
    assert failed.count() == 6
    row = failed.earliest("id")
    assert row.actor is None and row.target_type == "auth.user"
    assert row.data["username"] == "lanh.dao"
    assert row.data["ip_address"] == "198.51.100.4"
    assert row.data["path"] == LOGIN_URL
    # The sixth came while locked: refused without looking at the password.
    assert [e.data["refused_while_locked"] for e in failed.order_by("id")] == [False] * 5 + [True]

    locked = AuditEvent.objects.get(action="login_locked_out")
    assert locked.target_id == str(user.pk) and locked.data["username"] == "lanh.dao"
    until = dt.datetime.fromisoformat(locked.data["until"])
    assert COOL_OFF - dt.timedelta(minutes=1) < until - locked.at <= COOL_OFF

    unknown = AuditEvent.objects.get(action="login_failed", data__username="khong.ton.tai")
    assert (unknown.target_type, unknown.target_id) == ("auth.user", "")
    assert unknown.data["ip_address"] == "198.51.100.5"

    stored = json.dumps(list(AuditEvent.objects.values("data")), ensure_ascii=False)
    assert WRONG not in stored and "*****" not in stored


def test_an_admin_unlocks_an_account_in_the_admin(client):
    make_user("lanh.dao")
    admin = make_user("quan.tri", is_staff=True, is_superuser=True)
    for _attempt in range(5):
        _login(Client(), "lanh.dao", WRONG)
    assert _login(Client(), "lanh.dao", PASSWORD).status_code == 429

    client.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and "lanh.dao" in _html(page)
    attempt = AccessAttempt.objects.get(username="lanh.dao")
    response = client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    # The admin's own log names who unlocked and when.
    assert LogEntry.objects.filter(user=admin, action_flag=DELETION).exists()
    assert _login(Client(), "lanh.dao", PASSWORD).status_code == 302


def test_wrong_old_password_on_password_change_counts_too(client):
    user = make_user("doi.mat.khau")
    client.force_login(user)
    url = reverse("password_change")
    data = {
        "old_password": WRONG,
        "new_password1": "Mk-moi-2026!x",
        "new_password2": "Mk-moi-2026!x",
    }
    for _attempt in range(4):
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Mật khẩu cũ không chính xác." in _html(response)
    response = client.post(url, data)
    assert response.status_code == 429
    assert "Đổi mật khẩu tạm bị khóa do nhập sai mật khẩu nhiều lần." in _html(response)
    response = client.post(url, {**data, "old_password": PASSWORD})
    assert response.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD), "the password changed during the lock"
    assert AuditEvent.objects.filter(
        action="password_confirm_failed", data__purpose="password_change", actor=user
    ).exists()
    assert _login(Client(), "doi.mat.khau", PASSWORD).status_code == 429


# --- Idle sessions --------------------------------------------------------------------------


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _let_session_idle(client, *, idle: int, left: int) -> None:
    """As if the session were last refreshed `idle` seconds ago, with `left` seconds to go."""
    store = SessionStore(session_key=client.session.session_key)
    store[IDLE_STAMP] = int(time.time()) - idle
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=left)
    )


def _ends_in_idle_time(client, idle: int) -> bool:
    left = _session_row(client).expire_date - timezone.now()
    return abs(left - dt.timedelta(seconds=idle)) < dt.timedelta(minutes=1)


def test_session_ends_after_the_idle_time(client, settings):
    idle = settings.SESSION_COOKIE_AGE
    make_user("lanh.dao")
    assert _login(client, "lanh.dao", PASSWORD).status_code == 302
    assert _ends_in_idle_time(client, idle)

    # Requests within a minute of the last refresh do not write the session.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []

    # Idle for all but 30 seconds, then a request: the full idle time starts again.
    _let_session_idle(client, idle=idle - 30, left=30)
    assert client.get("/").status_code == 200
    assert _ends_in_idle_time(client, idle)

    # Idle past the limit: the next request is sent to the login page.
    _let_session_idle(client, idle=idle + 1, left=-1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_logging_out_is_not_undone_by_the_idle_refresh(client):
    make_user("lanh.dao")
    assert _login(client, "lanh.dao", PASSWORD).status_code == 302
    _let_session_idle(client, idle=3600, left=3600)
    client.post(reverse("logout"))
    # The logged-out session is gone and no new one was saved behind it.
    assert not Session.objects.exists()
