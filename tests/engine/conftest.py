"""Engine-layer fixtures: the shipped chain parsed once and a driver (the fixed clock and engine: tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows import Definition, Engine, Outcome, parse_definition

REPO = Path(__file__).resolve().parents[2]
CHAIN = REPO / "bpmn" / "commendation_chain.bpmn"


@pytest.fixture(scope="session")
def chain_xml() -> bytes:
    return CHAIN.read_bytes()


@pytest.fixture(scope="session")
def chain(chain_xml: bytes) -> Definition:
    return parse_definition(chain_xml, "commendation_chain.bpmn")


class Driver:
    """Walks an instance step by step, the way the service does: state text in, state text out."""

    def __init__(self, engine: Engine, definition: Definition, target_level: str) -> None:
        self.engine, self.definition = engine, definition
        self.outcome: Outcome = engine.start(definition, {"target_level": target_level, "dossier_id": 1})
        self.visited: list[str] = []

    @property
    def current(self) -> str:
        (task,) = self.outcome.ready_tasks
        return task.bpmn_id

    def decide(self, decision: str | None, expect: str | None = None, **data: object) -> Outcome:
        if expect is not None:
            assert self.current == expect
        task = self.outcome.ready_tasks[0]
        self.visited.append(task.bpmn_id)
        self.outcome = self.engine.complete(self.definition, self.outcome.state, task.task_id, decision, dict(data))
        return self.outcome

    def approve_until(self, step: str) -> None:
        while self.current != step:
            self.decide("submit" if self.current == "unit_prepare" else "approve")

    def approve_to_end(self) -> Outcome:
        while self.outcome.status == "running":
            self.decide("submit" if self.current == "unit_prepare" else "approve")
        return self.outcome


@pytest.fixture
def drive(engine: Engine, chain: Definition):
    def make(target_level: str, definition: Definition | None = None) -> Driver:
        return Driver(engine, definition or chain, target_level)

    return make
