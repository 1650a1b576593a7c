"""The same process written otherwise has the same fingerprint; any change to what runs or is drawn changes it."""

from __future__ import annotations

from lxml import etree

from tests.conftest import CHAIN
from workflows import parse_definition, process_fingerprint


def fingerprint(xml: bytes, filename: str = "editor.bpmn") -> str:
    return process_fingerprint(parse_definition(xml, filename))


def rewritten(xml: bytes) -> bytes:
    """What an editor does to an unchanged diagram: its own exporter attributes, indentation, attribute order."""
    root = etree.fromstring(xml)
    root.set("exporter", "bpmn-js (https://demo.bpmn.io)")
    root.set("exporterVersion", "18.6.1")
    for element in root.iter():
        if element.attrib:
            items = sorted(element.attrib.items(), reverse=True)
            element.attrib.clear()
            element.attrib.update(items)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def test_the_same_process_written_otherwise_is_the_same():
    xml = CHAIN.read_bytes()
    assert rewritten(xml) != xml
    assert fingerprint(rewritten(xml)) == fingerprint(xml, CHAIN.name)


def test_what_runs_what_is_offered_and_what_is_drawn_each_count():
    xml = CHAIN.read_text(encoding="utf-8")
    base = fingerprint(xml.encode())
    label = 'id="flow_gw_ward_office_review_to_ward_council_vote" name="Đạt"'
    assert xml.count(label) == 1
    changes = {
        "decision label": xml.replace(label, label.replace('"Đạt"', '"Đủ điều kiện"')),
        "timer": xml.replace("P10D", "P15D", 1),
        "lane": xml.replace('name="noi_vu@district"', 'name="office_clerk@district"'),
    }
    root = etree.fromstring(xml.encode())
    bounds = next(root.iter("{http://www.omg.org/spec/DD/20100524/DC}Bounds"))
    bounds.set("x", str(float(bounds.get("x")) + 40))
    changes["a shape moved"] = etree.tostring(root, encoding="unicode")
    assert "P10D" in xml
    for what, changed in changes.items():
        assert changed != xml, what
        assert fingerprint(changed.encode()) != base, what
