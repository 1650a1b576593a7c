"""The audit trail's action, object type and actor role, each stored as a small integer code (migration 0024).

About 19 events are written per completed dossier chain and each repeated three short texts ("task.complete",
"human_task", "council_secretary"), the action once more in ix_audit_event_action_id. The database now keeps
a code from the registries below; Python code and SQL expressions still use the text (Coded translates both
ways), and an event's hash still covers the text, so the chain is the same as before the codes.

APPEND-ONLY. A code, once given, is never reused, renumbered or given to another text: stored events keep
their codes for ever, and migration 0024 keeps its own copy of these tables as they were when it was
written. A new action, object type or role gets the next unused number at the end of its table (and only
then can record_event write it). Removing an entry would make every event that carries it unreadable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import SmallInteger
from sqlalchemy.types import TypeDecorator

SMALLINT_MAX = 32767

ACTIONS: dict[str, int] = {
    # signing in and out
    "auth.login": 1,
    "auth.login_failed": 2,
    "auth.login_throttled": 3,
    "auth.logout": 4,
    # accounts and roles
    "user.create": 5,
    "user.activate": 6,
    "user.deactivate": 7,
    "role.grant": 8,
    "role.revoke": 9,
    "role.end": 10,
    # the organisation tree
    "org.create": 11,
    "org.rename": 12,
    "org.move": 13,
    "org.merge": 14,
    "org.abolish_level": 15,
    # campaigns and processes
    "campaign.import": 16,
    "campaign.edit": 17,
    "campaign.register": 18,
    "bpmn.deploy": 19,
    # dossiers and their documents
    "dossier.create": 20,
    "dossier.edit": 21,
    "dossier.submit": 22,
    "dossier.status": 23,
    "document.upload": 24,
    "document.download": 25,
    "document.generate": 26,
    # tasks
    "task.claim": 27,
    "task.unclaim": 28,
    "task.assign": 29,
    "task.reassign": 30,
    "task.complete": 31,
    "task.escalate": 32,
    "eligibility.confirm": 33,
    # process instances
    "instance.end": 34,
    "instance.cancel": 35,
    "instance.suspend": 36,
    "instance.resume": 37,
    "instance.migrate": 38,
    # decisions, records, exports
    "decision.issue": 39,
    "certificate_layout.edit": 40,
    "records.import": 41,
    "records.add": 42,
    "export.nominees": 43,
    "audit.export": 44,
    # the audit trail verified from the audit page: the request, then the result
    "audit.verify_request": 45,
    "audit.verify": 46,
    # passwords: a user's own change, an admin's reset (never the password or its hash in the event)
    "user.password_change": 47,
    "user.password_reset": 48,
    # a reminder sent before an open task's forward-by deadline (operations.reminders)
    "task.remind": 49,
}

OBJECT_TYPES: dict[str, int] = {
    "user": 1,
    "org_unit": 2,
    "org_level": 3,
    "campaign": 4,
    "process_version": 5,
    "dossier": 6,
    "generated_document": 7,
    "human_task": 8,
    "process_instance": 9,
    "decision": 10,
    "records": 11,
    "audit": 12,
}

# Every role an event's actor_role can name: the task roles of workflows/lanes.py (TASK_ROLES) and the
# administrative ones; together the values of service.models.org.Role.
ROLES: dict[str, int] = {
    "unit_clerk": 1,
    "unit_head": 2,
    "office_clerk": 3,
    "council_member": 4,
    "council_secretary": 5,
    "chairman": 6,
    "noi_vu": 7,
    "ban_tdkt": 8,
    "admin": 9,
    "auditor": 10,
}


class CodeRegistry(Mapping[str, int]):
    """One of the tables above (or of service/models/task_codes.py), both ways: text -> code (as a read-only
    mapping) and code -> text."""

    def __init__(self, name: str, codes: Mapping[str, int], *, kind: str = "audit", carrier: str = "an audit event",
                 table: str = "audit_event", module: str = "service/models/audit_codes.py") -> None:  # fmt: skip
        """`kind` and `carrier` name what the codes are for ("audit", "an audit event"), `table` where they are
        stored and `module` where the registry is written: the messages below say so."""
        by_code: dict[int, str] = {}
        for text, code in codes.items():
            if not isinstance(code, int) or not 1 <= code <= SMALLINT_MAX:
                raise ValueError(f"{kind} {name} {text!r}: code {code!r} is not an integer from 1 to {SMALLINT_MAX}")
            if code in by_code:
                raise ValueError(f"{kind} {name} code {code} given twice: {by_code[code]!r} and {text!r}")
            by_code[code] = text
        self.name = name
        self.kind, self.carrier, self.table, self.module = kind, carrier, table, module
        self._codes = dict(codes)
        self._texts = by_code
        self._key = (kind, name, tuple(sorted(self._codes.items())))

    def __getitem__(self, text: str) -> int:
        return self._codes[text]

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __hash__(self) -> int:  # part of Coded's cache key
        return hash(self._key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CodeRegistry) and other._key == self._key

    def __repr__(self) -> str:
        return f"CodeRegistry({self.kind} {self.name!r}, {len(self)} codes)"

    def code(self, text: Any) -> int:
        """The code of a text; ValueError naming the text if it has none."""
        code = self._codes.get(text) if isinstance(text, str) else None
        if code is None:
            raise ValueError(f"unknown {self.kind} {self.name} {text!r}: every {self.name} {self.carrier} can carry "
                             f"is listed in {self.module}; add a new one there with the next unused code")  # fmt: skip
        return code

    def text(self, code: Any) -> str:
        """The text of a stored code; ValueError if this version does not know it."""
        text = self._texts.get(code) if isinstance(code, int) else None
        if text is None:
            raise ValueError(f"{self.table} holds {self.name} code {code!r}, which this version does not know "
                             f"(written by a newer version of Thi đua? see {self.module})")  # fmt: skip
        return text


ACTION_CODES = CodeRegistry("action", ACTIONS)
OBJECT_TYPE_CODES = CodeRegistry("object type", OBJECT_TYPES)
ROLE_CODES = CodeRegistry("role", ROLES)


class Coded(TypeDecorator[str]):
    """A text from a fixed registry, stored as its SMALLINT code.

    Python sees the text: `AuditEvent.action == "task.complete"`, `.in_([...])` and Core inserts take it and
    send the code; rows read back as text. A text the registry lacks is refused (ValueError) when it is
    bound, in a write or a comparison alike, and a stored code it lacks is refused when read.
    """

    impl = SmallInteger
    cache_ok = True

    def __init__(self, registry: CodeRegistry) -> None:
        super().__init__()
        self.registry = registry

    def process_bind_param(self, value: str | None, dialect: Any) -> int | None:
        return None if value is None else self.registry.code(value)

    def process_result_value(self, value: int | None, dialect: Any) -> str | None:
        return None if value is None else self.registry.text(value)
