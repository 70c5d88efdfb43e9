from django import template

from documents.forms import DocumentRequestForm
from documents.registry import get_kind
from documents.selectors import document_default_issued_on, document_signers

register = template.Library()


@register.inclusion_tag("documents/_request_form.html", takes_context=True)
def document_request_form(context, bloc_year, kind: str, label: str, button_id: str) -> dict:
    """The request form of an official document, with the date it will bear by default and
    the year's signers (two small queries)."""
    document_kind = get_kind(kind)
    initial = {}
    if document_kind.issued:
        initial["issued_on"] = document_default_issued_on(bloc_year=bloc_year)
    form = DocumentRequestForm(
        initial=initial,
        number_code=document_kind.number_code,
        signers=document_signers(bloc_year=bloc_year),
        auto_id=f"id_{kind}_%s",
    )
    return {
        "csrf_token": context.get("csrf_token"),
        "bloc_year": bloc_year,
        "kind": document_kind,
        "form": form,
        "label": label,
        "button_id": button_id,
        "form_id": f"request-{kind}-form",
    }
