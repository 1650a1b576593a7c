"""The restricted evaluator for gateway conditions and timer expressions; scripts are refused."""

from __future__ import annotations

import ast
import copy
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from .clock import SYSTEM_CLOCK, Clock
from .errors import ExpressionError

MAX_EXPRESSION_LENGTH = 2000

# Only these callables exist inside an expression; nothing is imported, nothing reaches a dunder.
FUNCTIONS: dict[str, Any] = {
    "len": len,
    "any": any,
    "all": all,
    "min": min,
    "max": max,
    "sum": sum,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "sorted": sorted,
}

# Syntax an expression may use. Anything else (lambda, walrus, f-strings with calls, starred …)
# is refused before evaluation, so a deploy-time dry parse and the runtime agree.
_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Constant, ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Slice,
    ast.List, ast.Tuple, ast.Set, ast.Dict, ast.ListComp, ast.SetComp, ast.GeneratorExp,
    ast.comprehension, ast.Store, ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
)  # fmt: skip
_ALLOWED_METHODS = frozenset({"get", "keys", "values", "items", "startswith", "endswith", "lower", "upper", "strip"})


@lru_cache(maxsize=4096)
def check_expression(expression: str) -> ast.Expression:
    """Parse an expression and refuse syntax outside the whitelist; return its AST."""
    if not isinstance(expression, str) or not expression.strip():
        raise ExpressionError("biểu thức rỗng")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"biểu thức dài quá {MAX_EXPRESSION_LENGTH} ký tự")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"biểu thức sai cú pháp: {exc.msg}", expression=expression) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(
                f"cú pháp '{type(node).__name__}' không được phép trong biểu thức", expression=expression
            )
        if isinstance(node, ast.Attribute) and (node.attr.startswith("_") or node.attr not in _ALLOWED_METHODS):
            raise ExpressionError(f"không được truy cập thuộc tính '{node.attr}'", expression=expression)
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(f"tên '{node.id}' không được phép", expression=expression)
        if isinstance(node, ast.Call) and not (
            (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS) or isinstance(node.func, ast.Attribute)
        ):
            raise ExpressionError("chỉ được gọi các hàm có sẵn: " + ", ".join(sorted(FUNCTIONS)), expression=expression)
    return tree


def names_used(expression: str) -> set[str]:
    """Return the variable names an expression reads (functions and comprehension targets excluded)."""
    tree = check_expression(expression)
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in FUNCTIONS and n.id not in bound
    }


@lru_cache(maxsize=4096)
def _names_read(expression: str) -> tuple[str, ...]:
    """Every name the expression's tree mentions (variables, functions, comprehension targets): all it can read."""
    return tuple(sorted({node.id for node in ast.walk(check_expression(expression)) if isinstance(node, ast.Name)}))


# Held while simpleeval builds an evaluator (see _EvaluatorPool).
_BUILDING = threading.Lock()


class _EvaluatorPool:
    """simpleeval evaluators made once and reused: building one (its table of node handlers, its functions) cost
    as much as evaluating a gateway's condition, and a completion evaluates about ten. An evaluation takes one
    from the pool and gives it back, so no two evaluations ever share one; a new one is built only when more
    evaluations run at once than ever before (a sync server worker: one).

    Evaluators are built under a lock: simpleeval's constructor enters `warnings.catch_warnings()`, which saves
    and restores the process's warning filters and is not safe to interleave between threads (two at once can
    leave its "ignore" filter in place for the whole process). Evaluators live as long as the pool, so their
    finaliser (which empties the handler table) never runs while a thread could still hold one."""

    def __init__(self) -> None:
        self._idle: list[EvalWithCompoundTypes] = []

    def take(self) -> EvalWithCompoundTypes:
        try:
            return self._idle.pop()  # list.pop is atomic: no two threads get the same one
        except IndexError:
            with _BUILDING:
                # simpleeval adds its compound constructors (list, dict …) to the functions it is given: a copy.
                return EvalWithCompoundTypes(names={}, functions=dict(FUNCTIONS))

    def give_back(self, evaluator: EvalWithCompoundTypes) -> None:
        evaluator.names = {}  # an idle evaluator keeps no evaluation's data alive
        self._idle.append(evaluator)


_EVALUATORS = _EvaluatorPool()


def evaluate_expression(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate an expression over a deep copy of `names` (of those it mentions), so it can never change
    workflow data."""
    tree = check_expression(expression)
    mentioned = copy.deepcopy({name: names[name] for name in _names_read(expression) if name in names})
    evaluator = _EVALUATORS.take()
    try:
        evaluator.names = mentioned
        # The checked tree (parsed once per expression text) is what runs: simpleeval does not parse again.
        return evaluator.eval(expression.strip(), previously_parsed=tree.body)
    except InvalidExpression as exc:
        raise ExpressionError(f"không tính được biểu thức '{expression}': {exc}", expression=expression) from None
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, MemoryError) as exc:
        raise ExpressionError(f"lỗi khi tính biểu thức '{expression}': {exc}", expression=expression) from None
    finally:
        _EVALUATORS.give_back(evaluator)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow script environment that evaluates with simpleeval and never runs scripts."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        names = {**(external_context or {}), **context}
        return evaluate_expression(expression, names)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> None:
        raise ExpressionError("quy trình không được chứa mã lệnh (script); hãy dùng biểu thức điều kiện")

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> None:
        raise ExpressionError("quy trình không được gọi dịch vụ (service task)")


_ENVIRONMENT = RestrictedEnvironment()


class RestrictedScriptEngine(PythonScriptEngine):
    """The only script engine our workflows run with; it carries the clock timers read."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__(environment=_ENVIRONMENT)
        self.clock = clock
