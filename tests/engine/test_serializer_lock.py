"""SpiffWorkflow's registry keeps its JSON-encoder mode in one flag of a process-wide object: conversions that
depend on it take turns (workflows.state.SERIALIZER_LOCK), so a server's threads cannot switch it under each other."""

from __future__ import annotations

import threading
from typing import Any

from workflows import diff_definitions
from workflows.state import SERIALIZER, SERIALIZER_LOCK, load_state, workflow_dict

WAIT_S = 0.5  # long enough for an unblocked conversion of the chain (a few ms) to finish many times over


def _workflow(drive: Any, chain: Any) -> Any:
    run = drive("province")
    run.approve_until("ward_council_vote")
    return load_state(run.outcome.state, chain)


def test_a_conversion_keeps_the_encoder_mode_while_another_thread_converts(drive, chain, monkeypatch):
    first, second = _workflow(drive, chain), _workflow(drive, chain)
    expected = workflow_dict(first)
    inside, release = threading.Event(), threading.Event()
    seen_modes: list[bool] = []
    to_dict = SERIALIZER.to_dict

    def slow_to_dict(workflow: Any) -> Any:
        if workflow is first:
            inside.set()  # the first conversion is under way, in encoder mode
            assert release.wait(10)
        out = to_dict(workflow)
        if workflow is first:
            seen_modes.append(SERIALIZER.registry._encoder_mode)
        return out

    monkeypatch.setattr(SERIALIZER, "to_dict", slow_to_dict)
    results: dict[str, Any] = {}
    one = threading.Thread(target=lambda: results.__setitem__("first", workflow_dict(first)))
    two = threading.Thread(target=lambda: results.__setitem__("second", workflow_dict(second)))
    one.start()
    assert inside.wait(10)
    two.start()
    two.join(WAIT_S)
    # Without the lock the second conversion runs to its end now and clears the flag the first one still needs.
    assert two.is_alive(), "a second conversion ran while the first was under way"
    release.set()
    one.join(10)
    two.join(10)
    assert seen_modes == [True]
    assert results["first"] == expected
    assert results["second"] == workflow_dict(second)
    assert SERIALIZER.registry._encoder_mode is False


def test_diffing_two_versions_waits_for_a_conversion_under_way(chain):
    finished = threading.Event()

    def diff() -> None:
        diff_definitions(chain, chain)
        finished.set()

    with SERIALIZER_LOCK:  # as a conversion in another thread holds it
        worker = threading.Thread(target=diff)
        worker.start()
        assert not finished.wait(WAIT_S)
    worker.join(10)
    assert finished.is_set()
