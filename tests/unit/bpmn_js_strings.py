"""The English strings the installed bpmn-js packages pass to `translate`, read from node_modules.

Most are literal first arguments (`translate('Create task')`); a few are built, and each such construction is read
from the file that builds it: named constants (`translate(COLLAB_ERR_MSG)`), ternaries and plurals of literals,
the replace menu's option labels (`translate(label)`), the align menu's `'Align elements ' + alignment` and the
properties panel header's type label (the element's concrete type split into words)."""

from __future__ import annotations

import json
import re
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"

_LIT = r"""(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`)"""
_CALLER = r"(?<![\w$.'\"`])(?:(?:this|self)\.)?_?translate\(\s*"
_CALL = re.compile(_CALLER + _LIT + r"(?!\s*\+)")
_CALL_CONST = re.compile(_CALLER + r"([A-Z][A-Z0-9_$]*)\s*\)")
_CALL_JOINED = re.compile(_CALLER + _LIT + r"\s*\+\s*" + _LIT + r"\s*\)")
_CALL_TERNARY = re.compile(_CALLER + r"[^\n;]*?\?\s*" + _LIT + r"\s*:\s*" + _LIT + r"\s*\)")
_CALL_PLURAL = re.compile(_CALLER + r"`([^`$]*)\$\{[^}`]*\?\s*'([^']*)'\s*:\s*'([^']*)'\s*\}([^`$]*)`")
_CONST = re.compile(r"\b(?:var|const|let)\s+([A-Z][A-Z0-9_$]*)\s*=\s*" + _LIT + r"\s*;")
_LABEL = re.compile(r"\blabel:\s*" + _LIT)
_ARRAY_ITEM = re.compile(_LIT)

# Packages whose sources we read, and the parts of bpmn-js-properties-panel our configuration never loads.
PROPERTIES_PANEL_UNUSED = ("provider/camunda-platform/", "provider/zeebe/", "contextProvider/")


def _first(groups: tuple[str | None, ...]) -> str:
    return next(g for g in groups if g is not None)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def literal_keys(source: str) -> set[str]:
    """Every string one JavaScript source passes to translate, in the forms the module docstring lists."""
    keys = {_first(m.groups()) for m in _CALL.finditer(source)}
    consts = {m.group(1): _first(m.groups()[1:]) for m in _CONST.finditer(source)}
    keys |= {consts[m.group(1)] for m in _CALL_CONST.finditer(source) if m.group(1) in consts}
    keys |= {_first(m.groups()[:3]) + _first(m.groups()[3:]) for m in _CALL_JOINED.finditer(source)}
    for m in _CALL_TERNARY.finditer(source):
        keys |= {_first(m.groups()[:3]), _first(m.groups()[3:])}
    for m in _CALL_PLURAL.finditer(source):
        keys |= {m.group(1) + m.group(2) + m.group(4), m.group(1) + m.group(3) + m.group(4)}
    return {_unescape(k) for k in keys}


def _replace_option_labels() -> set[str]:
    source = (NODE_MODULES / "bpmn-js/lib/features/replace/ReplaceOptions.js").read_text(encoding="utf-8")
    labels = {_first(m.groups()) for m in _LABEL.finditer(source)}
    # The empty pool's label is built by a function: a base text, with a suffix when the pool has content.
    base = re.search(r"var label = '([^']*)';\s*\n.*?label \+= '([^']*)'", source, re.S)
    assert base, "ReplaceOptions.js no longer builds the empty pool's label as it did"
    return labels | {base.group(1), base.group(1) + base.group(2)}


def _align_titles() -> set[str]:
    source = (NODE_MODULES / "bpmn-js/lib/features/align-elements/AlignElementsMenuProvider.js").read_text("utf-8")
    prefix = re.search(r"translate\('([^']*)' \+ alignment\)", source)
    options = re.search(r"var ALIGNMENT_OPTIONS = \[([^\]]*)\]", source)
    assert prefix and options, "AlignElementsMenuProvider.js no longer builds its titles as it did"
    return {prefix.group(1) + _first(m.groups()) for m in _ARRAY_ITEM.finditer(options.group(1))}


def _properties_panel_sources() -> dict[str, str]:
    """bpmn-js-properties-panel's own sources (from its source map), without the Camunda and Zeebe providers."""
    sourcemap = json.loads((NODE_MODULES / "bpmn-js-properties-panel/dist/index.esm.js.map").read_text("utf-8"))
    return {name: text for name, text in zip(sourcemap["sources"], sourcemap["sourcesContent"], strict=True)
            if name.startswith("../src/") and text and not any(part in name for part in PROPERTIES_PANEL_UNUSED)}


def _header_type_labels(panel_sources: dict[str, str]) -> set[str]:
    """The panel header's type label: the element's concrete type (the keys of its icon table) split into words."""
    header = panel_sources["../src/render/PanelHeaderProvider.js"]
    table = re.search(r"export default \{(.*?)\n\};", panel_sources["../src/icons/index.js"], re.S)
    splits = ".replace(/(\\B[A-Z])/g, ' $1')" in header and ".replace(/(\\bNon Interrupting)/g, '($1)')" in header
    assert table and splits, "bpmn-js-properties-panel changed how its header labels an element's type"
    types = re.findall(r"^\s*'?(\w+)'?\s*:", table.group(1), re.M)
    return {re.sub(r"\b(Non Interrupting)", r"(\1)", re.sub(r"\B([A-Z])", r" \1", t)) for t in types}


def modeler_keys() -> dict[str, set[str]]:
    """The strings the editor as we ship it passes to translate, by the part of the editor that shows them."""
    diagram = "".join(p.read_text("utf-8") for p in sorted((NODE_MODULES / "diagram-js/lib").rglob("*.js")))
    bpmn = "".join(p.read_text("utf-8") for p in sorted((NODE_MODULES / "bpmn-js/lib").rglob("*.js")))
    panel_sources = _properties_panel_sources()
    panel = set().union(*(literal_keys(text) for text in panel_sources.values()))
    panel_components = (NODE_MODULES / "@bpmn-io/properties-panel/dist/index.esm.js").read_text("utf-8")
    return {
        "diagram-js": literal_keys(diagram),
        "bpmn-js": literal_keys(bpmn) | _replace_option_labels() | _align_titles(),
        "bpmn-js-properties-panel": panel | _header_type_labels(panel_sources),
        "@bpmn-io/properties-panel": literal_keys(panel_components),
    }


def all_translate_keys() -> set[str]:
    """Every string any installed bpmn-js package passes to translate (the Camunda and Zeebe providers included)."""
    whole_panel = (NODE_MODULES / "bpmn-js-properties-panel/dist/index.esm.js").read_text("utf-8")
    return set().union(*modeler_keys().values(), literal_keys(whole_panel))
