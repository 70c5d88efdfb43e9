"""GET /healthz/: public, JSON. Anyone gets {"status": "ok"} (200) or {"status": "error"}
(503) from one database query, without a broker or worker ping. Called from the machine
itself (the container healthcheck: loopback address, no proxy header) or by a staff user,
it also names the database and checks the broker and (when tasks are not eager) the
workers: 200 only when all answer. Each case stays well under 5 s.

Django's test client calls from 127.0.0.1, i.e. as the container healthcheck does; the
outside callers below set REMOTE_ADDR."""

import os
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import OperationalError, connections
from django.urls import reverse

from config.celery import app as celery_app

from .conftest import make_user, needs_redis

pytestmark = pytest.mark.django_db

URL = reverse("core:healthz")
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def not_eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app at another broker for one test; monkeypatch restores it."""

    def use(url: str) -> None:
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        assert celery_app.conf.broker_url == url

    original = celery_app.conf.broker_url
    yield use
    monkeypatch.undo()
    assert celery_app.conf.broker_url == original
    # Drop the connection and producer pools built for the other URL (what Celery itself
    # does after a fork), or later tasks of this process would still go there.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _get(client, **extra):
    response = client.get(URL, **extra)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


@pytest.fixture
def no_broker_contact(monkeypatch):
    """Fails the test if the view opens a broker connection or pings the workers."""
    touched = []

    def refuse(*args, **kwargs):
        touched.append(args)
        raise AssertionError("the broker was contacted")

    monkeypatch.setattr(celery_app, "connection_for_write", refuse)
    monkeypatch.setattr(celery_app.control, "inspect", refuse)
    yield touched
    assert touched == []


# --- Outside callers: the verdict only -------------------------------------------------------


def test_outside_anonymous_gets_only_the_verdict(client, not_eager, no_broker_contact):
    # Tasks go to a broker here, yet an anonymous probe from outside triggers no ping.
    response, body = _get(client, **OUTSIDE)
    assert response.status_code == 200
    assert body == {"status": "ok"}


def test_outside_anonymous_database_down_is_503_without_details(client, eager):
    wrapper = connections["default"]
    with mock.patch.object(wrapper, "cursor", side_effect=OperationalError("refused")) as cursor:
        response, body = _get(client, **OUTSIDE)
    assert cursor.called
    assert response.status_code == 503
    assert body == {"status": "error"}
    assert b"OperationalError" not in response.content


@pytest.mark.parametrize("extra", [{}, OUTSIDE], ids=["local", "outside"])
def test_a_failing_health_check_is_logged_not_mailed(
    client, eager, settings, mailoutbox, caplog, extra
):
    """The container healthcheck probes every 30 s: a database outage must not mail ADMINS
    the report of every probe (Django mails each 5xx it logs as an error)."""
    settings.ADMINS = [("Quản trị", "quantri@example.gov.vn")]
    wrapper = connections["default"]
    with mock.patch.object(wrapper, "cursor", side_effect=OperationalError("refused")):
        response, _body = _get(client, **extra)
    assert response.status_code == 503
    assert mailoutbox == []
    warnings = [r for r in caplog.records if "Health check failed" in r.getMessage()]
    assert warnings and "OperationalError" in warnings[0].getMessage()


def test_outside_logged_in_non_staff_gets_only_the_verdict(client, not_eager, no_broker_contact):
    client.force_login(make_user("dang.nhap"))
    response, body = _get(client, **OUTSIDE)
    assert (response.status_code, body) == (200, {"status": "ok"})


def test_forwarded_for_localhost_is_not_local(client, not_eager, no_broker_contact):
    # X-Forwarded-For is set by the client or a proxy: it never makes a caller local.
    response, body = _get(client, HTTP_X_FORWARDED_FOR="127.0.0.1", **OUTSIDE)
    assert body == {"status": "ok"}


def test_loopback_through_a_local_proxy_is_not_local(client, not_eager, no_broker_contact):
    # A reverse proxy on the same host connects from 127.0.0.1 but adds its header.
    response, body = _get(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert body == {"status": "ok"}


def test_outside_staff_sees_the_details(client, eager):
    client.force_login(make_user("quan.tri", is_staff=True))
    response, body = _get(client, **OUTSIDE)
    assert response.status_code == 200
    assert body["database"]["vendor"] == connections["default"].vendor
    assert body["broker"]["mode"] == "eager"


def test_ipv6_loopback_sees_the_details(client, eager):
    response, body = _get(client, REMOTE_ADDR="::1")
    assert body["database"]["ok"] is True and "broker" in body


# --- From the machine itself (the container healthcheck): the details -------------------------


def test_healthz_local_eager_ok(client, eager):
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connections["default"].vendor
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == "eager"
    assert body["workers"]["ok"] is True
    assert body["workers"]["mode"] == "eager"


@pytest.mark.parametrize("extra", [{}, OUTSIDE], ids=["local", "outside"])
def test_healthz_is_not_cached(client, eager, extra):
    response, _body = _get(client, **extra)
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post(URL).status_code == 405


def test_healthz_database_down_is_503(client, eager):
    wrapper = connections["default"]
    with mock.patch.object(
        wrapper, "cursor", side_effect=OperationalError("connection refused")
    ) as cursor:
        response, body = _get(client)
    assert cursor.called
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    # The rest is still reported.
    assert body["broker"]["ok"] is True


def test_healthz_broker_unreachable_is_503(client, not_eager, broker_url):
    broker_url(UNREACHABLE_BROKER)
    response, body = _get(client)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["broker"]["required"] is True
    assert body["broker"]["error"]
    assert body["workers"] == {"ok": False, "required": True, "count": 0}


def test_broker_url_is_restored_after_the_broker_test():
    # Runs after the test above in file order: the patched URL must not leak.
    assert celery_app.conf.broker_url != UNREACHABLE_BROKER


def _idle_redis_url() -> str:
    """REDIS_URL with another database number: kombu scopes its broadcast (pidbox) channels
    by database, so no worker listening on REDIS_URL's own database can answer the ping."""
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit(parts._replace(path="/15"))


@needs_redis
def test_healthz_no_worker_is_503(client, not_eager, broker_url):
    broker_url(_idle_redis_url())
    response, body = _get(client)
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "required": True}
    assert body["workers"] == {"ok": False, "required": True, "count": 0}


# --- /livez/ and /readyz/ (the compose healthchecks) ------------------------------------------

LIVEZ = reverse("core:livez")
READYZ = reverse("core:readyz")


@pytest.mark.parametrize("extra", [{}, OUTSIDE], ids=["local", "outside"])
def test_livez_answers_without_any_io(client, not_eager, no_broker_contact, extra):
    wrapper = connections["default"]
    with mock.patch.object(wrapper, "cursor", side_effect=OperationalError("down")) as cursor:
        response = client.get(LIVEZ, **extra)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert not cursor.called, "/livez/ queried the database"
    assert "no-store" in response["Cache-Control"]


def test_livez_refuses_post(client):
    assert client.post(LIVEZ).status_code == 405
    assert client.post(READYZ).status_code == 405


def test_readyz_local_eager_names_database_and_broker(client, eager):
    response = client.get(READYZ)
    body = response.json()
    assert response.status_code == 200
    assert body == {
        "status": "ok",
        "database": {"ok": True, "vendor": connections["default"].vendor},
        "broker": {"ok": True, "mode": "eager", "required": False},
    }
    assert "no-store" in response["Cache-Control"]


def test_readyz_outside_gets_only_the_verdict(client, eager):
    response = client.get(READYZ, **OUTSIDE)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_database_down_is_503(client, eager, mailoutbox):
    wrapper = connections["default"]
    with mock.patch.object(wrapper, "cursor", side_effect=OperationalError("refused")):
        local = client.get(READYZ)
        outside = client.get(READYZ, **OUTSIDE)
    assert local.status_code == 503
    assert local.json()["database"] == {"ok": False, "error": "OperationalError"}
    assert (outside.status_code, outside.json()) == (503, {"status": "error"})
    assert mailoutbox == []


def test_readyz_broker_unreachable_is_503(client, not_eager, broker_url):
    broker_url(UNREACHABLE_BROKER)
    response = client.get(READYZ)
    body = response.json()
    assert response.status_code == 503
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False and body["broker"]["required"] is True


@needs_redis
def test_readyz_does_not_need_a_worker(client, not_eager, broker_url):
    """No worker listens on this database: /healthz/ says 503, /readyz/ is still ready, so a
    dead worker does not take web out of service."""
    broker_url(_idle_redis_url())
    assert client.get(URL).status_code == 503
    response = client.get(READYZ)
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == {"ok": True, "required": True}
    assert "workers" not in response.json()
