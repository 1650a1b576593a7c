"""The English of the notices covers every Vietnamese template of domain.notices, with the same placeholders."""

from __future__ import annotations

from string import Formatter

from service.domain import notices
from service.domain.campaign_config import LEVEL_LABELS
from service.domain.notices import NomineeFate, notice_subject, notice_text, outcome_notice
from service.domain.notices_en import EN, translator


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def test_every_notice_template_has_english_with_the_same_placeholders():
    templates = [*notices.SENTENCES.values(), *notices.SUBJECTS.values(), *LEVEL_LABELS.values()] + [
        value for name, value in vars(notices).items() if name.isupper() and isinstance(value, str)]  # fmt: skip
    missing = [t for t in templates if t not in EN]
    assert not missing
    assert [t for t in templates if _fields(EN[t]) != _fields(t)] == []


def test_english_sentences_and_subjects():
    en = translator("en")
    assert notice_text("returned", None, "T", en) == "Dossier “T” was returned for supplement."
    assert notice_subject("escalation", "Thẩm định", "T", en) == "[Thi đua] Overdue task: Thẩm định"
    refused = [NomineeFate("A", False, "GK", "district", "Chưa tiêu biểu"), NomineeFate("B", False, "BK", "district")]
    assert outcome_notice("not_granted", "T", refused, en) == (
        "Dossier “T” was not granted at district level: A — Chưa tiêu biểu; B.", "[Thi đua] Dossier not granted: T")
    levels = [NomineeFate("A", False, "GK", "ward", "Thiếu"), NomineeFate("B", False, "BK", "province")]
    assert outcome_notice("not_granted", "T", levels, en)[0] == (
        "Dossier “T” was not granted: A (ward/commune level: Thiếu); B (province/city level).")
    assert outcome_notice("granted", "T", [NomineeFate("A", True, "GK", "ward")], en)[0] == "Dossier “T” was granted: GK (A)."
    assert translator("vi")("Hồ sơ “{dossier}” bị trả lại để bổ sung.") == "Hồ sơ “{dossier}” bị trả lại để bổ sung."
