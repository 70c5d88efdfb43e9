"""People's names the Vietnamese way, in one place.

Django's `get_full_name()` is "first last", which with the admin's labels (Tên = first_name,
Họ = last_name) gives "Thu Hằng Lê Thị". A Vietnamese full name is family name, middle
name, given name: "Lê Thị Thu Hằng". Accounts created by invitation keep the whole name in
first_name (last_name empty), which reads the same.

Sorting follows Vietnamese lists (class lists, rosters): by the given name (the last word
of the full name), then the rest of the name in order (family name, middle names). Words
compare in the Vietnamese alphabet, where ă, â, đ, ê, ô, ơ, ư are letters of their own
(a < ă < â < b < c < d < đ < e < ê < g ...); tone marks only decide between words whose
letters are the same, in the dictionary order (Hoàng Phê, Từ điển tiếng Việt): no mark,
huyền, hỏi, ngã, sắc, nặng. So An < Ánh < Ân: "Ánh" is a-n-h and "Ân" starts with â.
A small key of our own rather than ICU, which the product does not ship."""

import unicodedata
from typing import Any

# The Vietnamese alphabet; f, j, w, z (foreign names) in their Latin places.
_ALPHABET = tuple("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
# Marks that make a letter of its own: breve (ă), circumflex (â ê ô), horn (ơ ư).
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
# Tone marks, in dictionary order after "no mark" (0).
_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def person_full_name(user: Any) -> str:
    """Family and middle name (last_name, "Họ") then given name (first_name, "Tên"), spaces
    collapsed; "" when the account has no name."""
    if not user:
        return ""
    last = getattr(user, "last_name", "") or ""
    first = getattr(user, "first_name", "") or ""
    return " ".join(f"{last} {first}".split())


def person_name(user: Any) -> str:
    """The name shown for a person: the full name, else the login name."""
    if not user:  # None, or a template's missing variable
        return ""
    return person_full_name(user) or user.get_username()


def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of one word: letters decide first, tones only between equal ones."""
    letters: list[int] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", word.casefold()):
        if unicodedata.combining(char):
            if not letters:
                continue
            if char in _LETTER_MARKS:
                base = _ALPHABET[letters[-1]] if letters[-1] < len(_ALPHABET) else ""
                composed = unicodedata.normalize("NFC", base + char)
                if composed in _LETTER_RANK:
                    letters[-1] = _LETTER_RANK[composed]
            elif char in _TONE_RANK:
                tones[-1] = _TONE_RANK[char]
            continue
        # Letters outside the alphabet (and digits, hyphens) after it, by code point.
        letters.append(_LETTER_RANK.get(char, len(_ALPHABET) + ord(char)))
        tones.append(0)
    return tuple(letters), tuple(tones)


def name_sort_key(name: str) -> tuple:
    """Sort key of a full name written family name first: given name, then the rest."""
    words = name.split()
    if not words:
        return ((), (), "")
    return (_word_key(words[-1]), tuple(_word_key(w) for w in words[:-1]), name)


def person_sort_key(user: Any) -> tuple:
    """Sort key of a person by their shown name (the login name when they have none); the
    login name breaks ties between namesakes."""
    return (name_sort_key(person_name(user)), user.get_username())
