"""Form helpers shared by the apps' thin views."""

from django.core.exceptions import ValidationError


def form_errors_apply(*, form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the matching field, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
