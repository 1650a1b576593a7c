"""One name per level of local government, wherever the UI names a level on its own: "phường/xã", "quận/huyện",
"tỉnh/thành phố" (never "xã/phường" or a bare "tỉnh"), in English "ward/commune", "district", "province/city" —
in the level selects and role descriptions (domain.roles), the deadlines, refusals and notices
(domain.campaign_config, domain.awards), the process pages' paths (queries.processes), the audit details
(domain.audit_labels), the dashboard's columns; and a dossier granted in part reads as its status says. Each
module keeps its own words; this collects them so they cannot drift apart again. The generated official documents
(templates/documents, operations.official_documents) follow the legal wording and are left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.domain import audit_labels, awards, campaign_config, notices_en, roles
from service.queries import processes
from service.web import i18n, messages_en

LEVEL_WORDS = {"unit": "đơn vị", "ward": "phường/xã", "district": "quận/huyện", "province": "tỉnh/thành phố"}
ENGLISH = {"đơn vị": "units", "phường/xã": "ward/commune", "quận/huyện": "district", "tỉnh/thành phố": "province/city"}
DASHBOARD = Path(__file__).parents[2] / "templates" / "campaigns" / "dashboard.html"

# Every table of a level's words (code → words); roles' "unit" is a select's description ("cơ sở (đơn vị, …)").
SOURCES = {
    "roles.LEVEL_LABELS": {k: v for k, v in roles.LEVEL_LABELS.items() if k != "unit"},
    "campaign_config.LEVEL_LABELS": campaign_config.LEVEL_LABELS,
    "awards.LEVEL_WORDS": awards.LEVEL_WORDS,
    "processes.PATH_WORDS": processes.PATH_WORDS,
    "audit_labels level": audit_labels.DETAIL_VALUE_WORDS["level"],
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_table_names_each_level_with_the_same_words(source):
    table = SOURCES[source]
    assert table == {level: LEVEL_WORDS[level] for level in table}
    assert set(table) >= {"ward", "district", "province"}


def test_the_unit_level_is_described_in_the_level_selects():
    assert roles.LEVEL_LABELS["unit"].startswith("cơ sở (đơn vị")
    assert list(roles.LEVEL_LABELS) == list(roles.LEVELS)


def test_each_level_word_has_one_english():
    words = set(LEVEL_WORDS.values())
    assert {word: i18n.EN[word] for word in words} == ENGLISH  # the pages' _()
    in_notices = notices_en.LEVEL_WORDS_EN  # the notices and e-mails
    assert in_notices == {word: ENGLISH[word] for word in words if word != "đơn vị"}
    assert {word: messages_en.WORDS[word] for word in in_notices} == in_notices  # the refusals


def test_the_dashboard_names_the_levels_and_a_grant_in_part_as_everywhere_else():
    source = DASHBOARD.read_text(encoding="utf-8")
    labels = dict(re.findall(r'"(\w+)": _\("([^"]+)"\)', source))
    assert {labels[f"granted_{level}"] for level in ("ward", "district", "province")} == {
        f"Khen cấp {LEVEL_WORDS[level]}" for level in ("ward", "district", "province")}  # fmt: skip
    assert labels["granted_in_part"] == i18n.STATUS_VI["granted_in_part"] == "Được khen thưởng một phần"
    assert i18n.EN[labels["granted_in_part"]] == i18n.STATUS_EN["granted_in_part"] == "Granted in part"
    assert i18n.EN[labels["granted_province"]] == "Province/city award"


def test_the_lane_and_history_level_names_use_the_same_words():
    above = ("ward", "district", "province")
    assert i18n.LEVEL_VI == {"unit": "đơn vị", **{level: f"cấp {LEVEL_WORDS[level]}" for level in above}}
    assert i18n.LEVEL_EN == {"unit": "unit", **{level: ENGLISH[LEVEL_WORDS[level]] for level in above}}


def test_no_old_spelling_is_left_in_the_tables():
    every = {word for table in SOURCES.values() for word in table.values()} | set(roles.LEVEL_LABELS.values())
    assert "xã/phường" not in every and "tỉnh" not in every
