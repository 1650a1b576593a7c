"""The restricted evaluator: allowed expressions work, hostile ones are refused or bounded."""

from __future__ import annotations

import sys
import threading
import traceback
import warnings
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import ExpressionError, evaluate_expression
from workflows.expressions import names_used


@pytest.mark.parametrize(
    ("expression", "names", "expected"),
    [
        ("ward_chairman_decide_decision == 'approve'", {"ward_chairman_decide_decision": "approve"}, True),
        ("target_level in ('district', 'province')", {"target_level": "ward"}, False),
        ("len(votes) * 2 > present", {"votes": [1, 2, 3], "present": 5}, True),
        ('"P10D"', {}, "P10D"),
        ("max(a, b) if a else 0", {"a": 2, "b": 7}, 7),
        ("data.get('x', 1)", {"data": {}}, 1),
    ],
)
def test_allowed_expressions_evaluate(expression, names, expected):
    assert evaluate_expression(expression, names) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('touch /tmp/pwned')",
        "().__class__.__base__.__subclasses__()",
        "[c for c in ().__class__.__mro__]",
        "9 ** 9 ** 9",
        "'x' * 10 ** 9",
        "[x for x in range(10 ** 9)]",
        "[1 for a in [1]*10000 for b in [1]*10000]",
        "open('/etc/passwd').read()",
        "eval('1')",
        "getattr(1, 'real')",
        "(lambda: 1)()",
        "(x := 5)",
        "votes.append('intruder') or True",
        "globals()",
    ],
)
def test_hostile_expressions_are_refused(expression):
    with pytest.raises(ExpressionError):
        evaluate_expression(expression, {"votes": []})


def test_expression_cannot_change_the_data_it_reads():
    votes = {"a": [1]}
    with pytest.raises(ExpressionError):
        evaluate_expression("a.append(2)", votes)
    evaluate_expression("a + [2] == [1, 2]", votes)
    assert votes == {"a": [1]}


def test_a_field_named_like_a_function_does_not_shadow_it():
    assert evaluate_expression("len(x) == 2", {"x": [1, 2], "len": 99}) is True


def test_names_used_excludes_functions_and_comprehension_targets():
    assert names_used("len([v for v in votes if v == level]) > quorum") == {"votes", "level", "quorum"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_no_text_crashes_the_evaluator(expression):
    try:
        evaluate_expression(expression, {"a": 1, "b": "x"})
    except ExpressionError as exc:
        assert exc.message


def test_an_evaluation_sees_only_its_own_names_after_others_ran_in_the_same_thread():
    assert evaluate_expression("level == 'ward'", {"level": "ward", "votes": [1]}) is True
    # The thread's evaluator is reused: names of the evaluation before must not linger.
    with pytest.raises(ExpressionError, match="votes"):
        evaluate_expression("len(votes) > 0", {"level": "ward"})
    # Only what an expression mentions is copied for it: data it does not read may be anything at all.
    class NotCopyable:
        def __deepcopy__(self, memo):
            raise AssertionError("copied")

    assert evaluate_expression("level == 'ward'", {"level": "ward", "blob": NotCopyable()}) is True


def _run_at_once(target: Callable[[int], None], count: int) -> None:
    """Run target(0) … target(count - 1) in as many threads at once, switching between them every microsecond,
    in the middle of evaluations, as a busy server's threads may."""
    threads = [threading.Thread(target=target, args=(number,)) for number in range(count)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)


def test_threads_evaluating_at_once_each_get_their_own_result(monkeypatch):
    from workflows import expressions

    # A pool with no evaluator yet: the threads build theirs at the same moment, as a threaded server's first
    # requests would.
    monkeypatch.setattr(expressions, "_EVALUATORS", expressions._EvaluatorPool())
    filters_before = list(warnings.filters)
    results: dict[int, list[bool]] = {}
    failures: list[str] = []

    def evaluate_many(number: int) -> None:
        mine, other = {"n": number, "expected": number}, {"n": number, "other": -1}
        try:
            results[number] = [
                evaluate_expression("n == expected", mine) and evaluate_expression("n != other", other)
                for _ in range(300)
            ]
        except BaseException:  # noqa: BLE001 - reported with its traceback by the assertion below
            failures.append(f"thread {number}:\n{traceback.format_exc()}")

    _run_at_once(evaluate_many, 8)
    assert not failures, "\n".join(failures)
    assert sorted(results) == list(range(8)) and all(all(found) for found in results.values())
    # Building evaluators in several threads at once leaves the process's warning filters as they were
    # (simpleeval's constructor saves and restores them).
    assert warnings.filters == filters_before
    # No more evaluators than evaluations that ran at once.
    assert 1 <= len(expressions._EVALUATORS._idle) <= 8


def test_evaluators_built_in_many_threads_at_once_leave_the_warning_filters_as_they_were():
    from workflows.expressions import _EvaluatorPool

    filters_before = list(warnings.filters)
    start = threading.Barrier(6)

    def build(_: int) -> None:
        start.wait()
        for _ in range(500):
            _EvaluatorPool().take()  # an empty pool builds one

    _run_at_once(build, 6)
    # simpleeval's constructor enters warnings.catch_warnings(); interleaved, two of them leave "ignore" in front.
    assert warnings.filters == filters_before
