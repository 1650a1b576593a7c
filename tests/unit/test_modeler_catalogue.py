"""The BPMN editor's Vietnamese catalogue against the bpmn-js packages installed in node_modules."""

from __future__ import annotations

import re
import unicodedata

import pytest

from service.web.modeler_catalogue import MODELER_VI

from tests.unit.bpmn_js_strings import NODE_MODULES, all_translate_keys, literal_keys, modeler_keys

# Strings the sources pass to translate that no admin sees: an example in diagram-js's doc comment of translate.
NOT_SHOWN = {"HELLO {you}"}


@pytest.fixture(scope="module")
def shipped() -> dict[str, set[str]]:
    if not (NODE_MODULES / "bpmn-js/package.json").exists():
        pytest.fail("node_modules is missing: run 'make install' (or 'make assets') first")
    return modeler_keys()


def test_every_key_is_a_string_the_installed_packages_pass_to_translate(shipped):
    unknown = sorted(set(MODELER_VI) - all_translate_keys())
    assert not unknown, f"no installed bpmn-js package passes these to translate (typo, or renamed upstream): {unknown}"


def test_every_label_of_the_editor_as_shipped_has_a_vietnamese_entry(shipped):
    missing = {part: sorted(keys - set(MODELER_VI) - NOT_SHOWN) for part, keys in shipped.items()}
    assert not any(missing.values()), f"labels the editor shows in English: {missing}"


def test_the_labels_read_from_each_package_include_ones_we_know_it_shows(shipped):
    assert {"Create start event", "Append task", "Change element", "Timer boundary event", "User task",
            "Empty pool/participant (removes content)", "Align elements left",
            "flow elements must be children of pools/participants"} <= shipped["bpmn-js"]  # fmt: skip
    assert {"General", "ID must be unique.", "User Task", "Timer Boundary Event (Non Interrupting)"} <= shipped[
        "bpmn-js-properties-panel"]
    assert {"Toggle section", "List contains {numOfItems} items"} <= shipped["@bpmn-io/properties-panel"]
    assert "Search in diagram" in shipped["diagram-js"]
    # The Camunda and Zeebe providers are not loaded: their labels are translate strings, but not shown.
    zeebe_only = "Local variable name"
    assert zeebe_only in all_translate_keys() and not any(zeebe_only in keys for keys in shipped.values())


def test_values_are_nfc_vietnamese_and_keep_the_placeholders_of_their_key():
    for english, vietnamese in MODELER_VI.items():
        assert vietnamese.strip() == vietnamese and vietnamese, english
        assert unicodedata.normalize("NFC", vietnamese) == vietnamese, english
        assert unicodedata.normalize("NFC", english) == english, english
        assert set(re.findall(r"{\w+}", vietnamese)) == set(re.findall(r"{\w+}", english)), english
    # The terms the admins asked for, exactly.
    assert MODELER_VI["Start event"] == "Sự kiện bắt đầu"
    assert MODELER_VI["End event"] == "Sự kiện kết thúc"
    assert MODELER_VI["User task"] == "Nhiệm vụ người dùng"
    assert MODELER_VI["Exclusive gateway"] == "Cổng rẽ nhánh loại trừ"
    assert MODELER_VI["Parallel gateway"] == "Cổng song song"
    assert MODELER_VI["Sub-process"] == "Quy trình con"
    assert MODELER_VI["Lane"] == "Làn"
    assert "hẹn giờ" in MODELER_VI["Timer boundary event"]


@pytest.mark.parametrize(
    ("source", "keys"),
    [
        ("title: translate('Create task'),", {"Create task"}),
        ("this._translate(\n  'Open {element}', { element: name })", {"Open {element}"}),
        ("var MSG = 'flow elements';\nshowError(event, translate(MSG));", {"flow elements"}),
        ("label: translate(is(element, 'bpmn:Participant') ? 'Participant ID' : 'ID'),", {"Participant ID", "ID"}),
        ("translate(`List contains {n} item${n != 1 ? 's' : ''}`, { n })", {"List contains {n} items",
                                                                           "List contains {n} item"}),
        ("translate('Align elements ' + alignment)", set()),
        ("svgTransform.translate(1, 2); transform: 'translate(' + x + ')'", set()),
    ],
)
def test_the_reader_finds_the_strings_a_source_passes_to_translate(source, keys):
    assert literal_keys(source) == keys
