"""The UI's English catalogue: each Vietnamese source string once (a second entry would silently win)."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

from service.web import i18n

SOURCE = Path(i18n.__file__)


def _catalogue_keys() -> list[str]:
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "EN":
            assert isinstance(node.value, ast.Dict)
            return [key.value for key in node.value.keys if isinstance(key, ast.Constant)]
    raise AssertionError("no EN catalogue in service/web/i18n.py")


def test_each_source_string_appears_once():
    keys = _catalogue_keys()
    assert len(keys) == len(i18n.EN) > 100
    assert sorted({k for k in keys if keys.count(k) > 1}) == []


def test_source_strings_are_nfc():
    # A key typed in decomposed form would never match the NFC text the templates hold.
    assert [k for k in i18n.EN if unicodedata.normalize("NFC", k) != k] == []
