"""Domain errors of the service layer; only service.web maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. Carries a code, a Vietnamese message for the official, and details."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


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
