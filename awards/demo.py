"""Demo proposals (DESIGN.md §9, issue 10 item 8), through the services, from the demo
meetings' published nomination ballots (meetings.demo):

- Bắc Ninh 2019 (seeds/002): one proposal per award, submitted; the board's demo account
  `ban.tdkt.bacninh` has accepted the Cờ thi đua của Chính phủ for Sở Công Thương and
  returned one unit, which the secretariat corrected in a second version submitted again;
  the other units wait for the board;
- the unnamed province's 2019 meeting (seeds/001): submitted, waiting in the inbox of
  `ban.tdkt.001`;
- Đắk Lắk 2020 (seeds/004): drafts (Cờ thi đua của UBND tỉnh for Sở Giao thông Vận tải,
  Bằng khen for three units) for its secretariat to complete.

The seed reports say which units were proposed, not their achievements: the achievement
reports (Mẫu số 02) are illustrative and say so. The years were scored on paper, so the
computed eligibility says what is missing (no verified scores in the product).

Idempotent: a bloc-year that has proposals is left as it is. The app's demo_loader runs
before the meetings app's (INSTALLED_APPS order), so it loads the meetings demo first; the
meetings loader then finds its meetings and does nothing."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from blocs import services as bloc_services
from blocs.demo import DEMO_PASSWORD
from blocs.models import BlocYear, Province, RoleAssignment

from . import services
from .models import AwardProposal, ProposalItem

BN = (
    "bac-ninh",
    "Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật",
    2019,
)
UNNAMED = ("chua-ro-ten", "Khối thi đua Kinh tế ngành", 2019)
DL = ("dak-lak", "Khối Thi đua số 5", 2020)

ACCOUNTS = [
    ("ban.tdkt.bacninh", "Cán bộ Ban TĐKT Bắc Ninh", "bac-ninh"),
    ("ban.tdkt.001", "Cán bộ Ban TĐKT (tỉnh của bản tin 001)", "chua-ro-ten"),
]

ILLUSTRATIVE = "(Số liệu minh họa: bản tin không nêu thành tích riêng của từng đơn vị.)"
ACHIEVEMENTS = {
    "bac-ninh": (
        "Năm 2019, đơn vị đã chủ động thực hiện hoàn thành mục tiêu, nhiệm vụ theo bản đăng ký "
        "giao ước thi đua, một số chỉ tiêu hoàn thành vượt mức kế hoạch (bản tin seeds/002)."
    ),
    "chua-ro-ten": (
        "Năm 2019, phong trào thi đua của đơn vị được triển khai đồng bộ, hiệu quả, bám sát "
        "chương trình công tác trọng tâm của UBND tỉnh (bản tin seeds/001)."
    ),
    "dak-lak": (
        "Năm 2020, đơn vị đã hoàn thành các chỉ tiêu, kế hoạch được giao, thực hiện tốt công "
        "tác cải cách hành chính (bản tin seeds/004)."
    ),
}
RETURN_REASON = (
    "Bổ sung số liệu minh chứng thành tích 5 năm liên tục vào báo cáo thành tích (Mẫu số 02)."
)


def _bloc_year(key: tuple) -> BlocYear | None:
    code, bloc, year = key
    return BlocYear.objects.filter(bloc__province__code=code, bloc__name=bloc, year=year).first()


def _accounts() -> list[tuple[str, str]]:
    user_model = get_user_model()
    printed = []
    for username, full_name, code in ACCOUNTS:
        province = Province.objects.filter(code=code).first()
        if province is None:
            continue
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.first_name = full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not RoleAssignment.objects.filter(
            user=user, role=RoleAssignment.Role.BOARD, province=province
        ).exists():
            bloc_services.role_assign(user=user, role=RoleAssignment.Role.BOARD, province=province)
        printed.append((username, full_name))
    # Bắc Ninh's secretariat account follows its 2019 proposals too.
    secretary = user_model.objects.filter(username="thuky.bacninh").first()
    by = _bloc_year(BN)
    if (
        secretary is not None
        and by is not None
        and not RoleAssignment.objects.filter(
            user=secretary, role=RoleAssignment.Role.SECRETARIAT, bloc_year=by
        ).exists()
    ):
        bloc_services.role_assign(
            user=secretary, role=RoleAssignment.Role.SECRETARIAT, bloc_year=by
        )
    return printed


def _report(item: ProposalItem, code: str, actor: Any) -> None:
    services.proposal_item_report_form_save(
        item=item,
        form={
            "unit_name": item.unit.name,
            "characteristics": f"{item.unit.name}. {ILLUSTRATIVE}",
            "achievements": ACHIEVEMENTS[code],
            "by_year": [],
            "awards_received": [],
        },
        actor=actor,
    )


def _submit_all(proposals: list[AwardProposal], code: str, actor: Any) -> None:
    for proposal in proposals:
        version = proposal.versions.order_by("-number").first()
        for item in version.items.filter(removed_at__isnull=True).select_related("unit"):
            _report(item, code, actor)
        services.award_proposal_submit(version=version, actor=actor)


def _bac_ninh_review(proposals: list[AwardProposal], board: Any, actor: Any) -> None:
    by_award = {p.award_type.name: p for p in proposals}
    gov = by_award.get(services.GOVERNMENT_FLAG)
    if gov is not None:
        item = gov.versions.get(number=1).items.filter(unit__name="Sở Công Thương").first()
        if item is not None:
            services.proposal_item_decide(item=item, outcome="accepted", actor=board)
    pm = by_award.get(services.PM_CERTIFICATE)
    if pm is None:
        return
    item = pm.versions.get(number=1).items.order_by("order").first()
    services.proposal_item_decide(item=item, outcome="returned", reason=RETURN_REASON, actor=board)
    version = services.proposal_version_new(
        proposal=pm, actor=actor, note="Bổ sung báo cáo thành tích theo ý kiến Ban TĐKT."
    )
    corrected = version.items.get(unit_id=item.unit_id)
    services.proposal_item_report_form_save(
        item=corrected,
        form={
            **corrected.report_form,
            "by_year": [
                {"year": y, "text": f"Hoàn thành xuất sắc nhiệm vụ năm {y}. {ILLUSTRATIVE}"}
                for y in range(2015, 2020)
            ],
        },
        actor=actor,
    )
    services.award_proposal_submit(version=version, actor=actor)


def demo_load() -> list[tuple[str, str]]:
    """Record the demo proposals; returns the board's demo accounts."""
    from meetings import demo as meetings_demo

    meetings_demo.demo_load()
    accounts = _accounts()
    actor = get_user_model().objects.filter(username="admin").first()
    board_users = {
        code: get_user_model().objects.filter(username=username).first()
        for username, _name, code in ACCOUNTS
    }
    for key in (BN, UNNAMED, DL):
        by = _bloc_year(key)
        if by is None or AwardProposal.objects.filter(bloc_year=by).exists():
            continue
        with transaction.atomic():
            proposals = services.award_proposals_draft(bloc_year=by, actor=actor)
            code = key[0]
            if key is DL:
                continue
            _submit_all(proposals, code, actor)
            if key is BN and board_users.get(code) is not None:
                _bac_ninh_review(proposals, board_users[code], actor)
    return accounts
