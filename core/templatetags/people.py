"""`{% load people %}` … `{{ user|person_name }}`: a person's name the Vietnamese way
(family name first), the login name when the account has none, "" for no user (so that
`|default:"—"` reads "nobody")."""

from typing import Any

from django import template

from core import names

register = template.Library()


@register.filter
def person_name(user: Any) -> str:
    return names.person_name(user)
