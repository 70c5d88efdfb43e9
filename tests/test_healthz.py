"""GET /healthz/: public, JSON, 200 only when the database, the broker and (when tasks are
not eager) at least one worker answer; 503 otherwise. Each case stays well under 5 s."""

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


def _get(client):
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    return response, response.json()


def test_healthz_anonymous_eager_ok(client, eager):
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connections["default"].vendor
    assert body["broker"]["ok"] is True
    assert body["broker"]["mode"] == "eager"
    assert body["workers"]["ok"] is True
    assert body["workers"]["mode"] == "eager"


def test_healthz_is_not_cached(client, eager):
    response, _body = _get(client)
    assert "no-cache" in response["Cache-Control"]


def test_healthz_for_logged_in_user_too(client, eager):
    client.force_login(make_user("dang.nhap"))
    response, body = _get(client)
    assert response.status_code == 200
    assert body["status"] == "ok"


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
