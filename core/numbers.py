"""The one parser of numbers that people type: scores (the grid, the sheet page), pledge
targets, and the text cells of an imported criteria table. Its JavaScript twin,
scoring/static/scoring/vn_number.js, accepts exactly the same forms; both are tested on
the same table of cases (tests/numbers_cases.json).

Accepted forms
--------------
- Digits are ASCII 0-9 only. "٨" (Arabic-Indic), "９" (full-width), "①" are refused:
  Python's int() and Decimal() would read them, but nobody types them on purpose, and a
  value that looks different from what is stored cannot be checked by its reader.
- One optional sign, "+" or "-", right before the digits ("- 8" is refused). "-" is
  refused ("negative") unless the caller allows negative numbers; "-0" too.
- The decimal mark is the Vietnamese comma: "8,5" = 8.5, ",5" = 0.5.
- "." groups thousands when it does so exactly: the part before the comma (or the whole
  number) is a first group of 1-3 digits not starting with 0, then groups of exactly three
  digits: "1.000" = 1000, "12.345.678" = 12345678, "1.234,5" = 1234.5.
- Otherwise one "." is a decimal point, for people and spreadsheets used to it: "8.5" =
  8.5, "0.25", "1234.5", ".5"; "0.500" and "1234.567" are decimals with three places.
- Spaces (also no-break U+00A0, narrow no-break U+202F, thin U+2009) group thousands by
  the same rule: "1 000 000", "1 000,5", "1 000.5". A number uses one kind of grouping:
  "1.000 000" is refused. Those spaces, tabs and line breaks around the number are
  ignored (a cell pasted from a spreadsheet ends with one).
- Empty, or only those spaces: no value (None).
- Everything else is refused ("invalid"): "8,5,1", "1,234.5" (a comma before a point),
  "1.23.456", "1.000.5", "8.", "8,", ",", "+", "1e3", "NaN", "Infinity", "0x10",
  "1_000", "8 5", "1 00", "−8" (U+2212), a NUL, and any text over 64 characters.

Why "1.000" is one thousand: that is how Vietnamese writes it, and read as a decimal it
would have three places, which no number field of the product takes (scores and targets
keep two). So the grouping reading never turns a number the product could store into a
different one: the target "1.000" is one thousand, the score "1.000" is refused as above
the criterion's maximum. Read the Vietnamese way, "1,000" is 1 with three decimal places
and is refused for them ("decimals"), never taken for a thousand.

Then the caller's limits, as for a DecimalField(max_digits, decimal_places): at most
`decimal_places` digits after the mark, counted as typed ("8,50" has two, "8,500" three;
"decimals"), and at most `max_digits - decimal_places` digits before it, leading zeros
not counted ("too_big"). The checks run in that order: invalid, negative, decimals,
too_big.

Errors are NumberError, a ValidationError (and a ValueError, so code that catches
ValueError still does) with a Vietnamese message and the code; callers that speak of
scores or targets give their own words per code (`messages`), with %(text)s (what was
typed, cut to 20 characters), %(places)s and %(digits)s available.
"""

import re
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 64
# Trimmed around the number; the same four spaces may group thousands.
_TRIM = " \t\r\n\u00a0\u202f\u2009"
_SPACE = "[ \u00a0\u202f\u2009]"
_GROUPED_DOTS = r"[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
_GROUPED_SPACES = rf"[1-9][0-9]{{0,2}}(?:{_SPACE}[0-9]{{3}})+"
# Vietnamese: integer part (plain or grouped), then an optional decimal comma.
_COMMA_FORM = re.compile(rf"({_GROUPED_DOTS}|{_GROUPED_SPACES}|[0-9]+)?(?:,([0-9]+))?")
# A decimal point, when the dot cannot be grouping (the comma form did not match).
_POINT_FORM = re.compile(rf"({_GROUPED_SPACES}|[0-9]+)?\.([0-9]+)")
_SEPARATORS = re.compile(rf"[.{_SPACE[1:-1]}]")

DEFAULT_MESSAGES = {
    "invalid": _("“%(text)s” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
    "negative": _("Không được nhập số âm."),
    "decimals": _("Chỉ được ghi tối đa %(places)s chữ số sau dấu phẩy."),
    "too_big": _("Số quá lớn: phần nguyên tối đa %(digits)s chữ số."),
}


class NumberError(ValidationError, ValueError):
    """A refused number: ValidationError with one of the codes of DEFAULT_MESSAGES."""


def parse_vn_decimal(
    text: str | None,
    *,
    max_digits: int,
    decimal_places: int,
    allow_negative: bool = False,
    messages: Mapping[str, str] | None = None,
) -> Decimal | None:
    """What a person typed, as a Decimal (None when empty); see the module docstring."""
    if text is None:
        return None
    shown = text.strip(_TRIM) if isinstance(text, str) else ""
    params = {
        "text": shown[:20],
        "places": decimal_places,
        "digits": max_digits - decimal_places,
    }

    def refuse(code: str) -> NumberError:
        message = (messages or {}).get(code) or DEFAULT_MESSAGES[code]
        return NumberError(message, code=code, params=params)

    if not isinstance(text, str):
        raise refuse("invalid")
    if shown == "":
        return None
    if len(shown) > MAX_LENGTH:
        raise refuse("invalid")
    body, negative = shown, False
    if body[0] in "+-":
        body, negative = body[1:], body[0] == "-"
    match = _COMMA_FORM.fullmatch(body) or _POINT_FORM.fullmatch(body)
    if match is None or not (match.group(1) or match.group(2)):
        raise refuse("invalid")
    whole = _SEPARATORS.sub("", match.group(1) or "") or "0"
    fraction = match.group(2) or ""
    if negative and not allow_negative:
        raise refuse("negative")
    if len(fraction) > decimal_places:
        raise refuse("decimals")
    if len(whole.lstrip("0")) > max_digits - decimal_places:
        raise refuse("too_big")
    return Decimal(f"{'-' if negative else ''}{whole}{'.' if fraction else ''}{fraction}")


def canonical(value: Decimal | None) -> str:
    """A parsed value as the shared test cases write it: "8.5", "1000", "-0.25", ""."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
