"""Errors raised by the engine layer; each carries a code, a Vietnamese-first message and details."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a BPMN definition, located by element id (and line when known)."""

    element_id: str | None
    message: str
    line: int | None = None
    element_name: str | None = None  # the element's name in the diagram, when it has one (shown before its id)

    @property
    def where(self) -> str:
        """The element as a reader knows it: its name with its id in parentheses, or its id alone."""
        if self.element_name and self.element_id:
            return f"{self.element_name} ({self.element_id})"
        return self.element_id or self.element_name or ""

    def __str__(self) -> str:
        where = self.where or "definitions"
        if self.line:
            where = f"{where} (dòng {self.line})"
        return f"{where}: {self.message}"


class WorkflowError(Exception):
    """Base of every error raised by `workflows`."""

    code = "workflow_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class DefinitionError(WorkflowError):
    """A BPMN definition cannot be used: parse errors or failed lints, one Problem each."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem], filename: str | None = None) -> None:
        self.problems = list(problems)
        self.filename = filename
        head = f"Quy trình {filename} không hợp lệ" if filename else "Quy trình không hợp lệ"
        text = head + ":\n" + "\n".join(f"- {p}" for p in self.problems)
        super().__init__(text, problems=[p.__dict__ for p in self.problems])


class ExpressionError(WorkflowError):
    """An expression in the BPMN was refused or failed in the restricted evaluator."""

    code = "invalid_expression"


class TaskNotReady(WorkflowError):
    """The task does not exist in this instance or is not waiting for a person."""

    code = "task_not_ready"


class InvalidDecision(WorkflowError):
    """The decision (or a data field) is not one the BPMN allows at this step."""

    code = "invalid_decision"


class StateVersionError(WorkflowError):
    """A stored instance does not belong to the definition it is being loaded with."""

    code = "state_version"


class EngineError(WorkflowError):
    """SpiffWorkflow failed while advancing an instance (e.g. a gateway with no matching flow)."""

    code = "engine_error"

    def __init__(self, message: str, element_id: str | None = None, **details: object) -> None:
        super().__init__(message, element_id=element_id, **details)
        self.element_id = element_id

