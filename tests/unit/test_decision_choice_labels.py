"""The decision choices a step offers are the BPMN flows' names; in English through EN, which holds every name the
shipped processes use; an admin's own name is shown as the BPMN gives it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from flask import Flask

from service.web.i18n import EN, choice_label

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _flow_names() -> set[str]:
    names = set()
    for path in BPMN.glob("*.bpmn"):
        for flow in ET.parse(path).getroot().iter(f"{NS}sequenceFlow"):
            if flow.get("name"):
                names.add(flow.get("name", ""))
    return names


def test_every_flow_name_of_the_shipped_processes_has_english() -> None:
    names = _flow_names()
    assert {"Đạt", "Thông qua", "Trả lại Hội đồng", "Không khen thưởng"} <= names
    assert sorted(n for n in names if n not in EN) == []


def test_a_choice_reads_in_the_readers_language_and_a_custom_one_as_the_bpmn_gives_it() -> None:
    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context("/?lang=en"):
        assert choice_label("Trả lại thẩm định", "return") == "Return to appraisal"
        assert choice_label("Đồng ý cấp xã", "approve") == "Đồng ý cấp xã"
        assert choice_label(None, "approve") == "Approved"
    with app.test_request_context("/?lang=vi"):
        assert choice_label("Trả lại thẩm định", "return") == "Trả lại thẩm định"
        assert choice_label(None, "approve") == "Đồng ý"
