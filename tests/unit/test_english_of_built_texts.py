"""Texts the code puts together keep their English, like the refusals (test_refusal_messages_en.py):

- every Phrase built in service/ (a part of a message, an eligibility detail, a quota line, an audit filter's
  sentence) has an English template in service.web.messages_en with the same placeholders;
- every problem the process editor can list (workflows' parser and lint, the service's own conventions: the
  Problem, ExpressionError and lane texts, f-strings included) reads in English through messages_en.PROBLEMS_EN;
- domain/eligibility.py and domain/quotas.py write no Vietnamese outside a Phrase but the words listed below,
  each with English: a detail written as a bare f-string again would show Vietnamese on an English page.
"""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path
from string import Formatter

import pytest

from service.errors import Listed, Phrase
from service.web import messages_en
from service.web.messages_en import EN, WORDS, problem_in

ROOT = Path(__file__).resolve().parents[2]
SERVICE, WORKFLOWS = ROOT / "service", ROOT / "workflows"
SAMPLE = "X"  # what each placeholder of a problem's text is filled with when it is read back

# Vietnamese constants of the domain modules that are no sentence of their own, each with why it has no Phrase.
DOMAIN_WORDS = {
    "eligibility.py": {  # RATINGS and CLASSES: the records' words, compared (a rating below the campaign's minimum)
        "không hoàn thành nhiệm vụ", "hoàn thành nhiệm vụ", "hoàn thành tốt nhiệm vụ", "hoàn thành xuất sắc nhiệm vụ",
        "yếu", "trung bình", "khá", "tốt", "xuất sắc", "loại ",
    },
    "quotas.py": {"tập thể", "cá nhân", "người được đề nghị"},  # SUBJECT_LABELS: a quota line's label, a value
}  # fmt: skip
# Phrases with no English on purpose: they read as their Vietnamese in every language.
KEPT_VIETNAMESE = {"{column}"}  # operations/records.py: a column's name as the sheet's header has it
# Records' classes are compared only, never shown by the code: no English needed for them.
COMPARED_ONLY = {"yếu", "trung bình", "khá", "tốt", "xuất sắc", "loại "}


def _vietnamese(text: str) -> bool:
    return any(ch.isalpha() and not ch.isascii() for ch in unicodedata.normalize("NFC", text))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def _name(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def _phrases() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SERVICE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) == "Phrase" and node.args:
                first = node.args[0]
                where = f"{path.relative_to(SERVICE).as_posix()}:{node.lineno}"
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), f"{where}: a Phrase's template"
                found.setdefault(first.value, where)
    return found


def test_every_phrase_has_english_with_the_same_placeholders():
    phrases = _phrases()
    assert len(phrases) > 20
    missing = {where: template for template, where in phrases.items()
               if template not in EN and template not in WORDS and template not in KEPT_VIETNAMESE}  # fmt: skip
    assert missing == {}, "add these phrases' English to service/web/messages_en.py WORDS"
    assert [t for t in phrases if t not in KEPT_VIETNAMESE and _fields(EN.get(t) or WORDS[t]) != _fields(t)] == []


# --- the process editor's problems ---


class _Texts:
    """The text a call passes, as a template: f-string parts and anything computed become {0}, {1}, …; a name
    assigned a text in the same module stands for that text."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, ast.expr] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.assigned[node.targets[0].id] = node.value
        self.holes = 0
        self.resolving: set[str] = set()

    def template(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.replace("{", "{{").replace("}", "}}")
        if isinstance(node, ast.JoinedStr):
            return "".join(self.template(v) if isinstance(v, ast.Constant) else self._hole() for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.template(node.left) + self.template(node.right)
        if isinstance(node, ast.Name) and node.id in self.assigned and node.id not in self.resolving:
            self.resolving.add(node.id)  # `message = "…: " + message` stands for its prefix and a hole
            try:
                return self.template(self.assigned[node.id])
            finally:
                self.resolving.discard(node.id)
        if isinstance(node, ast.Call) and _name(node) == "get" and len(node.args) == 2:  # _WHY_NOT.get(tag, f"…")
            return self.template(node.args[1])
        return self._hole()

    def _hole(self) -> str:
        self.holes += 1
        return "{" + str(self.holes) + "}"


def _problem_texts() -> dict[str, str]:
    """Every text a problem of a BPMN definition can carry, as it reads with each placeholder filled in."""
    sources = [*sorted(WORKFLOWS.glob("*.py")), SERVICE / "operations" / "definitions.py"]
    found: dict[str, str] = {}
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        texts = _Texts(tree)
        for node in ast.walk(tree):
            args: list[ast.expr] = []
            if isinstance(node, ast.Call) and _name(node) == "Problem" and len(node.args) >= 2:
                args = [node.args[1]]
            elif isinstance(node, ast.Call) and _name(node) == "ExpressionError" and node.args:
                args = [node.args[0]]
            elif isinstance(node, ast.Call) and _name(node) == "ValueError" and node.args and path.name == "lanes.py":
                args = [node.args[0]]
            elif isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "_WHY_NOT":
                args = list(node.value.values)  # type: ignore[attr-defined]
            for arg in args:
                template = texts.template(arg)
                if _vietnamese(template):
                    text = template.format(*[SAMPLE] * (texts.holes + 1), **{})
                    found.setdefault(text, f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


def test_the_scan_finds_the_problems_of_every_kind():
    texts = _problem_texts()
    assert len(texts) > 35
    assert "điều kiện dùng biến không xác định: X" in texts
    assert "không cho phép bước mã lệnh (scriptTask): ai sửa được quy trình sẽ chạy được mã trên máy chủ" in texts
    assert "không đúng lược đồ BPMN 2.0: X" in texts


@pytest.mark.parametrize("text", sorted(_problem_texts()))
def test_every_problem_reads_in_english(text: str):
    english = problem_in(text, "en")
    assert not _vietnamese(english), f"add the English of {text!r} to messages_en.PROBLEMS_EN"
    assert problem_in(text, "vi") == text


def test_a_problem_quoting_another_reads_both_in_english():
    nested = "điều kiện 'x ==': biểu thức sai cú pháp: invalid syntax"
    assert problem_in(nested, "en") == "condition 'x ==': syntax error in the expression: invalid syntax"
    assert problem_in("Một vấn đề chưa có tiếng Anh.", "en") == "Một vấn đề chưa có tiếng Anh."


# --- the domain's texts ---


def _docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


@pytest.mark.parametrize("module", sorted(DOMAIN_WORDS))
def test_the_domain_writes_vietnamese_only_in_phrases(module: str):
    tree = ast.parse((SERVICE / "domain" / module).read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node) == "Phrase" and node.args:
            skip.add(id(node.args[0]))
    bare = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in skip and _vietnamese(node.value)}  # fmt: skip
    assert bare - DOMAIN_WORDS[module] == set(), "write these as a Phrase with English in messages_en"
    shown = DOMAIN_WORDS[module] - COMPARED_ONLY
    assert [w for w in shown if _vietnamese(str(messages_en._english_value(w)))] == []


def test_a_phrase_reads_as_its_vietnamese_and_a_page_reads_it_in_english():
    from service.domain.quotas import RuleCheck

    check = RuleCheck("R", "Mô tả của phong trào", (("tập thể", 1, 5, 3), ("cá nhân", 2, None, None)))
    assert check.message == "R — Mô tả của phong trào: tập thể: 1/5 (tối thiểu 3); cá nhân: 2/∞"
    assert isinstance(check.message, Phrase)
    english = str(messages_en._english_value(check.message))
    assert english == "R — Mô tả của phong trào: collective: 1/5 (at least 3); individual: 2/∞"
    listed = Listed([Phrase("chưa có dữ liệu đăng ký", {}), "PAR INDEX"])
    assert str(messages_en._english_value(listed)) == "no registration data yet; PAR INDEX"


def test_the_org_actions_a_refusal_names_read_in_english():
    """operations/org_admin.py names what cannot be done ("sáp nhập '…'", "bãi bỏ cấp …") as finished text:
    messages_en.VALUE_PATTERNS reads each back in English."""
    tree = ast.parse((SERVICE / "operations" / "org_admin.py").read_text(encoding="utf-8"))
    texts = _Texts(tree)
    named = [texts.template(node.args[1]).format(*[SAMPLE] * (texts.holes + 1))
             for node in ast.walk(tree) if isinstance(node, ast.Call) and _name(node) == "_refuse_running"]  # fmt: skip
    assert len(named) >= 2
    assert [text for text in named if _vietnamese(str(messages_en._english_value(text)))] == []
    assert messages_en._english_value("bãi bỏ cấp quận/huyện") == "abolish the district level"
