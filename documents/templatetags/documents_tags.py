from django import template

from documents.forms import DocumentRequestForm
from documents.registry import get_kind
from documents.selectors import document_default_issued_on, document_signers

register = template.Library()


@register.inclusion_tag("documents/_request_form.html", takes_context=True)
def document_request_form(
    context, bloc_year, kind: str, label: str, button_id: str, subject=None
) -> dict:
    """The request form of an official document, with the date it will bear by default and
    the year's signers (two small queries). `subject`: the id of the object a kind with a
    subject is about (a ballot's, the minutes'), posted as a hidden field."""
    document_kind = get_kind(kind)
    initial = {}
    if subject is not None:
        initial["subject"] = subject
    if document_kind.issued:
        day = None
        if document_kind.default_issued_on is not None and subject is not None:
            params = {document_kind.subject: subject}
            day = document_kind.default_issued_on(bloc_year=bloc_year, params=params)
        initial["issued_on"] = day or document_default_issued_on(bloc_year=bloc_year)
    form = DocumentRequestForm(
        initial=initial,
        number_code=document_kind.number_code,
        signers=document_signers(bloc_year=bloc_year) if document_kind.signed else [],
        signed=document_kind.signed,
        copies_max=document_kind.copies_max,
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


@register.simple_tag
def document_jobs_about(bloc_year, kinds: str, subject) -> list:
    """The latest jobs (at most 10, newest first) of the comma-separated `kinds` about one
    object (`subject`: the id under each kind's DocumentKind.subject key). One query."""
    from django.db.models import Q

    from documents.models import DocumentJob

    condition = Q(pk__in=[])
    for code in kinds.split(","):
        kind = get_kind(code.strip())
        if kind is not None and kind.subject:
            condition |= Q(kind=kind.code, **{f"params__{kind.subject}": subject})
    return list(
        DocumentJob.objects.filter(bloc_year=bloc_year)
        .filter(condition)
        .order_by("-created_at", "-id")[:10]
    )
