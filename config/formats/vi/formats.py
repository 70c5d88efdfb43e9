"""Vietnamese date formats: day first, dd/mm/yyyy, in the product's forms and the admin.

Django's own "vi" module defines no *_INPUT_FORMATS, so the global defaults applied, which
read "11/12/2019" month first (12 November). The first DATE_INPUT_FORMATS entry is also what
date inputs and the admin's calendar and "Today" shortcut write. Two-digit years are not
read ("11/12/19" is refused rather than guessed). Django always adds the ISO formats
(2019-12-11) at the end, which are unambiguous."""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
# Shown in the same order as it is typed (DATETIME_INPUT_FORMATS), so it can be copied back.
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '11/12/2019'
    "%d-%m-%Y",  # '11-12-2019'
    "%d.%m.%Y",  # '11.12.2019'
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",  # '11/12/2019 14:30:59'
    "%d/%m/%Y %H:%M",  # '11/12/2019 14:30'
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
