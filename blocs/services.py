"""Writes for the bloc registry. Each function validates, runs in one transaction and
records who did it."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import audit_event_record

from .models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit


@transaction.atomic
def province_create(
    *, name: str, code: str, board_name: str, authority_name: str, actor: Any = None
) -> Province:
    province = Province(name=name, code=code, board_name=board_name, authority_name=authority_name)
    province.full_clean()
    province.save()
    audit_event_record(actor=actor, action="province_create", target=province)
    return province


@transaction.atomic
def bloc_create(
    *, province: Province, name: str, number: int | None = None, actor: Any = None
) -> Bloc:
    bloc = Bloc(province=province, name=name, number=number)
    bloc.full_clean()
    bloc.save()
    audit_event_record(actor=actor, action="bloc_create", target=bloc)
    return bloc


@transaction.atomic
def unit_create(*, province: Province, name: str, short_name: str = "", actor: Any = None) -> Unit:
    unit = Unit(province=province, name=name, short_name=short_name)
    unit.full_clean()
    unit.save()
    audit_event_record(actor=actor, action="unit_create", target=unit)
    return unit


@transaction.atomic
def unit_succeed(*, unit: Unit, successor: Unit, on: date, actor: Any = None) -> Unit:
    """Record a rename or merge: `unit` ends and `successor` carries on. Nothing old is
    rewritten; memberships of past years keep pointing at the old unit."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if successor.pk == unit.pk:
        raise ValidationError({"successor": _("Đơn vị không thể kế thừa chính nó.")})
    if successor.province_id != unit.province_id:
        raise ValidationError({"successor": _("Đơn vị kế thừa phải cùng tỉnh.")})
    if unit.successor_id is not None:
        raise ValidationError({"successor": _("Đơn vị này đã có đơn vị kế thừa.")})
    seen, cursor = {unit.pk}, successor
    while cursor is not None:
        if cursor.pk in seen:
            raise ValidationError({"successor": _("Chuỗi kế thừa không được tạo vòng lặp.")})
        seen.add(cursor.pk)
        cursor = cursor.successor
    unit.successor = successor
    unit.succeeded_on = on
    unit.active = False
    unit.save(update_fields=["successor", "succeeded_on", "active"])
    audit_event_record(
        actor=actor,
        action="unit_succeed",
        target=unit,
        data={"successor": successor.pk, "on": on.isoformat()},
    )
    return unit


def _check_leadership(*, members: list[Unit], head: Unit | None, deputy: Unit | None) -> None:
    member_ids = {u.pk for u in members}
    errors = {}
    if head is not None and head.pk not in member_ids:
        errors["head"] = _("Đơn vị Trưởng khối phải là thành viên của khối trong năm.")
    if deputy is not None and deputy.pk not in member_ids:
        errors["deputy"] = _("Đơn vị Phó khối phải là thành viên của khối trong năm.")
    if head is not None and deputy is not None and head.pk == deputy.pk:
        errors["deputy"] = _("Trưởng khối và Phó khối phải là hai đơn vị khác nhau.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def bloc_year_create(
    *,
    bloc: Bloc,
    year: int,
    members: Iterable[Unit],
    head: Unit | None = None,
    deputy: Unit | None = None,
    actor: Any = None,
) -> BlocYear:
    """A new bloc-year, in setup: its status moves only through blocs.cycle."""
    members = list(members)
    if not members:
        raise ValidationError({"members": _("Khối phải có ít nhất một đơn vị thành viên.")})
    # Read province and status from the database, not from possibly stale objects.
    current = Unit.objects.filter(pk__in=[u.pk for u in members])
    if current.exclude(province_id=bloc.province_id).exists():
        raise ValidationError({"members": _("Đơn vị thành viên phải thuộc cùng tỉnh với khối.")})
    if current.filter(active=False).exists():
        raise ValidationError(
            {"members": _("Không thể thêm đơn vị đã ngừng hoạt động (đã có đơn vị kế thừa).")}
        )
    _check_leadership(members=members, head=head, deputy=deputy)
    bloc_year = BlocYear(bloc=bloc, year=year)
    bloc_year.full_clean()
    bloc_year.save()
    roles = {}
    if head is not None:
        roles[head.pk] = Membership.Role.HEAD
    if deputy is not None:
        roles[deputy.pk] = Membership.Role.DEPUTY
    Membership.objects.bulk_create(
        Membership(bloc_year=bloc_year, unit=u, role=roles.get(u.pk, Membership.Role.MEMBER))
        for u in members
    )
    audit_event_record(
        actor=actor,
        action="bloc_year_create",
        target=bloc_year,
        data={
            "members": [u.pk for u in members],
            "head": head.pk if head else None,
            "deputy": deputy.pk if deputy else None,
        },
    )
    return bloc_year


@transaction.atomic
def bloc_year_set_leadership(
    *, bloc_year: BlocYear, head: Unit | None, deputy: Unit | None, actor: Any = None
) -> BlocYear:
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    memberships = list(bloc_year.memberships.select_related("unit"))
    _check_leadership(members=[m.unit for m in memberships], head=head, deputy=deputy)
    before = {m.role: m.unit_id for m in memberships if m.role != Membership.Role.MEMBER}
    # Clear first so the one-head / one-deputy constraints never see two at once.
    bloc_year.memberships.exclude(role=Membership.Role.MEMBER).update(role=Membership.Role.MEMBER)
    if head is not None:
        bloc_year.memberships.filter(unit=head).update(role=Membership.Role.HEAD)
    if deputy is not None:
        bloc_year.memberships.filter(unit=deputy).update(role=Membership.Role.DEPUTY)
    audit_event_record(
        actor=actor,
        action="bloc_year_set_leadership",
        target=bloc_year,
        data={
            "before": before,
            "head": head.pk if head else None,
            "deputy": deputy.pk if deputy else None,
        },
    )
    return bloc_year


@transaction.atomic
def role_assign(
    *,
    user: Any,
    role: str,
    province: Province | None = None,
    bloc_year: BlocYear | None = None,
    unit: Unit | None = None,
    actor: Any = None,
) -> RoleAssignment:
    assignment = RoleAssignment(
        user=user, role=role, province=province, bloc_year=bloc_year, unit=unit
    )
    assignment.full_clean()
    assignment.save()
    if role == RoleAssignment.Role.ADMIN and not (user.is_staff and user.is_superuser):
        # Administrators run the Django admin: it needs the staff and superuser flags.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    audit_event_record(
        actor=actor,
        action="role_assign",
        target=assignment,
        data={"user": user.pk, "role": role},
    )
    return assignment
