from blocs.models import Province

from .models import RuleSet


def rule_set_for(*, province: Province, year: int) -> RuleSet:
    """The province's rule set in force for `year` (the latest one from that year or
    before); else the shipped example; else an unsaved example with the defaults."""
    found = (
        RuleSet.objects.filter(province=province, year__lte=year).order_by("-year").first()
        or RuleSet.objects.filter(province__isnull=True, year__lte=year).order_by("-year").first()
    )
    return found or RuleSet(name="Quy chế mẫu", year=year, is_example=True)
