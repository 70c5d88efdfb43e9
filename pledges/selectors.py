"""Reads for pledges, with the permission checks inside: 404 when the object does not exist,
PermissionDenied when the user may not see or do it."""

import difflib
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership, Unit
from core.selectors import object_get_or_404
from documents.models import DocumentJob

from . import services, signing
from .models import Commitment, Pledge, PledgeVersion, Signature, UnitTarget
from .permissions import (
    can_edit_unit_targets,
    can_manage_pledge,
    can_sign_for_unit,
    can_view_pledge,
)


def bloc_year_get_for_user(*, user: Any, bloc_year_id: Any, manage: bool = False) -> BlocYear:
    bloc_year = object_get_or_404(
        BlocYear.objects.select_related("bloc__province"),
        _("Không tìm thấy năm thi đua của khối."),
        pk=bloc_year_id,
    )
    allowed = can_manage_pledge(user, bloc_year) if manage else can_view_pledge(user, bloc_year)
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền với giao ước của năm thi đua này."))
    return bloc_year


def current_version(*, bloc_year: BlocYear) -> PledgeVersion | None:
    """The version in force: the newest one that is not superseded."""
    return (
        PledgeVersion.objects.filter(pledge__bloc_year=bloc_year)
        .exclude(status=PledgeVersion.Status.SUPERSEDED)
        .select_related("pledge__bloc_year__bloc__province", "previous")
        .first()
    )


def versions_for(*, bloc_year: BlocYear) -> list[PledgeVersion]:
    return list(
        PledgeVersion.objects.filter(pledge__bloc_year=bloc_year)
        .select_related("created_by", "opened_by")
        .order_by("-number")
    )


def version_get_for_user(*, user: Any, version_id: Any) -> PledgeVersion:
    version = object_get_or_404(
        PledgeVersion.objects.select_related(
            "pledge__bloc_year__bloc__province", "previous", "created_by", "opened_by"
        ),
        _("Không tìm thấy phiên bản giao ước."),
        pk=version_id,
    )
    if not can_view_pledge(user, version.pledge.bloc_year):
        raise PermissionDenied(_("Bạn không có quyền xem giao ước này."))
    return version


def member_unit_get(*, bloc_year: BlocYear, unit_id: Any) -> Unit:
    membership = object_get_or_404(
        Membership.objects.select_related("unit"),
        _("Đơn vị không phải thành viên của khối trong năm này."),
        bloc_year=bloc_year,
        unit_id=unit_id,
    )
    return membership.unit


def unit_for_targets_get_for_user(*, user: Any, bloc_year: BlocYear, unit_id: Any) -> Unit:
    unit = member_unit_get(bloc_year=bloc_year, unit_id=unit_id)
    if not can_edit_unit_targets(user, unit):
        raise PermissionDenied(
            _("Chỉ cán bộ, lãnh đạo của đơn vị được đăng ký chỉ tiêu cho đơn vị.")
        )
    return unit


def unit_for_signing_get_for_user(*, user: Any, bloc_year: BlocYear, unit_id: Any) -> Unit:
    unit = member_unit_get(bloc_year=bloc_year, unit_id=unit_id)
    if not can_sign_for_unit(user, unit):
        raise PermissionDenied(_("Chỉ lãnh đạo của đơn vị được ký giao ước cho đơn vị."))
    return unit


@dataclass
class UnitBlock:
    unit: Unit
    role: str
    targets: list[UnitTarget] = field(default_factory=list)
    signature: Signature | None = None


@dataclass
class VersionContent:
    version: PledgeVersion
    commitments: list[Commitment]
    units: list[UnitBlock]

    @property
    def signed_count(self) -> int:
        return sum(1 for u in self.units if u.signature is not None)

    @property
    def member_count(self) -> int:
        return len(self.units)


def version_content(*, version: PledgeVersion) -> VersionContent:
    """Commitments, and every member unit's targets and signature, in roster order, in a
    constant number of queries. Units that signed but are no longer members still appear."""
    bloc_year = version.pledge.bloc_year
    order = {Membership.Role.HEAD: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2}
    memberships = sorted(
        Membership.objects.filter(bloc_year=bloc_year).select_related("unit__successor"),
        key=lambda m: (order[m.role], m.unit.name),
    )
    blocks = {m.unit_id: UnitBlock(unit=m.unit, role=m.get_role_display()) for m in memberships}
    for t in (
        UnitTarget.objects.filter(version=version)
        .select_related("unit")
        .order_by("unit__name", "position")
    ):
        blocks.setdefault(t.unit_id, UnitBlock(unit=t.unit, role="")).targets.append(t)
    for s in Signature.objects.filter(version=version).select_related("unit", "signer"):
        blocks.setdefault(s.unit_id, UnitBlock(unit=s.unit, role="")).signature = s
    return VersionContent(
        version=version,
        commitments=list(version.commitments.order_by("position")),
        units=list(blocks.values()),
    )


def signing_closed_by_deadline(*, version: PledgeVersion) -> bool:
    """Past the deadline and the province's rule set does not allow late signatures."""
    from django.utils import timezone

    from rules.selectors import rule_set_for

    if version.deadline is None or timezone.localdate() <= version.deadline:
        return False
    bloc_year = version.pledge.bloc_year
    rules = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    return not rules.pledge_signing_after_deadline


def unit_targets(*, version: PledgeVersion, unit: Unit) -> list[UnitTarget]:
    return list(UnitTarget.objects.filter(version=version, unit=unit).order_by("position"))


def signature_for(*, version: PledgeVersion, unit: Unit) -> Signature | None:
    return Signature.objects.filter(version=version, unit=unit).select_related("signer").first()


# --- What changed between two versions ----------------------------------------------------


def _fmt_number(value) -> str:
    text = services.number_canonical(value) or ""
    return text.replace(".", ",")


def _lines(content: VersionContent) -> list[str]:
    v = content.version
    lines = [_("Tiêu đề: %(t)s") % {"t": v.title}]
    if v.preamble:
        lines.append(_("Lời mở đầu: %(t)s") % {"t": v.preamble.replace("\n", " ")})
    for c in content.commitments:
        target = (
            f" ({_fmt_number(c.target_value)} {c.target_unit})".rstrip()
            if (c.target_value is not None)
            else ""
        )
        lines.append(_("Cam kết chung %(n)s: %(t)s") % {"n": c.position, "t": c.text} + target)
    for block in content.units:
        for t in block.targets:
            lines.append(
                f"{block.unit.name} – "
                + _("chỉ tiêu %(n)s: %(t)s: %(v)s %(u)s")
                % {
                    "n": t.position,
                    "t": t.description,
                    "v": _fmt_number(t.target_value),
                    "u": t.unit_of_measure,
                }
            )
    return lines


def version_diff(*, old: PledgeVersion, new: PledgeVersion) -> list[tuple[str, str]]:
    """Line diff of the two versions' content: ("-", line) removed, ("+", line) added,
    (" ", line) unchanged."""
    a = _lines(version_content(version=old))
    b = _lines(version_content(version=new))
    out = []
    for line in difflib.ndiff(a, b):
        tag = line[:1]
        if tag in "-+ ":
            out.append((tag, line[2:]))
    return out


# --- Verification -------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    signature: Signature
    recomputed_content_hash: str
    content_ok: bool
    record_ok: bool

    @property
    def ok(self) -> bool:
        return self.content_ok and self.record_ok


@dataclass
class Verification:
    code: str
    version: PledgeVersion | None = None
    checks: list[SignatureCheck] = field(default_factory=list)
    unsigned_units: list[Unit] = field(default_factory=list)
    # For an uploaded PDF: None without one; True when every hash the PDF carries is the
    # hash of an intact stored signature of the version, False otherwise.
    pdf_hashes_match: bool | None = None
    pdf_signature_count: int | None = None
    # Signatures stored after the PDF was made (it was made while signing was still open).
    pdf_later_signatures: int = 0

    @property
    def found(self) -> bool:
        return self.version is not None

    @property
    def stored_intact(self) -> bool:
        """Every stored signature still matches the data it was made on."""
        return self.found and bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def intact(self) -> bool:
        return self.stored_intact and self.pdf_hashes_match is not False

    @property
    def pdf_note(self) -> str:
        """Neutral note: the PDF is older than the latest signatures (not a tampering)."""
        if not self.pdf_hashes_match or not self.pdf_later_signatures:
            return ""
        return _(
            "Tệp PDF được tạo khi mới có %(pdf)s/%(total)s chữ ký; sau đó có thêm %(later)s chữ ký."
        ) % {
            "pdf": self.pdf_signature_count,
            "total": len(self.checks) + len(self.unsigned_units),
            "later": self.pdf_later_signatures,
        }


def pledge_verify(*, code: str, pdf_hashes: list[str] | None = None) -> Verification:
    """Recompute every signature's hashes from the stored data of the version the code
    names. Public: reveals the signers, units, times and hashes, never IP or browser."""
    code = services.verification_code_normalise(code)
    result = Verification(code=code)
    if not code:
        return result
    version = (
        PledgeVersion.objects.select_related("pledge__bloc_year__bloc__province")
        .prefetch_related(Prefetch("signatures", queryset=Signature.objects.select_related("unit")))
        .filter(verification_code=code)
        .first()
    )
    if version is None:
        return result
    result.version = version
    signed = set()
    for s in version.signatures.all():
        recomputed = services.content_hash_compute(version=version, unit=s.unit)
        result.checks.append(
            SignatureCheck(
                signature=s,
                recomputed_content_hash=recomputed,
                content_ok=recomputed == s.content_hash,
                record_ok=services.signature_record_hash(s) == s.record_hash,
            )
        )
        signed.add(s.unit_id)
    result.unsigned_units = [
        m.unit
        for m in Membership.objects.filter(bloc_year=version.pledge.bloc_year)
        .select_related("unit")
        .order_by("unit__name")
        if m.unit_id not in signed
    ]
    if pdf_hashes is not None:
        # A PDF made while signing was open carries fewer hashes than are stored now: it is
        # consistent when each of its hashes is that of an intact stored signature. A hash
        # matching no intact signature (or carried twice) is a failure.
        intact_hashes = Counter(c.signature.content_hash for c in result.checks if c.ok)
        carried = Counter(pdf_hashes)
        result.pdf_signature_count = len(pdf_hashes)
        result.pdf_hashes_match = not (carried - intact_hashes)
        if result.pdf_hashes_match:
            result.pdf_later_signatures = len(result.checks) - len(pdf_hashes)
    return result


class Verdict(StrEnum):
    """The one answer the verification page gives (also its data-verdict attribute)."""

    GENUINE = "genuine"
    NOT_VERIFIED = "not-verified"
    TAMPERED = "tampered"


@dataclass
class VerifyOutcome:
    """What the page says. subject "file": about an uploaded PDF; "code": about the stored
    data a verification code names (it proves nothing about any file or paper)."""

    subject: str
    verdict: str
    reasons: list[str] = field(default_factory=list)
    # What the code (typed, or read from the file) says about the stored pledge.
    stored: Verification | None = None
    # For a file: its SHA-256, and what proved it ours.
    sha256: str = ""
    proof_signer: str = ""
    proof_job: DocumentJob | None = None
    # A file that is byte for byte another official document this system rendered (a tally
    # record, the minutes, a report, a dossier): genuine by its stored SHA-256.
    proof_document: DocumentJob | None = None

    @property
    def genuine(self) -> bool:
        return self.verdict == Verdict.GENUINE


def _stored_outcome(outcome: VerifyOutcome, stored: Verification | None) -> None:
    """Judge the stored data alone (no file): genuine data, tampered data, or nothing to say."""
    outcome.stored = stored
    if stored is None or not stored.found:
        outcome.verdict = Verdict.NOT_VERIFIED
        if stored is not None and stored.code:
            outcome.reasons.append(
                _("Không tìm thấy giao ước nào có mã xác thực %(code)s.") % {"code": stored.code}
            )
    elif not stored.checks:
        outcome.verdict = Verdict.NOT_VERIFIED
        outcome.reasons.append(_("Phiên bản này chưa có chữ ký nào."))
    elif not stored.stored_intact:
        outcome.verdict = Verdict.TAMPERED
        outcome.reasons.append(_stored_changed())
    else:
        outcome.verdict = Verdict.GENUINE


def _stored_changed() -> str:
    return _(
        "Dữ liệu đã lưu không khớp với nội dung đã được ký; hãy báo ngay cho Ban Thi đua - "
        "Khen thưởng."
    )


def pledge_code_verify(*, code: str) -> VerifyOutcome:
    """Public check by code alone: about the stored data, never about a file."""
    outcome = VerifyOutcome(subject="code", verdict=Verdict.NOT_VERIFIED)
    _stored_outcome(outcome, pledge_verify(code=code))
    return outcome


def pledge_file_verify(*, data: bytes, code: str = "") -> VerifyOutcome:
    """Public check of an uploaded PDF. Genuine only when the file is proven ours, by a sound
    PAdES signature of the organisation certificate over the whole file or by its SHA-256
    being that of a pledge PDF this system rendered, and the stored data it names still hash
    as signed. Tampered on evidence of a change: a broken signature, our signature not
    covering the file, hashes the stored pledge does not have, stored data that no longer
    match. Anything else cannot be proven: not verified. `code` (typed) is used only when the
    file carries none."""
    outcome = VerifyOutcome(
        subject="file", verdict=Verdict.NOT_VERIFIED, sha256=hashlib.sha256(data).hexdigest()
    )
    info = signing.pdf_inspect(data)
    file_code = info.code if info.readable else ""
    stored = None
    if file_code:
        stored = pledge_verify(code=file_code, pdf_hashes=info.hashes)
    elif services.verification_code_normalise(code):
        stored = pledge_verify(code=code)
    outcome.stored = stored

    job = (
        DocumentJob.objects.filter(
            kind="pledge", status=DocumentJob.Status.DONE, sha256=outcome.sha256
        )
        .order_by("finished_at")
        .first()
    )
    proving = next((s for s in info.signatures if s.proves_file), None)
    outcome.proof_job = job
    outcome.proof_signer = proving.signer if proving else ""
    reasons = outcome.reasons

    if job is not None or proving is not None:
        # The bytes are ours, so is the code they carry; now the stored data must hold.
        if stored is None or not file_code:
            reasons.append(_("Tệp không mang mã xác thực của giao ước."))
        elif not stored.found:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(_("Không còn tìm thấy dữ liệu giao ước mà tệp này ghi mã xác thực."))
        elif not stored.checks:
            reasons.append(_("Phiên bản này chưa có chữ ký nào."))
        elif not stored.stored_intact or stored.pdf_hashes_match is False:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(_stored_changed())
        else:
            outcome.verdict = Verdict.GENUINE
        return outcome

    if not file_code:
        document = (
            DocumentJob.objects.filter(status=DocumentJob.Status.DONE, sha256=outcome.sha256)
            .exclude(kind="pledge")
            .select_related("bloc_year__bloc__province")
            .order_by("finished_at")
            .first()
        )
        if document is not None:
            outcome.verdict = Verdict.GENUINE
            outcome.proof_document = document
            return outcome

    # Not proven ours. Evidence of a change makes it tampered.
    if not info.readable:
        reasons.append(_("Không đọc được tệp PDF này (tệp hỏng hoặc không đúng định dạng)."))
    elif info.too_many_signatures:
        reasons.append(_("Tệp có quá nhiều chữ ký số; bản giao ước do hệ thống tạo chỉ có một."))
    for s in info.signatures:
        if s.broken:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(
                _("Chữ ký số trong tệp PDF không hợp lệ: tệp đã bị sửa sau khi ký.")
                if s.checked
                else _("Không kiểm tra được chữ ký số trong tệp PDF: chữ ký bị hỏng.")
            )
        elif s.organisation and not s.entire_file:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(
                _("Tệp đã bị thêm hoặc sửa nội dung sau khi được ký số bằng chứng thư của tổ chức.")
            )
        elif s.organisation:
            reasons.append(
                _(
                    "Chữ ký số của tổ chức trong tệp không được xác nhận tại thời điểm này "
                    "(chứng thư có thể đã hết hạn)."
                )
            )
        else:
            reasons.append(
                _(
                    "Tệp có chữ ký số của “%(signer)s”, nhưng đó không phải chứng thư số của "
                    "tổ chức đã cấu hình trên hệ thống này."
                )
                % {"signer": s.signer}
            )
    if stored is not None and stored.found:
        if stored.checks and not stored.stored_intact:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(_stored_changed())
        elif file_code and stored.pdf_hashes_match is False:
            outcome.verdict = Verdict.TAMPERED
            reasons.append(
                _(
                    "Tệp ghi mã xác thực của giao ước này nhưng mang mã băm không khớp với chữ "
                    "ký nào đã lưu: tệp đã bị sửa hoặc làm giả."
                )
            )
    elif stored is not None:
        reasons.append(
            _("Không tìm thấy giao ước nào có mã xác thực %(code)s.") % {"code": stored.code}
        )
    elif info.readable:
        reasons.append(
            _(
                "Không tìm thấy mã xác thực trong tệp PDF này (không phải bản giao ước do hệ "
                "thống tạo?)."
            )
        )
    if info.readable and not any(s.organisation for s in info.signatures):
        reasons.append(
            _(
                "Tệp không có chữ ký số của tổ chức và không trùng khớp với bất kỳ tệp PDF nào "
                "hệ thống đã tạo, nên không chứng minh được là bản thật. Một tệp tải về từ hệ "
                "thống rồi được lưu lại bằng phần mềm khác cũng không còn trùng khớp."
            )
        )
    return outcome


def pledges_for_dashboard(*, user: Any) -> dict[str, list]:
    """What waits for this user: signatures to give, targets to register, progress to watch."""
    from core.permissions import user_scopes

    s = user_scopes(user)
    data: dict[str, list] = {"to_sign": [], "to_register": [], "managed": []}
    if s.unit_ids:
        versions = (
            PledgeVersion.objects.filter(
                status__in=[PledgeVersion.Status.DRAFT, PledgeVersion.Status.OPEN],
                pledge__bloc_year__memberships__unit_id__in=s.unit_ids,
            )
            .select_related("pledge__bloc_year__bloc")
            .distinct()
        )
        for v in versions:
            by = v.pledge.bloc_year
            units = Unit.objects.filter(pk__in=s.unit_ids, memberships__bloc_year=by)
            signed = set(v.signatures.values_list("unit_id", flat=True))
            registered = set(v.targets.values_list("unit_id", flat=True))
            for unit in units:
                if v.status == PledgeVersion.Status.OPEN and unit.pk in s.leader_unit_ids:
                    if unit.pk not in signed:
                        data["to_sign"].append((v, unit))
                elif v.status == PledgeVersion.Status.DRAFT:
                    data["to_register"].append((v, unit, unit.pk in registered))
    if s.secretariat_bloc_year_ids:
        for pledge in Pledge.objects.filter(bloc_year_id__in=s.secretariat_bloc_year_ids):
            v = current_version(bloc_year=pledge.bloc_year)
            if v is not None:
                data["managed"].append((v, version_content(version=v)))
    return data
