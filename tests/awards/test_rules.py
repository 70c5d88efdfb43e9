"""Award types and their conditions as rule-set data (DESIGN.md §4, §9)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from awards import services
from awards.models import AwardRule, AwardType, ClassificationRecord, quota_for
from rules.models import RuleSet
from rules.selectors import rule_set_for

pytestmark = pytest.mark.django_db


def _example() -> RuleSet:
    return RuleSet.objects.get(province__isnull=True, is_example=True)


def test_seed_creates_the_four_award_types_and_example_conditions_once(world):
    types = services.award_types_seed(province=world.province)
    assert [t.name for t in types] == [
        "Cờ thi đua của Chính phủ",
        "Cờ thi đua của UBND tỉnh",
        "Bằng khen của Thủ tướng Chính phủ",
        "Bằng khen của Chủ tịch UBND tỉnh",
    ]
    assert [(t.level, t.kind, t.order) for t in types] == [
        ("government", "flag", 1),
        ("province", "flag", 2),
        ("prime_minister", "certificate", 3),
        ("province_chair", "certificate", 4),
    ]
    example = _example()
    assert rule_set_for(province=world.province, year=2020) == example
    assert example.is_example
    rules = {r.award_type.name: r for r in AwardRule.objects.filter(rule_set=example)}
    assert set(rules) == {t.name for t in types}
    gov = rules["Cờ thi đua của Chính phủ"]
    assert gov.required_classification == "excellent" and gov.max_rank == 1
    assert gov.ceiling_percent == Decimal("20")
    assert gov.ceiling_base_award.name == "Cờ thi đua của UBND tỉnh"
    assert gov.prerequisite_award.name == "Cờ thi đua của UBND tỉnh"
    assert rules["Bằng khen của Chủ tịch UBND tỉnh"].consecutive_years == 2
    assert all(r.exclusive_group == services.EXCLUSIVE_GROUP for r in rules.values())
    assert all("quy chế mẫu" in r.notes for r in rules.values())

    # Idempotent; another province gets its own four.
    services.award_types_seed(province=world.province)
    services.award_types_seed(province=world.other_province)
    assert AwardType.objects.filter(province=world.province).count() == 4
    assert AwardType.objects.count() == 8
    assert AwardRule.objects.filter(rule_set=example).count() == 8


def test_a_provinces_own_rule_set_gets_the_conditions_when_asked(world):
    own = RuleSet.objects.create(province=world.province, year=2020, name="Quy chế Quảng Bình")
    services.award_types_seed(province=world.province, rule_set=own)
    assert AwardRule.objects.filter(rule_set=own).count() == 4
    assert not AwardRule.objects.filter(rule_set=own).exclude(notes="").exists()
    other = RuleSet.objects.create(province=world.other_province, year=2020, name="Quy chế khác")
    with pytest.raises(ValidationError, match="tỉnh khác"):
        services.award_types_seed(province=world.province, rule_set=other)


@pytest.mark.parametrize(
    ("quota", "message"),
    [
        ("1", "phải là một danh sách"),
        ([{"min_members": 0}], "đúng hai khóa"),
        ([{"min_members": 0, "quota": -1}], "số nguyên từ 0 đến 1000"),
        ([{"min_members": 0, "quota": "2"}], "số nguyên"),
        ([{"min_members": 0, "quota": True}], "số nguyên"),
        ([{"min_members": 0, "quota": 1}, {"min_members": 0, "quota": 2}], "lặp lại"),
    ],
)
def test_bad_quotas_are_refused_in_vietnamese(world, quota, message):
    award = services.award_types_seed(province=world.province)[0]
    with pytest.raises(ValidationError) as exc:
        services.award_rule_set(rule_set=_example(), award_type=award, actor=None, quota=quota)
    assert message in str(exc.value.message_dict["quota"])


def test_quota_by_bloc_size():
    quota = [{"min_members": 0, "quota": 1}, {"min_members": 10, "quota": 2}]
    assert quota_for(quota, 9) == 1
    assert quota_for(quota, 10) == 2
    assert quota_for([], 5) is None
    assert quota_for([{"min_members": 5, "quota": 1}], 4) == 0


def test_rule_validators_name_the_wrong_field(world):
    gov, flag, *_ = services.award_types_seed(province=world.province)
    far = services.award_types_seed(province=world.other_province)[1]
    example = _example()
    cases = [
        ({"required_classification": "best"}, "required_classification", "không có trong"),
        ({"consecutive_classification": "x"}, "consecutive_classification", "không có trong"),
        ({"ceiling_percent": Decimal("120")}, "ceiling_percent", "không quá 100%"),
        ({"ceiling_percent": Decimal("0")}, "ceiling_percent", "lớn hơn 0%"),
        ({"ceiling_percent": Decimal("20"), "ceiling_base_award": None}, "ceiling_base_award", ""),
        ({"prerequisite_award": gov}, "prerequisite_award", "chính nó"),
        ({"prerequisite_award": far}, "prerequisite_award", "cùng tỉnh"),
        ({"merger_rule": "some"}, "merger_rule", ""),
    ]
    for fields, field, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.award_rule_set(rule_set=example, award_type=gov, actor=None, **fields)
        assert field in exc.value.message_dict, fields
        assert message in " ".join(exc.value.message_dict[field])
    with pytest.raises(ValidationError, match="Trường không hợp lệ"):
        services.award_rule_set(rule_set=example, award_type=gov, actor=None, colour="red")
    # Nothing was changed by the refused calls.
    rule = AwardRule.objects.get(rule_set=example, award_type=gov)
    assert rule.ceiling_percent == Decimal("20") and rule.prerequisite_award == flag

    own = RuleSet.objects.create(province=world.other_province, year=2020, name="Quy chế khác")
    with pytest.raises(ValidationError) as exc:
        services.award_rule_set(rule_set=own, award_type=gov, actor=None)
    assert "tỉnh khác" in " ".join(exc.value.message_dict["award_type"])


def test_a_rule_is_changed_through_the_service(world):
    gov = services.award_types_seed(province=world.province)[0]
    rule = services.award_rule_set(
        rule_set=_example(),
        award_type=gov,
        actor=world.users["admin"],
        ceiling_percent=Decimal("25"),
        ceiling_rounding="down",
    )
    assert rule.ceiling_percent == Decimal("25") and rule.ceiling_rounding == "down"


def test_classification_records_need_a_source_and_a_known_code(world):
    with pytest.raises(ValidationError) as exc:
        services.classification_record_set(
            unit=world.head, year=2018, classification="best", source=" ", actor=None
        )
    assert set(exc.value.message_dict) == {"source", "classification"}
    with pytest.raises(ValidationError) as exc:
        services.classification_record_set(
            unit=world.head, year=1800, classification="good", source="QĐ 1", actor=None
        )
    assert set(exc.value.message_dict) == {"year"}
    assert not ClassificationRecord.objects.exists()
    record = services.classification_record_set(
        unit=world.head,
        year=2018,
        classification="good",
        source="Quyết định số 12/QĐ-UBND ngày 15/01/2019",
        actor=world.users["admin"],
    )
    assert record.recorded_by_username == "admin"
    again = services.classification_record_set(
        unit=world.head, year=2018, classification="excellent", source="QĐ 13", actor=None
    )
    assert again.pk == record.pk and again.classification == "excellent"
