"""Writes of the year's set-up and of the registry done in the browser: next year's
bloc-year, its members, head and deputy and secretariat; successions of units; inviting
users. Each validates, runs in one transaction and is recorded in the audit trail."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.names import person_name
from core.permissions import can_manage_registry
from core.services import audit_event_record

from . import cycle, services
from .models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit

SETUP_ONLY = [BlocYear.Status.SETUP]


def unit_current(unit: Unit) -> Unit:
    """The unit that carries `unit` on today: the end of its succession chain."""
    seen = {unit.pk}
    while unit.successor_id is not None and unit.successor_id not in seen:
        unit = unit.successor
        seen.add(unit.pk)
    return unit


@transaction.atomic
def bloc_year_create_next(
    *,
    bloc: Bloc,
    year: int,
    members: Iterable[Unit],
    source: BlocYear | None = None,
    actor: Any,
) -> BlocYear:
    """Next year's bloc-year, in setup, with the members chosen (by default those of
    `source`, merged or renamed units offered as their successors: the past is untouched).
    The secretariat of `source` keeps setting up the new year until the new head unit's
    people are named."""
    members = list(members)
    if year is None or not (1945 <= year <= 2200):
        raise ValidationError({"year": _("Năm không hợp lệ.")})
    if BlocYear.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError({"year": _("Khối đã có năm thi đua %(year)s.") % {"year": year}})
    # A secretariat opens only the year after its own; any other year (history typed in
    # afterwards) is for the board and administrators, who also grant its secretariat.
    if (
        source is not None
        and year != source.year + 1
        and not can_manage_registry(actor, bloc.province)
    ):
        raise ValidationError(
            {
                "year": _(
                    "Chỉ tạo được năm liền sau năm %(year)s (năm %(next)s); năm khác do Ban "
                    "Thi đua - Khen thưởng tạo."
                )
                % {"year": source.year, "next": source.year + 1}
            }
        )
    if len({u.pk for u in members}) != len(members):
        raise ValidationError({"members": _("Một đơn vị chỉ được chọn một lần.")})
    bloc_year = services.bloc_year_create(bloc=bloc, year=year, members=members, actor=actor)
    copied = []
    if source is not None:
        for ra in RoleAssignment.objects.filter(
            role=RoleAssignment.Role.SECRETARIAT, bloc_year=source
        ).select_related("user"):
            services.role_assign(
                user=ra.user,
                role=RoleAssignment.Role.SECRETARIAT,
                bloc_year=bloc_year,
                actor=actor,
            )
            copied.append(ra.user_id)
    audit_event_record(
        actor=actor,
        action="bloc_year_create_next",
        target=bloc_year,
        data={"source": source.pk if source else None, "secretariat": copied},
    )
    return bloc_year


def _membership_locked(bloc_year: BlocYear) -> BlocYear:
    locked = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    cycle.bloc_year_require(
        bloc_year=locked, allowed=SETUP_ONLY, work=_("sửa danh sách thành viên"), field="unit"
    )
    return locked


@transaction.atomic
def bloc_year_member_add(*, bloc_year: BlocYear, unit: Unit, actor: Any) -> Membership:
    bloc_year = _membership_locked(bloc_year)
    unit = Unit.objects.get(pk=unit.pk)
    if unit.province_id != bloc_year.bloc.province_id:
        raise ValidationError({"unit": _("Đơn vị thành viên phải thuộc cùng tỉnh với khối.")})
    if not unit.active:
        raise ValidationError(
            {"unit": _("Không thể thêm đơn vị đã ngừng hoạt động (đã có đơn vị kế thừa).")}
        )
    if Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError({"unit": _("Đơn vị đã là thành viên của khối trong năm này.")})
    membership = Membership.objects.create(bloc_year=bloc_year, unit=unit)
    audit_event_record(
        actor=actor, action="bloc_year_member_add", target=bloc_year, data={"unit": unit.pk}
    )
    return membership


@transaction.atomic
def bloc_year_member_remove(*, bloc_year: BlocYear, unit: Unit, actor: Any) -> None:
    bloc_year = _membership_locked(bloc_year)
    membership = Membership.objects.filter(bloc_year=bloc_year, unit=unit).first()
    if membership is None:
        raise ValidationError({"unit": _("Đơn vị không phải thành viên của khối trong năm này.")})
    if membership.role != Membership.Role.MEMBER:
        raise ValidationError(
            {
                "unit": _(
                    "Đơn vị đang là %(role)s: hãy chọn lại Trưởng khối, Phó khối trước khi bỏ "
                    "đơn vị khỏi khối."
                )
                % {"role": membership.get_role_display()}
            }
        )
    membership.delete()
    audit_event_record(
        actor=actor, action="bloc_year_member_remove", target=bloc_year, data={"unit": unit.pk}
    )


@transaction.atomic
def bloc_year_leadership_set(
    *, bloc_year: BlocYear, head: Unit | None, deputy: Unit | None, actor: Any
) -> BlocYear:
    """Head and deputy while the year is in setup (until the meetings issue elects them)."""
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=SETUP_ONLY, work=_("chọn Trưởng khối, Phó khối"), field="head"
    )
    return services.bloc_year_set_leadership(
        bloc_year=bloc_year, head=head, deputy=deputy, actor=actor
    )


def head_unit_people(bloc_year: BlocYear):
    """Users holding a leader or staff role at the year's head unit."""
    head = bloc_year.head_unit
    if head is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__unit=head,
            role_assignments__role__in=[RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF],
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@transaction.atomic
def secretariat_assign(*, bloc_year: BlocYear, user: Any, actor: Any) -> RoleAssignment:
    """The secretariat role of a bloc-year, for a person of its head unit."""
    bloc_year = (
        BlocYear.objects.select_for_update()
        .prefetch_related("memberships__unit")
        .get(pk=bloc_year.pk)
    )
    if bloc_year.head_unit is None:
        raise ValidationError({"user": _("Năm thi đua chưa có đơn vị Trưởng khối.")})
    if not head_unit_people(bloc_year).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("Chỉ giao vai trò thư ký cho lãnh đạo, cán bộ của đơn vị Trưởng khối.")}
        )
    if RoleAssignment.objects.filter(
        user=user, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
    ).exists():
        raise ValidationError({"user": _("Người này đã là thư ký khối của năm thi đua này.")})
    return services.role_assign(
        user=user, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year, actor=actor
    )


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor: Any) -> None:
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    audit_event_record(
        actor=actor,
        action="role_revoke",
        target=assignment,
        data={
            "user": assignment.user_id,
            "role": assignment.role,
            "province": assignment.province_id,
            "bloc_year": assignment.bloc_year_id,
            "unit": assignment.unit_id,
        },
    )
    assignment.delete()


@transaction.atomic
def unit_succession_record(
    *,
    province: Province,
    units: Iterable[Unit],
    on: dt.date,
    successor: Unit | None = None,
    new_name: str = "",
    actor: Any,
) -> Unit:
    """A rename (one unit) or a merge (several) into `successor`, or into a new unit named
    `new_name`, from date `on`. Past memberships keep pointing at the old units."""
    units = list(units)
    new_name = (new_name or "").strip()
    if not units:
        raise ValidationError({"units": _("Hãy chọn ít nhất một đơn vị.")})
    if (successor is None) == (not new_name):
        raise ValidationError(
            {
                "successor": _(
                    "Hãy chọn đơn vị kế thừa có sẵn hoặc ghi tên đơn vị mới (một trong hai)."
                )
            }
        )
    if on is None:
        raise ValidationError({"on": _("Hãy ghi ngày kế thừa.")})
    if any(u.province_id != province.pk for u in units):
        raise ValidationError({"units": _("Đơn vị phải thuộc tỉnh này.")})
    if successor is not None and successor.province_id != province.pk:
        raise ValidationError({"successor": _("Đơn vị kế thừa phải cùng tỉnh.")})
    if successor is not None and any(u.pk == successor.pk for u in units):
        raise ValidationError({"successor": _("Đơn vị không thể kế thừa chính nó.")})
    if successor is None:
        if Unit.objects.filter(province=province, name=new_name).exists():
            raise ValidationError({"new_name": _("Tỉnh đã có đơn vị mang tên này.")})
        successor = services.unit_create(province=province, name=new_name, actor=actor)
    for unit in units:
        try:
            services.unit_succeed(unit=unit, successor=successor, on=on, actor=actor)
        except ValidationError as exc:
            raise ValidationError({"units": [f"{unit.name}: {m}" for m in exc.messages]}) from None
    return successor


def invite_link(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("blocs:invite_accept", kwargs={"uidb64": uid, "token": token})
    return settings.PLEDGE_PUBLIC_BASE_URL.rstrip("/") + path


@transaction.atomic
def user_invite(
    *,
    province: Province,
    email: str,
    full_name: str,
    unit: Unit,
    role: str,
    actor: Any,
) -> Any:
    """A new unit leader or staff account, without a password: an e-mail (in the site's
    language) carries a one-time link to set it (Django's password-reset tokens: the link
    stops working once the password is set)."""
    email = (email or "").strip().lower()
    full_name = " ".join((full_name or "").split())
    errors = {}
    if not full_name:
        errors["full_name"] = _("Hãy ghi họ và tên.")
    if role not in (RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF):
        errors["role"] = _("Chỉ mời lãnh đạo hoặc cán bộ đơn vị.")
    if unit.province_id != province.pk:
        errors["unit"] = _("Đơn vị phải thuộc tỉnh này.")
    elif not unit.active:
        errors["unit"] = _("Đơn vị đã ngừng hoạt động (đã có đơn vị kế thừa).")
    user_model = get_user_model()
    if (
        user_model.objects.filter(email__iexact=email).exists()
        or user_model.objects.filter(username__iexact=email).exists()
    ):
        errors["email"] = _("Đã có tài khoản dùng địa chỉ e-mail này.")
    if errors:
        raise ValidationError(errors)
    user = user_model(username=email, email=email, first_name=full_name[:150])
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    services.role_assign(user=user, role=role, unit=unit, actor=actor)
    audit_event_record(
        actor=actor,
        action="user_invite",
        target=user,
        data={"unit": unit.pk, "role": role, "email": email},
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Mời tham gia phần mềm Khối thi đua – %(unit)s") % {"unit": unit.name}
        body = _(
            "Kính gửi %(name)s,\n\n%(inviter)s đã tạo tài khoản cho bạn với vai trò %(role)s "
            "của %(unit)s (%(province)s).\nTên đăng nhập: %(username)s\n\nHãy đặt mật khẩu "
            "tại đường dẫn sau (chỉ dùng được một lần):\n%(url)s\n"
        ) % {
            "name": full_name,
            "inviter": person_name(actor) if actor else province.board_name,
            "role": RoleAssignment.Role(role).label,
            "unit": unit.name,
            "province": province.name,
            "username": user.username,
            "url": invite_link(user),
        }
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return user
