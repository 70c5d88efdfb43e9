"""Every URL of the project, with every role. A URL without a declared access rule or
without a row in EXPECTED fails the suite: new views must say who may reach them."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.permissions import RULES
from documents import services as document_services
from documents.models import DocumentJob

from .awards import url_expectations as awards_urls
from .blocs import url_expectations as blocs_urls
from .meetings import url_expectations as meetings_urls
from .pledges import url_expectations as pledges_urls
from .reports import url_expectations as reports_urls
from .scoring import url_expectations as scoring_urls

ROLES = [
    "anonymous",
    "norole",
    "admin",
    "board_here",
    "board_other",
    "secretariat_here",
    "secretariat_other",
    "leader_member",
    "staff_member",
    "leader_nonmember",
    "staff_nonmember",
]
LOGIN = "login"  # a redirect to the login page
OK, REDIRECT, FORBIDDEN, NOT_ALLOWED = 200, 302, 403, 405

ALL_LOGGED_IN = {r: OK for r in ROLES if r != "anonymous"} | {"anonymous": LOGIN}
# Who sees the world's bloc (Kinh tế - Kỹ thuật, Quảng Bình) and everything of it.
BLOC_READERS = {
    "anonymous": LOGIN,
    "norole": FORBIDDEN,
    "admin": OK,
    "board_here": OK,
    "board_other": FORBIDDEN,
    "secretariat_here": OK,
    "secretariat_other": FORBIDDEN,
    "leader_member": OK,
    "staff_member": OK,
    "leader_nonmember": FORBIDDEN,
    "staff_nonmember": FORBIDDEN,
}
# Secretariat work on the world's bloc-year: its secretariat, the board, administrators.
BLOC_MANAGERS = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": REDIRECT,
    "board_here": REDIRECT,
    "secretariat_here": REDIRECT,
}

# url name -> (method, kwargs(world, objects) -> dict, {role: expected}[, reset(objects)]);
# reset, when given, runs after each role's request to undo what a successful POST changed.
EXPECTED = {
    "login": ("get", lambda w, o: {}, dict.fromkeys(ROLES, REDIRECT) | {"anonymous": OK}),
    "logout": ("post", lambda w, o: {}, dict.fromkeys(ROLES, REDIRECT) | {"anonymous": LOGIN}),
    "password_change": ("get", lambda w, o: {}, ALL_LOGGED_IN),
    "password_change_done": ("get", lambda w, o: {}, ALL_LOGGED_IN),
    "set_language": ("post", lambda w, o: {}, dict.fromkeys(ROLES, REDIRECT)),
    "core:dashboard": ("get", lambda w, o: {}, ALL_LOGGED_IN),
    "core:healthz": ("get", lambda w, o: {}, dict.fromkeys(ROLES, OK)),
    "core:livez": ("get", lambda w, o: {}, dict.fromkeys(ROLES, OK)),
    "core:readyz": ("get", lambda w, o: {}, dict.fromkeys(ROLES, OK)),
    "favicon": ("get", lambda w, o: {}, dict.fromkeys(ROLES, REDIRECT)),
    "blocs:province_detail": (
        "get",
        lambda w, o: {"province_id": w.province.pk},
        dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN, "admin": OK, "board_here": OK},
    ),
    "blocs:bloc_detail": ("get", lambda w, o: {"bloc_id": w.bloc.pk}, BLOC_READERS),
    "blocs:bloc_year_detail": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        BLOC_READERS,
    ),
    "blocs:unit_detail": ("get", lambda w, o: {"unit_id": w.member.pk}, BLOC_READERS),
    "documents:request": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "kind": "roster"},
        BLOC_MANAGERS,
    ),
    "documents:detail": ("get", lambda w, o: {"job_id": o["done"].pk}, BLOC_READERS),
    "documents:status": ("get", lambda w, o: {"job_id": o["done"].pk}, BLOC_READERS),
    "documents:download": ("get", lambda w, o: {"job_id": o["done"].pk}, BLOC_READERS),
    "documents:retry": (
        "post",
        lambda w, o: {"job_id": o["failed"].pk},
        BLOC_MANAGERS,
        # Put the job back in the failed state for the next role.
        lambda o: DocumentJob.objects.filter(pk=o["failed"].pk).update(status="failed"),
    ),
}


# Each app's rows live beside its tests; they are merged here.
# In this order: the pledge rows open the world's pledge, the scoring rows then take the
# year on to its scoring step (blocs.cycle); the meetings rows hold the year-end meeting.
APP_EXPECTATIONS = [
    pledges_urls,
    scoring_urls,
    blocs_urls,
    meetings_urls,
    awards_urls,
    reports_urls,
]
for _module in APP_EXPECTATIONS:
    assert not set(_module.EXPECTED) & set(EXPECTED), "duplicate URL rows"
    EXPECTED.update(_module.EXPECTED)


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield prefix, (f"{prefix}{p.name}" if p.name else None), p


def project_urls():
    """Every URL pattern but Django admin's, which test_admin_only_for_administrators covers."""
    return [(name, p) for ns, name, p in _walk(get_resolver().url_patterns) if ns != "admin:"]


def test_every_url_declares_a_rule_and_an_expectation():
    missing_rule, missing_row = [], []
    for name, pattern in project_urls():
        callback = pattern.callback
        rule = getattr(callback, "access_rule", None) or getattr(
            getattr(callback, "view_class", None), "access_rule", None
        )
        if rule not in RULES:
            missing_rule.append(name or str(pattern.pattern))
        if name not in EXPECTED:
            missing_row.append(name or str(pattern.pattern))
    assert not missing_rule, f"URLs without a declared access rule: {missing_rule}"
    assert not missing_row, f"URLs without a row in the URL x role test: {missing_row}"


@pytest.fixture
def objects(world, django_capture_on_commit_callbacks):
    secretariat = world.users["secretariat_here"]
    with django_capture_on_commit_callbacks(execute=True):
        done = document_services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=secretariat
        )
    failed = DocumentJob.objects.create(
        kind="roster",
        bloc_year=world.bloc_year,
        requested_by=secretariat,
        status=DocumentJob.Status.FAILED,
        error="Lỗi thử nghiệm",
    )
    done.refresh_from_db()
    assert done.status == DocumentJob.Status.DONE
    objects = {"done": done, "failed": failed}
    for module in APP_EXPECTATIONS:
        objects.update(module.build_objects(world))
    return objects


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_with_every_role(name, world, objects):
    method, kwargs, expected, *rest = EXPECTED[name]
    reset = rest[0] if rest else None
    url = reverse(name, kwargs=kwargs(world, objects))
    assert set(expected) == set(ROLES), f"{name}: every role needs an expectation"
    failures = []
    for role in ROLES:
        client = Client()
        if world.users.get(role) is not None:
            client.force_login(world.users[role])
        response = getattr(client, method)(url)
        want = expected[role]
        if want == LOGIN:
            ok = response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            ok = response.status_code == want
        if not ok:
            failures.append(f"{role}: got {response.status_code}, want {want}")
        if reset is not None:
            reset(objects)
    assert not failures, f"{name} ({url}): " + "; ".join(failures)


def test_wrong_method_is_refused(world, objects):
    client = Client()
    client.force_login(world.users["admin"])
    assert (
        client.get(reverse("documents:request", args=[world.bloc_year.pk, "roster"])).status_code
        == NOT_ALLOWED
    )
    assert (
        client.post(reverse("blocs:bloc_detail", args=[world.bloc.pk])).status_code == NOT_ALLOWED
    )


def test_unknown_objects_are_404(world):
    client = Client()
    client.force_login(world.users["admin"])
    for name, kwargs in [
        ("blocs:province_detail", {"province_id": 999999}),
        ("blocs:bloc_detail", {"bloc_id": 999999}),
        ("blocs:bloc_year_detail", {"bloc_year_id": 999999}),
        ("blocs:unit_detail", {"unit_id": 999999}),
        ("documents:detail", {"job_id": 999999}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name
    url = reverse("documents:request", args=[world.bloc_year.pk, "khong-co"])
    assert client.post(url).status_code == 404
    assert not DocumentJob.objects.exists()


ADMIN_MODELS = sorted(
    f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry
)


@pytest.mark.parametrize("name", ["admin:index", *ADMIN_MODELS])
def test_admin_only_for_administrators(name, world):
    url = reverse(name)
    for role in ROLES:
        client = Client()
        if world.users.get(role) is not None:
            client.force_login(world.users[role])
        response = client.get(url)
        if role == "admin":
            assert response.status_code == 200, f"{role}: {response.status_code}"
        else:
            assert response.status_code == 302, f"{role}: {response.status_code}"
            assert response.url.startswith((reverse("admin:login"), reverse("login")))
