"""Freezing a long-running process's start-up objects (service/startup_objects.py)."""

from __future__ import annotations

import gc

from service.startup_objects import startup_objects_frozen


def test_objects_are_frozen_inside_the_block_and_handed_back_after():
    assert gc.get_freeze_count() == 0
    kept = {"a start-up object": [1, 2, 3]}
    with startup_objects_frozen() as frozen:
        assert frozen > 1000 and gc.get_freeze_count() > 1000
        assert not any(kept is obj for obj in gc.get_objects())  # out of the collector's walk
    assert gc.get_freeze_count() == 0
    assert any(kept is obj for obj in gc.get_objects())


def test_a_frozen_cycle_is_collected_once_the_block_ends():
    class Node:
        pass

    node = Node()
    node.self = node  # a cycle: only the collector frees it
    with startup_objects_frozen():
        del node
        gc.collect()
        assert not any(isinstance(obj, Node) for obj in gc.get_objects())  # frozen, not walked, not freed
    gc.collect()
    assert not any(isinstance(obj, Node) for obj in gc.get_objects(generation=2)) and not gc.garbage


def test_the_youngest_generation_is_collected_less_often_inside_the_block_and_as_before_after():
    before = gc.get_threshold()
    with startup_objects_frozen():
        youngest, middle, oldest = gc.get_threshold()
        assert youngest == 10_000 and (middle, oldest) == before[1:]
        counted = gc.get_stats()[0]["collections"]
        cycles = []
        for _ in range(5_000):  # more than CPython's default threshold (700) of new container objects
            cycle: list[object] = []
            cycle.append(cycle)
            cycles.append(cycle)
        assert gc.get_stats()[0]["collections"] == counted  # not yet collected
    assert gc.get_threshold() == before
