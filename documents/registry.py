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


_KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _KINDS[kind.code] = kind
    return kind


def get_kind(code: str) -> DocumentKind | None:
    return _KINDS.get(code)


def all_kinds() -> dict[str, DocumentKind]:
    return dict(_KINDS)
