"""Every Vietnamese UI text in the HTML templates goes through the i18n layer (`_()`), with an English entry.

The templates are read the way Jinja and a browser read them: Jinja's own lexer and parser split each file into
template data and Jinja constructs, and the data (the constructs masked out) goes through an HTML parser. What
the browser shows of that data — text nodes outside <script>/<style>, and the attributes a user sees or hears
(title, placeholder, aria-label, alt, …, the value of button-like inputs) — must hold no Vietnamese letter:
Vietnamese text belongs inside `{{ _("…") }}`, where the English locale can replace it.

templates/documents/** is left out: those are the official documents (the PDFs), Vietnamese by law.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from service.web import i18n

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EXCLUDED = ("documents",)

# A Jinja construct in the masked text: a character that is not a letter (Unicode private use), so what it
# prints — a translated `_()` call, a name, a number — never counts as literal Vietnamese.
HOLE = "\ue000"
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "aria-description", "aria-roledescription",
                    "aria-placeholder", "aria-valuetext", "alt", "label"}  # fmt: skip
BUTTON_INPUTS = {"submit", "button", "reset"}
NOT_SHOWN = {"script", "style"}

# Vietnamese string constants inside Jinja expressions that are rightly not translated, each with its reason.
UNTRANSLATED_CONSTANTS = {
    # The language switch names the other language in that language (an endonym), whatever the current locale.
    ("base.html", "Tiếng Việt"),
}

_ENV = Environment(keep_trailing_newline=True)


def _templates() -> list[Path]:
    found = [path for path in sorted(TEMPLATES.rglob("*.html")) if path.relative_to(TEMPLATES).parts[0] not in EXCLUDED]
    assert len(found) > 30, f"templates not found under {TEMPLATES}"
    return found


def _name(path: Path) -> str:
    return path.relative_to(TEMPLATES).as_posix()


def _vietnamese(text: str) -> bool:
    """Holds a letter outside ASCII: ă, â, đ, ê, ô, ơ, ư and every letter with a tone mark."""
    return any(ch.isalpha() and not ch.isascii() for ch in unicodedata.normalize("NFC", text))


def masked(source: str) -> str:
    """The template as the HTML around its Jinja constructs: every construct one HOLE, data kept as written.

    Jinja's lexer decides what is a construct (strings holding `%}` or `}}` included). Line numbers stay those of
    the source: the lexer numbers each token, and newlines are put back where whitespace control (`{%-`) ate them.
    `{% trans %}…{% endtrans %}` counts as translated: its data is masked too."""
    out: list[str] = []
    line = 1
    in_construct = False
    block: list[str] = []  # the names of the current `{% … %}`, to see trans / endtrans
    trans_depth = 0
    for lineno, kind, value in _ENV.lex(source):
        if lineno > line:
            out.append("\n" * (lineno - line))
            line = lineno
        if kind == "data":
            out.append(HOLE if trans_depth else value)
            if trans_depth:
                out.append("\n" * value.count("\n"))
            line += value.count("\n")
            continue
        if kind in ("variable_begin", "block_begin", "comment_begin", "raw_begin", "linestatement_begin"):
            in_construct = True
            block = []
            out.append(HOLE)
        elif kind in ("variable_end", "block_end", "comment_end", "raw_end", "linestatement_end"):
            in_construct = False
            if block[:1] == ["trans"]:
                trans_depth += 1
            elif block[:1] == ["endtrans"]:
                trans_depth -= 1
        elif in_construct and kind == "name":
            block.append(value)
    return "".join(out)


class _Scanner(HTMLParser):
    """Collects (line, text) for each shown piece of the masked HTML that holds Vietnamese letters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0

    def _report(self, line: int, text: str) -> None:
        if _vietnamese(text):
            shown = " ".join(text.replace(HOLE, "{{…}}").split())
            self.found.append((line, shown))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value is None:
                continue
            shown = name in SHOWN_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS
            )
            if shown:
                self._report(line, f'{name}="{value}"')
        if tag in NOT_SHOWN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_SHOWN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        line = self.getpos()[0]
        offset = next((i for i, ch in enumerate(data) if ch.isalpha() and not ch.isascii()), 0)
        self._report(line + data.count("\n", 0, offset), data)


def untranslated_html(source: str) -> list[tuple[int, str]]:
    scanner = _Scanner()
    scanner.feed(masked(source))
    scanner.close()
    return scanner.found


def _in_translation(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name == "_"


def untranslated_constants(source: str) -> list[tuple[int, str]]:
    """Vietnamese string constants in Jinja expressions that can reach the page: not inside a `_()` call's
    arguments and not only compared against (`{% if outcome == "Đạt" %}` shows nothing)."""
    found: list[tuple[int, str]] = []

    def visit(node: nodes.Node, covered: bool) -> None:
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and _vietnamese(node.value) and not covered:
            found.append((node.lineno, node.value))
        if isinstance(node, nodes.Compare):
            return
        for child in node.iter_child_nodes():
            visit(child, covered or _in_translation(node))

    visit(_ENV.parse(source), False)
    return found


def translated_keys(source: str) -> list[tuple[int, str]]:
    """The literal source strings given to `_()`."""
    calls = _ENV.parse(source).find_all(nodes.Call)
    return [
        (arg.lineno, arg.value)
        for call in calls
        if _in_translation(call)
        for arg in call.args[:1]
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str)
    ]


# --- the scanner itself: it must see what a browser shows and nothing else ---


def test_scanner_finds_shown_vietnamese_and_nothing_else():
    source = """{% extends "base.html" %}{# Chú thích #}
<p class="muted">Chỉ cán bộ thi đua
  mới lập được.</p>
<p>{{ _("Đã dịch") }} {{ unit.name }} {{ "Hằng số" if x }}</p>
<label>{{ _("Loại") }}<select name="kind"><option value="đ">{{ label }}</option></select></label>
<input type="text" placeholder="Ghi chú"><input type="submit" value="Gửi đi"><input type="hidden" value="Ẩn">
<button title="{{ _('Thu hồi') }}" aria-label="Đóng">×</button><img alt="Sơ đồ" src="a.png" data-x="Dữ liệu">
<script>const s = "Tiếng Việt";</script><style>p::after { content: "Ứ"; }</style><!-- Ghi chú HTML -->
{% if error %}<b>Lỗi {{ error }}</b>{%- endif %}
{% trans %}Đã dịch sẵn{% endtrans %}
<p>&Aacute;o &#7885;</p>"""
    assert untranslated_html(source) == [
        (2, "Chỉ cán bộ thi đua mới lập được."),
        (6, 'placeholder="Ghi chú"'),
        (6, 'value="Gửi đi"'),
        (7, 'aria-label="Đóng"'),
        (7, 'alt="Sơ đồ"'),
        (9, "Lỗi {{…}}"),
        (11, "Áo ọ"),
    ]


def test_scanner_keeps_line_numbers_across_whitespace_control_and_multiline_constructs():
    source = '{% set a = {"x": 1,\n  "y": 2} %}\n{%- if a -%}\n\n  {{- a -}}\n\n{%- endif %}\n<p>Chưa dịch</p>\n'
    assert untranslated_html(source) == [(8, "Chưa dịch")]


def test_constants_outside_translation_are_found():
    source = """{% set labels = {"draft": "Đang lập", "done": _("Xong")} %}
{{ labels.get(s, s) }} {{ _("Có" if x else "Không") }} {% if outcome == "Đạt" %}ok{% endif %}
{{ 'English' if vi else 'Tiếng Việt' }}"""
    assert untranslated_constants(source) == [(1, "Đang lập"), (3, "Tiếng Việt")]
    assert translated_keys(source) == [(1, "Xong")]


# --- the templates ---


def test_templates_show_no_untranslated_vietnamese_text():
    problems = [
        f"templates/{_name(path)}:{line}: {text}"
        for path in _templates()
        for line, text in untranslated_html(path.read_text(encoding="utf-8"))
    ]
    assert problems == [], "Vietnamese UI text outside _():\n" + "\n".join(problems)


def test_templates_print_no_untranslated_vietnamese_constants():
    problems = [
        f"templates/{_name(path)}:{line}: {text!r}"
        for path in _templates()
        for line, text in untranslated_constants(path.read_text(encoding="utf-8"))
        if (_name(path), text) not in UNTRANSLATED_CONSTANTS
    ]
    assert problems == [], "Vietnamese string constants outside _():\n" + "\n".join(problems)


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_every_translated_string_has_an_english_entry(path: Path):
    source = path.read_text(encoding="utf-8")
    missing = [
        f"templates/{_name(path)}:{line}: {text!r}"
        for line, text in translated_keys(source)
        if _vietnamese(text) and unicodedata.normalize("NFC", text) not in i18n.EN
    ]
    assert missing == [], "no English in service/web/i18n.py EN for:\n" + "\n".join(missing)


def test_translated_strings_in_templates_are_nfc():
    # EN's keys are NFC (test_ui_catalogue.py); a decomposed string in a template would never find its entry.
    problems = [
        f"templates/{_name(path)}:{line}: {text!r}"
        for path in _templates()
        for line, text in translated_keys(path.read_text(encoding="utf-8"))
        if unicodedata.normalize("NFC", text) != text
    ]
    assert problems == []


def test_masking_keeps_every_line():
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        assert masked(source).count("\n") == source.count("\n"), _name(path)


def test_no_raw_vietnamese_left_by_the_masking_regex_either():
    # A cross-check that does not depend on the lexer: literal Vietnamese between tags, outside any {{ }}, {% %},
    # {# #}, on one line. Whatever it sees, the parser-based scan must see too.
    construct = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
    for path in _templates():
        source = path.read_text(encoding="utf-8")
        flat = construct.sub(lambda m: HOLE + "\n" * m.group(0).count("\n"), source)
        flat = re.sub(r"<(script|style)\b.*?</\1>", lambda m: "\n" * m.group(0).count("\n"), flat, flags=re.DOTALL)
        simple = {n for n, text in enumerate(flat.splitlines(), 1) for t in re.findall(r">([^<>]*)<", text)
                  if _vietnamese(t)}  # fmt: skip
        seen = {line for line, _text in untranslated_html(source)}
        assert simple <= seen, (_name(path), sorted(simple - seen))
