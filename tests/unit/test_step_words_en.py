"""Every word of the shipped chain an official reads has its English: each step's name and description, each decision
as the step words it (in the form, and told as done in a dossier's history), each named element the diagram draws
and the pool. Read from the BPMN itself, so a step added to it without English fails here. The notices name steps in
English, and an eligibility detail names the index missing a result in words, in either language."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask

from service.domain.campaign_file import RuleSpec
from service.domain.eligibility import Facts, evaluate
from service.domain.notices import ReturnedBy, notice_subject, notice_text, return_notice
from service.domain.notices_en import STEP_NAMES_EN, translator
from service.web.i18n import EN, decided_label, diagram_words, translate
from service.web.messages_en import built
from service.web.step_words_en import DECIDED_EN, DESCRIPTIONS_EN, DIAGRAM_NAMES, STEP_WORDS_EN

SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "commendation_chain.bpmn"
NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DECISION = re.compile(r"^\s*(\w+)_decision\s*==\s*'(\w+)'\s*$")
ROOT = ET.parse(SHIPPED).getroot()


def _named(*tags: str) -> dict[str, str]:
    """id → name of every element of these tags (all tags when none given) that has a name, lanes apart."""
    return {e.get("id", ""): e.get("name", "") for e in ROOT.iter()
            if e.get("name") and e.tag != f"{NS}lane" and (not tags or e.tag in {NS + t for t in tags})}  # fmt: skip


def _decision_flows() -> list[tuple[str, str, str]]:
    """(step id, decision, flow name) of each flow a step's decision takes."""
    out = []
    for flow in ROOT.iter(f"{NS}sequenceFlow"):
        condition = flow.find(f"{NS}conditionExpression")
        found = DECISION.match(condition.text or "") if condition is not None else None
        if found and flow.get("name"):
            out.append((found.group(1), found.group(2), flow.get("name", "")))
    return out


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.secret_key = "test"
    return app


def test_every_step_of_the_shipped_chain_has_an_english_name_and_description(app: Flask):
    steps = ROOT.findall(f".//{NS}userTask")
    assert len(steps) == 10
    names = {step.get("name", "") for step in steps}
    assert sorted(names - set(STEP_NAMES_EN)) == []
    descriptions = {(step.findtext(f"{NS}documentation") or "").strip() for step in steps}
    assert "" not in descriptions and sorted(descriptions - set(DESCRIPTIONS_EN)) == []
    with app.test_request_context("/?lang=en"):
        for text in names | descriptions:
            assert translate(text) == STEP_WORDS_EN[text] != text, text
        assert translate("Thẩm định hồ sơ (Phòng Nội vụ)") == "Appraise the dossier (Home Affairs Office)"
        assert translate("Thẩm định hồ sơ (Sở Tư pháp)") == "Thẩm định hồ sơ (Sở Tư pháp)"  # an admin's own step
    with app.test_request_context("/?lang=vi"):
        assert all(translate(text) == text for text in names | descriptions)


def test_every_named_element_the_diagram_draws_has_english(app: Flask):
    named = _named()
    assert named["participant_chain"] == "Quy trình xét khen thưởng phong trào thi đua"
    assert {"start", "gw_ward_office_review", "end_granted_province", "ward_office_review_overdue"} <= set(named)
    assert sorted(set(named.values()) - set(DIAGRAM_NAMES)) == []
    with app.test_request_context("/?lang=en"):
        assert sorted({name for name in named.values() if translate(name) == name}) == []
        words = diagram_words()
        assert {name: words[name] for name in named.values()} == {name: translate(name) for name in named.values()}
        assert words["Kết quả thẩm định?"] == "Appraisal result?" and words["Đạt"] == "Met"
        pool = "Quy trình xét khen thưởng phong trào thi đua"
        assert words[pool] == "Commendation review process of emulation campaigns"
        assert all(english and english != name for name, english in words.items()), words
    with app.test_request_context("/?lang=vi"):
        assert diagram_words() == {}  # the BPMN's own words


def test_the_catalogue_is_keyed_by_the_bpmns_exact_text_and_agrees_with_the_shared_one():
    for text, english in STEP_WORDS_EN.items():
        assert unicodedata.normalize("NFC", text) == text and text.strip() == text
        assert EN.get(text, english) == english, text  # should EN hold it too, it says the same
    assert "Không khen thưởng" not in STEP_WORDS_EN and EN["Không khen thưởng"] == "No commendation"


def test_every_decision_reads_in_the_steps_own_words_in_the_form_and_in_the_history(app: Flask):
    flows = _decision_flows()
    assert ("ward_office_review", "approve", "Đạt") in flows and ("ward_council_vote", "approve", "Thông qua") in flows
    assert ("ward_chairman_decide", "approve", "Đồng ý") in flows and ("unit_prepare", "submit", "Nộp hồ sơ") in flows
    labels = {label for _, _, label in flows}
    assert sorted(labels - set(EN)) == [] and sorted(labels - set(DECIDED_EN)) == []
    with app.test_request_context("/?lang=en"):
        told = {label: decided_label(label, decision) for _, decision, label in flows}
        assert told["Đạt"] == "Met" and told["Thông qua"] == "Passed" and told["Đồng ý"] == "Agreed"
        assert told["Không đạt"] == "Not met" and told["Trả lại thẩm định"] == "Returned for appraisal"
        assert told["Nộp hồ sơ"] == "Submitted" and told["Trả lại Hội đồng"] == "Returned to the council"
        assert all(re.fullmatch(r"[A-Z][a-z ]+", english) for english in told.values()), told
        # A decision the step did not name, or named in words of an admin's own: the generic label.
        assert decided_label(None, "approve") == "Approved" and decided_label("Đồng ý cấp xã", "approve") == "Approved"
    with app.test_request_context("/?lang=vi"):
        assert decided_label("Thông qua", "approve") == "Thông qua"
        assert decided_label("Đồng ý cấp xã", "approve") == "Đồng ý cấp xã"
        assert decided_label(None, "return") == "Trả lại bổ sung"


def test_a_notice_names_its_task_and_the_returning_step_in_english():
    en, vi = translator("en"), translator("vi")
    assert notice_text("task", "Thẩm định hồ sơ (Phòng Nội vụ)", "T", en) == (
        "New task: Appraise the dossier (Home Affairs Office) — dossier “T”.")
    assert notice_subject("escalation", "Họp Hội đồng TĐKT, biểu quyết", "T", en) == (
        "[Thi đua] Overdue task: Emulation & Commendation Council meets and votes")
    returned = ReturnedBy("Thẩm định hồ sơ (Văn phòng UBND phường/xã)", "ward", "Thiếu biên bản")
    text, subject = return_notice("task_returned", "Lập và nộp hồ sơ đề nghị khen thưởng", "T", returned, en)
    assert text == ("Dossier “T” was returned for supplement at the step “Appraise the dossier (ward/commune office)” "
                    "(ward/commune level); your task: Prepare and submit the commendation dossier. "
                    "Reason: Thiếu biên bản.")
    assert subject == "[Thi đua] Dossier returned for supplement: Prepare and submit the commendation dossier — T"
    # An admin's own step keeps its name; Vietnamese stays as the BPMN gives it.
    assert notice_text("task", "Thẩm định (Sở Tư pháp)", "T", en) == "New task: Thẩm định (Sở Tư pháp) — dossier “T”."
    assert notice_text("task", "Thẩm định hồ sơ (Phòng Nội vụ)", "T", vi) == (
        "Việc mới: Thẩm định hồ sơ (Phòng Nội vụ) — hồ sơ “T”.")


def test_a_missing_index_result_names_the_index_in_words(app: Flask):
    rule = RuleSpec("PAR", "index_rank", {"index": "PAR_INDEX", "max_rank": 3,
                                          "alternatives": [{"index": "XYZ", "max_rank": 1}]}, "PAR")  # fmt: skip
    [result] = evaluate([rule], Facts(year=2024, kind="collective", award_form="BK-TINH"))
    assert result.status == "unknown"
    assert result.detail == ("chưa có kết quả PAR INDEX (Chỉ số cải cách hành chính) năm 2024; "
                             "chưa có kết quả XYZ năm 2024")  # an index the catalogue lacks: by its code
    assert "PAR_INDEX" not in result.detail
    with app.test_request_context("/?lang=en"):
        assert built(result.detail) == ("no result of the PAR INDEX (Public Administration Reform Index) for 2024 yet; "
                                        "no XYZ result for 2024 yet")
    with app.test_request_context("/?lang=vi"):
        assert built(result.detail) == result.detail
