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
