"""Every refusal the service raises has English: a scan of service/ (like test_templates_i18n.py for templates)
finds each DomainError built with a message template and fails on one without an entry in
service.web.messages_en.EN, or whose English names other placeholders. A message built at the raise site (not a
template) is listed in KNOWN_DYNAMIC, which may only shrink."""

from __future__ import annotations

import ast
from pathlib import Path
from string import Formatter

from service.errors import DomainError, InvalidInput, Listed, Phrase
from service.web.messages_en import EN, WORDS, refusal_in

SERVICE = Path(__file__).resolve().parents[2] / "service"
REFUSALS = {"DomainError", "InvalidInput", "NotFound", "Forbidden", "Conflict", "DeadlinePassed", "DefinitionRejected",
            "QuotaExceeded"}  # fmt: skip

# Messages passed on from elsewhere (an engine error's, a parser's) or put together where raised: shown as they are.
KNOWN_DYNAMIC = {
    "operations/definitions.py::exc.message",  # a BPMN definition error, with its element and line
    "operations/org_admin.py::problem",  # unit_code_problem's sentence (it returns text, not a refusal)
    "operations/tasks.py::exc.message",  # the engine's own refusal of a decision
    "operations/users.py::refusal",  # domain.roles.grant_refusal's sentence (it returns text, not a refusal)
    "web/audit.py::' '.join(problems)",  # the audit filter's unreadable values
}


def _refusals() -> tuple[dict[str, str], set[str]]:
    """(template → where, the dynamic ones as path::source) of every DomainError built in service/."""
    templates: dict[str, str] = {}
    dynamic: set[str] = set()
    for path in sorted(SERVICE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {node.targets[0].id: node.value.value for node in tree.body
                     if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                     and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)}  # fmt: skip
        where = path.relative_to(SERVICE).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in REFUSALS:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                templates.setdefault(first.value, f"{where}:{node.lineno}")
            elif isinstance(first, ast.Name) and first.id in constants:
                templates.setdefault(constants[first.id], f"{where}:{node.lineno}")
            else:
                dynamic.add(f"{where}::{ast.unparse(first)}")
    return templates, dynamic


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_refusal_template_has_english_with_the_same_placeholders():
    templates, _ = _refusals()
    assert len(templates) > 150
    missing = {where: template for template, where in templates.items() if template not in EN}
    assert missing == {}, "add these refusals' English to service/web/messages_en.py"
    assert [t for t in templates if _fields(EN[t]) != _fields(t)] == []


def test_messages_built_where_raised_are_only_the_known_ones():
    _, dynamic = _refusals()
    assert dynamic <= KNOWN_DYNAMIC, f"raise a template with values instead: {sorted(dynamic - KNOWN_DYNAMIC)}"
    assert KNOWN_DYNAMIC <= dynamic, f"fixed: take these off KNOWN_DYNAMIC: {sorted(KNOWN_DYNAMIC - dynamic)}"


def test_the_message_stays_vietnamese_and_english_translates_the_template_and_its_fixed_words():
    exc = InvalidInput("Phải ghi rõ lý do khi {what}.", {"what": "trả lại bổ sung"}, field="comment")
    assert exc.message == str(exc) == "Phải ghi rõ lý do khi trả lại bổ sung." and exc.details == {"field": "comment"}
    assert refusal_in(exc, "en") == "A reason is required to return it for supplement."
    assert refusal_in(exc, "vi") == exc.message
    problems = Listed([Phrase("{name} không đạt “{condition}” ({detail})", {"name": "A", "condition": "C", "detail": "2"}),
                       Phrase("chưa xác nhận “{condition}” cho {name}", {"condition": "D", "name": "B"})])  # fmt: skip
    composite = InvalidInput("Chưa đủ điều kiện: {problems}.", {"problems": problems}, problems=list(problems))
    assert composite.message == "Chưa đủ điều kiện: A không đạt “C” (2); chưa xác nhận “D” cho B."
    assert refusal_in(composite, "en") == "Conditions not met: A does not meet “C” (2); “D” is not confirmed for B."
    assert refusal_in(DomainError("Một câu chưa có tiếng Anh."), "en") == "Một câu chưa có tiếng Anh."
    assert set(WORDS) & set(EN) == set()
