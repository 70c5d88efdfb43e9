from typing import Any

from django.db.models import Manager, QuerySet
from django.http import Http404


def object_get_or_404(queryset: QuerySet | Manager, message: str, **lookup: Any) -> Any:
    """The one object of `queryset` matching `lookup`, or 404 with `message`. A malformed
    id (text where a number is expected) is a 404 too, not a server error. Selectors call
    this, then check the user's access to what they got."""
    qs = queryset.all()
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None
