"""Engine layer: parse, validate and run BPMN with SpiffWorkflow. Imports no Flask, no SQLAlchemy."""

from .clock import SYSTEM_CLOCK, Clock, FixedClock, SystemClock
from .definitions import (
    MAX_BPMN_BYTES,
    Decision,
    Definition,
    StepInfo,
    TimerInfo,
    parse_definition,
    restore_definition,
    validate_definition,
)
from .engine import Engine, EngineEvent, Outcome
from .errors import (
    DefinitionError,
    EngineError,
    ExpressionError,
    InvalidDecision,
    Problem,
    StateVersionError,
    TaskNotReady,
    WorkflowError,
)
from .expressions import evaluate_expression
from .fingerprint import process_fingerprint
from .history import PathStep
from .migration import CHANGE_WORDS, DefinitionDiff, MigrationCheck, change_words, check_migration, diff_definitions
from .lanes import LEVELS, TASK_ROLES, LaneRef, parse_lane
from .state import SERIALIZER_VERSION, dump_spec, state_spec_ref
from .tasks import ReadyTask

__all__ = [
    "LEVELS", "MAX_BPMN_BYTES", "SERIALIZER_VERSION", "SYSTEM_CLOCK", "TASK_ROLES",
    "CHANGE_WORDS", "change_words",
    "Clock", "Decision", "DefinitionDiff", "MigrationCheck", "check_migration", "diff_definitions", "Definition", "DefinitionError", "Engine", "EngineError", "EngineEvent",
    "ExpressionError", "FixedClock", "InvalidDecision", "LaneRef", "Outcome", "PathStep", "Problem",
    "ReadyTask", "StateVersionError", "StepInfo", "SystemClock", "TaskNotReady", "TimerInfo",
    "WorkflowError", "dump_spec", "evaluate_expression", "parse_definition", "parse_lane", "process_fingerprint",
    "restore_definition", "state_spec_ref", "validate_definition",
]  # fmt: skip
