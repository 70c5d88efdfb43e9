"""The one place where a sheet's totals are computed from the table's rules.

regular = sum of the regular criteria (each at most its maximum)
bonus   = min(sum of bonus items, each at most its own cap; the table's bonus cap per sheet)
penalty = min(sum of penalty items, each at most its own cap; the table's penalty cap)
total   = regular + bonus - penalty

Every page, export and the ranking call `sheet_totals`; the grid's JavaScript shows a live
preview with the same formula (the parameters come from here) and then displays the totals
the server returns after each save."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal("0")
REGULAR, BONUS, PENALTY = "regular", "bonus", "penalty"


@dataclass(frozen=True)
class Totals:
    regular: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    filled: int = 0
    required: int = 0
    bonus_capped: bool = False
    penalty_capped: bool = False

    @property
    def total(self) -> Decimal:
        return self.regular + self.bonus - self.penalty

    @property
    def complete(self) -> bool:
        return self.required > 0 and self.filled == self.required

    @property
    def started(self) -> bool:
        return self.filled > 0 or self.bonus > 0 or self.penalty > 0


def sheet_totals(
    *,
    criteria: Iterable[Any],
    values: Mapping[int, Decimal | None],
    bonus_cap: Decimal,
    penalty_cap: Decimal,
) -> Totals:
    """`criteria`: objects with pk, kind and max_points; `values`: criterion pk -> points."""
    regular = bonus = penalty = ZERO
    filled = required = 0
    for c in criteria:
        v = values.get(c.pk)
        if c.kind == REGULAR:
            required += 1
            if v is not None:
                filled += 1
                regular += min(v, c.max_points)
        elif v is not None:
            if c.kind == BONUS:
                bonus += min(v, c.max_points)
            elif c.kind == PENALTY:
                penalty += min(v, c.max_points)
    bonus_capped, penalty_capped = bonus > bonus_cap, penalty > penalty_cap
    return Totals(
        regular=regular,
        bonus=min(bonus, bonus_cap),
        penalty=min(penalty, penalty_cap),
        filled=filled,
        required=required,
        bonus_capped=bonus_capped,
        penalty_capped=penalty_capped,
    )


def table_max(criteria: Iterable[Any]) -> Decimal:
    """The maximum of a sheet: the sum of the regular criteria (bonus points come on top)."""
    return sum((c.max_points for c in criteria if c.kind == REGULAR), ZERO)


def group_totals(*, criteria: Iterable[Any], values: Mapping[int, Decimal | None]) -> dict:
    """Regular points per group code (used by tie-breaks such as "group:I")."""
    out: dict[str, Decimal] = {}
    for c in criteria:
        if c.kind == REGULAR:
            v = values.get(c.pk)
            out[c.group_code] = out.get(c.group_code, ZERO) + (
                min(v, c.max_points) if v is not None else ZERO
            )
    return out


def fmt(value: Decimal | None) -> str:
    """Vietnamese number: decimal comma, no trailing zeros ("8,5", "10")."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
