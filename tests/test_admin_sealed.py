"""Sealed facts are sealed for everyone, the admin included (DESIGN.md §7 "Trust").

Attacked as a hostile superuser would: crafted delete URLs and POSTs to the change views of
sealed rows, bulk actions, deleting users with history; and below the admin, the database
itself refuses to rewrite the lock, the history and the audit trail."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blocs import demo as blocs_demo
from blocs.demo import QB_BLOC
from blocs.models import BlocYear, Membership, RoleAssignment, Unit
from blocs.services import unit_create, unit_succeed
from core.models import AuditEvent
from core.services import audit_event_record
from documents.models import DocumentJob, DocumentJobEvent
from documents.services import document_job_request
from pledges import demo as pledges_demo
from pledges.models import Pledge, PledgeVersion, Signature, UnitTarget
from scoring import demo as scoring_demo
from scoring import services as scoring_services
from scoring.models import (
    CrossAssignment,
    Evidence,
    ScoreChange,
    ScoreSheet,
    ScoreValue,
    ScoringYear,
    ScoringYearEvent,
    Stage,
)

from .conftest import needs_postgres, year_reach

pytestmark = pytest.mark.django_db

User = get_user_model()


def _qb(year: int) -> BlocYear:
    return BlocYear.objects.select_related("bloc").get(
        bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=year
    )


@pytest.fixture
def demo():
    """The demo data (2019 verified and locked, 2020 pledge signed), plus one evidence file,
    one cross assignment and one document job, made through the services."""
    blocs_demo.demo_load()
    scoring_demo.demo_load()
    pledges_demo.demo_load()
    by2020 = year_reach(_qb(2020), BlocYear.Status.SCORING)
    staff = User.objects.get(username="canbo")
    sheet = ScoreSheet.objects.get(bloc_year=by2020, unit__name="Ban Quản lý Khu kinh tế")
    criterion = scoring_services.criteria_table_for_bloc_year(bloc_year=by2020).criteria.first()
    scoring_services.evidence_add(
        sheet=sheet,
        criterion=criterion,
        upload=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n"),
        actor=staff,
    )
    admin_user = User.objects.get(username="admin")
    units = list(by2020.memberships.values_list("unit_id", flat=True)[:2])
    scoring_services.cross_assignment_set(
        bloc_year=by2020, pairs=[(units[0], units[1])], actor=admin_user
    )
    document_job_request(kind="roster", bloc_year=by2020, user=admin_user)
    return by2020


@pytest.fixture
def admin_client(demo):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _url(obj, view: str) -> str:
    opts = obj._meta
    args = [] if view in ("add", "changelist") else [obj.pk]
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


SEALED = [
    ScoringYear,
    ScoringYearEvent,
    ScoreChange,
    ScoreValue,
    ScoreSheet,
    Evidence,
    CrossAssignment,
    AuditEvent,
    Pledge,
    PledgeVersion,
    UnitTarget,
    Signature,
    DocumentJob,
]


# --- the 2019 lock ---------------------------------------------------------------------------


def test_the_admin_cannot_delete_the_2019_lock(admin_client):
    state = ScoringYear.objects.get(bloc_year=_qb(2019))
    assert state.locked
    page = admin_client.get(_url(state, "change"))
    assert page.status_code == 200
    body = page.content.decode()
    assert _url(state, "delete") not in body and 'name="_save"' not in body
    assert reverse("scoring:scoreboard", args=[state.bloc_year_id]) in body  # where to re-open

    for response in [
        admin_client.get(_url(state, "delete")),
        admin_client.post(_url(state, "delete"), {"post": "yes"}),
    ]:
        assert response.status_code == 403
        text = response.content.decode()
        assert "dữ kiện đã niêm phong" in text and "kể cả quản trị hệ thống" in text
        assert "mở lại bởi Ban Thi đua - Khen thưởng" in text
    state.refresh_from_db()
    assert state.locked
    # ... and a verified cell still cannot be saved.
    sheet = ScoreSheet.objects.filter(bloc_year=state.bloc_year).first()
    value = ScoreValue.objects.filter(sheet=sheet, stage=Stage.VERIFIED).first()
    with pytest.raises(scoring_services.ScoreSaveRefused):
        scoring_services.scores_save(
            bloc_year=state.bloc_year,
            stage=Stage.VERIFIED,
            cells=[
                scoring_services.CellInput(
                    unit_id=sheet.unit_id,
                    criterion_id=value.criterion_id,
                    version=value.version,
                    value="0",
                )
            ],
            actor=User.objects.get(username="ban.tdkt"),
        )


def test_posting_the_lock_away_is_refused(admin_client):
    state = ScoringYear.objects.get(bloc_year=_qb(2019))
    response = admin_client.post(
        _url(state, "change"), {"bloc_year": state.bloc_year_id, "locked_at": "", "locked_by": ""}
    )
    assert response.status_code == 403
    state.refresh_from_db()
    assert state.locked and state.locked_by_username == "ban.tdkt"


# --- every sealed model ----------------------------------------------------------------------


def test_sealed_rows_cannot_be_added_changed_or_deleted_in_the_admin(admin_client):
    failures = []
    for model in SEALED:
        obj = model.objects.order_by("pk").first()
        assert obj is not None, f"the demo has no {model.__name__}"
        before = model.objects.count()
        listing = admin_client.get(_url(obj, "changelist"))
        if listing.status_code != 200 or 'value="delete_selected"' in listing.content.decode():
            failures.append(f"{model.__name__}: list {listing.status_code} or bulk delete")
        page = admin_client.get(_url(obj, "change"))
        if page.status_code != 200 or 'name="_save"' in page.content.decode():
            failures.append(f"{model.__name__}: change page {page.status_code} or editable")
        attempts = {
            "add GET": admin_client.get(_url(obj, "add")),
            "add POST": admin_client.post(_url(obj, "add"), {}),
            "change POST": admin_client.post(_url(obj, "change"), {"reason": "x", "value": "0"}),
            "delete GET": admin_client.get(_url(obj, "delete")),
            "delete POST": admin_client.post(_url(obj, "delete"), {"post": "yes"}),
            "bulk delete": admin_client.post(
                _url(obj, "changelist"),
                {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
            ),
        }
        for what, response in attempts.items():
            refused = response.status_code == 403 or (
                what == "bulk delete" and response.status_code in (200, 302)
            )
            if not refused:
                failures.append(f"{model.__name__}: {what} answered {response.status_code}")
        if model.objects.count() != before:
            failures.append(f"{model.__name__}: rows were removed")
    assert not failures, failures
    assert DocumentJobEvent.objects.exists()


# --- the database refuses too ----------------------------------------------------------------


def _refused(action) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_database_keeps_the_lock_unless_the_service_reopens_it(demo):
    by2019 = _qb(2019)
    state = ScoringYear.objects.get(bloc_year=by2019)
    rows = ScoringYear.objects.filter(pk=state.pk)
    _refused(lambda: rows.update(locked_at=None, locked_by=None, locked_by_username=""))
    _refused(lambda: rows.update(locked_at=timezone.now()))
    _refused(lambda: rows.update(locked_by_username="khac"))
    _refused(
        lambda: ScoringYearEvent.objects.create(
            scoring_year=state, action=ScoringYearEvent.Action.REOPEN, reason="  "
        )
    )
    rows.update(revision="moi")  # the grid revision still moves
    # A verified value of the locked year cannot be rewritten behind the service either.
    _refused(
        lambda: ScoreValue.objects.filter(sheet__bloc_year=by2019, stage=Stage.VERIFIED).update(
            value=Decimal("0")
        )
    )
    board = User.objects.get(username="ban.tdkt")
    scoring_services.scoring_reopen(
        bloc_year=by2019, reason="Sai sót khi nhập điểm thẩm định", actor=board
    )
    state.refresh_from_db()
    assert not state.locked
    assert state.events.first().action == ScoringYearEvent.Action.REOPEN
    assert state.events.first().actor_username == "ban.tdkt"


def test_history_events_and_audit_trail_are_append_only(demo):
    _refused(lambda: ScoreChange.objects.update(new_value=Decimal("1")))
    _refused(lambda: ScoringYearEvent.objects.update(reason="Đã sửa lý do cho đẹp"))
    _refused(lambda: AuditEvent.objects.update(action="khac"))


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@needs_postgres
def test_postgres_refuses_deleting_the_lock_history_and_audit(demo):
    """Raw SQL, as code that skips the ORM's PROTECT checks would run it."""
    state = ScoringYear.objects.get(bloc_year=_qb(2019))
    _refused(lambda: _sql("DELETE FROM scoring_scoringyear WHERE id = %s", [state.pk]))
    _refused(
        lambda: _sql("DELETE FROM scoring_scoringyearevent WHERE scoring_year_id = %s", [state.pk])
    )
    _refused(lambda: _sql("DELETE FROM scoring_scorechange WHERE id > %s", [0]))
    _refused(lambda: _sql("DELETE FROM core_auditevent WHERE id > %s", [0]))
    _refused(
        lambda: _sql(
            "DELETE FROM scoring_scorevalue WHERE sheet_id IN "
            "(SELECT id FROM scoring_scoresheet WHERE bloc_year_id = %s)",
            [state.bloc_year_id],
        )
    )
    _refused(lambda: AuditEvent.objects.all().delete())
    assert ScoringYear.objects.get(pk=state.pk).locked


# --- actors: PROTECT, username kept, deactivate instead of delete ----------------------------


ACTOR_FIELDS = [
    (AuditEvent, "actor"),
    (ScoreChange, "changed_by"),
    (ScoreValue, "updated_by"),
    (ScoreSheet, "self_submitted_by"),
    (ScoringYear, "locked_by"),
    (ScoringYearEvent, "actor"),
    (Evidence, "uploaded_by"),
    (Pledge, "created_by"),
    (PledgeVersion, "created_by"),
    (PledgeVersion, "opened_by"),
    (Signature, "signer"),
]


def test_every_row_written_by_the_services_keeps_its_actors_username(demo):
    for model, field in ACTOR_FIELDS:
        rows = list(
            model.objects.filter(**{f"{field}__isnull": False}).values_list(
                f"{field}__username", f"{field}_username"
            )
        )
        assert rows, f"no {model.__name__}.{field} in the demo"
        wrong = [r for r in rows if r[0] != r[1]]
        assert not wrong, f"{model.__name__}.{field}: {wrong[:3]}"


def test_a_renamed_user_is_still_named_as_they_were_in_history(demo):
    board = User.objects.get(username="ban.tdkt")
    board.username = "ban.tdkt.moi"
    board.save()
    state = ScoringYear.objects.get(bloc_year=_qb(2019))
    assert state.locked_by_username == "ban.tdkt"
    assert AuditEvent.objects.filter(actor=board, actor_username="ban.tdkt").exists()


def test_a_user_with_history_cannot_be_deleted_even_from_code(demo):
    with pytest.raises(ProtectedError), transaction.atomic():
        User.objects.get(username="ban.tdkt").delete()
    # An actor without the username beside it is refused by the database.
    _refused(lambda: AuditEvent.objects.create(actor=User.objects.first(), action="x"))


def test_deleting_a_user_with_history_is_refused_and_deactivation_offered(admin_client):
    board = User.objects.get(username="ban.tdkt")
    url = reverse("admin:auth_user_delete", args=[board.pk])
    for attempt in [lambda: admin_client.get(url), lambda: admin_client.post(url, {"post": "yes"})]:
        response = attempt()
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:auth_user_change", args=[board.pk])
        page = admin_client.get(response["Location"]).content.decode()
        assert "đã có lịch sử trong hệ thống" in page and "Hãy khóa tài khoản" in page
        assert "Khóa các tài khoản đã chọn" in page
    bulk = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert 'value="delete_selected"' not in bulk and 'value="deactivate_selected"' in bulk
    assert User.objects.filter(pk=board.pk, is_active=True).exists()

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [board.pk]},
    )
    assert response.status_code == 302
    board.refresh_from_db()
    assert not board.is_active
    event = AuditEvent.objects.get(action="user_deactivate", target_id=str(board.pk))
    assert event.actor_username == "admin"
    assert ScoringYear.objects.get(bloc_year=_qb(2019)).locked_by == board  # history intact


def test_the_admin_cannot_deactivate_or_delete_themself(admin_client):
    admin_user = User.objects.get(username="admin")
    admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [admin_user.pk]},
    )
    assert User.objects.get(pk=admin_user.pk).is_active


def test_a_user_without_history_is_deleted_and_the_deletion_audited(admin_client):
    stray = User.objects.create_user(username="tao.nham")
    url = reverse("admin:auth_user_delete", args=[stray.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="tao.nham").exists()
    event = AuditEvent.objects.get(action="user_delete")
    assert event.data["username"] == "tao.nham" and event.actor_username == "admin"


def test_history_check_counts_rows_that_would_lose_their_author(demo):
    from core.services import user_delete, user_has_history

    requester = User.objects.create_user(username="chi.yeu.cau")
    # Only a SET_NULL link (the service would also write an audit event, which protects).
    job = DocumentJob.objects.create(kind="roster", bloc_year=demo, requested_by=requester)
    assert user_has_history(user=requester)  # documents.DocumentJob.requested_by is SET_NULL
    with pytest.raises(ValidationError):
        user_delete(user=requester, actor=User.objects.get(username="admin"))
    job.refresh_from_db()
    assert job.requested_by == requester


# --- the registry through the services -------------------------------------------------------


@pytest.fixture
def world_admin(world):
    client = Client()
    client.force_login(world.users["admin"])
    return client


def _unit_post(unit_or_province, **overrides) -> dict:
    data = {"province": unit_or_province.pk, "name": "", "short_name": "", "active": "on"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_unit_created_and_edited_in_the_admin_is_audited(world, world_admin):
    response = world_admin.post(
        reverse("admin:blocs_unit_add"),
        _unit_post(world.province, name="Sở Khoa học và Công nghệ", short_name="SKHCN"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="Sở Khoa học và Công nghệ")
    created = AuditEvent.objects.get(action="unit_create", target_id=str(unit.pk))
    assert created.actor == world.users["admin"] and created.actor_username == "admin"

    response = world_admin.post(
        reverse("admin:blocs_unit_change", args=[unit.pk]),
        _unit_post(world.province, name="Sở Khoa học và Công nghệ", short_name="KHCN"),
    )
    assert response.status_code == 302
    updated = AuditEvent.objects.get(action="unit_update", target_id=str(unit.pk))
    assert updated.data["changes"] == {"short_name": ["SKHCN", "KHCN"]}


def test_the_services_validation_shows_on_the_admin_form_and_nothing_is_saved(world, world_admin):
    far_unit = world.far_bloc_year.members.get()
    response = world_admin.post(
        reverse("admin:blocs_unit_change", args=[world.non_member.pk]),
        _unit_post(
            world.province,
            name=world.non_member.name,
            active=None,
            successor=far_unit.pk,
            succeeded_on="2025-07-01",
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đơn vị kế thừa phải cùng tỉnh." in body and "errorlist" in body
    world.non_member.refresh_from_db()
    assert world.non_member.successor is None and world.non_member.active
    assert not AuditEvent.objects.filter(
        target_type="blocs.unit", target_id=str(world.non_member.pk)
    ).exclude(action="unit_create")


def test_a_succession_in_the_admin_goes_through_the_service(world, world_admin):
    successor = unit_create(province=world.province, name="Sở Văn hóa, Thể thao và Du lịch")
    response = world_admin.post(
        reverse("admin:blocs_unit_change", args=[world.non_member.pk]),
        _unit_post(
            world.province,
            name=world.non_member.name,
            active=None,
            successor=successor.pk,
            succeeded_on="2025-07-01",
        ),
    )
    assert response.status_code == 302
    world.non_member.refresh_from_db()
    assert world.non_member.successor == successor and not world.non_member.active
    assert AuditEvent.objects.filter(action="unit_succeed", actor_username="admin").exists()
    # Once recorded, the succession is read-only: history is not rewritten.
    page = world_admin.get(reverse("admin:blocs_unit_change", args=[world.non_member.pk]))
    assert 'name="successor"' not in page.content.decode()


def _bloc_year_post(bloc_year, rows, *, status="setup") -> dict:
    initial = list(bloc_year.memberships.order_by("pk"))
    data = {
        "status": status,
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": len(initial),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for i, (unit, role, delete) in enumerate(rows):
        if i < len(initial):
            data[f"memberships-{i}-id"] = initial[i].pk
            data[f"memberships-{i}-bloc_year"] = bloc_year.pk
        data[f"memberships-{i}-unit"] = unit.pk
        data[f"memberships-{i}-role"] = role
        if delete:
            data[f"memberships-{i}-DELETE"] = "on"
    return data


def test_a_bloc_year_edited_in_the_admin_goes_through_the_service(world, world_admin):
    by = world.bloc_year
    by.status = BlocYear.Status.SETUP
    by.save()
    rows = [(m.unit, m.role, False) for m in by.memberships.order_by("pk")]
    # Swap head and deputy, add a member.
    rows = [(u, {"head": "deputy", "deputy": "head"}.get(r, r), d) for u, r, d in rows] + [
        (world.non_member, "member", False)
    ]
    url = reverse("admin:blocs_blocyear_change", args=[by.pk])
    response = world_admin.post(url, _bloc_year_post(by, rows))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert by.head_unit == world.deputy and by.deputy_unit == world.head
    assert by.memberships.count() == 4
    event = AuditEvent.objects.get(action="bloc_year_update")
    assert event.data["added"] == [world.non_member.pk] and event.actor_username == "admin"


def test_a_member_is_not_removed_in_the_admin_once_the_year_has_started(world, world_admin):
    by = world.bloc_year
    BlocYear.objects.filter(pk=by.pk).update(status=BlocYear.Status.SCORING)
    rows = [(m.unit, m.role, m.unit == world.member) for m in by.memberships.order_by("pk")]
    response = world_admin.post(
        reverse("admin:blocs_blocyear_change", args=[by.pk]),
        _bloc_year_post(by, rows, status="scoring"),
    )
    assert response.status_code == 200
    assert "Chỉ bỏ được đơn vị thành viên khi năm thi đua còn ở bước Thiết lập" in (
        response.content.decode()
    )
    assert Membership.objects.filter(bloc_year=by, unit=world.member).exists()


def test_an_inactive_unit_cannot_join_a_new_year_in_the_admin(world, world_admin):
    successor = unit_create(province=world.province, name="Sở Xây dựng mới")
    unit_succeed(unit=world.member, successor=successor, on=timezone.localdate())
    data = {
        "bloc": world.bloc.pk,
        "year": 2024,
        "status": "setup",
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
        "memberships-0-unit": world.member.pk,
        "memberships-0-role": "member",
    }
    response = world_admin.post(reverse("admin:blocs_blocyear_add"), data)
    assert response.status_code == 200
    assert "đã ngừng hoạt động" in response.content.decode()
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2024).exists()


def test_roles_are_granted_and_revoked_through_the_services(world, world_admin):
    user = world.users["norole"]
    response = world_admin.post(
        reverse("admin:blocs_roleassignment_add"),
        {"user": user.pk, "role": "staff", "unit": world.member.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=user)
    assert AuditEvent.objects.filter(action="role_assign", actor_username="admin").exists()
    # Not edited in place.
    assert (
        world_admin.post(
            reverse("admin:blocs_roleassignment_change", args=[assignment.pk]),
            {"user": user.pk, "role": "leader", "unit": world.member.pk},
        ).status_code
        == 403
    )
    url = reverse("admin:blocs_roleassignment_delete", args=[assignment.pk])
    assert world_admin.post(url, {"post": "yes"}).status_code == 302
    assert not RoleAssignment.objects.filter(user=user).exists()
    revoke = AuditEvent.objects.get(action="role_revoke")
    assert revoke.data["role"] == "staff" and revoke.data["user"] == user.pk


def test_registry_changelists_offer_no_bulk_delete(world, world_admin):
    for name in ["province", "bloc", "unit", "blocyear", "roleassignment"]:
        body = world_admin.get(reverse(f"admin:blocs_{name}_changelist")).content.decode()
        assert 'value="delete_selected"' not in body, name


def test_deleting_a_province_in_use_is_refused_without_an_error_page(world, world_admin):
    url = reverse("admin:blocs_province_delete", args=[world.province.pk])
    for response in [world_admin.get(url), world_admin.post(url, {"post": "yes"})]:
        assert response.status_code == 200  # Django's page listing what protects it
    assert world.province.__class__.objects.filter(pk=world.province.pk).exists()


def test_deleting_an_unused_unit_in_the_admin_is_audited(world, world_admin):
    unit = unit_create(province=world.province, name="Đơn vị tạo nhầm")
    response = world_admin.post(reverse("admin:blocs_unit_delete", args=[unit.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=unit.pk).exists()
    event = AuditEvent.objects.get(action="unit_delete", target_id=str(unit.pk))
    assert event.data["name"] == "Đơn vị tạo nhầm (Quảng Bình)" and event.actor_username == "admin"


def test_audit_record_names_anonymous_actors_as_nobody(world):
    event = audit_event_record(actor=None, action="x", target=world.province)
    assert event.actor is None and event.actor_username == ""


def test_a_role_granted_on_the_user_page_goes_through_the_service(world, world_admin):
    user = world.users["norole"]
    url = reverse("admin:auth_user_change", args=[user.pk])
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "role_assignments-TOTAL_FORMS": 1,
        "role_assignments-INITIAL_FORMS": 0,
        "role_assignments-MIN_NUM_FORMS": 0,
        "role_assignments-MAX_NUM_FORMS": 1000,
        "role_assignments-0-role": "leader",
        "role_assignments-0-unit": world.member.pk,
    }
    response = world_admin.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoleAssignment.objects.filter(user=user, role="leader", unit=world.member).exists()
    assert AuditEvent.objects.filter(action="role_assign", actor_username="admin").exists()
    # A scope that does not fit the role: the model's message on the page, nothing saved.
    data["role_assignments-0-role"] = "board"
    response = world_admin.post(url, data)
    assert response.status_code == 200
    assert "Phạm vi không khớp vai trò" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=user, role="board").exists()
