import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from blocs import services
from blocs.models import BlocYear, Membership, RoleAssignment
from core.models import AuditEvent

from .conftest import make_user


def test_bloc_year_create_records_members_head_deputy_and_audit(world):
    by = world.bloc_year
    assert by.head_unit == world.head
    assert by.deputy_unit == world.deputy
    assert set(by.members.all()) == {world.head, world.deputy, world.member}
    assert AuditEvent.objects.filter(
        action="bloc_year_create", target_type="blocs.blocyear", target_id=str(by.pk)
    ).exists()


@pytest.mark.parametrize(
    ("head_key", "deputy_key", "field", "message"),
    [
        ("non_member", None, "head", "Trưởng khối phải là thành viên"),
        (None, "non_member", "deputy", "Phó khối phải là thành viên"),
        ("member", "member", "deputy", "hai đơn vị khác nhau"),
    ],
)
def test_bloc_year_create_rejects_bad_leadership_and_saves_nothing(
    world, head_key, deputy_key, field, message
):
    before = BlocYear.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.bloc_year_create(
            bloc=world.bloc,
            year=2021,
            members=[world.head, world.member],
            head=getattr(world, head_key) if head_key else None,
            deputy=getattr(world, deputy_key) if deputy_key else None,
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert BlocYear.objects.count() == before


def test_bloc_year_create_rejects_duplicate_year(world):
    with pytest.raises(ValidationError):
        services.bloc_year_create(bloc=world.bloc, year=2020, members=[world.head])
    assert BlocYear.objects.filter(bloc=world.bloc, year=2020).count() == 1


def test_bloc_year_create_rejects_unit_of_other_province(world):
    far_unit = world.far_bloc_year.members.get()
    with pytest.raises(ValidationError) as exc:
        services.bloc_year_create(bloc=world.bloc, year=2021, members=[world.head, far_unit])
    assert "cùng tỉnh" in " ".join(exc.value.message_dict["members"])
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2021).exists()


def test_bloc_year_create_rejects_empty_and_inactive_members(world):
    with pytest.raises(ValidationError):
        services.bloc_year_create(bloc=world.bloc, year=2021, members=[])
    new = services.unit_create(province=world.province, name="Sở Nông nghiệp và Môi trường")
    services.unit_succeed(unit=world.member, successor=new, on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.bloc_year_create(bloc=world.bloc, year=2026, members=[world.member])
    assert "ngừng hoạt động" in " ".join(exc.value.message_dict["members"])


def test_set_leadership_swaps_head_and_deputy(world):
    services.bloc_year_set_leadership(
        bloc_year=world.bloc_year, head=world.deputy, deputy=world.head
    )
    by = BlocYear.objects.get(pk=world.bloc_year.pk)
    assert by.head_unit == world.deputy
    assert by.deputy_unit == world.head
    event = AuditEvent.objects.filter(action="bloc_year_set_leadership").latest("id")
    assert event.data["before"] == {"head": world.head.pk, "deputy": world.deputy.pk}


def test_set_leadership_rejects_non_member_and_keeps_old_values(world):
    with pytest.raises(ValidationError):
        services.bloc_year_set_leadership(
            bloc_year=world.bloc_year, head=world.non_member, deputy=None
        )
    assert BlocYear.objects.get(pk=world.bloc_year.pk).head_unit == world.head


def test_database_enforces_one_head_per_bloc_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(bloc_year=world.bloc_year, unit=world.member).update(
            role=Membership.Role.HEAD
        )


def test_database_enforces_one_bloc_year_per_bloc_and_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        BlocYear.objects.create(bloc=world.bloc, year=2020)


def test_database_enforces_role_scope(world):
    user = make_user("sai.pham.vi")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=RoleAssignment.Role.BOARD, unit=world.head)


def test_role_assign_rejects_wrong_scope_with_vietnamese_message(world):
    user = make_user("sai.pham.vi")
    with pytest.raises(ValidationError) as exc:
        services.role_assign(user=user, role=RoleAssignment.Role.SECRETARIAT, unit=world.head)
    assert "Phạm vi không khớp vai trò" in " ".join(exc.value.messages)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_unit_succeed_keeps_history_and_rejects_cycles(world):
    new = services.unit_create(province=world.province, name="Sở Xây dựng (mới)")
    services.unit_succeed(unit=world.deputy, successor=new, on=dt.date(2025, 3, 1))
    world.deputy.refresh_from_db()
    assert world.deputy.successor == new and not world.deputy.active
    # History is not rewritten: the 2020 membership still names the old unit.
    assert world.bloc_year.memberships.filter(unit=world.deputy, role="deputy").exists()
    with pytest.raises(ValidationError) as exc:
        services.unit_succeed(unit=new, successor=world.deputy, on=dt.date(2025, 4, 1))
    assert "vòng lặp" in " ".join(exc.value.messages)
    new.refresh_from_db()
    assert new.successor is None


def test_unit_succeed_rejects_self_and_other_province(world):
    with pytest.raises(ValidationError):
        services.unit_succeed(unit=world.head, successor=world.head, on=dt.date(2025, 1, 1))
    far_unit = world.far_bloc_year.members.get()
    with pytest.raises(ValidationError):
        services.unit_succeed(unit=world.head, successor=far_unit, on=dt.date(2025, 1, 1))
    world.head.refresh_from_db()
    assert world.head.active and world.head.successor is None
