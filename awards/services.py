"""Writes of the awards app (DESIGN.md §9). Each function validates, runs in one transaction
and records who did it."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blocs.models import Province, Unit
from core.services import actor_username, audit_event_record
from rules.models import RuleSet

from .models import AwardRule, AwardType, ClassificationRecord
from .selectors import proposal_selection

# --- award types and their example conditions ------------------------------------------------

# The four forms of commendation the seed reports name (seeds/001, 002, 004), highest first.
# The conditions are an example (Luật Thi đua, khen thưởng 2022 and its decrees set them in
# words, each province's bloc regulation sets the numbers): they go into the shipped example
# rule set, which stays marked as an example (RuleSet.is_example).
EXCLUSIVE_GROUP = "thanh-tich-nam"
GOVERNMENT_FLAG = "Cờ thi đua của Chính phủ"
PROVINCE_FLAG = "Cờ thi đua của UBND tỉnh"
PM_CERTIFICATE = "Bằng khen của Thủ tướng Chính phủ"
CHAIR_CERTIFICATE = "Bằng khen của Chủ tịch UBND tỉnh"

AWARD_TYPE_SEEDS: list[dict[str, Any]] = [
    {"name": GOVERNMENT_FLAG, "level": AwardType.Level.GOVERNMENT, "kind": AwardType.Kind.FLAG},
    {"name": PROVINCE_FLAG, "level": AwardType.Level.PROVINCE, "kind": AwardType.Kind.FLAG},
    {
        "name": PM_CERTIFICATE,
        "level": AwardType.Level.PRIME_MINISTER,
        "kind": AwardType.Kind.CERTIFICATE,
    },
    {
        "name": CHAIR_CERTIFICATE,
        "level": AwardType.Level.PROVINCE_CHAIR,
        "kind": AwardType.Kind.CERTIFICATE,
    },
]

EXAMPLE_NOTE = (
    "Điều kiện ví dụ đi kèm phần mềm (quy chế mẫu); tỉnh cần thay bằng quy chế hoạt động "
    "cụm, khối thi đua của tỉnh."
)


def example_rules(types: dict[str, AwardType]) -> dict[str, dict[str, Any]]:
    """The example conditions of the four award types, by name."""
    return {
        GOVERNMENT_FLAG: {
            "required_classification": "excellent",
            "max_rank": 1,
            "quota": [{"min_members": 0, "quota": 1}],
            # An old-decree figure, kept configurable (DESIGN.md §9).
            "ceiling_percent": Decimal("20"),
            "ceiling_base_award": types[PROVINCE_FLAG],
            "ceiling_rounding": AwardRule.Rounding.UP,
            "prerequisite_award": types[PROVINCE_FLAG],
            "prerequisite_mode": AwardRule.PrerequisiteMode.STANDARD,
        },
        PROVINCE_FLAG: {
            "required_classification": "excellent",
            "max_rank": 1,
            "quota": [{"min_members": 0, "quota": 1}, {"min_members": 10, "quota": 2}],
        },
        PM_CERTIFICATE: {
            "required_classification": "excellent",
            "consecutive_years": 5,
            "consecutive_classification": "excellent",
            "quota": [{"min_members": 0, "quota": 1}],
        },
        CHAIR_CERTIFICATE: {
            "required_classification": "good",
            "consecutive_years": 2,
            "consecutive_classification": "good",
            "quota": [{"min_members": 0, "quota": 2}, {"min_members": 10, "quota": 3}],
        },
    }


def _example_rule_sets() -> list[RuleSet]:
    sets = list(RuleSet.objects.filter(province__isnull=True, is_example=True).order_by("year"))
    if not sets:
        sets = [
            RuleSet.objects.create(
                name="Quy chế mẫu (ví dụ, cần thay bằng quy chế của tỉnh)",
                year=2000,
                is_example=True,
            )
        ]
    return sets


@transaction.atomic
def award_types_seed(
    *, province: Province, rule_set: RuleSet | None = None, actor: Any = None
) -> list[AwardType]:
    """The four award types of a province, and their example conditions in `rule_set` (by
    default: every shipped example rule set). Idempotent: existing types and conditions are
    left as they are."""
    types: dict[str, AwardType] = {}
    for order, spec in enumerate(AWARD_TYPE_SEEDS, start=1):
        award, _created = AwardType.objects.get_or_create(
            province=province,
            name=spec["name"],
            defaults={"level": spec["level"], "kind": spec["kind"], "order": order},
        )
        types[spec["name"]] = award
    targets = [rule_set] if rule_set is not None else _example_rule_sets()
    conditions = example_rules(types)
    created = 0
    for target in targets:
        if target.province_id not in (None, province.pk):
            raise ValidationError(_("Quy chế thuộc tỉnh khác."))
        existing = set(
            AwardRule.objects.filter(rule_set=target, award_type__in=types.values()).values_list(
                "award_type_id", flat=True
            )
        )
        for name, fields in conditions.items():
            award = types[name]
            if award.pk in existing:
                continue
            rule = AwardRule(
                rule_set=target,
                award_type=award,
                exclusive_group=EXCLUSIVE_GROUP,
                notes=EXAMPLE_NOTE if target.is_example else "",
                **fields,
            )
            rule.full_clean()
            rule.save()
            created += 1
    if created:
        audit_event_record(
            actor=actor,
            action="award_types_seed",
            target=province,
            data={"award_types": list(types), "rules_created": created},
        )
    return list(types.values())


RULE_FIELDS = {
    "required_classification",
    "max_rank",
    "ballot_pass_required",
    "consecutive_years",
    "consecutive_classification",
    "merger_rule",
    "quota",
    "ceiling_percent",
    "ceiling_base_award",
    "ceiling_rounding",
    "prerequisite_award",
    "prerequisite_mode",
    "exclusive_group",
    "notes",
}


@transaction.atomic
def award_rule_set(
    *, rule_set: RuleSet, award_type: AwardType, actor: Any, **fields: Any
) -> AwardRule:
    """Create or change the conditions of `award_type` in `rule_set`; the model's validators
    say in Vietnamese what is wrong, keyed by field."""
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValidationError(
            _("Trường không hợp lệ: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    rule = (
        AwardRule.objects.select_for_update(of=("self",))
        .filter(rule_set=rule_set, award_type=award_type)
        .order_by()
        .first()
    ) or AwardRule(rule_set=rule_set, award_type=award_type)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    rule.save()
    audit_event_record(
        actor=actor,
        action="award_rule_set",
        target=rule,
        data={
            "rule_set": rule_set.pk,
            "award_type": award_type.name,
            "fields": sorted(fields),
        },
    )
    return rule


@transaction.atomic
def classification_record_set(
    *, unit: Unit, year: int, classification: str, source: str, actor: Any
) -> ClassificationRecord:
    """Record a year's classification that the product did not score (from the paper
    decisions before the deployment), with its source."""
    from rules.selectors import rule_set_for

    source = (source or "").strip()
    errors = {}
    if not isinstance(year, int) or not 1945 <= year <= 2200:
        errors["year"] = _("Năm không hợp lệ.")
    if not source:
        errors["source"] = _("Cần ghi căn cứ (số, ngày quyết định xếp loại).")
    if "year" in errors:
        raise ValidationError(errors)
    bands = rule_set_for(province=unit.province, year=year).classification_bands or []
    codes = [b.get("code") for b in bands]
    if classification not in codes:
        errors["classification"] = _("Mã xếp loại không có trong quy chế năm %(year)s.") % {
            "year": year
        }
    if errors:
        raise ValidationError(errors)
    record, _created = ClassificationRecord.objects.update_or_create(
        unit=unit,
        year=year,
        defaults={
            "classification": classification,
            "source": source,
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "recorded_by_username": actor_username(actor),
        },
    )
    audit_event_record(
        actor=actor,
        action="classification_record_set",
        target=record,
        data={"unit": unit.name, "year": year, "classification": classification},
    )
    return record


# --- proposals (tờ trình) ---------------------------------------------------------------------

HASH_SCHEMA = "khoithidua/to-trinh/v1"
REPORT_EXTENSIONS = ["pdf", "doc", "docx", "odt"]
REASON_MIN = 5


def canonical_json(value: Any) -> str:
    """The text that is hashed: NFC, sorted keys, no spaces, UTF-8."""
    import json
    import unicodedata

    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return unicodedata.normalize("NFC", text)


def sha256_of(value: Any) -> str:
    import hashlib

    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _reason_clean(reason: Any, *, field: str = "reason") -> str:
    text = " ".join(str(reason or "").split())
    if len(text) < REASON_MIN:
        raise ValidationError(
            {field: _("Cần ghi lý do (ít nhất %(n)s ký tự).") % {"n": REASON_MIN}}
        )
    if len(text) > 2000:
        raise ValidationError({field: _("Lý do quá dài (tối đa 2000 ký tự).")})
    return text


def _event(
    *,
    proposal: Any,
    action: str,
    actor: Any,
    version: Any = None,
    item: Any = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
) -> Any:
    from core.services import actor_user

    from .models import ProposalEvent

    return ProposalEvent.objects.create(
        proposal=proposal,
        version=version,
        item=item,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        actor=actor_user(actor),
        actor_username=actor_username(actor),
    )


def _require_secretariat(actor: Any, bloc_year: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_draft

    if not can_draft(actor, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký của khối trong năm được lập tờ trình đề nghị."))


def _require_board(actor: Any, bloc_year: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from .permissions import can_review

    if not can_review(actor, bloc_year):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh được thẩm định đề nghị khen thưởng.")
        )


def _locked_version(version: Any) -> Any:
    from .models import ProposalVersion

    return (
        ProposalVersion.objects.select_for_update(of=("self",))
        .select_related("proposal__bloc_year__bloc__province", "proposal__award_type")
        .get(pk=version.pk)
    )


def _require_draft(version: Any, *, field: str | None = None) -> None:
    if version.status != version.Status.DRAFT:
        message = _(
            "Tờ trình phiên bản %(n)s đã gửi Ban Thi đua - Khen thưởng nên không thể sửa; "
            "khi được trả lại, hãy lập phiên bản mới."
        ) % {"n": version.number}
        raise ValidationError({field: message} if field else message)


def _published_elected(bloc_year: Any) -> dict[int, list[tuple[Any, Any]]]:
    """award type id -> [(unit, candidate)] chosen in the published nomination ballots of the
    year-end meeting (the latest round that had the unit on its paper)."""
    from meetings.models import Ballot, BallotCandidate, Meeting

    final: dict[tuple[int, int], Any] = {}
    for c in (
        BallotCandidate.objects.filter(
            ballot__kind=Ballot.Kind.NOMINATION,
            ballot__status=Ballot.Status.PUBLISHED,
            ballot__meeting__kind=Meeting.Kind.YEAR_END,
            ballot__meeting__bloc_year=bloc_year,
        )
        .select_related("ballot__award_type", "unit")
        .order_by("ballot__round", "ballot_id", "id")
    ):
        final[(c.ballot.award_type_id, c.unit_id)] = c
    out: dict[int, list[tuple[Any, Any]]] = {}
    for (award_id, _unit_id), c in final.items():
        out.setdefault(award_id, [])
        if c.elected:
            out[award_id].append((c.unit, c))
    for rows in out.values():
        rows.sort(key=lambda r: (-(r[1].yes_count or 0), r[0].name))
    return out


@transaction.atomic
def award_proposals_draft(*, bloc_year: Any, actor: Any) -> list[Any]:
    """One draft proposal per award type with a published nomination ballot at the year-end
    meeting, its items the units chosen by the ballot. Proposals that exist are kept as they
    are (drafting twice creates nothing new)."""
    from blocs import cycle
    from blocs.models import BlocYear

    from .models import AwardProposal, ProposalItem, ProposalVersion

    # Locked: two drafts at once create each proposal once.
    bloc_year = (
        BlocYear.objects.select_for_update(of=("self",))
        .select_related("bloc__province")
        .get(pk=bloc_year.pk)
    )
    _require_secretariat(actor, bloc_year)
    cycle.bloc_year_require(
        bloc_year=bloc_year,
        allowed=[BlocYear.Status.VOTING, BlocYear.Status.PROPOSED],
        work=_("lập tờ trình đề nghị khen thưởng"),
    )
    elected = _published_elected(bloc_year)
    if not elected:
        raise ValidationError(
            _(
                "Chưa có kết quả bỏ phiếu bình xét nào được công bố tại Hội nghị tổng kết năm: "
                "chưa thể lập tờ trình."
            )
        )
    elected = {award_id: rows for award_id, rows in elected.items() if rows}
    if not elected:
        raise ValidationError(
            _("Không có đơn vị nào được chọn trong các cuộc bỏ phiếu bình xét đã công bố.")
        )
    proposals = []
    for award_id, rows in elected.items():
        proposal, created = AwardProposal.objects.get_or_create(
            bloc_year=bloc_year,
            award_type_id=award_id,
            defaults={
                "created_by": actor if getattr(actor, "is_authenticated", False) else None,
                "created_by_username": actor_username(actor),
            },
        )
        proposals.append(proposal)
        if not created:
            continue
        version = ProposalVersion.objects.create(proposal=proposal, number=1)
        ProposalItem.objects.bulk_create(
            ProposalItem(version=version, unit=unit, order=i, source=ProposalItem.Source.BALLOT)
            for i, (unit, _c) in enumerate(rows, start=1)
        )
        _event(
            proposal=proposal,
            version=version,
            action="draft",
            to_status="draft",
            actor=actor,
            reason=_("Lập từ kết quả bỏ phiếu bình xét: %(n)s đơn vị.") % {"n": len(rows)},
        )
    audit_event_record(
        actor=actor,
        action="award_proposals_draft",
        target=bloc_year,
        data={"proposals": [p.pk for p in proposals]},
    )
    proposals.sort(key=lambda p: (p.award_type.order, p.award_type.name))
    return proposals


@transaction.atomic
def proposal_item_remove(*, item: Any, reason: str, actor: Any) -> Any:
    """Take a unit off a draft proposal, with the reason (kept, shown to the board)."""
    from django.utils import timezone

    from .models import ProposalItem

    version = _locked_version(item.version)
    bloc_year = version.proposal.bloc_year
    _require_secretariat(actor, bloc_year)
    _require_draft(version, field="reason")
    reason = _reason_clean(reason)
    item = (
        ProposalItem.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=item.pk, version=version)
    )
    if item.removed_at is not None:
        raise ValidationError({"reason": _("Đơn vị này đã được bỏ khỏi tờ trình.")})
    item.removed_at, item.removed_reason = timezone.now(), reason
    item.save(update_fields=["removed_at", "removed_reason"])
    _event(
        proposal=version.proposal,
        version=version,
        item=item,
        action="item_remove",
        from_status="draft",
        to_status="removed",
        reason=reason,
        actor=actor,
    )
    return item


@transaction.atomic
def proposal_item_add(*, version: Any, unit: Any, actor: Any) -> Any:
    """Add a unit to a draft proposal: only a member of the bloc that is eligible for the
    award, counted with the proposal's other units (quota, ceiling, exclusivity)."""
    from blocs.models import Membership

    from .eligibility import unit_eligibility
    from .models import ProposalItem

    version = _locked_version(version)
    proposal = version.proposal
    bloc_year = proposal.bloc_year
    _require_secretariat(actor, bloc_year)
    _require_draft(version, field="unit")
    if not Membership.objects.filter(bloc_year=bloc_year, unit=unit).exists():
        raise ValidationError(
            {"unit": _("Đơn vị không phải thành viên của khối năm %(y)s.") % {"y": bloc_year.year}}
        )
    existing = ProposalItem.objects.filter(version=version, unit=unit).first()
    if existing is not None and existing.removed_at is None:
        raise ValidationError({"unit": _("Đơn vị đã có trong tờ trình.")})
    units = set(
        ProposalItem.objects.filter(version=version, removed_at__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    selection = proposal_selection(bloc_year, override=(proposal.award_type_id, units))
    result = unit_eligibility(
        bloc_year=bloc_year, award_type=proposal.award_type, unit=unit, selection=selection
    )
    if not result.eligible:
        raise ValidationError({"unit": result.summary})
    if existing is not None:  # taken off earlier: back on, the removal stays in the history
        existing.removed_at, existing.removed_reason = None, ""
        existing.source = ProposalItem.Source.ADDED
        existing.save(update_fields=["removed_at", "removed_reason", "source"])
        item = existing
    else:
        last = ProposalItem.objects.filter(version=version).order_by("-order").first()
        item = ProposalItem.objects.create(
            version=version,
            unit=unit,
            order=(last.order + 1) if last else 1,
            source=ProposalItem.Source.ADDED,
        )
    _event(
        proposal=proposal,
        version=version,
        item=item,
        action="item_add",
        to_status="draft",
        reason=result.summary,
        actor=actor,
    )
    return item


def _item_for_edit(item: Any, actor: Any, field: str) -> Any:
    from .models import ProposalItem

    version = _locked_version(item.version)
    _require_secretariat(actor, version.proposal.bloc_year)
    _require_draft(version, field=field)
    item = ProposalItem.objects.select_for_update(of=("self",)).get(pk=item.pk, version=version)
    if item.removed_at is not None:
        raise ValidationError({field: _("Đơn vị này đã được bỏ khỏi tờ trình.")})
    item.version = version
    return item


@transaction.atomic
def proposal_item_report_upload(*, item: Any, upload: Any, actor: Any) -> Any:
    """The unit's achievement report as a file (PDF, Word, ODT), checked by its content as
    every upload of the product (core.filetypes); its SHA-256 is kept and frozen with the
    submission."""
    import hashlib
    from pathlib import PurePath

    from django.conf import settings

    from core import filetypes, uploads

    item = _item_for_edit(item, actor, "file")
    if upload is None:
        raise ValidationError({"file": _("Hãy chọn tệp báo cáo thành tích.")})
    ext = PurePath(upload.name).suffix.lower().lstrip(".")
    if ext not in REPORT_EXTENSIONS:
        raise ValidationError(
            {
                "file": _("Loại tệp không được nhận. Chỉ nhận: %(ext)s.")
                % {"ext": ", ".join(REPORT_EXTENSIONS)}
            }
        )
    limit = getattr(settings, "AWARDS_REPORT_MAX_BYTES", settings.SCORING_EVIDENCE_MAX_BYTES)
    if upload.size > limit:
        raise ValidationError({"file": uploads.limit_message(uploads.Limit(limit, upload=True))})
    if not filetypes.content_matches_extension(upload, ext):
        raise ValidationError(
            {
                "file": _(
                    "Nội dung tệp không phải là tệp .%(ext)s thật (tệp bị đổi tên?). "
                    "Hãy tải lên tệp gốc."
                )
                % {"ext": ext}
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = PurePath(upload.name).name[:200]
    item.report_file.save(name, upload, save=False)
    item.report_name, item.report_size, item.report_sha256 = name, upload.size, digest.hexdigest()
    item.save(update_fields=["report_file", "report_name", "report_size", "report_sha256"])
    _event(
        proposal=item.version.proposal,
        version=item.version,
        item=item,
        action="report_upload",
        reason=name,
        actor=actor,
    )
    return item


# Mẫu số 02 (báo cáo thành tích của tập thể): the sections the form asks for.
REPORT_FORM_TEXT_FIELDS = {
    "unit_name": _("Tên tập thể"),
    "characteristics": _("Đặc điểm, tình hình"),
    "achievements": _("Thành tích đạt được"),
}


def report_form_clean(form: Any) -> dict:
    """Mẫu số 02 for collectives: unit name, characteristics (đặc điểm, tình hình),
    achievements, achievements by year (year, text) and awards received (year, form,
    decision). Errors keyed by field, in Vietnamese."""
    if not isinstance(form, dict):
        raise ValidationError({"report_form": _("Báo cáo thành tích không hợp lệ.")})
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, label in REPORT_FORM_TEXT_FIELDS.items():
        text = str(form.get(key) or "").strip()
        if not text:
            errors[key] = _("Cần nhập mục “%(label)s”.") % {"label": label}
        elif len(text) > 20000:
            errors[key] = _("Mục “%(label)s” quá dài.") % {"label": label}
        cleaned[key] = text
    for key, fields in (
        ("by_year", ("year", "text")),
        ("awards_received", ("year", "form", "decision")),
    ):
        rows = form.get(key) or []
        if not isinstance(rows, list):
            errors[key] = _("Danh sách không hợp lệ.")
            continue
        out = []
        for i, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                errors[key] = _("Dòng %(n)s không hợp lệ.") % {"n": i}
                break
            year = row.get("year")
            try:
                year = int(str(year).strip())
            except (TypeError, ValueError):
                errors[key] = _("Dòng %(n)s: năm không hợp lệ.") % {"n": i}
                break
            if not 1945 <= year <= 2200:
                errors[key] = _("Dòng %(n)s: năm không hợp lệ.") % {"n": i}
                break
            entry = {"year": year}
            for f in fields[1:]:
                entry[f] = str(row.get(f) or "").strip()[:2000]
            if not entry[fields[1]]:
                errors[key] = _("Dòng %(n)s còn trống.") % {"n": i}
                break
            out.append(entry)
        cleaned[key] = out
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def proposal_item_report_form_save(*, item: Any, form: dict, actor: Any) -> Any:
    """The achievement report written in the app (Mẫu số 02)."""
    item = _item_for_edit(item, actor, "report_form")
    item.report_form = report_form_clean(form)
    item.save(update_fields=["report_form"])
    _event(
        proposal=item.version.proposal,
        version=item.version,
        item=item,
        action="report_form",
        actor=actor,
    )
    return item


def _minutes_ref(bloc_year: Any) -> dict | None:
    from meetings.models import Meeting, Minutes

    minutes = (
        Minutes.objects.filter(
            meeting__bloc_year=bloc_year,
            meeting__kind=Meeting.Kind.YEAR_END,
            sealed_at__isnull=False,
        )
        .order_by("-version", "-id")
        .first()
    )
    if minutes is None:
        return None
    return {"id": minutes.pk, "version": minutes.version, "sha256": minutes.sha256}


def _meeting_ref(bloc_year: Any) -> dict | None:
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.filter(bloc_year=bloc_year, kind=Meeting.Kind.YEAR_END)
        .order_by("-held_on", "-id")
        .first()
    )
    if meeting is None:
        return None
    return {"id": meeting.pk, "held_on": meeting.held_on.isoformat(), "place": meeting.place}


def _try_cycle(step: Any, *, bloc_year: Any, actor: Any) -> bool:
    """Take the year's step when its preconditions hold; the step's own refusal (a year
    already past it, facts not met) leaves the year where it is."""
    try:
        with transaction.atomic():
            step(bloc_year=bloc_year, actor=actor)
    except ValidationError:
        return False
    return True


@transaction.atomic
def award_proposal_submit(*, version: Any, actor: Any) -> Any:
    """Submit a draft version to the board: every unit needs its achievement report; each
    item gets its frozen snapshot (scores, rank, classification, ballot result, eligibility
    reasons, report) and hash, the version its snapshot and hash; sealed from then on
    (service and database). The year moves to "proposed" (blocs.cycle)."""
    from django.utils import timezone

    from blocs import cycle
    from blocs.models import BlocYear
    from core.services import actor_user

    from .eligibility import eligibility_for_bloc_year
    from .models import ProposalItem

    version = _locked_version(version)
    proposal = version.proposal
    bloc_year = proposal.bloc_year
    award = proposal.award_type
    _require_secretariat(actor, bloc_year)
    _require_draft(version)
    cycle.bloc_year_require(
        bloc_year=bloc_year,
        allowed=[BlocYear.Status.VOTING, BlocYear.Status.PROPOSED],
        work=_("gửi tờ trình đề nghị khen thưởng"),
    )
    items = list(
        ProposalItem.objects.select_for_update(of=("self",))
        .filter(version=version)
        .select_related("unit")
        .order_by("order", "id")
    )
    active = [i for i in items if i.removed_at is None]
    if not active:
        raise ValidationError(_("Tờ trình chưa có đơn vị nào được đề nghị."))
    missing = [i.unit.name for i in active if not i.has_report]
    if missing:
        raise ValidationError(
            _("Còn đơn vị chưa có báo cáo thành tích: %(units)s.") % {"units": "; ".join(missing)}
        )
    selection = proposal_selection(bloc_year, override=(award.pk, {i.unit_id for i in active}))
    results = eligibility_for_bloc_year(
        bloc_year=bloc_year,
        award_types=[award],
        units=[i.unit_id for i in active],
        selection=selection,
    )
    now = timezone.now()
    item_snaps = []
    for item in active:
        snap = {
            "unit": {"id": item.unit_id, "name": item.unit.name},
            "source": item.source,
            "eligibility": results[(award.pk, item.unit_id)].snapshot(),
            "report": {
                "file": item.report_name or None,
                "size": item.report_size,
                "sha256": item.report_sha256 or None,
                "form": item.report_form,
            },
        }
        item.snapshot, item.sha256 = snap, sha256_of(snap)
        item_snaps.append({**snap, "sha256": item.sha256})
    ProposalItem.objects.bulk_update(active, ["snapshot", "sha256"])
    from rules.selectors import rule_set_for

    from .eligibility import rule_name_of

    rule_set = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    version.snapshot = {
        "schema": HASH_SCHEMA,
        "proposal": proposal.pk,
        "version": version.number,
        "bloc_year": {
            "id": bloc_year.pk,
            "bloc": bloc_year.bloc.name,
            "province": bloc_year.bloc.province.name,
            "year": bloc_year.year,
        },
        "award": {"id": award.pk, "name": award.name, "level": award.level, "kind": award.kind},
        "rule_set": {
            "id": rule_set.pk,
            "name": rule_name_of(rule_set),
            "example": rule_set.is_example,
        },
        "items": item_snaps,
        "removed": [
            {"unit": {"id": i.unit_id, "name": i.unit.name}, "reason": i.removed_reason}
            for i in items
            if i.removed_at is not None
        ],
        "meeting": _meeting_ref(bloc_year),
        "minutes": _minutes_ref(bloc_year),
        "submitted_at": now.isoformat(),
        "submitted_by": actor_username(actor),
    }
    version.sha256 = sha256_of(version.snapshot)
    version.status = version.Status.SUBMITTED
    version.submitted_at = now
    version.submitted_by = actor_user(actor)
    version.submitted_by_username = actor_username(actor)
    version.save()
    _event(
        proposal=proposal,
        version=version,
        action="submit",
        from_status="draft",
        to_status="submitted",
        reason=_("Phiên bản %(n)s, %(count)s đơn vị.")
        % {"n": version.number, "count": len(active)},
        actor=actor,
    )
    if cycle.bloc_year_status_fresh(bloc_year) == BlocYear.Status.VOTING:
        _try_cycle(cycle.bloc_year_submit_proposals, bloc_year=bloc_year, actor=actor)
    audit_event_record(
        actor=actor,
        action="award_proposal_submit",
        target=version,
        data={"sha256": version.sha256, "items": len(active)},
    )
    return version


def _item_for_decision(item: Any) -> Any:
    """The item, its proposal locked (one decision at a time per proposal), checked: its
    version submitted and the latest, the unit not removed."""
    from .models import AwardProposal, ProposalItem

    proposal_id = (
        ProposalItem.objects.filter(pk=item.pk)
        .values_list("version__proposal_id", flat=True)
        .first()
    )
    if proposal_id is None:
        raise ValidationError(_("Không tìm thấy đơn vị được đề nghị."))
    list(AwardProposal.objects.select_for_update().filter(pk=proposal_id))
    item = ProposalItem.objects.select_related(
        "unit", "version__proposal__bloc_year__bloc__province", "version__proposal__award_type"
    ).get(pk=item.pk)
    version = item.version
    if version.status != version.Status.SUBMITTED:
        raise ValidationError(_("Tờ trình chưa được gửi Ban Thi đua - Khen thưởng."))
    latest = version.proposal.versions.order_by("-number").first()
    if latest.pk != version.pk:
        raise ValidationError(
            _("Đây là phiên bản cũ của tờ trình; hãy xét trên phiên bản %(n)s.")
            % {"n": latest.number}
        )
    if item.removed_at is not None:
        raise ValidationError(_("Đơn vị này đã được bỏ khỏi tờ trình."))
    return item


def _decision_notify(decision: Any) -> None:
    """E-mail the bloc-year's secretariat about a decision, after commit."""
    from .notifications import decision_mail_enqueue

    decision_mail_enqueue(decision_id=decision.pk)


@transaction.atomic
def proposal_item_decide(
    *, item: Any, outcome: str, actor: Any, reason: str = "", reject_reason: str = ""
) -> Any:
    """The board's decision on one unit: accept (to the provincial council), return for
    correction (with a reason: the secretariat submits a new version), or reject with one
    of the reasons (wrong subject, standard not met, incomplete dossier, legal violation,
    other with its text). When every unit of the year is decided, the year moves to
    "reviewed" (blocs.cycle)."""
    from blocs.models import BlocYear

    from .models import ItemDecision

    item = _item_for_decision(item)
    bloc_year = item.version.proposal.bloc_year
    _require_board(actor, bloc_year)
    Outcome = ItemDecision.Outcome
    if outcome not in (Outcome.ACCEPTED, Outcome.RETURNED, Outcome.REJECTED):
        raise ValidationError(
            {"outcome": _("Hãy chọn: trình Hội đồng, trả lại hoặc không đề nghị.")}
        )
    if ItemDecision.objects.filter(item=item, stage=ItemDecision.Stage.BOARD).exists():
        raise ValidationError(
            {"outcome": _("Ban Thi đua - Khen thưởng đã quyết định về đơn vị này.")}
        )
    reason = " ".join(str(reason or "").split())
    if outcome == Outcome.RETURNED:
        reason = _reason_clean(reason)
    if outcome == Outcome.REJECTED:
        if reject_reason not in ItemDecision.RejectReason.values:
            raise ValidationError({"reject_reason": _("Hãy chọn lý do không đề nghị.")})
        if reject_reason == ItemDecision.RejectReason.OTHER:
            reason = _reason_clean(reason)
    else:
        reject_reason = ""
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Lý do quá dài (tối đa 2000 ký tự).")})
    decision = ItemDecision.objects.create(
        item=item,
        stage=ItemDecision.Stage.BOARD,
        outcome=outcome,
        reject_reason=reject_reason,
        reason=reason,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_by_username=actor_username(actor),
    )
    shown = reason
    if reject_reason:
        label = str(ItemDecision.RejectReason(reject_reason).label)
        shown = f"{label}: {reason}" if reason else label
    _event(
        proposal=item.version.proposal,
        version=item.version,
        item=item,
        action="board_decide",
        from_status="submitted",
        to_status=outcome,
        reason=shown,
        actor=actor,
    )
    _decision_notify(decision)
    if bloc_year.status == BlocYear.Status.PROPOSED and bloc_year_decided(bloc_year=bloc_year):
        from blocs import cycle

        _try_cycle(cycle.bloc_year_mark_reviewed, bloc_year=bloc_year, actor=actor)
    return decision


def bloc_year_decided(*, bloc_year: Any) -> bool:
    """Every unit in the current version of every proposal of the year has the board's final
    decision (accepted or rejected; a returned unit waits for the corrected version)."""
    from .selectors import proposal_facts

    return proposal_facts(bloc_year_ids=[bloc_year.pk])[bloc_year.pk].decided


@transaction.atomic
def proposal_item_council_record(
    *,
    item: Any,
    outcome: str,
    decision_number: str,
    decision_date: Any,
    signer: str,
    actor: Any,
    reason: str = "",
) -> Any:
    """The provincial council's outcome for a unit the board accepted: approved or cut, with
    the decision's number, date and signer."""
    import datetime as dt

    from .models import ItemDecision

    item = _item_for_decision(item)
    _require_board(actor, item.version.proposal.bloc_year)
    Outcome = ItemDecision.Outcome
    board = ItemDecision.objects.filter(item=item, stage=ItemDecision.Stage.BOARD).first()
    if board is None or board.outcome != Outcome.ACCEPTED:
        raise ValidationError(
            {"outcome": _("Chỉ ghi kết quả của Hội đồng cho đơn vị đã được trình Hội đồng.")}
        )
    if ItemDecision.objects.filter(item=item, stage=ItemDecision.Stage.COUNCIL).exists():
        raise ValidationError({"outcome": _("Đã ghi kết quả của Hội đồng cho đơn vị này.")})
    errors: dict[str, str] = {}
    if outcome not in (Outcome.APPROVED, Outcome.CUT):
        errors["outcome"] = _("Hãy chọn: được khen thưởng hoặc không được khen thưởng.")
    decision_number = " ".join(str(decision_number or "").split())
    signer = " ".join(str(signer or "").split())
    if not decision_number:
        errors["decision_number"] = _("Cần nhập số quyết định.")
    elif len(decision_number) > 60:
        errors["decision_number"] = _("Số quyết định quá dài.")
    if not signer:
        errors["signer"] = _("Cần nhập người ký quyết định.")
    elif len(signer) > 200:
        errors["signer"] = _("Tên người ký quá dài.")
    if not isinstance(decision_date, dt.date) or isinstance(decision_date, dt.datetime):
        errors["decision_date"] = _("Ngày quyết định không hợp lệ (dd/mm/yyyy).")
    elif decision_date.year < item.version.proposal.bloc_year.year:
        errors["decision_date"] = _("Ngày quyết định không thể trước năm thi đua.")
    reason = " ".join(str(reason or "").split())
    if len(reason) > 2000:
        errors["reason"] = _("Ghi chú quá dài (tối đa 2000 ký tự).")
    if errors:
        raise ValidationError(errors)
    decision = ItemDecision.objects.create(
        item=item,
        stage=ItemDecision.Stage.COUNCIL,
        outcome=outcome,
        reason=reason,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_by_username=actor_username(actor),
    )
    _event(
        proposal=item.version.proposal,
        version=item.version,
        item=item,
        action="council_record",
        from_status=Outcome.ACCEPTED,
        to_status=outcome,
        reason=_("Quyết định số %(number)s ngày %(date)s, %(signer)s")
        % {
            "number": decision_number,
            "date": decision_date.strftime("%d/%m/%Y"),
            "signer": signer,
        }
        + (f". {reason}" if reason else ""),
        actor=actor,
    )
    _decision_notify(decision)
    return decision


@transaction.atomic
def proposal_version_new(*, proposal: Any, actor: Any, note: str = "") -> Any:
    """A corrected version after the board returned units: the units of the submitted
    version are carried over (those it rejected are not), with their reports; the board's
    acceptances are kept; the returned units are corrected and the version submitted again.
    The old version stays as it was."""
    from .models import AwardProposal, ItemDecision, ProposalItem, ProposalVersion

    proposal = (
        AwardProposal.objects.select_for_update()
        .select_related("bloc_year__bloc__province", "award_type")
        .get(pk=proposal.pk)
    )
    _require_secretariat(actor, proposal.bloc_year)
    latest = proposal.versions.order_by("-number").first()
    if latest.status != ProposalVersion.Status.SUBMITTED:
        raise ValidationError(_("Tờ trình đang có phiên bản dự thảo; hãy sửa phiên bản đó."))
    board = {
        d.item_id: d
        for d in ItemDecision.objects.filter(item__version=latest, stage=ItemDecision.Stage.BOARD)
    }
    items = list(latest.items.filter(removed_at__isnull=True).order_by("order", "id"))
    returned = [i for i in items if board.get(i.pk) and board[i.pk].outcome == "returned"]
    if not returned:
        raise ValidationError(
            _("Ban Thi đua - Khen thưởng chưa trả lại đơn vị nào; không cần lập phiên bản mới.")
        )
    version = ProposalVersion.objects.create(
        proposal=proposal, number=latest.number + 1, note=" ".join(str(note or "").split())
    )
    for old in items:
        decision = board.get(old.pk)
        if decision is not None and decision.outcome == ItemDecision.Outcome.REJECTED:
            continue
        new = ProposalItem.objects.create(
            version=version,
            unit_id=old.unit_id,
            order=old.order,
            source=ProposalItem.Source.CARRIED,
            carried_from=old,
            report_file=old.report_file.name,
            report_name=old.report_name,
            report_size=old.report_size,
            report_sha256=old.report_sha256,
            report_form=old.report_form,
        )
        if decision is not None and decision.outcome == ItemDecision.Outcome.ACCEPTED:
            ItemDecision.objects.create(
                item=new,
                stage=decision.stage,
                outcome=decision.outcome,
                reason=decision.reason,
                carried_from=decision,
                decided_by=decision.decided_by,
                decided_by_username=decision.decided_by_username,
            )
    _event(
        proposal=proposal,
        version=version,
        action="version_new",
        from_status="returned",
        to_status="draft",
        reason=_("Phiên bản %(n)s, sửa theo ý kiến của Ban Thi đua - Khen thưởng.")
        % {"n": version.number},
        actor=actor,
    )
    return version
