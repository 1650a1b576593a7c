"""An inbox task's role, level, state and decision, each stored as a small integer code (migration 0025).

A completed dossier chain leaves ten human_task rows, and each repeated short texts: its role
("council_secretary"), level ("district"), state ("completed"), decision ("approve") and, on a step with a
deadline, the role it escalates to; role and state again in ix_human_task_inbox. The database now keeps a code
from the registries below; Python code and SQL expressions still use the texts (Coded translates both ways).
The partial indexes of open tasks say `state = 1`, the code of "ready" (READY_CONDITION below).

Roles share the audit registry's codes (service/models/audit_codes.py ROLES: every role of
service.models.org.Role, the task roles of workflows/lanes.py among them), so a role has one code wherever it
is stored.

APPEND-ONLY, as the audit registries: a code, once given, is never reused, renumbered or given to another
text; migration 0025 keeps its own copy of these tables as they were when it was written. A new level, state
or decision gets the next unused number at the end of its table. Decisions are the values a deployed BPMN
compares a step's decision variable to: a process offering a decision without a code here is refused when it
is deployed (service/operations/definitions.py), so no task can be completed with one.
"""

from __future__ import annotations

from sqlalchemy import text

from .audit_codes import ROLES, CodeRegistry

_WHERE = {"kind": "task", "carrier": "a task", "table": "human_task", "module": "service/models/task_codes.py"}

# workflows.lanes.LEVELS, the levels of service.models.org.Level.
TASK_LEVELS: dict[str, int] = {
    "unit": 1,
    "ward": 2,
    "district": 3,
    "province": 4,
}

# service.models.process.HumanTaskState.
TASK_STATES: dict[str, int] = {
    "ready": 1,
    "completed": 2,
    "cancelled": 3,
}

# Every decision bpmn/commendation_chain.bpmn offers (its gateways compare "<step>_decision" to these).
TASK_DECISIONS: dict[str, int] = {
    "submit": 1,
    "withdraw": 2,
    "approve": 3,
    "return": 4,
    "reject": 5,
}

TASK_ROLE_CODES = CodeRegistry("role", ROLES, **_WHERE)
TASK_LEVEL_CODES = CodeRegistry("level", TASK_LEVELS, **_WHERE)
TASK_STATE_CODES = CodeRegistry("state", TASK_STATES, **_WHERE)
TASK_DECISION_CODES = CodeRegistry("decision", TASK_DECISIONS, **_WHERE)

# The WHERE of the partial indexes of open tasks, as the database stores it: a query that says
# `HumanTask.state == "ready"` binds the same code, and the planners match the two.
READY_CONDITION = text(f"state = {TASK_STATES['ready']}")
ESCALATED_CONDITION = text(f"state = {TASK_STATES['ready']} AND escalated_at IS NOT NULL")
