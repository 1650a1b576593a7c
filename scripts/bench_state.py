"""Time the engine's state round trip per call: load_state, dump_state and Engine.complete.

Walks N full province chains (every step approved) with the shipped BPMN, keeps every state and the
completion that follows it, then times each call on its own (time.perf_counter, un-profiled) and
prints the median and the mean per call in ms. Uses only what every version of workflows/ has, so the
same file times an older worktree: `PYTHONPATH=<worktree> python scripts/bench_state.py --chains 200`.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

import workflows
from workflows import Engine, FixedClock, parse_definition
from workflows.state import dump_state, load_state

BPMN = Path(workflows.__file__).resolve().parents[1] / "bpmn" / "commendation_chain.bpmn"


def collect(chain, chains: int) -> list[tuple[str, str, str]]:
    """(state, ready task id, decision) for every completion of `chains` full province chains."""
    steps = []
    clock = FixedClock()
    engine = Engine(clock)
    for n in range(chains):
        outcome = engine.start(chain, {"dossier_id": n, "target_level": "province", "campaign_code": "TD-2026"})
        while outcome.status == "running":
            (task,) = outcome.ready_tasks
            decision = "submit" if task.bpmn_id == "unit_prepare" else "approve"
            steps.append((outcome.state, task.task_id, decision))
            clock.advance(minutes=7)
            outcome = engine.complete(chain, outcome.state, task.task_id, decision)
        steps.append((outcome.state, "", ""))  # the finished state: loaded and dumped, not completed
    return steps


def per_call(fn, args_list) -> list[float]:
    times = []
    gc.collect()
    for args in args_list:
        start = time.perf_counter()
        fn(*args)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chains", type=int, default=200)
    parser.add_argument("--label", default=str(Path(workflows.__file__).resolve().parents[1]))
    args = parser.parse_args()
    chain = parse_definition(BPMN.read_bytes(), BPMN.name)
    steps = collect(chain, args.chains)
    engine = Engine(FixedClock())
    states = [(s, chain) for s, _, _ in steps]
    workflows_ = [(load_state(s, chain), chain) for s, _, _ in steps]
    completions = [(chain, s, t, d) for s, t, d in steps if t]
    results = {
        "load_state": per_call(load_state, states),
        "dump_state": per_call(dump_state, workflows_),
        "Engine.complete": per_call(engine.complete, completions),
    }
    print(f"{args.label}: {args.chains} chains, {len(states)} states, {len(completions)} completions")
    for name, times in results.items():
        print(f"  {name:16s} median {statistics.median(times):.3f} ms  mean {statistics.fmean(times):.3f} ms")


if __name__ == "__main__":
    main()
