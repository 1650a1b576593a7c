"""Domain errors of the service layer; only service.web maps them to HTTP."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """A rule said no. Carries a code, a Vietnamese message for the official, and details.

    The message is a template with its values (`InvalidInput("Không có phong trào '{code}'.", {"code": code})`):
    `message` is it filled in, Vietnamese, for the API, the CLI and the logs; the web pages show it in the reader's
    language by translating `template` and the values it knows, then filling it in (service.web.messages_en)."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, values: Mapping[str, object] | None = None, /, **details: object) -> None:
        text = message.format_map(values) if values else message
        super().__init__(text)
        self.message = text
        self.template = message
        self.values = values or {}
        self.details = details


class Phrase(str):
    """A part of a message with its own template and values (a nominee's unmet condition): reads as its Vietnamese
    text, and a translator translates its template on its own before filling it in."""

    template: str
    values: Mapping[str, object]

    def __new__(cls, template: str, values: Mapping[str, object]) -> Phrase:
        phrase = super().__new__(cls, template.format_map(values))
        phrase.template, phrase.values = template, values
        return phrase

    def __reduce__(self) -> tuple[type[Phrase], tuple[str, Mapping[str, object]]]:
        # str's own would rebuild a plain str without template and values (pickle, copy.deepcopy)
        return (Phrase, (self.template, self.values))


class Listed(tuple[str, ...]):
    """Parts a message names together (missing items, broken rules), joined by `sep` when filled in; a translator
    translates each part on its own."""

    sep: str

    def __new__(cls, parts: Iterable[str], sep: str = "; ") -> Listed:
        listed = super().__new__(cls, parts)
        listed.sep = sep
        return listed

    def __reduce__(self) -> tuple[type[Listed], tuple[tuple[str, ...], str]]:
        return (Listed, (tuple(self), self.sep))

    def __format__(self, spec: str) -> str:
        return self.sep.join(self)

    def __str__(self) -> str:
        return self.sep.join(self)


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 400


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    status = 422


class DefinitionRejected(DomainError):
    code = "definition_rejected"
    status = 422


class QuotaExceeded(DomainError):
    code = "quota_exceeded"
    status = 422
