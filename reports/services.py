"""Writes of the reports app (DESIGN.md §10): a draft per bloc-year and kind, its narrative,
its place on the meeting's agenda, approval at the meeting (the facts frozen with their
hash), the head unit's leader's signature with password re-entry (sealed), and a new
version of an approved report that has to change."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership
from core.auth import Purpose, password_confirm
from core.names import person_full_name
from core.services import actor_username, audit_event_record

from .compose import content_hash, period_end, report_facts_compose
from .models import NARRATIVE_FIELDS, NARRATIVE_MAX, Report
from .permissions import can_sign_report, can_write_report

PRESENTER_MAX = 200

AGENDA_TITLES = {
    Report.Kind.YEAR_END: "Báo cáo tổng kết phong trào thi đua năm %(year)s",
    Report.Kind.MID_YEAR: "Báo cáo sơ kết phong trào thi đua 6 tháng đầu năm %(year)s",
}
# An agenda item whose title starts so is the report's (the seed agendas have one).
AGENDA_PREFIXES = {
    Report.Kind.YEAR_END: "báo cáo tổng kết",
    Report.Kind.MID_YEAR: "báo cáo sơ kết",
}


def _require_writer(actor: Any, bloc_year: BlocYear) -> None:
    if actor is not None and not can_write_report(actor, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được báo cáo."))


def _lock(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("bloc_year__bloc__province")
        .get(pk=report.pk)
    )


def _require_status(report: Report, *allowed: str) -> None:
    if report.status in allowed:
        return
    if report.status == Report.Status.SIGNED:
        raise ValidationError(_("Báo cáo đã được ký và niêm phong: không thể thay đổi."))
    if report.status == Report.Status.SUPERSEDED:
        raise ValidationError(_("Phiên bản báo cáo này đã được thay thế bằng phiên bản mới."))
    if report.status == Report.Status.APPROVED:
        raise ValidationError(
            _("Báo cáo đã được thông qua: muốn sửa, hãy tạo phiên bản mới trước khi ký.")
        )
    raise ValidationError(_("Báo cáo chưa được thông qua tại hội nghị."))


@transaction.atomic
def report_create(*, bloc_year: BlocYear, kind: str, actor: Any) -> Report:
    """The draft of the bloc-year's report of this kind; the current one if it exists."""
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": _("Loại báo cáo không hợp lệ.")})
    bloc_year = BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)
    _require_writer(actor, bloc_year)
    current = (
        Report.objects.filter(bloc_year=bloc_year, kind=kind)
        .exclude(status=Report.Status.SUPERSEDED)
        .first()
    )
    if current is not None:
        return current
    if bloc_year.status == BlocYear.Status.CLOSED:
        raise ValidationError(_("Năm thi đua đã kết thúc: không lập báo cáo mới."))
    head = (
        Membership.objects.filter(
            bloc_year=bloc_year,
            role=Membership.Role.DEPUTY if kind == Report.Kind.MID_YEAR else Membership.Role.HEAD,
        )
        .select_related("unit")
        .first()
    )
    report = Report.objects.create(
        bloc_year=bloc_year,
        kind=kind,
        version=1,
        presenter=head.unit.name[:PRESENTER_MAX] if head else "",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_username=actor_username(actor),
    )
    audit_event_record(
        actor=actor, action="report_create", target=report, data={"kind": kind, "version": 1}
    )
    return report


def _clean_narrative(fields: dict[str, Any]) -> dict[str, str]:
    cleaned, errors = {}, {}
    for name in NARRATIVE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[name] = _("Nội dung không hợp lệ.")
            continue
        value = value.replace("\r\n", "\n").replace("\x00", "").strip()
        if len(value) > NARRATIVE_MAX:
            errors[name] = _("Tối đa %(max)s ký tự (hiện có %(n)s).") % {
                "max": NARRATIVE_MAX,
                "n": len(value),
            }
            continue
        cleaned[name] = value
    if "presenter" in fields:
        presenter = fields["presenter"]
        if not isinstance(presenter, str):
            errors["presenter"] = _("Nội dung không hợp lệ.")
        elif len(presenter.strip()) > PRESENTER_MAX:
            errors["presenter"] = _("Tối đa %(max)s ký tự.") % {"max": PRESENTER_MAX}
        else:
            cleaned["presenter"] = presenter.strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def report_narrative_update(*, report: Report, actor: Any, **fields: Any) -> Report:
    """Write the narrative sections (results_text, shortcomings_text, tasks_text) and the
    presenter of a draft."""
    unknown = set(fields) - {*NARRATIVE_FIELDS, "presenter"}
    if unknown:
        raise ValidationError(
            _("Trường không hợp lệ: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    report = _lock(report)
    _require_writer(actor, report.bloc_year)
    _require_status(report, Report.Status.DRAFT)
    cleaned = _clean_narrative(fields)
    changed = [name for name, value in cleaned.items() if getattr(report, name) != value]
    for name in changed:
        setattr(report, name, cleaned[name])
    if changed:
        report.save(update_fields=[*changed, "updated_at"])
        audit_event_record(
            actor=actor, action="report_narrative_update", target=report, data={"fields": changed}
        )
    return report


@transaction.atomic
def report_attach(*, report: Report, meeting: Any, actor: Any) -> Report:
    """Put the report on the agenda of the meeting it is presented at: the meeting's own
    item for it (a title starting "Báo cáo tổng kết" / "Báo cáo sơ kết"), else a new
    item at the end of the agenda."""
    from meetings.models import AgendaItem, Meeting

    report = _lock(report)
    _require_writer(actor, report.bloc_year)
    _require_status(report, Report.Status.DRAFT)
    if meeting is None or meeting.bloc_year_id != report.bloc_year_id:
        raise ValidationError({"meeting": _("Hội nghị không thuộc năm thi đua này.")})
    wanted = Meeting.Kind.YEAR_END if report.kind == Report.Kind.YEAR_END else Meeting.Kind.MID_YEAR
    if meeting.kind != wanted:
        raise ValidationError(
            {
                "meeting": _("Báo cáo này được trình tại %(kind)s.")
                % {"kind": Meeting.Kind(wanted).label.lower()}
            }
        )
    prefix = AGENDA_PREFIXES[report.kind]
    items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting).order_by("order"))
    item = next((i for i in items if i.title.lower().startswith(prefix)), None)
    if item is None:
        order = (AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0) + 1
        item = AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=AGENDA_TITLES[report.kind] % {"year": report.bloc_year.year},
            presenter=report.presenter[:200],
        )
    elif report.presenter and not item.presenter:
        item.presenter = report.presenter[:200]
        item.save(update_fields=["presenter"])
    report.meeting, report.agenda_item = meeting, item
    report.save(update_fields=["meeting", "agenda_item", "updated_at"])
    audit_event_record(
        actor=actor,
        action="report_attach",
        target=report,
        data={"meeting": meeting.pk, "agenda_item": item.pk},
    )
    return report


@transaction.atomic
def report_approve(
    *, report: Report, actor: Any, _historical_at: dt.datetime | None = None
) -> Report:
    """Approved at the meeting: the facts are composed one last time and frozen with the
    narrative's hash. `_historical_at` is the demo loader's only (a past meeting)."""
    report = _lock(report)
    _require_writer(actor, report.bloc_year)
    _require_status(report, Report.Status.DRAFT)
    errors = {}
    if report.meeting_id is None:
        errors["meeting"] = _("Hãy đưa báo cáo vào chương trình hội nghị trước khi thông qua.")
    for name in NARRATIVE_FIELDS:
        if not getattr(report, name).strip():
            errors[name] = _("Phần này chưa có nội dung.")
    if errors:
        raise ValidationError(errors)
    now = _historical_at or timezone.now()
    if report.meeting.held_on > timezone.localdate(now):
        raise ValidationError(
            {"meeting": _("Hội nghị chưa diễn ra: báo cáo được thông qua tại hội nghị.")}
        )
    facts = report_facts_compose(bloc_year=report.bloc_year, kind=report.kind)
    facts["meeting"] = {
        "kind_label": str(report.meeting.get_kind_display()),
        "held_on": report.meeting.held_on.strftime("%d/%m/%Y"),
    }
    report.facts = facts
    report.sha256 = content_hash(facts=facts, narrative=report_narrative(report))
    report.status = Report.Status.APPROVED
    report.approved_at = now
    report.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    report.approved_by_username = actor_username(actor)
    report.save()
    audit_event_record(
        actor=actor, action="report_approve", target=report, data={"sha256": report.sha256}
    )
    return report


def report_narrative(report: Report) -> dict[str, str]:
    return {name: getattr(report, name) for name in NARRATIVE_FIELDS}


def report_sign(
    *,
    report: Report,
    user: Any,
    password: str,
    request: HttpRequest | None = None,
    expected_hash: str | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    _historical_at: dt.datetime | None = None,
) -> Report:
    """The head unit's leader signs the approved report, and it is sealed.

    The password is checked first and outside the transaction (core.auth.password_confirm),
    as the pledge signing does: given the request, django-axes counts a wrong one with the
    failed logins of the same account and address and refuses while either is locked.
    `expected_hash` is the hash the signing page showed."""
    try:
        password_confirm(request=request, user=user, password=password, purpose=Purpose.REPORT_SIGN)
    except ValidationError as exc:
        raise ValidationError({"password": exc}) from None
    return _report_sign_checked(
        report=report,
        user=user,
        expected_hash=expected_hash,
        ip_address=ip_address,
        user_agent=user_agent,
        _historical_at=_historical_at,
    )


@transaction.atomic
def _report_sign_checked(
    *,
    report: Report,
    user: Any,
    expected_hash: str | None,
    ip_address: str | None,
    user_agent: str,
    _historical_at: dt.datetime | None,
) -> Report:
    report = _lock(report)
    bloc_year = report.bloc_year
    if not can_sign_report(user, bloc_year):
        raise ValidationError(_("Chỉ lãnh đạo đơn vị Trưởng khối mới được ký báo cáo."))
    _require_status(report, Report.Status.APPROVED)
    if expected_hash is not None and expected_hash != report.sha256:
        raise ValidationError(
            _("Nội dung báo cáo đã thay đổi so với nội dung bạn đã xem; hãy tải lại trang.")
        )
    head = (
        Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD)
        .select_related("unit")
        .get()
    )
    name_max = Report._meta.get_field("signer_name").max_length
    title_max = Report._meta.get_field("signer_title").max_length
    report.status = Report.Status.SIGNED
    report.signed_at = _historical_at or timezone.now()
    report.signed_by = user
    report.signed_by_username = user.get_username()
    # The leader's full name, else the name recorded on the membership, else a neutral
    # title (never the login name), as the pledge signatures do.
    report.signer_name = (
        person_full_name(user)
        or head.leader_name
        or _("Lãnh đạo %(unit)s") % {"unit": head.unit.name}
    )[:name_max]
    report.signer_title = (
        head.leader_title or _("Thủ trưởng %(unit)s") % {"unit": head.unit.name}
    )[:title_max]
    report.signer_unit = head.unit
    report.signer_ip = ip_address or None
    report.signer_user_agent = (user_agent or "")[:500]
    report.save()
    audit_event_record(
        actor=user,
        action="report_sign",
        target=report,
        data={"sha256": report.sha256, "unit": head.unit_id},
    )
    return report


@transaction.atomic
def report_new_version(*, report: Report, actor: Any) -> Report:
    """An approved report that has to change before it is signed: superseded by a new draft
    with the same narrative and meeting (approved again at the meeting)."""
    report = _lock(report)
    _require_writer(actor, report.bloc_year)
    _require_status(report, Report.Status.APPROVED)
    report.status = Report.Status.SUPERSEDED
    report.save(update_fields=["status", "updated_at"])
    try:
        with transaction.atomic():
            new = Report.objects.create(
                bloc_year=report.bloc_year,
                kind=report.kind,
                version=report.version + 1,
                presenter=report.presenter,
                meeting=report.meeting,
                agenda_item=report.agenda_item,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                created_by_username=actor_username(actor),
                **report_narrative(report),
            )
    except IntegrityError:
        raise ValidationError(_("Đã có phiên bản mới của báo cáo này.")) from None
    audit_event_record(
        actor=actor,
        action="report_new_version",
        target=new,
        data={"previous": report.pk, "version": new.version},
    )
    return new


__all__ = [
    "period_end",
    "report_approve",
    "report_attach",
    "report_create",
    "report_narrative_update",
    "report_new_version",
    "report_sign",
]
