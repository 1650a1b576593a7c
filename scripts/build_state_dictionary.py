"""Build a preset zlib dictionary for instance states from the shipped chain run through the engine.

A dictionary can never change once states are written with it, so each build goes to a new versioned
file (service/state_dictionary_v<N>.bin); this script refuses to overwrite one. Material: the state of a
province-level dossier waiting at the district council (ready, future and completed tasks side by
side), then the state of the same dossier finished (most of a finished chain's text, so it is last,
where zlib's matches are nearest and cheapest), both as the engine writes them now (dictionary v2: the
compact form of workflows/state.py; v1 was built the same way from SpiffWorkflow's own form, before the
compact form existed). Task ids (or their namespace), times and the spec's sha256 differ in every
instance and are taken out: they would only take up room.

    .venv/bin/python scripts/build_state_dictionary.py service/state_dictionary_v3.bin
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zlib
from pathlib import Path

from workflows import Definition, Engine, FixedClock, parse_definition

REPO = Path(__file__).resolve().parents[1]
CHAIN = REPO / "bpmn" / "commendation_chain.bpmn"
MAX_BYTES = 32 * 1024  # zlib looks back at most 32 KiB, so more would never be used
MID_CHAIN_STEP = "district_council_vote"

_VARYING = [
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),  # task ids
    re.compile(r"(?<=\"last_state_change\": )[0-9.e+-]+"),  # time.time() of each task's last change
    re.compile(r"[0-9a-f]{64}"),  # the definition's sha256
    re.compile(r"(?<=\"ns\":\")[0-9a-f-]+"),  # the compact form's task id namespace
    re.compile(r"(?<=\"t0\":)[0-9]+"),  # the compact form's first time of change, in ms
]


def chain_states(definition: Definition) -> tuple[str, str]:
    """The state of a province-level dossier waiting at MID_CHAIN_STEP, and once approved to the end."""
    engine = Engine(FixedClock())
    outcome = engine.start(definition, {"dossier_id": 1, "target_level": "province", "campaign_code": "TD-2026"})
    mid = None
    while outcome.status == "running":
        (task,) = outcome.ready_tasks
        if task.bpmn_id == MID_CHAIN_STEP:
            mid = outcome.state
        submit = task.bpmn_id == "unit_prepare"
        data = {"target_level": "province"} if submit else {}
        outcome = engine.complete(definition, outcome.state, task.task_id, "submit" if submit else "approve", data)
    assert mid is not None, f"the chain never waited at {MID_CHAIN_STEP}"
    return mid, outcome.state


def without_varying_parts(state: str) -> str:
    for pattern in _VARYING:
        state = pattern.sub("", state)
    return state


def build_dictionary() -> bytes:
    definition = parse_definition(CHAIN.read_bytes(), CHAIN.name)
    mid, finished = chain_states(definition)
    dictionary = (without_varying_parts(mid) + without_varying_parts(finished)).encode("utf-8")
    return dictionary[-MAX_BYTES:]


def compressed_size(text: str, dictionary: bytes | None, level: int) -> int:
    if dictionary is None:
        return len(zlib.compress(text.encode("utf-8"), level))
    compressor = zlib.compressobj(level, zdict=dictionary)
    return len(compressor.compress(text.encode("utf-8")) + compressor.flush())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a new file, e.g. service/state_dictionary_v3.bin")
    args = parser.parse_args()
    if args.output.exists():
        parser.error(f"{args.output} exists; a dictionary in use must never change, write a new version")
    dictionary = build_dictionary()
    args.output.write_bytes(dictionary)
    # A fresh run (other task ids and times) shows what the dictionary does for a state it has not seen.
    _, finished = chain_states(parse_definition(CHAIN.read_bytes(), CHAIN.name))
    print(f"{args.output}: {len(dictionary)} bytes, sha256 {hashlib.sha256(dictionary).hexdigest()}")
    print(f"a finished province chain's state: {len(finished.encode('utf-8'))} bytes of JSON")
    for level in (1, 5, 6, 9):
        print(f"  level {level}: plain zlib {compressed_size(finished, None, level)} bytes, "
              f"with the dictionary {compressed_size(finished, dictionary, level)} bytes")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
