"""Writes for the bloc registry. Each function validates, runs in one transaction and
records who did it."""

import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
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


def _json(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def _apply(obj: models.Model, values: dict[str, Any]) -> dict[str, list]:
    """Set the given fields; return what changed as {field: [old, new]} for the audit."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_json(old), _json(new)]
            setattr(obj, name, new)
    return changes


def _delete_audited(*, obj: models.Model, action: str, actor: Any) -> None:
    """Delete a registry row, or refuse in Vietnamese when other records still use it."""
    label, pk = str(obj), obj.pk
    try:
        with transaction.atomic():
            _count, removed = obj.delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        raise ValidationError(
            _(
                "Không thể xóa “%(name)s”: dữ liệu khác (năm thi đua, điểm, giao ước...) "
                "còn gắn với nó."
            )
            % {"name": label}
        ) from None
    obj.pk = pk  # the audit names the row that was deleted
    audit_event_record(
        actor=actor, action=action, target=obj, data={"name": label, "removed": removed}
    )


@transaction.atomic
def province_update(
    *,
    province: Province,
    name: str,
    code: str,
    board_name: str,
    authority_name: str,
    actor: Any = None,
) -> Province:
    province = Province.objects.select_for_update().get(pk=province.pk)
    changes = _apply(
        province,
        {"name": name, "code": code, "board_name": board_name, "authority_name": authority_name},
    )
    if changes:
        province.full_clean()
        province.save(update_fields=list(changes))
        audit_event_record(
            actor=actor, action="province_update", target=province, data={"changes": changes}
        )
    return province


@transaction.atomic
def province_delete(*, province: Province, actor: Any = None) -> None:
    _delete_audited(obj=province, action="province_delete", actor=actor)


@transaction.atomic
def bloc_create(
    *,
    province: Province,
    name: str,
    number: int | None = None,
    active: bool = True,
    actor: Any = None,
) -> Bloc:
    bloc = Bloc(province=province, name=name, number=number, active=active)
    bloc.full_clean()
    bloc.save()
    audit_event_record(actor=actor, action="bloc_create", target=bloc)
    return bloc


@transaction.atomic
def bloc_update(
    *,
    bloc: Bloc,
    province: Province,
    name: str,
    number: int | None = None,
    active: bool = True,
    actor: Any = None,
) -> Bloc:
    bloc = Bloc.objects.select_for_update().get(pk=bloc.pk)
    if province.pk != bloc.province_id and bloc.years.exists():
        raise ValidationError(
            {"province": _("Khối đã có năm thi đua nên không thể chuyển sang tỉnh khác.")}
        )
    changes = _apply(bloc, {"province": province, "name": name, "number": number, "active": active})
    if changes:
        bloc.full_clean()
        bloc.save()
        audit_event_record(
            actor=actor, action="bloc_update", target=bloc, data={"changes": changes}
        )
    return bloc


@transaction.atomic
def bloc_delete(*, bloc: Bloc, actor: Any = None) -> None:
    _delete_audited(obj=bloc, action="bloc_delete", actor=actor)


@transaction.atomic
def unit_create(
    *,
    province: Province,
    name: str,
    short_name: str = "",
    active: bool = True,
    actor: Any = None,
) -> Unit:
    unit = Unit(province=province, name=name, short_name=short_name, active=active)
    unit.full_clean()
    unit.save()
    audit_event_record(actor=actor, action="unit_create", target=unit)
    return unit


@transaction.atomic
def unit_update(
    *,
    unit: Unit,
    province: Province,
    name: str,
    short_name: str = "",
    active: bool = True,
    actor: Any = None,
) -> Unit:
    """Correct a unit's name or state. A rename that is a real change of agency is a
    successor (unit_succeed), so that history keeps the old name."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if province.pk != unit.province_id and unit.memberships.exists():
        raise ValidationError(
            {"province": _("Đơn vị đã là thành viên của khối nên không thể chuyển sang tỉnh khác.")}
        )
    if active and unit.successor_id is not None:
        raise ValidationError(
            {"active": _("Đơn vị đã có đơn vị kế thừa nên không thể hoạt động trở lại.")}
        )
    changes = _apply(
        unit, {"province": province, "name": name, "short_name": short_name, "active": active}
    )
    if changes:
        unit.full_clean()
        unit.save()
        audit_event_record(
            actor=actor, action="unit_update", target=unit, data={"changes": changes}
        )
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, actor: Any = None) -> None:
    _delete_audited(obj=unit, action="unit_delete", actor=actor)


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


def _check_new_members(*, bloc: Bloc, unit_ids: set[int]) -> None:
    # Read province and status from the database, not from possibly stale objects.
    current = Unit.objects.filter(pk__in=unit_ids)
    if current.exclude(province_id=bloc.province_id).exists():
        raise ValidationError({"members": _("Đơn vị thành viên phải thuộc cùng tỉnh với khối.")})
    if current.filter(active=False).exists():
        raise ValidationError(
            {"members": _("Không thể thêm đơn vị đã ngừng hoạt động (đã có đơn vị kế thừa).")}
        )


def _roles_set(*, bloc_year: BlocYear, head: Unit | None, deputy: Unit | None) -> None:
    # Clear first so the one-head / one-deputy constraints never see two at once.
    bloc_year.memberships.exclude(role=Membership.Role.MEMBER).update(role=Membership.Role.MEMBER)
    if head is not None:
        bloc_year.memberships.filter(unit=head).update(role=Membership.Role.HEAD)
    if deputy is not None:
        bloc_year.memberships.filter(unit=deputy).update(role=Membership.Role.DEPUTY)


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
    _check_new_members(bloc=bloc, unit_ids={u.pk for u in members})
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
    _roles_set(bloc_year=bloc_year, head=head, deputy=deputy)
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
def bloc_year_update(
    *,
    bloc_year: BlocYear,
    members: Iterable[Unit],
    head: Unit | None = None,
    deputy: Unit | None = None,
    actor: Any = None,
) -> BlocYear:
    """Change a bloc-year's members and head/deputy at once (its status moves only through
    blocs.cycle). Members are removed only while the year is being set up: later, scores,
    pledges and meetings name them."""
    bloc_year = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    members = list(members)
    if not members:
        raise ValidationError({"members": _("Khối phải có ít nhất một đơn vị thành viên.")})
    current = {m.unit_id: m for m in bloc_year.memberships.all()}
    wanted = {u.pk for u in members}
    added, removed = wanted - current.keys(), current.keys() - wanted
    if removed and bloc_year.status != BlocYear.Status.SETUP:
        raise ValidationError(
            {
                "members": _(
                    "Chỉ bỏ được đơn vị thành viên khi năm thi đua còn ở bước Thiết lập: sau đó "
                    "điểm, giao ước và hội nghị đã gắn với các đơn vị."
                )
            }
        )
    _check_new_members(bloc=bloc_year.bloc, unit_ids=added)
    _check_leadership(members=members, head=head, deputy=deputy)
    before = {m.role: m.unit_id for m in current.values() if m.role != Membership.Role.MEMBER}
    after = {
        role: unit.pk
        for role, unit in [(Membership.Role.HEAD, head), (Membership.Role.DEPUTY, deputy)]
        if unit is not None
    }
    if not (added or removed or before != after):
        return bloc_year
    bloc_year.memberships.filter(unit_id__in=removed).delete()
    Membership.objects.bulk_create(
        Membership(bloc_year=bloc_year, unit_id=pk, role=Membership.Role.MEMBER)
        for pk in sorted(added)
    )
    _roles_set(bloc_year=bloc_year, head=head, deputy=deputy)
    audit_event_record(
        actor=actor,
        action="bloc_year_update",
        target=bloc_year,
        data={
            "added": sorted(added),
            "removed": sorted(removed),
            "before": before,
            "head": head.pk if head else None,
            "deputy": deputy.pk if deputy else None,
        },
    )
    return bloc_year


@transaction.atomic
def bloc_year_delete(*, bloc_year: BlocYear, actor: Any = None) -> None:
    _delete_audited(obj=bloc_year, action="bloc_year_delete", actor=actor)


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


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Any = None) -> None:
    """Withdraw a role. Revoking the administrator role also takes the admin flags that
    role_assign gave; nobody revokes their own administrator role (no lock-out)."""
    assignment = RoleAssignment.objects.select_related("user").get(pk=assignment.pk)
    user = assignment.user
    is_admin_role = assignment.role == RoleAssignment.Role.ADMIN
    if is_admin_role and getattr(actor, "pk", None) == user.pk:
        raise ValidationError(_("Không thể tự thu hồi quyền quản trị của chính mình."))
    data = {
        "user": user.pk,
        "role": assignment.role,
        "province": assignment.province_id,
        "bloc_year": assignment.bloc_year_id,
        "unit": assignment.unit_id,
    }
    audit_event_record(actor=actor, action="role_revoke", target=assignment, data=data)
    assignment.delete()
    if is_admin_role and (user.is_staff or user.is_superuser):
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])


LEADER_NAME_MAX = Membership._meta.get_field("leader_name").max_length
LEADER_TITLE_MAX = Membership._meta.get_field("leader_title").max_length


def _leader_text(value: str) -> str:
    """One line, NFC (a name typed on another keyboard compares equal), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def leader_errors(*, name: str, title: str) -> dict[str, list[str]]:
    """What is wrong with one unit's leader, by field ("" both: not recorded)."""
    errors: dict[str, list[str]] = {}
    for field, value, limit in (
        ("leader_name", name, LEADER_NAME_MAX),
        ("leader_title", title, LEADER_TITLE_MAX),
    ):
        if any(unicodedata.category(ch) == "Cc" and not ch.isspace() for ch in value):
            errors.setdefault(field, []).append(_("Không được chứa ký tự điều khiển."))
        text = _leader_text(value)
        if len(text) > limit:
            errors.setdefault(field, []).append(
                _("Tối đa %(limit)d ký tự (đang có %(count)d).")
                % {"limit": limit, "count": len(text)}
            )
    name, title = _leader_text(name), _leader_text(title)
    if title and not name:
        errors.setdefault("leader_name", []).append(
            _("Nhập họ và tên thủ trưởng cho chức vụ này (hoặc xóa chức vụ).")
        )
    if name and not title:
        errors.setdefault("leader_title", []).append(
            _("Nhập chức vụ như ghi ở khối chữ ký, ví dụ: Giám đốc Sở Giao thông Vận tải.")
        )
    if name and not any(ch.isalpha() for ch in name):
        errors.setdefault("leader_name", []).append(_("Họ và tên phải có chữ cái."))
    return errors


@transaction.atomic
def bloc_year_leaders_set(
    *, bloc_year: BlocYear, leaders: dict[int, tuple[str, str]], actor: Any = None
) -> list[Membership]:
    """Record the head (thủ trưởng: name, title) of member units for this bloc-year; unit id
    -> (name, title), both empty to clear. All or nothing: errors come back keyed
    "<unit id>-leader_name" / "<unit id>-leader_title"."""
    memberships = {
        m.unit_id: m
        for m in Membership.objects.select_for_update()
        .filter(bloc_year=bloc_year)
        .select_related("unit")
    }
    errors: dict[str, list[str]] = {}
    for unit_id, (name, title) in leaders.items():
        if unit_id not in memberships:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                _("Đơn vị không phải thành viên của khối năm này.")
            )
            continue
        for field, messages in leader_errors(name=name, title=title).items():
            errors[f"{unit_id}-{field}"] = messages
    if errors:
        raise ValidationError(errors)
    changed, changes = [], {}
    for unit_id, (name, title) in leaders.items():
        membership = memberships[unit_id]
        diff = _apply(
            membership,
            {"leader_name": _leader_text(name), "leader_title": _leader_text(title)},
        )
        if diff:
            membership.save(update_fields=["leader_name", "leader_title"])
            changed.append(membership)
            changes[str(unit_id)] = diff
    if changes:
        audit_event_record(
            actor=actor, action="bloc_year_leaders_set", target=bloc_year, data=changes
        )
    return changed
