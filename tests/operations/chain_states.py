"""Engine states of the shipped chain, as the service stores them: one per step of a province-level dossier."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from workflows import Engine, FixedClock, parse_definition

CHAIN = Path(__file__).resolve().parents[2] / "bpmn" / "commendation_chain.bpmn"


@cache
def province_chain_states() -> tuple[str, ...]:
    """Every state of a dossier approved from the unit to the province: [0] just started, [-1] finished."""
    definition = parse_definition(CHAIN.read_bytes(), CHAIN.name)
    engine = Engine(FixedClock())
    outcome = engine.start(definition, {"dossier_id": 7, "target_level": "province", "campaign_code": "TD-2026"})
    states = [outcome.state]
    while outcome.status == "running":
        (task,) = outcome.ready_tasks
        submit = task.bpmn_id == "unit_prepare"
        data = {"target_level": "province"} if submit else {}
        outcome = engine.complete(definition, outcome.state, task.task_id, "submit" if submit else "approve", data)
        states.append(outcome.state)
    return tuple(states)
