"""E-mails to a bloc-year's secretariat when the board or the council decides on a unit of
its proposals (DESIGN.md §9), in the site's language (settings.LANGUAGE_CODE). Enqueued
after the decision's commit (awards.tasks); sent here."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from blocs.models import RoleAssignment
from core.names import person_name

from .models import ItemDecision


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    to: str


def decision_mail_enqueue(*, decision_id: int) -> None:
    from .tasks import decision_mail_send_task

    transaction.on_commit(lambda: decision_mail_send_task.delay(decision_id))


def decision_mails(decision: ItemDecision) -> list[Mail]:
    """One mail per active secretariat account (with an address) of the bloc-year."""
    item = decision.item
    proposal = item.version.proposal
    bloc_year = proposal.bloc_year
    recipients = (
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    )
    url = settings.PLEDGE_PUBLIC_BASE_URL.rstrip("/") + reverse(
        "blocs:bloc_year_detail", args=[bloc_year.pk]
    )
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "unit": item.unit.name,
            "award": proposal.award_type.name,
            "year": bloc_year.year,
            "outcome": decision.get_outcome_display(),
            "bloc": bloc_year.bloc.name,
            "version": item.version.number,
        }
        if decision.stage == ItemDecision.Stage.BOARD:
            subject = _("Ban Thi đua - Khen thưởng: %(unit)s – %(outcome)s") % values
            lines = [
                _(
                    "Ban Thi đua - Khen thưởng đã xét đề nghị %(award)s năm %(year)s của "
                    "%(bloc)s cho %(unit)s (tờ trình phiên bản %(version)s): %(outcome)s."
                )
                % values
            ]
        else:
            subject = _("Hội đồng Thi đua - Khen thưởng tỉnh: %(unit)s – %(outcome)s") % values
            lines = [
                _(
                    "Kết quả xét của Hội đồng Thi đua - Khen thưởng tỉnh về đề nghị %(award)s "
                    "năm %(year)s cho %(unit)s: %(outcome)s."
                )
                % values,
                _("Quyết định số %(number)s ngày %(date)s, người ký: %(signer)s.")
                % {
                    "number": decision.decision_number,
                    "date": decision.decision_date.strftime("%d/%m/%Y"),
                    "signer": decision.signer,
                },
            ]
        if decision.reject_reason:
            lines.append(
                _("Lý do không đề nghị: %(reason)s.")
                % {"reason": decision.get_reject_reason_display()}
            )
        if decision.reason:
            lines.append(_("Ghi chú: %(text)s") % {"text": decision.reason})
        if decision.outcome == ItemDecision.Outcome.RETURNED:
            lines.append(_("Vui lòng hoàn thiện hồ sơ và gửi lại tờ trình (phiên bản mới)."))
        lines.append(_("Xem chi tiết: %(url)s") % {"url": url})
        for ra in recipients:
            greeting = _("Kính gửi %(name)s,") % {"name": person_name(ra.user)}
            body = "\n\n".join([greeting, *lines]) + "\n"
            mails.append(Mail(subject=subject, body=body, to=ra.user.email))
    return mails


def decision_mail_send(*, decision_id: int) -> int:
    decision = (
        ItemDecision.objects.select_related(
            "item__unit",
            "item__version__proposal__award_type",
            "item__version__proposal__bloc_year__bloc",
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return 0
    sent = 0
    for mail in decision_mails(decision):
        sent += send_mail(mail.subject, mail.body, None, [mail.to])
    return sent
