"""Writes for pledges. Each function validates, runs in one transaction and records who did
it. A version that has left the draft state is frozen here and by database triggers
(migration 0002); an amendment is a new version."""

import datetime as dt
import hashlib
import json
import logging
import secrets
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blocs import cycle
from blocs.models import BlocYear, Membership, RoleAssignment, Unit
from core.auth import Purpose, password_confirm
from core.names import person_full_name, person_name
from core.services import actor_username, audit_event_record
from rules.selectors import rule_set_for

from .models import Commitment, Pledge, PledgeVersion, Reminder, Signature, UnitTarget

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LENGTH = 12
HASH_SCHEMA = "khoithidua/giao-uoc/v1"


# --- Canonical serialisation and hashes --------------------------------------------------


def clean_text(value: str | None) -> str:
    """What every stored text goes through: NFC, Unix newlines, no outer blanks."""
    value = unicodedata.normalize("NFC", value or "")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def number_canonical(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(Decimal(value).normalize(), "f")


def _nfc(obj: Any) -> Any:
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {_nfc(k): _nfc(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nfc(v) for v in obj]
    return obj


def canonical_bytes(payload: dict) -> bytes:
    """Sorted-key JSON without spaces, strings NFC-normalised, encoded as UTF-8."""
    return json.dumps(
        _nfc(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_payload(*, version: PledgeVersion, unit: Unit) -> dict:
    """What a leader signs: the pledge version (title, preamble, common commitments) and
    that unit's registered targets, read fresh from the database."""
    pledge = version.pledge
    commitments = Commitment.objects.filter(version_id=version.pk).order_by("position")
    targets = UnitTarget.objects.filter(version_id=version.pk, unit_id=unit.pk).order_by("position")
    return {
        "schema": HASH_SCHEMA,
        "pledge": {"id": pledge.pk, "bloc_year_id": pledge.bloc_year_id},
        "version": {
            "id": version.pk,
            "number": version.number,
            "title": version.title,
            "preamble": version.preamble,
            "verification_code": version.verification_code,
        },
        "commitments": [
            {
                "position": c.position,
                "text": c.text,
                "target_value": number_canonical(c.target_value),
                "target_unit": c.target_unit,
            }
            for c in commitments
        ],
        "unit": {"id": unit.pk},
        "targets": [
            {
                "position": t.position,
                "description": t.description,
                "target_value": number_canonical(t.target_value),
                "unit_of_measure": t.unit_of_measure,
            }
            for t in targets
        ],
    }


def content_hash_compute(*, version: PledgeVersion, unit: Unit) -> str:
    return sha256_hex(canonical_bytes(canonical_payload(version=version, unit=unit)))


def record_hash_compute(
    *,
    content_hash: str,
    version_id: int,
    unit_id: int,
    unit_name: str,
    signer_id: int,
    signer_name: str,
    signed_at: dt.datetime,
    ip_address: str | None,
    user_agent: str,
) -> str:
    """Seals the signature row itself (who, for which unit, when, from where)."""
    payload = {
        "schema": HASH_SCHEMA,
        "content_hash": content_hash,
        "version_id": version_id,
        "unit_id": unit_id,
        "unit_name": unit_name,
        "signer_id": signer_id,
        "signer_name": signer_name,
        "signed_at": signed_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "ip_address": ip_address or "",
        "user_agent": user_agent,
    }
    return sha256_hex(canonical_bytes(payload))


def signature_record_hash(signature: Signature) -> str:
    return record_hash_compute(
        content_hash=signature.content_hash,
        version_id=signature.version_id,
        unit_id=signature.unit_id,
        unit_name=signature.unit_name,
        signer_id=signature.signer_id,
        signer_name=signature.signer_name,
        signed_at=signature.signed_at,
        ip_address=signature.ip_address,
        user_agent=signature.user_agent,
    )


def verification_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def verification_code_normalise(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


# --- Drafting ----------------------------------------------------------------------------


@dataclass
class CommitmentData:
    text: str
    target_value: Decimal | None = None
    target_unit: str = ""


@dataclass
class TargetData:
    description: str
    target_value: Decimal
    unit_of_measure: str


def _frozen_error(version: PledgeVersion) -> ValidationError:
    return ValidationError(
        _(
            "Phiên bản %(number)s của giao ước đã mở ký hoặc đã có chữ ký nên không thể sửa; "
            "hãy lập bản sửa đổi."
        )
        % {"number": version.number}
    )


def _lock_version(version: PledgeVersion) -> PledgeVersion:
    return (
        PledgeVersion.objects.select_for_update()
        .select_related("pledge__bloc_year__bloc__province")
        .get(pk=version.pk)
    )


def _commitment_rows(version: PledgeVersion, commitments: list[CommitmentData]) -> list:
    rows = []
    for i, c in enumerate(commitments, start=1):
        text = clean_text(c.text)
        if not text:
            continue
        if c.target_value is not None and c.target_value < 0:
            raise ValidationError({"commitments": _("Chỉ tiêu không được là số âm.")})
        rows.append(
            Commitment(
                version=version,
                position=i,
                text=text,
                target_value=c.target_value,
                target_unit=clean_text(c.target_unit),
            )
        )
    for i, row in enumerate(rows, start=1):
        row.position = i
    return rows


@transaction.atomic
def pledge_create(
    *,
    bloc_year: BlocYear,
    title: str,
    preamble: str = "",
    commitments: list[CommitmentData],
    actor: Any,
) -> PledgeVersion:
    """Start the bloc-year's pledge with a first draft version."""
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=cycle.PLEDGE_DRAFTING, work=_("soạn giao ước")
    )
    if Pledge.objects.filter(bloc_year=bloc_year).exists():
        raise ValidationError(_("Năm thi đua này đã có giao ước."))
    pledge = Pledge.objects.create(
        bloc_year=bloc_year, created_by=_user(actor), created_by_username=actor_username(actor)
    )
    version = PledgeVersion(
        pledge=pledge,
        number=1,
        title=clean_text(title),
        preamble=clean_text(preamble),
        verification_code=verification_code_new(),
        created_by=_user(actor),
        created_by_username=actor_username(actor),
    )
    version.full_clean()
    version.save()
    Commitment.objects.bulk_create(_commitment_rows(version, commitments))
    audit_event_record(
        actor=actor, action="pledge_create", target=version, data={"bloc_year": bloc_year.pk}
    )
    return version


@transaction.atomic
def pledge_draft_save(
    *,
    version: PledgeVersion,
    title: str,
    preamble: str,
    commitments: list[CommitmentData],
    actor: Any,
) -> PledgeVersion:
    """Replace the common part of a draft: title, preamble and the list of commitments."""
    version = _lock_version(version)
    if version.is_frozen:
        raise _frozen_error(version)
    cycle.bloc_year_require(
        bloc_year=version.pledge.bloc_year_id,
        allowed=cycle.PLEDGE_DRAFTING,
        work=_("sửa dự thảo giao ước"),
    )
    version.title = clean_text(title)
    version.preamble = clean_text(preamble)
    version.full_clean()
    rows = _commitment_rows(version, commitments)
    version.save(update_fields=["title", "preamble"])
    Commitment.objects.filter(version=version).delete()
    Commitment.objects.bulk_create(rows)
    audit_event_record(
        actor=actor,
        action="pledge_draft_save",
        target=version,
        data={"commitments": len(rows)},
    )
    return version


def _member_units(bloc_year: BlocYear) -> list[Unit]:
    order = {Membership.Role.HEAD: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2}
    memberships = Membership.objects.filter(bloc_year=bloc_year).select_related("unit")
    return [m.unit for m in sorted(memberships, key=lambda m: (order[m.role], m.unit.name))]


@transaction.atomic
def unit_targets_save(
    *, version: PledgeVersion, unit: Unit, targets: list[TargetData], actor: Any
) -> list[UnitTarget]:
    """Replace one unit's registered targets in a draft version."""
    version = _lock_version(version)
    if version.is_frozen:
        raise _frozen_error(version)
    bloc_year = version.pledge.bloc_year
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=cycle.PLEDGE_DRAFTING, work=_("đăng ký chỉ tiêu")
    )
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError(_("Đơn vị không phải thành viên của khối trong năm này."))
    rows = []
    for t in targets:
        description = clean_text(t.description)
        if not description:
            continue
        if t.target_value is None or t.target_value < 0:
            raise ValidationError({"targets": _("Chỉ tiêu phải là số không âm.")})
        uom = clean_text(t.unit_of_measure)
        if not uom:
            raise ValidationError({"targets": _("Hãy ghi đơn vị tính của chỉ tiêu.")})
        rows.append(
            UnitTarget(
                version=version,
                unit=unit,
                position=len(rows) + 1,
                description=description,
                target_value=t.target_value,
                unit_of_measure=uom,
            )
        )
    UnitTarget.objects.filter(version=version, unit=unit).delete()
    created = UnitTarget.objects.bulk_create(rows)
    audit_event_record(
        actor=actor,
        action="unit_targets_save",
        target=version,
        data={"unit": unit.pk, "targets": len(rows)},
    )
    return created


# --- Opening, signing, amending ------------------------------------------------------------


@transaction.atomic
def pledge_open(
    *,
    version: PledgeVersion,
    deadline: dt.date,
    actor: Any,
    _historical_at: dt.datetime | None = None,
    _historical_source: str = "",
) -> PledgeVersion:
    """Freeze the draft and open it for signing until `deadline` (inclusive, local date).
    The first opening moves the year from setup to pledging (blocs.cycle), whose
    preconditions (members, head and deputy) are checked in this transaction.

    `_historical_at` and `_historical_source` are internal: only the demo loader (recording
    a past meeting, from a seed report) passes them; views never do."""
    version = _lock_version(version)
    year_status = cycle.bloc_year_require(
        bloc_year=version.pledge.bloc_year_id,
        allowed=cycle.PLEDGE_DRAFTING,
        work=_("mở ký giao ước"),
    )
    if version.status != PledgeVersion.Status.DRAFT:
        raise ValidationError(_("Chỉ mở ký được phiên bản đang là dự thảo."))
    now = _historical_at or timezone.now()
    if deadline is None:
        raise ValidationError({"deadline": _("Hãy chọn hạn ký.")})
    if deadline < timezone.localdate(now):
        raise ValidationError({"deadline": _("Hạn ký không được trước ngày hôm nay.")})
    if not version.commitments.exists():
        raise ValidationError(_("Giao ước chưa có nội dung cam kết chung nào."))
    units = _member_units(version.pledge.bloc_year)
    with_targets = set(version.targets.values_list("unit_id", flat=True))
    missing = [u.name for u in units if u.pk not in with_targets]
    if missing:
        raise ValidationError(
            _("Các đơn vị sau chưa đăng ký chỉ tiêu: %(units)s.") % {"units": "; ".join(missing)}
        )
    version.status = PledgeVersion.Status.OPEN
    version.deadline = deadline
    version.opened_at = now
    version.opened_by = _user(actor)
    version.opened_by_username = actor_username(actor)
    version.save(
        update_fields=["status", "deadline", "opened_at", "opened_by", "opened_by_username"]
    )
    audit_event_record(
        actor=actor,
        action="pledge_open",
        target=version,
        data={"deadline": deadline.isoformat()},
    )
    if year_status == BlocYear.Status.SETUP:
        cycle.bloc_year_open_pledging(
            bloc_year=version.pledge.bloc_year,
            actor=actor,
            _historical_source=_historical_source,
        )
    if _historical_at is None:
        _notify_open(version=version, units=units)
    return version


def _leader_assignments(units: list[Unit]):
    return (
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.LEADER, unit__in=units, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("unit__name", "user__username")
    )


def _absolute(path: str) -> str:
    return settings.PLEDGE_PUBLIC_BASE_URL.rstrip("/") + path


def _notify_open(*, version: PledgeVersion, units: list[Unit]) -> None:
    """Invite every member's leader to sign (again, after an amendment). The e-mails are in
    the site's language (settings.LANGUAGE_CODE), whatever the language of the person who
    opened the pledge; they go after the commit, and one that cannot be sent is logged and
    skipped: opening never fails because of the mail server (reminders follow)."""
    bloc_year = version.pledge.bloc_year
    url = _absolute(reverse("pledges:detail", args=[bloc_year.pk]))
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for ra in _leader_assignments(units):
            subject = _("Mời ký giao ước thi đua năm %(year)s – %(bloc)s") % {
                "year": bloc_year.year,
                "bloc": bloc_year.bloc.name,
            }
            body = _(
                "Kính gửi %(name)s,\n\nGiao ước thi đua năm %(year)s của %(bloc)s (phiên bản "
                "%(number)s) đã được mở để ký kết. Đề nghị lãnh đạo %(unit)s xem nội dung và ký "
                "trước hạn %(deadline)s tại:\n%(url)s\n"
            ) % {
                "name": person_name(ra.user),
                "year": bloc_year.year,
                "bloc": bloc_year.bloc.name,
                "number": version.number,
                "unit": ra.unit.name,
                "deadline": date_format(version.deadline, "d/m/Y"),
                "url": url,
            }
            messages.append((subject, body, ra.user.email))

    def send() -> None:
        for subject, body, email in messages:
            try:
                send_mail(subject, body, None, [email])
            except Exception:  # an invitation is a courtesy: reminders follow
                logger.exception("Could not send the pledge invitation to %s", email)

    transaction.on_commit(send, robust=True)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def signer_name_for(*, user: Any, unit: Unit) -> str:
    """The name stored on a signature and shown publicly (verification page, PDF): the
    leader's full name, else a neutral title, never the login name. Stored in the site's
    language whatever the signer's; the record hash seals what is stored."""
    max_length = Signature._meta.get_field("signer_name").max_length
    full_name = clean_text(person_full_name(user))
    if full_name:
        return full_name[:max_length]
    with translation.override(settings.LANGUAGE_CODE):
        return (_("Lãnh đạo %(unit)s") % {"unit": unit.name})[:max_length]


def pledge_sign(
    *,
    version: PledgeVersion,
    unit: Unit,
    user: Any,
    password: str,
    request: HttpRequest | None = None,
    expected_hash: str | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    _historical_at: dt.datetime | None = None,
) -> Signature:
    """A unit leader signs the version for their unit.

    The password is checked first and outside the transaction (core.auth.password_confirm):
    given the signing `request`, django-axes counts a wrong one together with the failed
    logins of the same account and address, refuses while either is locked (a right
    password included), and the failure stays recorded although nothing is signed.
    `expected_hash` is the hash of the text the signing page showed; a mismatch means the
    text changed underneath the signer. `_historical_at` is internal: only the demo loader
    passes it, to record signatures made at a past meeting; views never do."""
    try:
        password_confirm(request=request, user=user, password=password, purpose=Purpose.PLEDGE_SIGN)
    except ValidationError as exc:
        raise ValidationError({"password": exc}) from None
    return _pledge_sign_checked(
        version=version,
        unit=unit,
        user=user,
        expected_hash=expected_hash,
        ip_address=ip_address,
        user_agent=user_agent,
        _historical_at=_historical_at,
    )


@transaction.atomic
def _pledge_sign_checked(
    *,
    version: PledgeVersion,
    unit: Unit,
    user: Any,
    expected_hash: str | None,
    ip_address: str | None,
    user_agent: str,
    _historical_at: dt.datetime | None,
) -> Signature:
    """pledge_sign once the password is confirmed."""
    version = _lock_version(version)
    bloc_year = version.pledge.bloc_year
    if not RoleAssignment.objects.filter(
        user=user, role=RoleAssignment.Role.LEADER, unit=unit
    ).exists():
        raise ValidationError(_("Chỉ lãnh đạo của đơn vị mới được ký cho đơn vị."))
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError(_("Đơn vị không phải thành viên của khối trong năm này."))
    if version.status == PledgeVersion.Status.SUPERSEDED:
        raise ValidationError(
            _("Phiên bản này đã được thay thế bằng bản sửa đổi; hãy ký phiên bản mới.")
        )
    if version.status != PledgeVersion.Status.OPEN:
        raise ValidationError(_("Phiên bản giao ước này chưa được mở để ký."))
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=[BlocYear.Status.PLEDGING], work=_("ký giao ước")
    )
    if Signature.objects.filter(version=version, unit=unit).exists():
        raise ValidationError(_("Đơn vị đã ký phiên bản giao ước này."))
    now = _historical_at or timezone.now()
    if unit.succeeded_on is not None and timezone.localdate(now) >= unit.succeeded_on:
        raise ValidationError(_("Đơn vị đã ngừng hoạt động (đã có đơn vị kế thừa)."))
    if timezone.localdate(now) > version.deadline:
        rules = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
        if not rules.pledge_signing_after_deadline:
            raise ValidationError(
                _(
                    "Đã quá hạn ký (%(deadline)s) và quy chế thi đua của tỉnh không cho phép "
                    "ký sau hạn."
                )
                % {"deadline": date_format(version.deadline, "d/m/Y")}
            )
    if not UnitTarget.objects.filter(version=version, unit=unit).exists():
        raise ValidationError(_("Đơn vị chưa đăng ký chỉ tiêu trong phiên bản này."))
    content_hash = content_hash_compute(version=version, unit=unit)
    if expected_hash is not None and expected_hash != content_hash:
        raise ValidationError(
            _("Nội dung giao ước đã thay đổi so với nội dung bạn đã xem; hãy tải lại trang.")
        )
    signature = Signature(
        version=version,
        unit=unit,
        signer=user,
        signer_username=user.get_username(),
        signer_name=signer_name_for(user=user, unit=unit),
        unit_name=unit.name,
        signed_at=now,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:500],
        content_hash=content_hash,
    )
    signature.record_hash = signature_record_hash(signature)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise ValidationError(_("Đơn vị đã ký phiên bản giao ước này.")) from None
    signed_units = set(Signature.objects.filter(version=version).values_list("unit_id", flat=True))
    fully_signed = all(u.pk in signed_units for u in _member_units(bloc_year))
    if fully_signed:
        version.status = PledgeVersion.Status.SIGNED
        version.save(update_fields=["status"])
    audit_event_record(
        actor=user,
        action="pledge_sign",
        target=signature,
        data={"version": version.pk, "unit": unit.pk, "content_hash": content_hash},
    )
    if fully_signed:
        # Every member has signed the current version: the year is under way (§3).
        cycle.bloc_year_start(bloc_year=bloc_year, actor=user)
    return signature


@transaction.atomic
def pledge_amend(*, version: PledgeVersion, reason: str, actor: Any) -> PledgeVersion:
    """Start an amendment: a new draft copying the current content; the old version is
    superseded and its signatures are void (they stay readable and verifiable). A year
    already under way goes back to pledging (blocs.cycle) with the amendment's reason;
    once scoring has begun the pledge is no longer amended."""
    version = _lock_version(version)
    year_status = cycle.bloc_year_require(
        bloc_year=version.pledge.bloc_year_id,
        allowed=[*cycle.PLEDGE_DRAFTING, BlocYear.Status.IN_PROGRESS],
        work=_("sửa đổi giao ước"),
    )
    if version.status not in (PledgeVersion.Status.OPEN, PledgeVersion.Status.SIGNED):
        raise ValidationError(_("Chỉ sửa đổi được giao ước đã mở ký hoặc đã ký đủ."))
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do sửa đổi.")})
    if year_status == BlocYear.Status.IN_PROGRESS:
        cycle.bloc_year_step_back(bloc_year=version.pledge.bloc_year, reason=reason, actor=actor)
    version.status = PledgeVersion.Status.SUPERSEDED
    version.save(update_fields=["status"])
    new = PledgeVersion(
        pledge=version.pledge,
        number=version.number + 1,
        title=version.title,
        preamble=version.preamble,
        verification_code=verification_code_new(),
        previous=version,
        amendment_reason=reason,
        created_by=_user(actor),
        created_by_username=actor_username(actor),
    )
    new.full_clean()
    new.save()
    Commitment.objects.bulk_create(
        Commitment(
            version=new,
            position=c.position,
            text=c.text,
            target_value=c.target_value,
            target_unit=c.target_unit,
        )
        for c in version.commitments.order_by("position")
    )
    UnitTarget.objects.bulk_create(
        UnitTarget(
            version=new,
            unit_id=t.unit_id,
            position=t.position,
            description=t.description,
            target_value=t.target_value,
            unit_of_measure=t.unit_of_measure,
        )
        for t in version.targets.order_by("unit_id", "position")
    )
    audit_event_record(
        actor=actor,
        action="pledge_amend",
        target=new,
        data={"previous": version.pk, "reason": reason},
    )
    return new


# --- Reminders ----------------------------------------------------------------------------


def pledge_reminders_send(
    *, today: dt.date | None = None, version: PledgeVersion | None = None, actor: Any = None
) -> int:
    """E-mail the leaders of member units that have not signed an open version whose
    deadline is near (settings.PLEDGE_REMINDER_DAYS_BEFORE), or of one given `version`.
    Never to a unit that has signed; at most one reminder per person, version and day (a
    Reminder row is written in the same savepoint as the e-mail is sent, so only e-mails
    actually sent are recorded). An e-mail that cannot be sent is logged and skipped; the
    others still go. The e-mails are in the site's language (settings.LANGUAGE_CODE)."""
    today = today or timezone.localdate()
    versions = PledgeVersion.objects.filter(
        status=PledgeVersion.Status.OPEN,
        deadline__gte=today,
        pledge__bloc_year__status=BlocYear.Status.PLEDGING,  # signing not closed
    ).select_related("pledge__bloc_year__bloc")
    if version is not None:
        versions = versions.filter(pk=version.pk)
    else:
        days = settings.PLEDGE_REMINDER_DAYS_BEFORE
        versions = versions.filter(deadline__lte=today + dt.timedelta(days=days))
    sent = 0
    for v in versions:
        bloc_year = v.pledge.bloc_year
        signed = set(v.signatures.values_list("unit_id", flat=True))
        unsigned = [u for u in _member_units(bloc_year) if u.pk not in signed]
        url = _absolute(reverse("pledges:detail", args=[bloc_year.pk]))
        for ra in _leader_assignments(unsigned):
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Nhắc ký giao ước thi đua năm %(year)s – %(bloc)s") % {
                    "year": bloc_year.year,
                    "bloc": bloc_year.bloc.name,
                }
                body = _(
                    "Kính gửi %(name)s,\n\n%(unit)s chưa ký giao ước thi đua năm %(year)s của "
                    "%(bloc)s (phiên bản %(number)s). Hạn ký: %(deadline)s (còn %(days)s "
                    "ngày).\nXem nội dung và ký tại: %(url)s\n"
                ) % {
                    "name": person_name(ra.user),
                    "unit": ra.unit.name,
                    "year": bloc_year.year,
                    "bloc": bloc_year.bloc.name,
                    "number": v.number,
                    "deadline": date_format(v.deadline, "d/m/Y"),
                    "days": (v.deadline - today).days,
                    "url": url,
                }
            try:
                with transaction.atomic():  # a savepoint per recipient
                    _reminder, created = Reminder.objects.get_or_create(
                        version=v,
                        recipient=ra.user,
                        sent_on=today,
                        defaults={"unit": ra.unit, "email": ra.user.email},
                    )
                    if not created:
                        continue
                    send_mail(subject, body, None, [ra.user.email])
            except Exception:  # one mail server error must not stop the others
                logger.exception(
                    "Could not send the pledge reminder for version %s to %s",
                    v.pk,
                    ra.user.email,
                )
                continue
            sent += 1
        if actor is not None:
            audit_event_record(actor=actor, action="pledge_remind", target=v, data={"sent": sent})
    return sent
