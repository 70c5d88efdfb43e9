"""Kinds of official document. Each app registers the documents its data makes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: Promise | str
    template: str
    # build_context(job) -> template context; runs in the worker.
    build_context: Callable[[Any], dict[str, Any]]
    # filename(job) -> ASCII file name for the download.
    filename: Callable[[Any], str]
    # can_request(user, bloc_year) -> bool; None means the bloc-year's managers
    # (core.permissions.can_manage_bloc_year).
    can_request: Callable[[Any, Any], bool] | None = None
    # postprocess(job, pdf) -> pdf; runs in the worker after rendering (e.g. a digital
    # signature). None: the rendered PDF is stored as it is.
    postprocess: Callable[[Any, bytes], bytes] | None = None
    # The type part of its number ("BC-KTĐ" in "Số: 12/BC-KTĐ"); each bloc-year keeps one
    # register per code.
    number_code: str = ""
    # Issued by the secretariat: the request gives an issue date and a number (entered, or
    # the next free one). False for a document dated by its content and made on demand by
    # its readers (the pledge: dated by its signatures, and a number per download would
    # empty the register).
    issued: bool = True
    # Signed "TM. khối" by the head (or the deputy): the request names the signer. False
    # for a document signed by the people it names (a meeting's minutes by its chair and
    # secretary, a tally record by its counting committee) or by nobody (paper ballots).
    signed: bool = True
    # A document about one object (a ballot, a version of the minutes): the key of
    # `params` that names it ("ballot_id"). The request form posts it as the hidden field
    # `subject`; "" for a document about the whole bloc-year.
    subject: str = ""
    # clean_params(user=, bloc_year=, params=) -> the params to store. Runs in the request
    # (inside its transaction, the bloc-year locked) before anything is saved: checks that
    # the object exists in this bloc-year, is in a state the document may be made of and
    # that the user may make it; raises ValidationError (refused, with the reason),
    # PermissionDenied or Http404. None: params are stored as given.
    clean_params: Callable[..., dict] | None = None
    # default_issued_on(bloc_year=, params=) -> the date an issued document bears unless
    # the user gives one (a tally record: the day voting closed). None: the pipeline's
    # default (documents.selectors.document_default_issued_on).
    default_issued_on: Callable[..., Any] | None = None
    # > 0: the request asks how many copies to print (paper ballots), 1..copies_max;
    # stored as params["copies"].
    copies_max: int = 0


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> DocumentKind | None:
    return _KINDS.get(code)


def all_kinds() -> dict[str, DocumentKind]:
    return dict(_KINDS)
