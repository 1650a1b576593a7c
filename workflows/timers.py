"""Timer event definitions that read the time from our clock instead of the wall clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)

from .errors import ExpressionError


def _now(task: Any) -> datetime:
    engine = task.workflow.top_workflow.script_engine
    clock = getattr(engine, "clock", None)
    return clock.now() if clock is not None else datetime.now(UTC)


def _as_str(value: Any, expression: str) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise ExpressionError(f"biểu thức hẹn giờ '{expression}' phải cho ra chuỗi ISO 8601, nhận được {value!r}")
    return value


class ClockedTimeDateTimer(TimeDateEventDefinition):
    """A timeDate timer; due when our clock passes the evaluated date."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            event_value = TimerEventDefinition.get_datetime(_as_str(value, self.expression)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDurationTimer(DurationTimerEventDefinition):
    """A timeDuration timer; the duration counts from our clock when the event is reached."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = _as_str(my_task.workflow.script_engine.evaluate(my_task, self.expression), self.expression)
            start = _now(my_task)
            try:
                parsed = TimerEventDefinition.parse_iso_duration(value)
            except Exception:
                raise ExpressionError(f"'{value}' không phải khoảng thời gian ISO 8601 (ví dụ \"P10D\")") from None
            event_value = (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= _now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


# A timer definition is a Python expression for SpiffWorkflow ('"P10D"', or a variable such as a campaign deadline),
# but every other BPMN tool writes the bare ISO 8601 text (P7D, 2026-12-31T17:00:00+07:00, R3/PT1H). Bare ISO text is
# read as that text: the stored XML keeps what the admin's tool wrote, and what runs (the parsed spec, our Diagram)
# holds it quoted. No variable a timer may read looks like ISO 8601 (they are lower-case words).
_NUMBER = r"\d+(?:[.,]\d+)?"
_ISO_DURATION = rf"P(?=\d|T\d)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?" \
                rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"  # fmt: skip
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
_ISO_CYCLE = rf"R\d*/(?:{_ISO_DATE}/)?(?:{_ISO_DURATION}|{_ISO_DATE})(?:/{_ISO_DATE})?"
_BARE_ISO = re.compile(rf"(?:{_ISO_DURATION}|{_ISO_DATE}|{_ISO_CYCLE})")


def quoted_iso(expression: str | None) -> str | None:
    """A timer expression as SpiffWorkflow evaluates it: bare ISO 8601 text (P7D) quoted ('"P7D"'), else unchanged."""
    if expression is None:
        return None
    text = expression.strip()
    return f'"{text}"' if _BARE_ISO.fullmatch(text) else expression


def quote_iso_timers(task_specs: dict[str, Any]) -> None:
    """Quote bare ISO 8601 timer expressions of parsed specs, in place (quoted_iso)."""
    for spec in task_specs.values():
        definition = getattr(spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition) and isinstance(definition.expression, str):
            definition.expression = quoted_iso(definition.expression)


CLOCKED_TIMERS: dict[type, type] = {
    TimeDateEventDefinition: ClockedTimeDateTimer,
    DurationTimerEventDefinition: ClockedDurationTimer,
}


def use_clocked_timers(task_specs: dict[str, Any]) -> None:
    """Swap the stock timer definitions of parsed specs for the clocked ones, in place."""
    for spec in task_specs.values():
        definition = getattr(spec, "event_definition", None)
        replacement = CLOCKED_TIMERS.get(type(definition))
        if replacement is not None:
            definition.__class__ = replacement
